"""Forms of the seller pages: planning settings (any member) and credentials (owners only)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import (
    FloatField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from app.planning import settings
from app.planning.settings import Setting
from app.security.outbound import EndpointRefused, OutboundPolicy, Purpose, check_endpoint
from integrations.amazon import marketplaces


def allowed_endpoint(purpose: Purpose) -> Any:
    """Validator: the outbound allowlist accepts this URL (checked before anything is stored)."""

    def check(_form: Any, field: Any) -> None:
        value = (field.data or "").strip()
        if not value:
            return
        try:
            field.data = check_endpoint(
                value, OutboundPolicy.from_config(current_app.config), purpose
            )
        except EndpointRefused as exc:
            raise ValidationError(str(exc)) from None

    return check


def _in_range(setting: Setting) -> NumberRange:
    message = setting.range_message().replace("%", "%%")  # NumberRange %-formats it
    return NumberRange(setting.minimum, setting.maximum, message=message)


class SellerSettingsForm(FlaskForm):
    """What any member of the business may change: the name and the planning settings."""

    name = StringField("Account name", validators=[DataRequired(), Length(max=200)])
    review_days = IntegerField(
        "Ship every (days)", default=7, validators=[InputRequired(), NumberRange(1, 90)]
    )
    capacity_standard_cuft = FloatField(
        "Capacity limit, standard-size (cu ft)", validators=[Optional(), NumberRange(min=0)]
    )
    capacity_bulky_cuft = FloatField(
        "Capacity limit, oversize (cu ft)", validators=[Optional(), NumberRange(min=0)]
    )
    in_stock_target_pct = IntegerField(
        settings.IN_STOCK_TARGET.label,
        validators=[Optional(), _in_range(settings.IN_STOCK_TARGET)],
        description=settings.ACCOUNT_HINTS[settings.IN_STOCK_TARGET.name],
    )
    stockout_cost_multiple = IntegerField(
        settings.STOCKOUT_COST.label,
        validators=[Optional(), _in_range(settings.STOCKOUT_COST)],
        description=settings.ACCOUNT_HINTS[settings.STOCKOUT_COST.name],
    )


class SellerForm(SellerSettingsForm):
    """Connect (or edit) a Selling Partner API account: credentials and where they are sent."""

    marketplace = SelectField(
        "Marketplace",
        choices=[
            SelectChoice(m.code, f"{m.code} ({m.region_name}, {m.currency})")
            for m in marketplaces.table().values()
        ],
    )
    seller_id = StringField("Seller (merchant) id", validators=[Optional(), Length(max=64)])
    lwa_client_id = StringField("LWA client id", validators=[DataRequired(), Length(max=300)])
    lwa_client_secret = PasswordField("LWA client secret", validators=[Length(max=2000)])
    refresh_token = PasswordField("Refresh token", validators=[Length(max=4000)])
    endpoint_choice = SelectField(
        "Endpoint",
        choices=[
            SelectChoice("amazon", "Amazon (the marketplace's region)"),
            SelectChoice("custom", "Custom URL"),
        ],
    )
    endpoint = StringField(
        "Custom endpoint URL",
        validators=[Optional(), Length(max=500), allowed_endpoint("api")],
    )
    token_url = StringField(
        "LWA token URL",
        validators=[Optional(), Length(max=500), allowed_endpoint("token")],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        """A custom endpoint needs its URL (checked here: Optional() ends the field's chain)."""
        ok = super().validate(extra_validators)
        if self.endpoint_choice.data == "custom" and not (self.endpoint.data or "").strip():
            self.endpoint.errors = [
                *self.endpoint.errors,
                "Enter the endpoint URL, or choose Amazon.",
            ]
            return False
        return ok


class ConnectForm(SellerForm):
    """Connect a seller: the form above, and the region's other marketplaces it sells in."""

    also = SelectMultipleField(
        "Also sells in",
        choices=[
            SelectChoice(m.code, f"{m.code} ({m.region_name}, {m.currency})")
            for m in marketplaces.table().values()
        ],
        description=(
            "Other marketplaces of the same region (hold Ctrl or ⌘ to pick several): one account "
            "each, named with its code, on the same credentials and rate limits."
        ),
    )
