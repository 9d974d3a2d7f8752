"""Inbound shipments and when their units become sellable, as whole units per day (day 0 = today).

The caller supplies each shipment's expected arrival: Amazon's own date where it has one
(`arrival_source="amazon"`), else an estimate, e.g. from the seller's own shipment-to-receipt
history; `estimate_arrival` is the fallback for callers with nothing better (status + lead time).
Units in receiving become sellable over several days, not all on the arrival morning.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

RECEIVING_SPREAD_DAYS = 5  # a receiving shipment's remaining units, spread evenly from arrival
RESERVED_RETURN_DAYS = 1   # FC transfer / processing units are sellable again from tomorrow
ARRIVAL_SOURCES = ("amazon", "estimated")
# Amazon's shipment status words (v0 ShipmentStatus, 2024-03-20 plans) -> the stage that decides
# when the units arrive; closed, cancelled, deleted and error shipments bring nothing more.
STATUS_STAGE = {
    "working": "working", "ready_to_ship": "working", "shipped": "shipped",
    "in_transit": "shipped", "delivered": "checked_in", "checked_in": "checked_in",
    "receiving": "receiving", "closed": "done", "cancelled": "done", "deleted": "done",
    "error": "done",
}


def stage(status: str) -> str:
    """The arrival stage of an Amazon shipment status word (unknown words count as shipped)."""
    return STATUS_STAGE.get(status.strip().lower(), "shipped")


def estimate_arrival(status: str, lead_time_days: int, today: dt.date) -> dt.date:
    """A rough arrival date from the status alone, for callers with no better date (mark it
    `arrival_source="estimated"`): working = a full lead time (not shipped yet), shipped = half
    of it left, delivered/checked in = tomorrow, receiving = today."""
    s = stage(status)
    lead = max(1, int(lead_time_days))
    days = {"working": lead, "shipped": max(1, lead // 2), "checked_in": 1}.get(s, 0)
    return today + dt.timedelta(days=days)


@dataclass
class Inbound:
    """Units of one inbound shipment not yet sellable. `quantity`: for a shipment in receiving,
    the units still to be received. `expected_arrival`: the day its units start to become
    sellable (None: estimated from the status when the plan is made, see `estimate_arrival`).
    `receiving_days`: over how many days from arrival they become sellable (None: 5 for
    `receiving`, else 1)."""

    quantity: int
    expected_arrival: dt.date | None = None
    status: str = "shipped"
    shipment_id: str = ""
    arrival_source: str = "amazon"
    receiving_days: int | None = None

    @property
    def arrival(self) -> dt.date | None:
        """Former name of `expected_arrival` (kept for callers written against it)."""
        return self.expected_arrival

    def resolved(self, lead_time_days: int, today: dt.date) -> Inbound:
        """This shipment with an arrival date: its own, or estimated (and marked so)."""
        if self.expected_arrival is not None:
            return self
        return Inbound(self.quantity, estimate_arrival(self.status, lead_time_days, today),
                       self.status, self.shipment_id, "estimated", self.receiving_days)

    def spread_days(self) -> int:
        """Days over which the units become sellable."""
        if self.receiving_days is not None:
            return max(1, int(self.receiving_days))
        return RECEIVING_SPREAD_DAYS if stage(self.status) == "receiving" else 1

    def units_by_day(self, today: dt.date) -> dict[int, int]:
        """Whole units becoming sellable per day index (0 = today); arrival must be known.
        Days of the spread already past fold into today (the units are still to come)."""
        if self.quantity <= 0 or stage(self.status) == "done":
            return {}
        assert self.expected_arrival is not None, "resolve the arrival date first"
        first = (self.expected_arrival - today).days
        last = first + self.spread_days() - 1
        first = max(0, first)
        last = max(first, last)
        n = last - first + 1
        base, extra = divmod(int(self.quantity), n)
        return {first + i: base + (1 if i < extra else 0)
                for i in range(n) if base + (1 if i < extra else 0)}


def resolve(inbound: Sequence[Inbound], lead_time_days: int, today: dt.date) -> list[Inbound]:
    """Every shipment with an arrival date (estimated where missing), done ones dropped."""
    return [s.resolved(lead_time_days, today) for s in inbound
            if stage(s.status) != "done" and s.quantity > 0]


def arrivals_by_day(inbound: Sequence[Inbound], reserved: int, lead_time_days: int,
                    today: dt.date) -> dict[int, int]:
    """Units becoming sellable per day index (0 = today) from inbound shipments and reserved
    units (sellable again from tomorrow)."""
    out: dict[int, int] = {}
    for s in resolve(inbound, lead_time_days, today):
        for day, units in s.units_by_day(today).items():
            out[day] = out.get(day, 0) + units
    if reserved > 0:
        out[RESERVED_RETURN_DAYS] = out.get(RESERVED_RETURN_DAYS, 0) + int(reserved)
    return out
