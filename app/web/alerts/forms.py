"""The alert settings form: its choices come from app.alerts.events and the digest modes."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.alerts.events import LABELS
from app.models.alerts import DIGEST_MODES


class AlertSettingsForm(FlaskForm):
    """A user's alert settings; an empty channel keeps the stored one (it is never shown)."""

    channel_url = StringField("Channel (Apprise URL)", validators=[Optional(), Length(max=2000)])
    clear_channel = SelectField(
        "Channel", choices=[SelectChoice("keep", "Keep"), SelectChoice("clear", "Remove")],
        default="keep",
    )  # fmt: skip
    events = SelectMultipleField(
        "Events",
        choices=[SelectChoice(e.value, label) for e, label in LABELS.items()],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    ship_by_days = IntegerField(
        "Ship-by within (days)", default=7, validators=[InputRequired(), NumberRange(0, 90)]
    )
    reorder_by_days = IntegerField(
        "Supplier reorder-by within (days)", default=14,
        validators=[InputRequired(), NumberRange(0, 120)],
    )  # fmt: skip
    sync_failures = IntegerField(
        "Sync failures in a row", default=3, validators=[InputRequired(), NumberRange(1, 50)]
    )
    time_zone = StringField(
        "Time zone", default="UTC", validators=[InputRequired(), Length(max=64)]
    )
    quiet_start = TimeField("Quiet from", validators=[Optional()])
    quiet_end = TimeField("Quiet until", validators=[Optional()])
    digest = SelectField(
        "Delivery",
        choices=[
            SelectChoice(m, {"off": "Each event as it happens", "daily": "Daily digest",
                             "weekly": "Weekly digest (Mondays)"}[m])
            for m in DIGEST_MODES
        ],
    )  # fmt: skip
    digest_hour = IntegerField(
        "Digest hour (local)", default=8, validators=[InputRequired(), NumberRange(0, 23)]
    )

    def validate_time_zone(self, field: Any) -> None:
        """An IANA zone name, such as Europe/Berlin or America/New_York."""
        if field.data not in available_timezones() and field.data != "UTC":
            raise ValidationError("Enter an IANA time zone, such as America/New_York.")
