"""The sync streams, declared in the order a full sync runs them."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Stream(StrEnum):
    """One kind of data synced from the SP-API, each with its own cursor, run record and lock.

    Declared in dependency order, which is the run order (RUN_ORDER): the inventory ledger
    starts where the orders backfill starts, inbound shipments explain the inventory's inbound
    totals, and fee estimates use the listing prices the reports stream brings.
    """

    ORDERS = "orders"
    INVENTORY = "inventory"
    INBOUND = "inbound"
    REPORTS = "reports"
    FEES = "fees"


RUN_ORDER: tuple[Stream, ...] = tuple(Stream)
NAMES: tuple[str, ...] = tuple(s.value for s in RUN_ORDER)


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
