"""Flask-WTF forms of the pages: every field validated, every message says what to fix."""

from __future__ import annotations

import re
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DecimalField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.models.catalog import OWNERS
from app.planning import settings
from app.planning.settings import Setting
from app.security.passwords import PasswordPolicy

# A pragmatic check (one @, a dot in the domain, no spaces); the address is never mailed here.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s.]{2,}$")


def Email() -> Any:  # noqa: N802 - reads like the WTForms validator it replaces
    """Validator for a plausible e-mail address (without the email_validator dependency)."""

    def check(_form: Any, field: Any) -> None:
        if field.data and not _EMAIL.match(field.data.strip()):
            raise ValidationError("Enter an e-mail address like name@example.com.")

    return check


OWNER_CHOICES = [SelectChoice(o, o.title()) for o in OWNERS]
MIN_PASSWORD = 10


class CsrfOnlyForm(FlaskForm):
    """A form with no fields: a button whose POST must carry the CSRF token."""


def new_password(label: str, email_field: str | None = None) -> PasswordField:
    """A new password field: long enough, and refused by the policy when common or trivial
    (from the form's `email_field`, or its `policy_email`, when it has no e-mail field)."""
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
            PasswordPolicy(email_field=email_field),
        ],
    )


def repeat_password(label: str) -> PasswordField:
    """The same password again."""
    return PasswordField(label, validators=[EqualTo("password", message="The passwords differ.")])


class SignupForm(FlaskForm):
    """A new business and its first user (the owner)."""

    business = StringField("Business name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    password = new_password("Password", email_field="email")
    confirm = repeat_password("Repeat password")


class LoginForm(FlaskForm):
    """E-mail and password."""

    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class WholeNumberField(IntegerField):
    """An integer field whose parse error says what to type."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the number, with a message a seller understands."""
        if not valuelist or valuelist[0] in ("", None):
            self.data = None
            return
        try:
            self.data = int(str(valuelist[0]).strip().replace(",", ""))
        except ValueError:
            self.data = None
            raise ValueError(f"{valuelist[0]!r} is not a whole number.") from None


def _in_range(setting: Setting) -> NumberRange:
    message = setting.range_message().replace("%", "%%")  # NumberRange %-formats it
    return NumberRange(setting.minimum, setting.maximum, message=message)


def _whole(setting: Setting, required: str) -> IntegerField:
    return WholeNumberField(
        setting.label, validators=[InputRequired(message=required), _in_range(setting)]
    )


def _optional_whole(setting: Setting) -> IntegerField:
    """A whole number the seller may leave empty (it then inherits: app.planning.settings)."""
    return WholeNumberField(
        setting.label,
        validators=[Optional(), _in_range(setting)],
        description=settings.SKU_HINTS.get(setting.name, ""),
    )


def _days(setting: Setting) -> IntegerField:
    return _whole(setting, "Enter a whole number of days.")


class SkuSettingsForm(FlaskForm):
    """The planning settings a seller keeps for one SKU (limits: app.planning.settings)."""

    unit_cost = DecimalField(
        settings.UNIT_COST.label, places=2, validators=[Optional(), _in_range(settings.UNIT_COST)]
    )
    lead_time_production_days = _days(settings.LEAD_TIME_PRODUCTION)
    lead_time_transit_days = _days(settings.LEAD_TIME_TRANSIT)
    lead_time_receiving_days = _days(settings.LEAD_TIME_RECEIVING)
    lead_time_spread_days = _days(settings.LEAD_TIME_SPREAD)
    case_pack = _whole(settings.CASE_PACK, "Enter the units per case (1 if sold singly).")
    moq = _whole(settings.MOQ, "Enter the minimum order (0 if none).")
    in_stock_target_pct = _optional_whole(settings.IN_STOCK_TARGET)
    stockout_cost_multiple = _optional_whole(settings.STOCKOUT_COST)
    prep_owner = SelectField("Prep owner", choices=OWNER_CHOICES)
    label_owner = SelectField("Label owner", choices=OWNER_CHOICES)

    def validate_lead_time_transit_days(self, _field: Any) -> None:
        """The parts must not add up to more than a year."""
        parts = [getattr(self, name).data for name in settings.LEAD_TIME_PARTS]
        if all(isinstance(p, int) for p in parts):
            error = settings.lead_time_error(parts)
            if error:
                raise ValidationError(error)


class ImportForm(FlaskForm):
    """A CSV of SKU settings."""

    file = FileField("CSV file", validators=[FileRequired(message="Choose a CSV file.")])


class PlanNameForm(FlaskForm):
    """Name of a shipment plan (its lines are read from the builder's table)."""

    name = StringField("Plan name", validators=[DataRequired(), Length(max=200)])
