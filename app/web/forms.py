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


class SignupForm(FlaskForm):
    """A new business and its first user (the owner)."""

    business = StringField("Business name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
        ],
    )
    confirm = PasswordField(
        "Repeat password", validators=[EqualTo("password", message="The passwords differ.")]
    )


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


def _days(label: str) -> IntegerField:
    return WholeNumberField(
        label,
        validators=[
            InputRequired(message="Enter a whole number of days."),
            NumberRange(0, 365, message="Between 0 and 365 days."),
        ],
    )


class SkuSettingsForm(FlaskForm):
    """The planning settings a seller keeps for one SKU."""

    unit_cost = DecimalField(
        "Unit cost ($)",
        places=2,
        validators=[Optional(), NumberRange(min=0, max=100000, message="Between 0 and 100,000.")],
    )
    lead_time_production_days = _days("Production (days)")
    lead_time_transit_days = _days("Transit (days)")
    lead_time_receiving_days = _days("Receiving at FBA (days)")
    lead_time_spread_days = _days("Lead time spread ± (days)")
    case_pack = WholeNumberField(
        "Units per case",
        validators=[
            InputRequired(message="Enter the units per case (1 if sold singly)."),
            NumberRange(1, 10000, message="Between 1 and 10,000 units."),
        ],
    )
    moq = WholeNumberField(
        "Minimum order (units)",
        validators=[
            InputRequired(message="Enter the minimum order (0 if none)."),
            NumberRange(0, 1000000, message="Between 0 and 1,000,000 units."),
        ],
    )
    prep_owner = SelectField("Prep owner", choices=OWNER_CHOICES)
    label_owner = SelectField("Label owner", choices=OWNER_CHOICES)

    def validate_lead_time_transit_days(self, _field: Any) -> None:
        """The parts must add up to at least a day (the planner needs a positive lead time)."""
        parts = [
            self.lead_time_production_days.data,
            self.lead_time_transit_days.data,
            self.lead_time_receiving_days.data,
        ]
        if all(isinstance(p, int) for p in parts) and sum(parts) > 365:
            raise ValidationError("The lead time parts add up to more than a year.")


class ImportForm(FlaskForm):
    """A CSV of SKU settings."""

    file = FileField("CSV file", validators=[FileRequired(message="Choose a CSV file.")])


class PlanNameForm(FlaskForm):
    """Name of a shipment plan (its lines are read from the builder's table)."""

    name = StringField("Plan name", validators=[DataRequired(), Length(max=200)])
