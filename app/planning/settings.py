"""A SKU's planning settings, each with its limits, and the case-pack/MOQ rule for quantities.

The one definition the SKU page's form (app/web/forms.py), the API's validation and OpenAPI
document (app/web/api/skus.py) and the CSV importer (app/imports/sku_settings.py) derive their
limits and messages from, so a value one of them accepts is accepted by all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from forecasting.policy import allowed

MAX_LEAD_TIME_DAYS = 365  # the parts together, and a lead_time_days total, at most a year
COST_DECIMALS = 4  # what the unit_cost column (Numeric(14, 4)) stores
MAX_SHIP_QUANTITY = 1_000_000  # units of one SKU on one shipment plan line


@dataclass(frozen=True)
class Setting:
    """One numeric setting: its column, the range a seller may type, and how to say it."""

    name: str
    kind: Literal["integer", "number"]
    minimum: int
    maximum: int
    label: str  # the form's label
    description: str  # the API document's description
    unit: str = ""  # "days", "units"; money has none

    def range_message(self) -> str:
        """The form's message for a value out of range ("Between 0 and 365 days.")."""
        unit = f" {self.unit}" if self.unit else ""
        return f"Between {self.minimum:,} and {self.maximum:,}{unit}."


def _days(name: str, label: str, description: str) -> Setting:
    return Setting(name, "integer", 0, MAX_LEAD_TIME_DAYS, label, description, "days")


# Landed cost per unit: 100,000 is far above anything shipped to FBA, and a typo (a misplaced
# decimal point) beyond it would distort every cost the planner compares.
UNIT_COST = Setting("unit_cost", "number", 0, 100_000, "Unit cost ($)", "landed cost per unit")
LEAD_TIME_PRODUCTION = _days("lead_time_production_days", "Production (days)", "days to produce")
LEAD_TIME_TRANSIT = _days("lead_time_transit_days", "Transit (days)", "days in transit to FBA")
LEAD_TIME_RECEIVING = _days(
    "lead_time_receiving_days", "Receiving at FBA (days)", "days for FBA to receive"
)
LEAD_TIME_SPREAD = _days(
    "lead_time_spread_days", "Lead time spread ± (days)", "uncertainty of the lead time"
)
CASE_PACK = Setting(
    "case_pack",
    "integer",
    1,
    10_000,
    "Units per case",
    "units per case; quantities are multiples",
    "units",
)
MOQ = Setting(
    "moq",
    "integer",
    0,
    1_000_000,
    "Minimum order (units)",
    "minimum order quantity (0: none)",
    "units",
)
SETTINGS = {
    s.name: s
    for s in (
        UNIT_COST,
        LEAD_TIME_PRODUCTION,
        LEAD_TIME_TRANSIT,
        LEAD_TIME_RECEIVING,
        LEAD_TIME_SPREAD,
        CASE_PACK,
        MOQ,
    )
}
LEAD_TIME_PARTS = (LEAD_TIME_PRODUCTION.name, LEAD_TIME_TRANSIT.name, LEAD_TIME_RECEIVING.name)
# The importer also takes the lead time as one total (stored as production days).
LEAD_TIME_TOTAL = Setting(
    "lead_time_days",
    "integer",
    1,
    MAX_LEAD_TIME_DAYS,
    "Lead time (days)",
    "total lead time",
    "days",
)


def lead_time_error(parts: Iterable[int]) -> str | None:
    """Why production + transit + receiving days are not a usable lead time, if they are not."""
    if sum(parts) > MAX_LEAD_TIME_DAYS:
        return "The lead time parts add up to more than a year."
    return None


def pack_problem(quantity: int, case_pack: int | None, moq: int | None) -> str | None:
    """Which rule a positive quantity breaks: "case_pack", "moq", or None when it may ship.

    The rule is forecasting.policy.allowed, the one the planner's candidates follow.
    """
    pack = max(1, case_pack or 1)
    minimum = max(0, moq or 0)
    if allowed(quantity, pack, minimum):
        return None
    return "case_pack" if not allowed(quantity, pack, 0) else "moq"
