"""The status words the planner writes and the pages read: one home, decided from the timeline."""

from __future__ import annotations

from enum import StrEnum


class PlanStatus(StrEnum):
    """What a SKU needs now, most urgent first (`forecasting.timeline.decide_status`).

    - `out_of_stock`: nothing sellable now (fulfillable == 0), whatever is on its way.
    - `stockout_before_arrival`: sellable stock runs out before anything shipped now can arrive.
    - `ship_now`: a shipment is needed and its latest ship date is today.
    - `ship_by`: a shipment is needed; it can wait until `ship_by`.
    - `excess`: nothing to ship and units beyond need cost money (see the excess block).
    - `healthy`: nothing to ship, nothing in excess.
    """

    OUT_OF_STOCK = "out_of_stock"
    STOCKOUT_BEFORE_ARRIVAL = "stockout_before_arrival"
    SHIP_NOW = "ship_now"
    SHIP_BY = "ship_by"
    HEALTHY = "healthy"
    EXCESS = "excess"
