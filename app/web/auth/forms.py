"""Forms of the account pages: password change, invitations."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.web.forms import Email, new_password, repeat_password


class PasswordChangeForm(FlaskForm):
    """The current password, and the new one twice (set `policy_email` to the user's)."""

    policy_email: str | None = None

    current = PasswordField("Current password", validators=[DataRequired(), Length(max=200)])
    password = new_password("New password")
    confirm = repeat_password("Repeat new password")


class InviteForm(FlaskForm):
    """Invite a person by e-mail; they accept through the link."""

    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    role = SelectField(
        "Role", choices=[SelectChoice("member", "Member"), SelectChoice("owner", "Owner")]
    )


class AcceptInviteForm(FlaskForm):
    """A password for a new account made by accepting an invitation (`policy_email`: invitee)."""

    policy_email: str | None = None

    password = new_password("Choose a password")
    confirm = repeat_password("Repeat password")


class ForgotPasswordForm(FlaskForm):
    """The address to send a reset link to."""

    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])


class ResetPasswordForm(FlaskForm):
    """A new password, twice (set `policy_email` to the user's)."""

    policy_email: str | None = None

    password = new_password("New password")
    confirm = repeat_password("Repeat new password")
