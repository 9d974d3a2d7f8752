"""The alert events and the conditions that hold for one seller now.

Each condition is (kind, subject): the subject names what it is about (a SKU, a stream, the
seller), so the same condition found on the next run is recognised and not announced again.
Statuses are the planner's words (forecasting.status.PlanStatus) from each SKU's current
recommendation; sync conditions come from the seller's SyncRun rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import money, queries
from app.models import Recommendation, SellerAccount, Supplier, SyncRun
from app.sync.streams import Stream
from forecasting.status import PlanStatus


class Event(StrEnum):
    """The kinds of alert a user can subscribe to."""

    OUT_OF_STOCK = "out_of_stock"
    STOCKOUT_BEFORE_ARRIVAL = "stockout_before_arrival"
    SHIP_BY_SOON = "ship_by_soon"
    REORDER_BY_SOON = "reorder_by_soon"
    SYNC_FAILING = "sync_failing"
    CREDENTIALS_REFUSED = "credentials_refused"
    AGED_SOON = "aged_surcharge_soon"


LABELS: dict[Event, str] = {
    Event.OUT_OF_STOCK: "Out of stock now",
    Event.STOCKOUT_BEFORE_ARRIVAL: "Runs out before the next possible arrival",
    Event.SHIP_BY_SOON: "Ship-by date within N days",
    Event.REORDER_BY_SOON: "Supplier reorder-by date within N days",
    Event.SYNC_FAILING: "Sync failing N runs in a row",
    Event.CREDENTIALS_REFUSED: "Amazon refused the credentials",
    Event.AGED_SOON: "Excess stock starts paying aged surcharges within a month",
}
# Amazon assesses aged-inventory surcharges on the 15th; "next month" is the next 31 days.
AGED_NOTICE_DAYS = 31
AGED_MIN_DOLLARS = 1.0  # a year of surcharges below this is not worth a message
# Marks a SyncRun error written for connectors' AuthError (app.sync.runner: "Type: message").
AUTH_ERROR_PREFIX = "AuthError:"


@dataclass(frozen=True)
class Condition:
    """One alert condition that holds now, with the sentence a person reads."""

    kind: Event
    subject: str
    seller_account_id: int
    text: str
    sku: str | None = None


@dataclass(frozen=True)
class Thresholds:
    """A user's numbers: ship-by within `ship_by_days`, `sync_failures` failed runs in a row,
    a supplier order's reorder-by date within `reorder_by_days`."""

    ship_by_days: int = 7
    sync_failures: int = 3
    reorder_by_days: int = 14


def stock_conditions(
    session: Session, account: SellerAccount, today: dt.date, thresholds: Thresholds
) -> list[Condition]:
    """Out of stock, running out before an arrival, and ship-by soon, from the current plan."""
    cur = queries.current_recommendation_ids(account.tenant_id, account.id)
    rows = session.execute(
        select(Recommendation.sku, Recommendation.status, Recommendation.ship_by,
               Recommendation.quantity)
        .join(cur, cur.c.rec_id == Recommendation.id)
        .order_by(Recommendation.sku)
    ).all()  # fmt: skip
    found: list[Condition] = []
    name = account.name
    for sku, status, ship_by, quantity in rows:
        if status == PlanStatus.OUT_OF_STOCK:
            text = f"{sku} ({name}) is out of stock: nothing is sellable at Amazon now."
            found.append(Condition(Event.OUT_OF_STOCK, f"sku:{sku}", account.id, text, sku))
        elif status == PlanStatus.STOCKOUT_BEFORE_ARRIVAL:
            text = f"{sku} ({name}) will run out before anything shipped now can arrive."
            found.append(
                Condition(Event.STOCKOUT_BEFORE_ARRIVAL, f"sku:{sku}", account.id, text, sku)
            )
        if (
            ship_by is not None
            and quantity > 0
            and ship_by <= today + dt.timedelta(days=thresholds.ship_by_days)
        ):
            # The date is part of the subject: a plan that moves the date is a new deadline.
            text = f"Ship {quantity} units of {sku} ({name}) by {ship_by.isoformat()}."
            subject = f"sku:{sku}:{ship_by.isoformat()}"
            found.append(Condition(Event.SHIP_BY_SOON, subject, account.id, text, sku))
    return found


def reorder_conditions(
    session: Session, account: SellerAccount, today: dt.date, thresholds: Thresholds
) -> list[Condition]:
    """Supplier orders of the current plan (the two-stage planner's, issue 16) whose order-by
    date is within `reorder_by_days` of today, or already past. The date is part of the subject,
    as for ship-by: the same deadline is announced once, a plan that moves it is a new one."""
    cur = queries.current_recommendation_ids(account.tenant_id, account.id)
    r = Recommendation
    rows = session.execute(
        select(r.sku, r.reorder_by, r.reorder_quantity, Supplier.name)
        .join(cur, cur.c.rec_id == r.id)
        .join(Supplier, (Supplier.id == r.reorder_supplier_id)
              & (Supplier.tenant_id == account.tenant_id))
        .where(r.reorder_by.is_not(None), r.reorder_quantity > 0,
               r.reorder_by <= today + dt.timedelta(days=thresholds.reorder_by_days))
        .order_by(r.sku)
    ).all()  # fmt: skip
    found: list[Condition] = []
    for sku, by, quantity, supplier in rows:
        assert by is not None  # selected only with a date
        when = f"by {by.isoformat()}" if by > today else f"now (order-by date {by.isoformat()})"
        text = f"Order {quantity} units of {sku} ({account.name}) from {supplier} {when}."
        subject = f"sku:{sku}:reorder:{by.isoformat()}"
        found.append(Condition(Event.REORDER_BY_SOON, subject, account.id, text, sku))
    return found


def aged_conditions(session: Session, account: SellerAccount, today: dt.date) -> list[Condition]:
    """Excess stock whose aged surcharges start within AGED_NOTICE_DAYS (or have started).

    Read from the excess block of each current recommendation's timeline (forecasting.excess):
    `aged_from` is the first 15th on which the stock on hand pays the surcharge with no new
    shipment, `aged_cost_12m` what it pays over the next year. The date is part of the subject, so
    a plan that moves it is a new notice and the same date is announced once.
    """
    cur = queries.current_recommendation_ids(account.tenant_id, account.id)
    excess = Recommendation.timeline["excess"]
    rows = session.execute(
        select(Recommendation.sku, excess["units"].as_integer(), excess["aged_from"].as_string(),
               excess["aged_cost_12m"].as_float())
        .join(cur, cur.c.rec_id == Recommendation.id)
        .order_by(Recommendation.sku)
    ).all()  # fmt: skip
    found: list[Condition] = []
    cash = money.seller_formatter(account)
    for sku, units, aged_from, cost in rows:
        if not units or not aged_from or (cost or 0.0) < AGED_MIN_DOLLARS:
            continue
        starts = dt.date.fromisoformat(aged_from)
        if starts > today + dt.timedelta(days=AGED_NOTICE_DAYS):
            continue
        when = "already pays" if starts <= today else f"starts paying on {starts.isoformat()}"
        text = (
            f"{units} units of {sku} ({account.name}) are beyond 90 days of need and {when} "
            f"aged-inventory surcharges, about {cash(cost)} over the next 12 months without a "
            "removal, a price cut or paused reorders."
        )
        subject = f"sku:{sku}:aged:{starts.isoformat()}"
        found.append(Condition(Event.AGED_SOON, subject, account.id, text, sku))
    return found


def sync_conditions(
    session: Session, account: SellerAccount, thresholds: Thresholds
) -> list[Condition]:
    """Streams whose last N runs all failed, and credentials refused on the latest run."""
    found: list[Condition] = []
    n = max(1, thresholds.sync_failures)
    latest: SyncRun | None = None
    for stream in Stream:
        runs = list(
            session.scalars(
                select(SyncRun)
                .where(
                    SyncRun.tenant_id == account.tenant_id,
                    SyncRun.seller_account_id == account.id,
                    SyncRun.stream == stream.value,
                    SyncRun.status != "running",
                )
                .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
                .limit(n)
            )
        )
        if runs and (latest is None or runs[0].started_at > latest.started_at):
            latest = runs[0]
        if len(runs) == n and all(r.status == "failed" for r in runs):
            text = (
                f"The {stream.value} sync of {account.name} failed {n} times in a row; "
                "the planner works from older data until it succeeds."
            )
            found.append(Condition(Event.SYNC_FAILING, f"stream:{stream.value}", account.id, text))
    if latest is not None and latest.status == "failed" and refused(latest.error):
        text = (
            f"Amazon refused the credentials of {account.name}: reconnect the seller account "
            "(its refresh token or app secret is no longer valid)."
        )
        found.append(Condition(Event.CREDENTIALS_REFUSED, "seller", account.id, text))
    return found


def refused(error: str | None) -> bool:
    """Whether a failed run's error is the connectors' AuthError."""
    return bool(error) and str(error).startswith(AUTH_ERROR_PREFIX)
