"""When the units of each open inbound shipment become sellable: Amazon's date, else an estimate.

Amazon's date is the selected delivery window (2024-03-20): the carrier delivers inside it and
receiving starts two days after delivery (the simulator's documented life: DELIVERED on D,
CHECKED_IN on D+1, first receipt on D+2), so the expected arrival is the window's last day plus
CHECK_IN_DAYS (the latest day it can start; earlier is only better). Once a shipment is seen
delivered or checked in, that day replaces the window; once it is receiving, the first receipt.

Without an Amazon date the arrival is estimated from this seller's own closed shipments: the
median days from entering the shipment's current status to its first receipt (at least
MIN_HISTORY shipments), else forecasting.inbound.estimate_arrival with the SKU's transit and
receiving lead time. Those are marked `arrival_source = "estimated"`. Units of a receiving
shipment arrive over the seller's median receipt span (closed day - first receipt + 1), with
no history over forecasting.inbound's default.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from app.models import InboundShipment, InboundShipmentItem, Product, SellerAccount
from forecasting.inbound import Inbound, estimate_arrival

CHECK_IN_DAYS = 2  # delivery to first receipt
MIN_HISTORY = 3
HISTORY_DAYS = 365
DONE_STATUSES = ("CLOSED", "CANCELLED", "DELETED", "ERROR")
# The column holding the day a status was entered (app.sync.inbound fills them).
ENTERED_ON = {
    "WORKING": "created_on",
    "READY_TO_SHIP": "created_on",
    "SHIPPED": "shipped_on",
    "IN_TRANSIT": "in_transit_on",
    "DELIVERED": "delivered_on",
    "CHECKED_IN": "checked_in_on",
}
DEFAULT_LEAD_DAYS = 21


@dataclass(frozen=True)
class History:
    """This seller's shipment-to-receipt times: median days per status, and receipt span."""

    to_receipt: dict[str, float]
    receipt_span: int | None
    samples: dict[str, int]

    def days_from(self, status: str) -> float | None:
        """Median days from entering `status` to the first receipt (None: too little history)."""
        return self.to_receipt.get(status)


@dataclass(frozen=True)
class Arrival:
    """A shipment's expected arrival, where it comes from, and over how many days."""

    expected: dt.date
    source: str
    receiving_days: int | None


def _owned(account: SellerAccount) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return (
        InboundShipment.tenant_id == account.tenant_id,
        InboundShipment.seller_account_id == account.id,
    )


def seller_history(session: Session, account: SellerAccount, today: dt.date) -> History:
    """Medians over the seller's shipments closed in the last HISTORY_DAYS with a known first
    receipt day (the sync knows it for the shipments it saw before they were receiving)."""
    rows = session.scalars(
        select(InboundShipment).where(
            *_owned(account),
            InboundShipment.status == "CLOSED",
            InboundShipment.first_received_on.is_not(None),
            InboundShipment.closed_on >= today - dt.timedelta(days=HISTORY_DAYS),
        )
    ).all()
    days: dict[str, list[int]] = defaultdict(list)
    spans: list[int] = []
    for r in rows:
        assert r.first_received_on is not None
        for status, column in ENTERED_ON.items():
            entered = getattr(r, column)
            if entered is not None and entered <= r.first_received_on:
                days[status].append((r.first_received_on - entered).days)
        if r.closed_on is not None and r.closed_on >= r.first_received_on:
            spans.append((r.closed_on - r.first_received_on).days + 1)
    medians = {s: float(statistics.median(v)) for s, v in days.items() if len(v) >= MIN_HISTORY}
    span = round(statistics.median(spans)) if len(spans) >= MIN_HISTORY else None
    return History(medians, span, {s: len(v) for s, v in days.items()})


def arrival_of(
    shipment: InboundShipment, history: History, lead_time_days: int, today: dt.date
) -> Arrival:
    """The expected arrival of one open shipment (never before today)."""
    status = shipment.status.upper()
    if status == "RECEIVING":
        first = shipment.first_received_on
        return Arrival(first or today, "amazon" if first else "estimated", history.receipt_span)
    seen = {
        "CHECKED_IN": (shipment.checked_in_on, CHECK_IN_DAYS - 1),
        "DELIVERED": (shipment.delivered_on, CHECK_IN_DAYS),
    }.get(status)
    if seen is not None and seen[0] is not None:
        expected = seen[0] + dt.timedelta(days=seen[1])
        return Arrival(max(today, expected), "amazon", history.receipt_span)
    if shipment.delivery_window_end is not None:
        expected = shipment.delivery_window_end + dt.timedelta(days=CHECK_IN_DAYS)
        return Arrival(max(today, expected), "amazon", history.receipt_span)
    median = history.days_from(status)
    entered = getattr(shipment, ENTERED_ON.get(status, "shipped_on"), None) or today
    if median is not None:
        expected = entered + dt.timedelta(days=round(median))
        return Arrival(max(today, expected), "estimated", history.receipt_span)
    expected = estimate_arrival(status, lead_time_days, today)
    return Arrival(expected, "estimated", history.receipt_span)


def _lead_times(session: Session, account: SellerAccount) -> dict[str, int]:
    """Per SKU, the lead time left once a shipment exists: transit plus receiving."""
    rows = session.execute(
        select(Product.sku, Product.lead_time_transit_days, Product.lead_time_receiving_days).where(
            Product.tenant_id == account.tenant_id, Product.seller_account_id == account.id
        )
    ).all()
    return {sku: int(transit) + int(receiving) for sku, transit, receiving in rows}


def open_shipments(session: Session, account: SellerAccount) -> list[InboundShipment]:
    """The seller's shipments with units still to come, minus local stand-ins Amazon's own
    record of the same plan replaces (so a plan is never counted twice)."""
    rows = session.scalars(
        select(InboundShipment)
        .where(*_owned(account), InboundShipment.status.not_in(DONE_STATUSES))
        .order_by(InboundShipment.shipment_id)
    ).all()
    amazon_plans = set(
        session.scalars(
            select(InboundShipment.inbound_plan_id).where(
                *_owned(account),
                InboundShipment.source == "amazon",
                InboundShipment.inbound_plan_id.is_not(None),
            )
        )
    )
    return [r for r in rows if not (r.source == "local" and r.inbound_plan_id in amazon_plans)]


def refresh_arrivals(session: Session, account: SellerAccount, today: dt.date) -> int:
    """Store expected_arrival / arrival_source / receiving_days on the seller's open shipments
    (the caller commits); how many changed."""
    history = seller_history(session, account, today)
    leads = _lead_times(session, account)
    skus = _skus(session, account)
    changed = 0
    for s in open_shipments(session, account):
        lead = min(
            (leads.get(sku, DEFAULT_LEAD_DAYS) for sku in skus.get(s.shipment_id, [])),
            default=DEFAULT_LEAD_DAYS,
        )
        a = arrival_of(s, history, lead, today)
        if (s.expected_arrival, s.arrival_source, s.receiving_days) != (
            a.expected,
            a.source,
            a.receiving_days,
        ):
            s.expected_arrival, s.arrival_source, s.receiving_days = (
                a.expected,
                a.source,
                a.receiving_days,
            )
            changed += 1
    session.flush()
    return changed


def _skus(session: Session, account: SellerAccount) -> dict[str, list[str]]:
    out: dict[str, list[str]] = defaultdict(list)
    for sid, sku in session.execute(
        select(InboundShipmentItem.shipment_id, InboundShipmentItem.sku).where(
            InboundShipmentItem.tenant_id == account.tenant_id,
            InboundShipmentItem.seller_account_id == account.id,
        )
    ):
        out[sid].append(sku)
    return out


def inbound_for_seller(
    session: Session, account: SellerAccount, today: dt.date
) -> dict[str, list[Inbound]]:
    """Per SKU, the units still to arrive from each open shipment, with their arrival dates.

    Each counts shipped - received (receiving shipments are part received). Refreshes the
    stored arrival fields first (flushed, not committed), so what the pages show is what the
    planner used.
    """
    refresh_arrivals(session, account, today)
    shipments = {s.shipment_id: s for s in open_shipments(session, account)}
    if not shipments:
        return {}
    items: Sequence[InboundShipmentItem] = session.scalars(
        select(InboundShipmentItem)
        .where(
            InboundShipmentItem.tenant_id == account.tenant_id,
            InboundShipmentItem.seller_account_id == account.id,
            InboundShipmentItem.shipment_id.in_(list(shipments)),
        )
        .order_by(InboundShipmentItem.shipment_id, InboundShipmentItem.sku)
    ).all()
    out: dict[str, list[Inbound]] = defaultdict(list)
    for item in items:
        s = shipments[item.shipment_id]
        units = item.outstanding  # all of it until receiving starts
        if units <= 0:
            continue
        out[item.sku].append(
            Inbound(
                quantity=units,
                expected_arrival=s.expected_arrival,
                status=s.status.lower(),
                shipment_id=s.shipment_id,
                arrival_source=s.arrival_source or "estimated",
                receiving_days=s.receiving_days,
            )
        )
    return dict(out)


def refresh_after_sync(session: Session, account: SellerAccount) -> int:
    """refresh_arrivals as of the server's day the last inbound sync saw (its cursor's
    `as_of`; a simulator's clock can be far from ours); 0 before any sync."""
    from app.sync.state import cursor_of, load_state
    from app.sync.streams import Stream

    as_of = cursor_of(load_state(session, account, Stream.INBOUND.value)).get("as_of")
    if not as_of:
        return 0
    return refresh_arrivals(session, account, dt.date.fromisoformat(as_of))
