"""A seller's FBA inventory as of the simulated clock: sellable, reserved and inbound units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.inbound import inbound_quantity, states
from simulator.world import World


@dataclass
class InventorySnapshot:
    """Per-SKU quantities (arrays of length n_skus) as of `now`."""

    fulfillable: np.ndarray
    pending_customer_order: np.ndarray
    inbound_working: np.ndarray
    inbound_shipped: np.ndarray
    inbound_receiving: np.ndarray
    last_updated: np.ndarray  # Unix seconds

    @property
    def total(self) -> np.ndarray:
        """Everything Amazon counts for the SKU: sellable, reserved and inbound."""
        return (
            self.fulfillable
            + self.pending_customer_order
            + self.inbound_working
            + self.inbound_shipped
            + self.inbound_receiving
        )


def _inbound(world: World, now: int) -> tuple[np.ndarray, ...]:
    """Working, shipped and receiving units per SKU, and each SKU's latest receipt time.

    Cached on the world for one (day, clock, shipment count): the clock stands still between
    advances, so every page of an inventory pass reuses one walk over the shipments.
    """
    key = (world.next_ordinal, now, len(world.shipments))
    cached = getattr(world, "_inbound_cache", None)
    if cached is not None and cached[0] == key:
        return tuple(a.copy() for a in cached[1])
    n = world.n
    working = np.zeros(n, dtype=np.int64)
    shipped = np.zeros(n, dtype=np.int64)
    receiving = np.zeros(n, dtype=np.int64)
    arrived = np.zeros(n, dtype=np.int64)
    today = world.next_ordinal  # the clock's day: the first day not generated yet
    for st in states(world, now, today):
        s = st.shipment
        if s.cancelled_day is None and s.arrival_day < today:
            last_day = min(s.last_receipt_day, today - 1)
            arrived[s.sku] = max(arrived[s.sku], world.day_start(last_day) + 8 * 3600)
        w, sh, rc = inbound_quantity(st)
        working[s.sku] += w
        shipped[s.sku] += sh
        receiving[s.sku] += rc
    result = (working, shipped, receiving, arrived)
    world._inbound_cache = (key, result)  # type: ignore[attr-defined]
    return tuple(a.copy() for a in result)


def snapshot(world: World, now: int) -> InventorySnapshot:
    """Quantities at `now`; sold units left stock at purchase and are reserved until shipped."""
    n = world.n
    book = world.orders
    reserved = np.zeros(n, dtype=np.int64)
    last = np.zeros(n, dtype=np.int64)
    if len(book):
        # Orders ship within ~2 days of purchase, so only the last few days can be reserved.
        lo = np.searchsorted(book.o["purchase_ts"], now - 4 * 86400)
        idx = np.arange(lo, len(book))
        open_ = (book.o["canceled_ts"][idx] < 0) & (book.o["shipped_ts"][idx] > now)
        for i in idx[open_]:
            lines = book.lines_of(int(i))
            np.add.at(reserved, book.line["sku"][lines], book.line["qty"][lines])
        line_ts = book.o["purchase_ts"][book.line["order"]]
        np.maximum.at(last, book.line["sku"], line_ts)
    working, shipped, receiving, arrived = _inbound(world, now)
    last = np.maximum(last, arrived)
    # Like Amazon's, lastUpdatedTime ignores inbound changes (startDateTime misses them).
    return InventorySnapshot(
        fulfillable=world.on_hand_now(),
        pending_customer_order=reserved,
        inbound_working=working,
        inbound_shipped=shipped,
        inbound_receiving=receiving,
        last_updated=np.minimum(last, now),
    )
