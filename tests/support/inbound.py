"""Inbound shipments against a simulator: a seller pointed at it, and the truth comparison."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import requests
from sqlalchemy import select

from tests.support.sync import sim_seller

# Days a first inbound sync reads (app.sync.inbound.BACKFILL_DAYS), restated so that a change
# there is a deliberate change here too.
BACKFILL_DAYS = 180
OPEN = {"WORKING", "SHIPPED", "IN_TRANSIT", "DELIVERED", "CHECKED_IN", "RECEIVING"}


def add_sim_seller(session: Any, sim: Any, name: str = "sim", index: int = 0) -> int:
    """A tenant and a seller account with simulator seller `index`'s credentials; its id."""
    return int(sim_seller(session, sim, name, index).id)


def truth_shipments(sim: Any, index: int = 0) -> pd.DataFrame:
    """inbound_shipments.csv as of the simulator's clock (empty strings for missing values)."""
    text = requests.get(
        f"{sim.base_url}/_sim/truth/inbound_shipments.csv?seller={index}", timeout=30
    ).text
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def in_scope(
    truth: pd.DataFrame, first_clock: dt.datetime, zone: str = "America/Los_Angeles"
) -> pd.DataFrame:
    """The shipments a sync that started at `first_clock` must hold: open ones, and those
    updated since its backfill start (local midnight in the marketplace's `zone`)."""
    tz = ZoneInfo(zone)
    day = first_clock.astimezone(tz).date() - dt.timedelta(days=BACKFILL_DAYS)
    start = dt.datetime.combine(day, dt.time(), tz)
    updated = pd.to_datetime(truth["last_updated"], utc=True)
    return truth[truth["status"].isin(OPEN) | (updated >= start)]


def _day(value: Any) -> str:
    return value.isoformat() if value is not None else ""


def synced(session: Any, seller_id: int) -> dict[str, dict[str, Any]]:
    """The seller's synced Amazon shipments and their items, by shipment id."""
    from app.models import InboundShipment, InboundShipmentItem

    items: dict[str, list[Any]] = {}
    for it in session.scalars(
        select(InboundShipmentItem).where(InboundShipmentItem.seller_account_id == seller_id)
    ):
        items.setdefault(it.shipment_id, []).append(it)
    out = {}
    for s in session.scalars(
        select(InboundShipment).where(
            InboundShipment.seller_account_id == seller_id, InboundShipment.source == "amazon"
        )
    ):
        out[s.shipment_id] = {"row": s, "items": items.get(s.shipment_id, [])}
    return out


def _local(instant: str, zone: str) -> str:
    """The local day of an ISO instant in the truth files (days are the marketplace's)."""
    return dt.datetime.fromisoformat(instant).astimezone(ZoneInfo(zone)).date().isoformat()


def mismatches(
    session: Any,
    seller_id: int,
    truth: pd.DataFrame,
    first_clock: dt.datetime,
    zone: str = "America/Los_Angeles",
) -> list[str]:
    """Every difference between the synced shipments and the truth (empty: exact).

    Exact: the set of shipments, status, SKU, shipped and received units, plan, delivery
    window, last update day, closed (or cancelled) day. Where the sync knows them: the day
    it was created, shipped and first received (each must equal the truth's).
    """
    got = synced(session, seller_id)
    want = in_scope(truth, first_clock, zone)
    problems = [f"{sid}: not synced" for sid in sorted(set(want["shipment_id"]) - set(got))]
    extra = set(got) - set(truth["shipment_id"])
    problems += [f"{sid}: not in the truth" for sid in sorted(extra)]
    for t in want.itertuples(index=False):
        g = got.get(t.shipment_id)
        if g is None:
            continue
        row, items = g["row"], g["items"]
        closed = t.cancelled_date if t.status == "CANCELLED" else t.closed_date
        expect = {
            "status": t.status,
            "items": [(t.sku, int(t.quantity_shipped), int(t.quantity_received))],
            "inbound_plan_id": t.inbound_plan_id,
            "delivery_window": (t.window_start, t.window_end),
            "last_updated_on": _local(t.last_updated, zone),
            "closed_on": closed if t.status in ("CLOSED", "CANCELLED") else "",
        }
        have = {
            "status": row.status,
            "items": [(i.sku, i.quantity_shipped, i.quantity_received) for i in items],
            "inbound_plan_id": row.inbound_plan_id or "",
            "delivery_window": (_day(row.delivery_window_start), _day(row.delivery_window_end)),
            "last_updated_on": _day(row.last_updated_on),
            "closed_on": _day(row.closed_on),
        }
        known = {
            "created_on": (row.created_on, _local(t.created, zone)),
            "shipped_on": (row.shipped_on, t.ship_date),
            "first_received_on": (row.first_received_on, t.first_receipt_date),
        }
        if t.status == "WORKING":
            # Not shipped yet: the planned day is a plan (a draft may still be cancelled).
            del known["shipped_on"]
        for name, (value, truth_value) in known.items():
            if value is not None:
                expect[name], have[name] = truth_value, value.isoformat()
        for name in expect:
            if expect[name] != have[name]:
                problems.append(f"{t.shipment_id} {name}: {have[name]!r} != {expect[name]!r}")
    return problems


def server_clock(sim: Any) -> dt.datetime:
    """The simulator's clock as an aware datetime."""
    return dt.datetime.fromtimestamp(sim.now, dt.UTC)
