"""AWD stream: Amazon Warehousing and Distribution stock and inbound shipments, upstream of FBA.

Writes the seller account's AWD location (kind "awd", one per seller account, which is one
marketplace's region; an existing AWD location of the account is adopted, else "Amazon AWD" is
made), its stock and the shipments on their way into it:

- `LocationStock` (source "awd"), one row per SKU AWD lists: **the units AWD can still send to
  FBA**, availableDistributableQuantity (totalOnhandQuantity less reservedDistributableQuantity
  when details are missing). Reserved units are promised to a replenishment order being
  prepared: they become an FBA inbound shipment, so counting them here would count them twice;
  units in transit from AWD to FBA (replenishmentQuantity) are no longer in AWD either. A SKU
  AWD no longer lists is set to 0.
- `LocationInbound` (source "awd", `reference` the shipment id), one row per SKU of each shipment
  from SHIPPED on: `quantity` the units not received yet (received units are already in AWD's
  on-hand), `status` Amazon's, `expected_on` an estimate (the model has no arrival date: the
  ship-by day plus TRANSIT_DAYS while on the way, a day or two once delivered, never before the
  server's today). A CREATED shipment is not counted: its units have not left the seller (they
  are still in its warehouse's stock). When a shipment is CLOSED its rows keep the status with
  quantity 0 and `received_on` the closing day; CANCELLED rows get quantity 0. So a unit is on
  order until it is received, then on hand, never both.

Reads: one full listInventory pass (details=SHOW; AWD lists a few hundred SKUs at most), then
listInboundShipments updated since the last run less a day (all of them the first time), then
getInboundShipment for each open one listed. Inventory is read first: a unit received between
the two reads is missed until the next run rather than counted twice.

A seller without AWD (404 from the AWD API, or nothing listed and no AWD location synced before)
gets no location and no error; the cursor says `enrolled: false`. If AWD stops answering for a
seller that had it, the synced rows are zeroed (Amazon says nothing is there).

A seller whose app was not granted the Amazon Warehousing and Distribution role gets 403 from
the AWD API with a token every other API accepts. That is not a credentials failure (it would
fail the run and raise the "credentials refused" alert for a seller whose sync works): the run
succeeds, says what to do, and the cursor says `authorized: false`. Rows synced before are kept
as they were (Amazon said nothing about them) and the message says they are not current.

Cursor (SyncState 'awd'): `updated_through` (server time the last shipment listing started),
`enrolled`, `authorized`, `as_of` (the server's local day of the last run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import localtime
from app import summaries as read_model
from app.models import Location, LocationInbound, LocationStock, SellerAccount, utcnow
from app.supply.read import AWD_SOURCE
from app.sync.context import SyncContext
from app.sync.state import cursor_of, find_state, load_state, set_cursor
from app.sync.upsert import upsert
from integrations.amazon.awd import is_not_enrolled
from integrations.amazon.errors import AuthError, PermanentError
from integrations.amazon.results import (
    AWD_FINAL_STATUSES,
    AwdInventory,
    AwdShipment,
    AwdShipmentSummary,
)

STREAM = "awd"
SOURCE = AWD_SOURCE  # on LocationStock and LocationInbound rows; the pages mark dates estimated
LOCATION_NAME = "Amazon AWD"
# Seller to AWD: the model gives no arrival date; AWD's own guidance is one to three weeks.
TRANSIT_DAYS = 14
LOOKBACK = dt.timedelta(days=1)
NOT_YET_SHIPPED = ("CREATED",)
STOCK_KEY = ["tenant_id", "location_id", "sku"]
INBOUND_KEY = ["tenant_id", "location_id", "reference", "sku"]
INBOUND_COLUMNS = ["quantity", "status", "expected_on", "received_on", "source"]


def find_location(session: Session, account: SellerAccount) -> Location | None:
    """The account's AWD location: the one named LOCATION_NAME, else the oldest of kind awd."""
    rows = list(
        session.scalars(
            select(Location)
            .where(
                Location.tenant_id == account.tenant_id,
                Location.seller_account_id == account.id,
                Location.kind == "awd",
            )
            .order_by(Location.id)
        )
    )
    named = [loc for loc in rows if loc.name == LOCATION_NAME]
    chosen = named or rows
    return chosen[0] if chosen else None


def ensure_location(session: Session, account: SellerAccount) -> Location:
    """The account's AWD location, made (and flushed) when it has none."""
    found = find_location(session, account)
    if found is not None:
        return found
    taken = set(
        session.scalars(
            select(Location.name).where(
                Location.tenant_id == account.tenant_id,
                Location.seller_account_id == account.id,
            )
        )
    )
    name = LOCATION_NAME if LOCATION_NAME not in taken else f"{LOCATION_NAME} (synced)"
    loc = Location(
        tenant_id=account.tenant_id, seller_account_id=account.id, kind="awd", name=name
    )
    session.add(loc)
    session.flush()
    return loc


def write_stock(ctx: SyncContext, loc: Location, items: Sequence[AwdInventory]) -> int:
    """Each listed SKU's distributable units; synced SKUs no longer listed go to 0."""
    now = utcnow()
    rows = [
        {
            **ctx.owner(),
            "location_id": loc.id,
            "sku": i.sku,
            "quantity": i.distributable,
            "source": SOURCE,
            "updated_at": now,
        }
        for i in items
    ]
    written = upsert(
        ctx.session, LocationStock, rows, keys=STOCK_KEY, update=["quantity", "source"],
        touch=["updated_at"],
    )  # fmt: skip
    listed = [i.sku for i in items]
    gone = update(LocationStock).where(
        LocationStock.tenant_id == ctx.tenant_id,
        LocationStock.seller_account_id == ctx.seller_id,
        LocationStock.location_id == loc.id,
        LocationStock.source == SOURCE,
        LocationStock.quantity != 0,
    )
    if listed:
        gone = gone.where(LocationStock.sku.not_in(listed))
    result = ctx.session.execute(gone.values(quantity=0, updated_at=now))
    return written + int(getattr(result, "rowcount", 0) or 0)


def expected_on(s: AwdShipment, today: dt.date, zone: str) -> dt.date:
    """When the shipment's units should be in AWD (an estimate: see the module's note)."""

    def day(when: dt.datetime | None) -> dt.date | None:
        return localtime.local_date(when, zone) if when is not None else None

    updated = day(s.updated_at) or today
    if s.status == "RECEIVING":
        guess = updated + dt.timedelta(days=1)
    elif s.status == "DELIVERED":
        guess = updated + dt.timedelta(days=2)
    else:
        shipped = day(s.ship_by) or (updated if s.status == "SHIPPED" else today)
        guess = shipped + dt.timedelta(days=TRANSIT_DAYS)
    return max(guess, today)


def write_open(ctx: SyncContext, loc: Location, shipments: Sequence[AwdShipment],
               today: dt.date) -> int:  # fmt: skip
    """Rows of shipments on their way (or being received): the units still to come."""
    now = utcnow()
    zone = ctx.account.time_zone
    rows = [
        {
            **ctx.owner(),
            "location_id": loc.id,
            "reference": s.shipment_id,
            "sku": line.sku,
            "quantity": line.outstanding,
            "status": s.status,
            "expected_on": expected_on(s, today, zone),
            "received_on": None,
            "source": SOURCE,
            "updated_at": now,
        }
        for s in shipments
        for line in s.skus
    ]
    return upsert(
        ctx.session, LocationInbound, rows, keys=INBOUND_KEY, update=INBOUND_COLUMNS,
        touch=["updated_at"],
    )  # fmt: skip


def write_final(ctx: SyncContext, loc: Location, shipments: Sequence[AwdShipmentSummary]) -> int:
    """CLOSED and CANCELLED shipments we had on order: nothing more to come. A closed one's
    units are in AWD's on-hand from now on (received_on: the closing day)."""
    zone = ctx.account.time_zone
    done = 0
    # Only shipments we hold rows of that are not settled yet (a first run lists years of
    # closed shipments it never had on order).
    pending = set(
        ctx.session.scalars(
            select(LocationInbound.reference).where(
                LocationInbound.tenant_id == ctx.tenant_id,
                LocationInbound.seller_account_id == ctx.seller_id,
                LocationInbound.location_id == loc.id,
                (LocationInbound.quantity != 0)
                | LocationInbound.status.not_in(sorted(AWD_FINAL_STATUSES)),
            )
        )
    )
    for s in shipments:
        if s.shipment_id not in pending:
            continue
        closed_on = None
        if s.status == "CLOSED":
            closed_on = localtime.local_date(s.updated_at or utcnow(), zone)
        result = ctx.session.execute(
            update(LocationInbound)
            .where(
                LocationInbound.tenant_id == ctx.tenant_id,
                LocationInbound.seller_account_id == ctx.seller_id,
                LocationInbound.location_id == loc.id,
                LocationInbound.reference == s.shipment_id,
                (LocationInbound.status.is_distinct_from(s.status))
                | (LocationInbound.quantity != 0),
            )
            .values(quantity=0, status=s.status, received_on=closed_on, updated_at=utcnow())
        )
        done += int(getattr(result, "rowcount", 0) or 0)
    return done


def _bump_overdue(ctx: SyncContext, loc: Location, today: dt.date) -> int:
    """Open rows whose estimate has passed (not updated since) are due today, not in the past."""
    result = ctx.session.execute(
        update(LocationInbound)
        .where(
            LocationInbound.tenant_id == ctx.tenant_id,
            LocationInbound.seller_account_id == ctx.seller_id,
            LocationInbound.location_id == loc.id,
            LocationInbound.source == SOURCE,
            LocationInbound.received_on.is_(None),
            LocationInbound.quantity > 0,
            LocationInbound.expected_on < today,
        )
        .values(expected_on=today, updated_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _zero_synced(ctx: SyncContext, loc: Location) -> None:
    """AWD says the seller has nothing there: synced stock and open inbound rows go to 0."""
    write_stock(ctx, loc, [])
    ctx.session.execute(
        update(LocationInbound)
        .where(
            LocationInbound.tenant_id == ctx.tenant_id,
            LocationInbound.seller_account_id == ctx.seller_id,
            LocationInbound.location_id == loc.id,
            LocationInbound.source == SOURCE,
            LocationInbound.quantity != 0,
        )
        .values(quantity=0, updated_at=utcnow())
    )


def _finish(ctx: SyncContext, today: dt.date, enrolled: bool, through: dt.datetime | None,
            written: int) -> None:  # fmt: skip
    state = load_state(ctx.session, ctx.account, STREAM)
    cur = {**cursor_of(state), "enrolled": enrolled, "authorized": True,
           "as_of": today.isoformat()}  # fmt: skip
    if through is not None:
        cur["updated_through"] = through.isoformat()
    set_cursor(state, cur, backfill_done=True)
    ctx.commit_page(STREAM, written)


def _not_enrolled(ctx: SyncContext, today: dt.date) -> None:
    loc = find_location(ctx.session, ctx.account)
    if loc is not None:
        _zero_synced(ctx, loc)
    _finish(ctx, today, False, None, 0)
    ctx.progress(1.0, "AWD: the seller has no AWD stock")


NO_ROLE = (
    "AWD: Amazon refused the AWD API (403) though the seller's other APIs answer: the app has "
    "not been granted the Amazon Warehousing and Distribution role. Add the role to the app in "
    "Seller Central (Develop Apps) and authorize it again to sync AWD stock"
)


def _not_authorized(ctx: SyncContext, today: dt.date) -> None:
    state = load_state(ctx.session, ctx.account, STREAM)
    kept = find_location(ctx.session, ctx.account) is not None
    cur = {**cursor_of(state), "authorized": False, "as_of": today.isoformat()}
    set_cursor(state, cur, backfill_done=True)
    ctx.commit_page(STREAM, 0)
    ctx.progress(1.0, NO_ROLE + ("; the AWD stock shown is from the last sync that could read it."
                                 if kept else "."))  # fmt: skip


def uses_awd(session: Session, account: SellerAccount) -> bool:
    """Whether the seller's last AWD run found AWD stock it may read (enrolled, authorized)."""
    state = find_state(session, account, STREAM)
    cur = cursor_of(state) if state is not None else {}
    return bool(cur.get("enrolled")) and cur.get("authorized", True) is not False


def run(ctx: SyncContext) -> None:
    """The AWD stream, then the dashboard's rows (planning reads the new upstream stock)."""
    state = load_state(ctx.session, ctx.account, STREAM)
    cur = cursor_of(state)
    ctx.session.commit()  # no transaction open while the API is waited on
    try:
        inventory = ctx.client.awd_inventory()
    except PermanentError as exc:
        if not is_not_enrolled(exc):
            raise
        _not_enrolled(ctx, localtime.local_date(ctx.client.server_now(), ctx.account.time_zone))
        return
    except AuthError as exc:
        if exc.status != 403:
            raise
        _not_authorized(ctx, localtime.local_date(ctx.client.server_now(), ctx.account.time_zone))
        return
    started = ctx.client.server_now()
    today = localtime.local_date(started, ctx.account.time_zone)
    after = None
    if cur.get("updated_through") and cur.get("enrolled"):
        after = dt.datetime.fromisoformat(cur["updated_through"]) - LOOKBACK
    listed = ctx.client.awd_shipments(updated_after=after)
    ctx.progress(0.4, f"AWD: {len(inventory)} SKUs, {len(listed)} shipments updated")
    open_ = [s for s in listed if not s.is_final and s.status not in NOT_YET_SHIPPED]
    details = [ctx.client.awd_shipment(s.shipment_id) for s in open_]
    ctx.progress(0.8, f"AWD: {len(details)} shipments on their way")
    if not inventory and not listed and find_location(ctx.session, ctx.account) is None:
        _not_enrolled(ctx, today)
        return
    loc = ensure_location(ctx.session, ctx.account)
    written = write_stock(ctx, loc, inventory)
    written += write_open(ctx, loc, [d for d in details if not d.is_final], today)
    final = [s for s in listed if s.is_final] + [
        AwdShipmentSummary(d.shipment_id, d.order_id, d.status, d.created_at, d.updated_at)
        for d in details
        if d.is_final  # closed between the listing and the detail call
    ]
    written += write_final(ctx, loc, final)
    written += _bump_overdue(ctx, loc, today)
    _finish(ctx, today, True, started, written)
    read_model.refresh(ctx.session, ctx.account)
    ctx.session.commit()
    ctx.progress(1.0, f"AWD: {sum(i.distributable for i in inventory)} units in AWD")
