"""A SKU's planning settings, each with its limits, and the case-pack/MOQ rule for quantities.

The one definition the SKU page's form (app/web/forms.py), the API's validation and OpenAPI
document (app/web/api/skus.py) and the CSV importer (app/imports/sku_settings.py) derive their
limits and messages from, so a value one of them accepts is accepted by all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from forecasting.policy import DEFAULT_STOCKOUT_COST_MULTIPLE, allowed

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
        """The form's message for a value out of range ("Between 0 and 365 days."; WTForms
        reads it as a %-format, so a form passes it with "%" doubled)."""
        unit = f" {self.unit}" if self.unit and self.unit != "%" else self.unit
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
# What a stockout costs the seller beyond the lost margin (forecasting.policy). Both may be set
# on the seller account (every SKU) and on a SKU (that SKU); empty on both: the planner's
# defaults, a stockout cost of DEFAULT_STOCKOUT_COST_MULTIPLE (1: each unit lost counted as one
# more lost sale, for the ranking: 97% fill overall on the replay, not on every demand class,
# bench/RESULTS.md) and no floor.
IN_STOCK_TARGET = Setting(
    "in_stock_target_pct",
    "integer",
    50,
    99,
    "In-stock target (%)",
    "keep the chance of running out after a shipment lands, until the next one could, under "
    "100 minus this percentage, whatever it costs (empty: the account's, else no floor)",
    "%",
)
STOCKOUT_COST = Setting(
    "stockout_cost_multiple",
    "integer",
    0,
    20,
    "Stockout cost (sales lost later per sale lost)",
    "each unit lost to a stockout is counted as this many more lost sales at its margin, for "
    "the ranking and momentum a stockout costs (empty: the account's, else "
    f"{DEFAULT_STOCKOUT_COST_MULTIPLE:g})",
    "sales",
)
STOCKOUT_SETTINGS = (IN_STOCK_TARGET.name, STOCKOUT_COST.name)  # may be empty (inherit)
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
        IN_STOCK_TARGET,
        STOCKOUT_COST,
    )
}
NULLABLE = ("unit_cost", *STOCKOUT_SETTINGS)
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


# What the SKU page and the account page say under the two fields.
SKU_HINTS = {
    IN_STOCK_TARGET.name: "Keep the chance of running out after a shipment lands under 100 "
    "minus this, whatever it costs. Empty: the account's setting, else no floor.",
    STOCKOUT_COST.name: "A stockout costs the ranking too: each sale lost is counted as this "
    "many more lost sales. Empty: the account's setting, else "
    f"{DEFAULT_STOCKOUT_COST_MULTIPLE:g}.",
}
ACCOUNT_HINTS = {
    IN_STOCK_TARGET.name: "For every SKU without its own: keep the chance of running out after "
    "a shipment lands under 100 minus this, whatever it costs. Empty: no floor.",
    STOCKOUT_COST.name: "For every SKU without its own: each sale lost to a stockout counted as "
    f"this many more, for the ranking. Empty: {DEFAULT_STOCKOUT_COST_MULTIPLE:g}.",
}


def stockout_policy(
    sku_multiple: int | None,
    sku_target_pct: int | None,
    account_multiple: int | None,
    account_target_pct: int | None,
) -> tuple[float, float | None]:
    """(stockout_cost_multiple, in_stock_target as a fraction or None) for one SKU: the SKU's
    own setting, else its seller account's, else the planner's default."""
    multiple = sku_multiple if sku_multiple is not None else account_multiple
    pct = sku_target_pct if sku_target_pct is not None else account_target_pct
    return (
        float(DEFAULT_STOCKOUT_COST_MULTIPLE if multiple is None else multiple),
        None if pct is None else pct / 100.0,
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
