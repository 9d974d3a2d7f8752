"""The sync streams, declared in the order a full sync runs them."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Stream(StrEnum):
    """One kind of data synced from the SP-API, each with its own cursor, run record and lock.

    Declared in dependency order, which is the run order (RUN_ORDER): the inventory ledger
    starts where the orders backfill starts, inbound shipments explain the inventory's inbound
    totals, and fee estimates use the listing prices the reports stream brings. AWD (stock and
    inbound shipments upstream of FBA) needs nothing and comes last: side by side it takes the
    first free worker, never one the long backfills are waiting for.
    """

    ORDERS = "orders"
    INVENTORY = "inventory"
    INBOUND = "inbound"
    REPORTS = "reports"
    FEES = "fees"
    AWD = "awd"


RUN_ORDER: tuple[Stream, ...] = tuple(Stream)
NAMES: tuple[str, ...] = tuple(s.value for s in RUN_ORDER)
# What a stream's run reads that another stream writes (RUN_ORDER honours it): the inventory
# ledger starts on the orders backfill's first day, and fee estimates are asked at the listing
# prices the reports stream brings. The financial events start on that first day too, but only
# need it as the orders stream sets it at its start (without it they take the same day, worked
# out the same way), so fees need not wait for the whole orders backfill. Inbound, AWD and
# reports read nothing of the others. Streams that need nothing of each other may run side by
# side (runner.run_together).
NEEDS: dict[Stream, frozenset[Stream]] = {
    Stream.ORDERS: frozenset(),
    Stream.INVENTORY: frozenset({Stream.ORDERS}),
    Stream.INBOUND: frozenset(),
    Stream.REPORTS: frozenset(),
    Stream.FEES: frozenset({Stream.REPORTS}),
    Stream.AWD: frozenset(),
}
assert set(NEEDS) == set(Stream), "every stream says what it needs"
assert all(
    RUN_ORDER.index(need) < RUN_ORDER.index(s) for s, needs in NEEDS.items() for need in needs
), "the run order puts what a stream needs before it"


def parse_stream(value: str) -> Stream:
    """The stream called `value`; a ValueError naming the choices otherwise."""
    try:
        return Stream(value)
    except ValueError:
        raise ValueError(f"unknown stream {value!r} (one of {', '.join(NAMES)})") from None


def in_run_order(streams: Iterable[str]) -> list[Stream]:
    """`streams` (names or Streams) in the run order, once each; ValueError on an unknown one."""
    chosen = {parse_stream(s) for s in streams}
    return [s for s in RUN_ORDER if s in chosen]
