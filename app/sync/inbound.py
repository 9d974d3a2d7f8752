"""FBA inbound stream: v0 shipments and their items, joined with 2024-03-20 plan shipments.

v0 getShipments has no dates, only the current status; DATE_RANGE finds the shipments whose
latest event falls in a range. So the stream asks one day at a time: a shipment listed for
day d had its latest event on d (`last_updated_on`). For every status but RECEIVING (whose
receipt days keep updating it) that is the day the status was entered, and CLOSED/CANCELLED is
the last event, so `closed_on` is exact; the first receipt day is the day a shipment seen
before receiving is first seen receiving (exact while the stream runs at least daily).

The first run reads the last BACKFILL_DAYS days, then every open shipment older than that;
later runs start a day before the cursor, since an event can become visible after a later one
(Amazon's listing lags). Each chunk of days commits with its cursor, so a crash resumes there.
The 2024-03-20 plans updated since the last run give Amazon's delivery window and the planned
ship day (`shipmentConfirmationId` is the v0 ShipmentId). Days are the marketplace's local days
(app.localtime): each getShipments query spans one local day, midnight to midnight.

Cursor (SyncState 'inbound'): `updated_through` (ISO time every shipment updated before it has
been read), `plans_through` (same for plans), `as_of` (the server's day of the last run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app import localtime
from app.models import InboundShipment, InboundShipmentItem, ShipmentPlan, utcnow
from app.sync.context import SyncContext
from app.sync.state import cursor_of, load_state, set_cursor
from app.sync.upsert import upsert
from integrations.amazon.results import (
    OPEN_INBOUND_STATUSES,
    PlanShipment,
)
from integrations.amazon.results import InboundShipment as ShipmentResult
from integrations.amazon.results import (
    InboundShipmentItem as ItemResult,
)

STREAM = "inbound"
BACKFILL_DAYS = 180
CHUNK_DAYS = 7
LOOKBACK = dt.timedelta(days=1)
DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)
CLOSING = ("CLOSED", "CANCELLED", "DELETED")
NEVER_SHIPPED = ("CANCELLED", "DELETED")
BEFORE_RECEIVING = ("WORKING", "READY_TO_SHIP", "SHIPPED", "IN_TRANSIT", "DELIVERED", "CHECKED_IN")
KEY = ["tenant_id", "seller_account_id", "shipment_id"]
V0_COLUMNS = ["source", "name", "status", "destination_fc", "last_updated_on"]
# The column of the day a status was entered: filled once, never moved (COALESCE).
ENTERED = {
    "WORKING": "created_on",
    "SHIPPED": "shipped_on",
    "IN_TRANSIT": "in_transit_on",
    "DELIVERED": "delivered_on",
    "CHECKED_IN": "checked_in_on",
    "RECEIVING": "first_received_on",
    "CLOSED": "closed_on",
    "CANCELLED": "closed_on",
    "DELETED": "closed_on",
}
DATE_COLUMNS = sorted(set(ENTERED.values()) - {"shipped_on"})
PLAN_COLUMNS = [
    "inbound_plan_id",
    "plan_shipment_id",
    "delivery_window_start",
    "delivery_window_end",
]
ITEM_KEY = ["tenant_id", "seller_account_id", "shipment_id", "sku"]
ITEM_COLUMNS = ["fnsku", "quantity_shipped", "quantity_received", "quantity_in_case"]


def _local_day(ctx: SyncContext, when: dt.datetime) -> dt.date:
    """The marketplace's local day of an instant."""
    return localtime.local_date(when, ctx.account.time_zone)


def _existing(ctx: SyncContext, ids: Iterable[str]) -> dict[str, InboundShipment]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = ctx.session.scalars(
        select(InboundShipment).where(
            InboundShipment.tenant_id == ctx.tenant_id,
            InboundShipment.seller_account_id == ctx.seller_id,
            InboundShipment.shipment_id.in_(wanted),
        )
    )
    return {r.shipment_id: r for r in rows}


def shipment_row(
    ctx: SyncContext, s: ShipmentResult, day: dt.date | None, old: InboundShipment | None
) -> dict[str, Any]:
    """The v0 columns of one shipment listed with its latest event on `day` (None: unknown)."""
    entered: dict[str, dt.date | None] = dict.fromkeys(ENTERED.values())
    if day is not None and s.status in ENTERED:
        if s.status != "RECEIVING":
            entered[ENTERED[s.status]] = day
        elif old is not None and old.status in BEFORE_RECEIVING:
            # Receipt days keep moving the last update: only a shipment seen before it was
            # receiving tells the first receipt day (the latest event since that sighting).
            entered["first_received_on"] = day
    last = day if day is not None else (old.last_updated_on if old is not None else None)
    return {
        **ctx.owner(),
        "shipment_id": s.shipment_id,
        "source": "amazon",
        "name": s.name,
        "status": s.status,
        "destination_fc": s.destination_fc,
        "last_updated_on": last,
        **entered,
        "synced_at": utcnow(),
    }


def write_shipments(
    ctx: SyncContext, found: Sequence[tuple[ShipmentResult, dt.date | None]]
) -> int:
    """Upsert v0 shipments (with the day of their latest event), later sightings winning."""
    latest = {s.shipment_id: (s, day) for s, day in found}
    old = _existing(ctx, latest)
    # A local stand-in the seller gave Amazon's id becomes Amazon's record: its plan lines go,
    # Amazon's items (read with this chunk) take their place.
    _delete_items(ctx, [sid for sid, row in old.items() if row.source == "local"])
    rows = [shipment_row(ctx, s, day, old.get(sid)) for sid, (s, day) in latest.items()]
    written = upsert(
        ctx.session,
        InboundShipment,
        rows,
        keys=KEY,
        update=V0_COLUMNS,
        keep_existing=DATE_COLUMNS,
        prefer_incoming=["shipped_on"],  # the day SHIPPED was seen beats the planned day
        touch=["synced_at"],
    )
    # A draft cancelled before it shipped keeps no planned ship day.
    cancelled = [sid for sid, (s, _day) in latest.items() if s.status in NEVER_SHIPPED]
    if cancelled:
        ctx.session.execute(
            update(InboundShipment)
            .where(
                InboundShipment.tenant_id == ctx.tenant_id,
                InboundShipment.seller_account_id == ctx.seller_id,
                InboundShipment.shipment_id.in_(cancelled),
                InboundShipment.shipped_on.is_not(None),
                InboundShipment.in_transit_on.is_(None),
            )
            .values(shipped_on=None)
        )
    return written


def _delete_items(ctx: SyncContext, shipment_ids: Sequence[str]) -> None:
    if shipment_ids:
        ctx.session.execute(
            delete(InboundShipmentItem).where(
                InboundShipmentItem.tenant_id == ctx.tenant_id,
                InboundShipmentItem.seller_account_id == ctx.seller_id,
                InboundShipmentItem.shipment_id.in_(list(shipment_ids)),
            )
        )


def write_items(ctx: SyncContext, items: Sequence[ItemResult]) -> int:
    """Upsert shipment items (shipped and received units per SKU)."""
    rows = [
        {
            **ctx.owner(),
            "shipment_id": i.shipment_id,
            "sku": i.sku,
            "fnsku": i.fnsku,
            "quantity_shipped": i.quantity_shipped,
            "quantity_received": i.quantity_received,
            "quantity_in_case": i.quantity_in_case,
        }
        for i in items
    ]
    return upsert(ctx.session, InboundShipmentItem, rows, keys=ITEM_KEY, update=ITEM_COLUMNS)


def write_plan_shipments(ctx: SyncContext, shipments: Sequence[PlanShipment]) -> int:
    """Amazon's plan, delivery window and planned ship day onto the v0 shipments they are.

    A plan shipment whose v0 record has not been read yet gets a row of its own, which the v0
    listing completes (its columns are disjoint from these)."""
    rows = [
        {
            **ctx.owner(),
            "shipment_id": p.confirmation_id,
            "source": "amazon",
            "status": p.status or "WORKING",
            "inbound_plan_id": p.plan_id,
            "plan_shipment_id": p.shipment_id,
            # The planned ship day; a cancelled draft never ships.
            "shipped_on": _day(p.ready_to_ship_start) if p.status not in NEVER_SHIPPED else None,
            "delivery_window_start": _day(p.delivery_window_start),
            "delivery_window_end": _day(p.delivery_window_end),
            "synced_at": utcnow(),
        }
        for p in shipments
        if p.confirmation_id
    ]
    written = upsert(
        ctx.session,
        InboundShipment,
        rows,
        keys=KEY,
        update=PLAN_COLUMNS,
        keep_existing=["shipped_on"],
        touch=["synced_at"],
    )
    drop_replaced_local(ctx.session, ctx.tenant_id, ctx.seller_id)
    return written


def _day(when: dt.datetime | None) -> dt.date | None:
    return when.astimezone(dt.UTC).date() if when is not None else None


def drop_replaced_local(session: Session, tenant_id: int, seller_id: int) -> int:
    """Delete local stand-ins of plans Amazon now lists a shipment of (same inbound plan id)."""
    amazon_plans = (
        select(InboundShipment.inbound_plan_id)
        .where(
            InboundShipment.tenant_id == tenant_id,
            InboundShipment.seller_account_id == seller_id,
            InboundShipment.source == "amazon",
            InboundShipment.inbound_plan_id.is_not(None),
        )
        .scalar_subquery()
    )
    stale = list(
        session.scalars(
            select(InboundShipment.shipment_id).where(
                InboundShipment.tenant_id == tenant_id,
                InboundShipment.seller_account_id == seller_id,
                InboundShipment.source == "local",
                InboundShipment.inbound_plan_id.in_(amazon_plans),
            )
        )
    )
    if not stale:
        return 0
    owned = (
        InboundShipment.tenant_id == tenant_id,
        InboundShipment.seller_account_id == seller_id,
    )
    session.execute(
        delete(InboundShipmentItem).where(
            InboundShipmentItem.tenant_id == tenant_id,
            InboundShipmentItem.seller_account_id == seller_id,
            InboundShipmentItem.shipment_id.in_(stale),
        )
    )
    session.execute(delete(InboundShipment).where(*owned, InboundShipment.shipment_id.in_(stale)))
    return len(stale)


# -- the run ------------------------------------------------------------------------------


def sync_windows(ctx: SyncContext, start: dt.datetime, end: dt.datetime) -> None:
    """Shipments updated in [start, end], one local day per getShipments query; items per
    chunk."""
    state = load_state(ctx.session, ctx.account, STREAM)
    ctx.session.commit()  # no transaction open while the API is waited on
    total = max(1.0, (end - start) / DAY)
    chunk_start = start
    while chunk_start <= end:
        chunk_end = min(end, chunk_start + CHUNK_DAYS * DAY - SECOND)
        found: list[tuple[ShipmentResult, dt.date | None]] = []
        day = chunk_start
        while day <= chunk_end:
            local = _local_day(ctx, day)
            until = min(chunk_end, ctx.day_start(local + DAY) - SECOND)
            for s in ctx.client.inbound_shipments(updated_after=day, updated_before=until):
                found.append((s, local))
            day = until + SECOND
        items: list[ItemResult] = []
        if found:
            for page in ctx.client.inbound_item_pages(chunk_start, chunk_end):
                items.extend(page.items)
        written = write_shipments(ctx, found)
        written += write_items(ctx, items)
        set_cursor(state, {**cursor_of(state), "updated_through": chunk_end.isoformat()})
        ctx.commit_page(STREAM, written)
        ctx.progress(
            0.7 * ((chunk_end - start) / DAY) / total,
            f"inbound shipments through {chunk_end.date()}",
        )
        chunk_start = chunk_end + SECOND


def sync_open(ctx: SyncContext) -> None:
    """Open shipments not updated within the backfill (their last event is older): status and
    items, with no day (it is before what was read)."""
    known = set(
        ctx.session.scalars(
            select(InboundShipment.shipment_id).where(
                InboundShipment.tenant_id == ctx.tenant_id,
                InboundShipment.seller_account_id == ctx.seller_id,
                InboundShipment.source == "amazon",
            )
        )
    )
    ctx.session.commit()
    older = [
        s for s in ctx.client.inbound_shipments(OPEN_INBOUND_STATUSES) if s.shipment_id not in known
    ]
    items: list[ItemResult] = []
    for s in older:
        items.extend(ctx.client.inbound_shipment_items(s.shipment_id))
    written = write_shipments(ctx, [(s, None) for s in older]) + write_items(ctx, items)
    ctx.commit_page(STREAM, written)


def sync_plans(
    ctx: SyncContext, after: dt.datetime, through: dt.datetime, skip: Sequence[str] = ()
) -> None:
    """getShipment for every shipment of the plans updated since `after` (but those whose
    status is in `skip`)."""
    state = load_state(ctx.session, ctx.account, STREAM)
    ctx.session.commit()
    batch: list[PlanShipment] = []
    written = 0
    for shipment in ctx.client.plan_shipments(updated_after=after, skip_statuses=skip):
        batch.append(shipment)
        if len(batch) >= 50:
            # Idempotent writes: a crash re-reads the plans, and these rows are kept meanwhile
            # (committed: the next calls must not wait with the write lock held).
            written += write_plan_shipments(ctx, batch)
            ctx.session.commit()
            batch = []
    written += write_plan_shipments(ctx, batch)
    set_cursor(state, {**cursor_of(state), "plans_through": through.isoformat()})
    ctx.commit_page(STREAM, written)
    ctx.progress(0.9, "inbound plans and delivery windows")


def run(ctx: SyncContext) -> None:
    """The inbound stream."""
    # The server's clock, learnt by this first call, bounds every DATE_RANGE below.
    end = ctx.server_cutoff()
    state = load_state(ctx.session, ctx.account, STREAM)
    cur = cursor_of(state)
    backfill_start = ctx.day_start(_local_day(ctx, end) - BACKFILL_DAYS * DAY)
    if cur.get("updated_through"):
        through = _local_day(ctx, dt.datetime.fromisoformat(cur["updated_through"]))
        start = ctx.day_start(through - LOOKBACK)
    else:
        start = backfill_start
    if start <= end:
        sync_windows(ctx, start, end)
    if not state.backfill_done:
        sync_open(ctx)
    state = load_state(ctx.session, ctx.account, STREAM)
    cur = cursor_of(state)
    if cur.get("plans_through"):
        plans_after = dt.datetime.fromisoformat(cur["plans_through"]) - LOOKBACK
        # Closed shipments were joined while open; a plan's other shipments move it on.
        sync_plans(ctx, plans_after, end, skip=NEVER_SHIPPED + ("CLOSED",))
    else:
        sync_plans(ctx, backfill_start, end)
    state = load_state(ctx.session, ctx.account, STREAM)
    today = _local_day(ctx, end + dt.timedelta(minutes=2))
    set_cursor(state, {**cursor_of(state), "as_of": today.isoformat()}, backfill_done=True)
    ctx.commit_page(STREAM, 0)
    ctx.progress(1.0, "inbound shipments synced")


# -- plans the seller marks as sent -------------------------------------------------------


def local_shipment_id(plan: ShipmentPlan) -> str:
    """The id of a sent plan's stand-in when the seller gave no Amazon shipment id."""
    return f"LOCAL-{plan.id}"


def record_sent_plan(
    session: Session, plan: ShipmentPlan, ship_date: dt.date, shipment_id: str | None = None
) -> InboundShipment:
    """A plan the seller sent becomes an inbound shipment (source "local", arrival estimated)
    until Amazon's record replaces it: the same shipment id if the seller gave it, else any
    Amazon shipment of the plan's inbound plan id. Flushes; the caller commits."""
    owner = {"tenant_id": plan.tenant_id, "seller_account_id": plan.seller_account_id}
    sid = (shipment_id or "").strip() or local_shipment_id(plan)
    row = session.scalars(
        select(InboundShipment).where(
            InboundShipment.tenant_id == plan.tenant_id,
            InboundShipment.seller_account_id == plan.seller_account_id,
            InboundShipment.shipment_id == sid,
        )
    ).one_or_none()
    if row is not None and row.source == "amazon":
        return row  # Amazon already has it: its record is the one that counts
    if row is None:
        row = InboundShipment(**owner, shipment_id=sid, source="local", status="SHIPPED")
        session.add(row)
    row.name = plan.name
    row.shipment_plan_id = plan.id
    row.inbound_plan_id = plan.inbound_plan_id
    row.shipped_on = ship_date
    row.arrival_source = "estimated"
    row.synced_at = utcnow()
    session.flush()
    _delete_local_items(session, plan, sid)
    for line in plan.lines:
        session.add(
            InboundShipmentItem(
                **owner, shipment_id=sid, sku=line.sku, quantity_shipped=line.quantity
            )
        )
    session.flush()
    drop_replaced_local(session, plan.tenant_id, plan.seller_account_id)
    return row


def _delete_local_items(session: Session, plan: ShipmentPlan, sid: str) -> None:
    session.execute(
        delete(InboundShipmentItem).where(
            InboundShipmentItem.tenant_id == plan.tenant_id,
            InboundShipmentItem.seller_account_id == plan.seller_account_id,
            InboundShipmentItem.shipment_id == sid,
        )
    )


def forget_sent_plan(session: Session, plan: ShipmentPlan) -> int:
    """Remove the local stand-in(s) of a plan no longer sent (Amazon's records stay)."""
    sids = list(
        session.scalars(
            select(InboundShipment.shipment_id).where(
                InboundShipment.tenant_id == plan.tenant_id,
                InboundShipment.seller_account_id == plan.seller_account_id,
                InboundShipment.shipment_plan_id == plan.id,
                InboundShipment.source == "local",
            )
        )
    )
    for sid in sids:
        _delete_local_items(session, plan, sid)
    if sids:
        session.execute(
            delete(InboundShipment).where(
                InboundShipment.tenant_id == plan.tenant_id,
                InboundShipment.seller_account_id == plan.seller_account_id,
                InboundShipment.shipment_id.in_(sids),
            )
        )
    return len(sids)
