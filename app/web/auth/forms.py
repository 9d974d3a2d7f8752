"""Forms of the account pages: password change, invitations."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from app.security.passwords import PasswordPolicy
from app.web.forms import MIN_PASSWORD, Email


class PasswordChangeForm(FlaskForm):
    """The current password, and the new one twice (set `policy_email` to the user's)."""

    policy_email: str | None = None

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
            PasswordPolicy(email_field=None),
        ],
    )
    confirm = PasswordField(
        "Repeat new password", validators=[EqualTo("password", message="The passwords differ.")]
    )


class InviteForm(FlaskForm):
    """Invite a person by e-mail; they accept through the link."""

    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    role = SelectField(
        "Role", choices=[SelectChoice("member", "Member"), SelectChoice("owner", "Owner")]
    )


class AcceptInviteForm(FlaskForm):
    """A password for a new account made by accepting an invitation (`policy_email`: invitee)."""

    policy_email: str | None = None

    password = PasswordField(
        "Choose a password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
            PasswordPolicy(email_field=None),
        ],
    )
    confirm = PasswordField(
        "Repeat password", validators=[EqualTo("password", message="The passwords differ.")]
    )


class ForgotPasswordForm(FlaskForm):
    """The address to send a reset link to."""

    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])


class ResetPasswordForm(FlaskForm):
    """A new password, twice (set `policy_email` to the user's)."""

    policy_email: str | None = None

    password = PasswordField(
        "New password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
            PasswordPolicy(email_field=None),
        ],
    )
    confirm = PasswordField(
        "Repeat new password", validators=[EqualTo("password", message="The passwords differ.")]
    )
