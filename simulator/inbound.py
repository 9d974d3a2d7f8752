"""FBA inbound shipments as of a day: status, received units, events and 2024-03-20 plans.

A shipment's life, by the day each event happens (a status holds from the day after its event,
when the world has generated that day):

- created (WORKING) at `created_ts`; a cancelled draft turns CANCELLED on `cancelled_day`;
- SHIPPED on `ship_day`, IN_TRANSIT two days later (the carrier told the FC);
- DELIVERED on `delivery_day` (= arrival_day - 2), inside the selected delivery window if any;
- CHECKED_IN the day after; RECEIVING from `arrival_day`, when the first units are received;
- CLOSED on `last_receipt_day`, when the last units are received (2-5 receipt days in all).

The inventory summary counts WORKING units as inboundWorking, SHIPPED/IN_TRANSIT/DELIVERED/
CHECKED_IN units as inboundShipped, and the units of RECEIVING shipments not yet received as
inboundReceiving, so its totals are sums over the open shipments.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.orders import day_epoch
from simulator.world import Shipment, World

STATUSES = (
    "WORKING",
    "SHIPPED",
    "IN_TRANSIT",
    "DELIVERED",
    "CHECKED_IN",
    "RECEIVING",
    "CLOSED",
    "CANCELLED",
)
OPEN_SHIPPED = ("SHIPPED", "IN_TRANSIT", "DELIVERED", "CHECKED_IN")
CLOSED_STATUSES = ("CLOSED", "CANCELLED")
# Hour of the day (UTC) each kind of event happens at: LastUpdated timestamps.
_HOUR = {
    "SHIPPED": 15,
    "IN_TRANSIT": 6,
    "DELIVERED": 11,
    "CHECKED_IN": 9,
    "RECEIVING": 8,
    "CLOSED": 20,
    "CANCELLED": 10,
}
FC_ID = "PHX7"
FC_ADDRESS = {
    "name": "Amazon.com Services LLC",
    "addressLine1": "800 N 75th Ave",
    "city": "Phoenix",
    "stateOrProvinceCode": "AZ",
    "postalCode": "85043",
    "countryCode": "US",
}
SELLER_ADDRESS = {
    "name": "Seller warehouse",
    "addressLine1": "100 Commerce Way",
    "city": "Reno",
    "stateOrProvinceCode": "NV",
    "postalCode": "89502",
    "countryCode": "US",
    "phoneNumber": "7755550100",
}


@dataclass(frozen=True)
class ShipmentState:
    """A shipment as the API shows it on a day."""

    shipment: Shipment
    status: str
    received: int
    last_updated: int  # Unix seconds of the latest visible event


def events(s: Shipment) -> list[tuple[int, str]]:
    """(day, status) of every event after creation, in order (receipt days included)."""
    if s.cancelled_day is not None:
        return [(s.cancelled_day, "CANCELLED")]
    out = [(s.ship_day, "SHIPPED")]
    delivered = max(s.delivery_day, s.ship_day + 1)
    if s.ship_day + 2 < delivered:
        out.append((s.ship_day + 2, "IN_TRANSIT"))
    out.append((delivered, "DELIVERED"))
    out.append((max(s.arrival_day - 1, delivered), "CHECKED_IN"))
    last = s.last_receipt_day
    for j in range(len(s.receipts) - 1):
        out.append((s.arrival_day + j, "RECEIVING"))
    out.append((last, "CLOSED"))
    return out


def state(
    s: Shipment, today: int, now: int, day_start: Callable[[int], int] = day_epoch
) -> ShipmentState | None:
    """The shipment on the clock's day `today` (events of earlier days); None before creation.
    Its status changes at an hour of the marketplace's local day (`day_start`: World.day_start)."""
    if s.created_ts > now:
        return None
    if s.cancelled_day is None and s.last_receipt_day < today:  # the common case, quickly
        close = day_start(s.last_receipt_day) + _HOUR["CLOSED"] * 3600
        return ShipmentState(s, "CLOSED", s.quantity, max(close, s.created_ts))
    status, last = "WORKING", s.created_ts
    for day, kind in events(s):
        if day >= today:
            break
        status, last = kind, max(last, day_start(day) + _HOUR[kind] * 3600)
    received = 0
    if s.cancelled_day is None:
        received = sum(u for j, u in enumerate(s.receipts) if s.arrival_day + j < today)
    return ShipmentState(s, status, received, last)


def states(
    world: World, now: int, today: int | None = None, limit: int | None = None
) -> list[ShipmentState]:
    """Every shipment that exists at `now`, in creation order, as of the clock's day.

    `limit` keeps only the first shipments registered (a page frozen at an earlier clock).
    """
    day = world.next_ordinal if today is None else today
    count = len(world.shipments) if limit is None else min(limit, len(world.shipments))
    key = (day, now, count, world.next_ordinal)
    cache: dict = world.__dict__.setdefault("_states_cache", {})
    if key not in cache:
        # The clock stands still between advances: the pages of one query share one walk.
        if len(cache) >= 4:
            cache.pop(next(iter(cache)))
        found = (state(s, day, now, world.day_start) for s in world.shipments[:count])
        cache[key] = [st for st in found if st is not None]
    return list(cache[key])


def inbound_quantity(st: ShipmentState) -> tuple[int, int, int]:
    """(working, shipped, receiving) units this shipment adds to the inventory summary."""
    q = st.shipment.quantity
    if st.status == "WORKING":
        return q, 0, 0
    if st.status in OPEN_SHIPPED:
        return 0, q, 0
    if st.status == "RECEIVING":
        return 0, 0, q - st.received
    return 0, 0, 0


def plan_status(members: list[ShipmentState]) -> str:
    """A 2024-03-20 plan's status: ACTIVE while a shipment is WORKING, VOIDED if all cancelled."""
    if all(m.status == "CANCELLED" for m in members):
        return "VOIDED"
    if any(m.status == "WORKING" for m in members):
        return "ACTIVE"
    return "SHIPPED"


def plans(world: World, now: int) -> dict[str, list[ShipmentState]]:
    """2024-03-20 plans (by inboundPlanId) and their shipments existing at `now`."""
    out: dict[str, list[ShipmentState]] = {}
    for st in states(world, now):
        if st.shipment.plan_id:
            out.setdefault(st.shipment.plan_id, []).append(st)
    return out


def window_times(s: Shipment) -> tuple[int, int] | None:
    """The selected delivery window as Unix seconds (first day 00:00 to last day 23:59:59 UTC:
    calendar dates, as the API writes dates, not instants of the local day)."""
    if s.window is None:
        return None
    return day_epoch(s.window[0]), day_epoch(s.window[1] + 1) - 1
