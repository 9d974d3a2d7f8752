"""Orders stream: two-year backfill through the all-orders report, then getOrders increments.

Cursor (SyncState 'orders'): `watermark` is the server cut-off everything before which is
stored; `cursor` holds `history_start` (first complete day) and, mid-run, the report window or
the getOrders query (after, before, NextToken) being worked through.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, select, text, tuple_
from sqlalchemy.orm import Session

from app.models import Order, OrderItem, utcnow
from app.models.orders import CANCELED
from app.sync import daily
from app.sync.catalog import upsert_products
from app.sync.context import SyncContext
from app.sync.report_windows import fetch_windows
from app.sync.state import cursor_of, load_state, set_cursor
from app.sync.upsert import upsert
from integrations.amazon.errors import PermanentError
from integrations.amazon.reports import ALL_ORDERS, parse_all_orders
from integrations.amazon.results import AllOrdersRow
from integrations.amazon.results import Order as ApiOrder
from integrations.amazon.results import OrderItem as ApiItem

STREAM = "orders"
OVERLAP = dt.timedelta(minutes=5)
REPORT_WINDOW = dt.timedelta(days=30)
ORDER_KEY = ["tenant_id", "seller_account_id", "amazon_order_id"]
ITEM_KEY = ["tenant_id", "seller_account_id", "amazon_order_id", "order_item_id"]


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat()


def _dt(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC)


def write_orders(session: Session, owner: dict[str, int], orders: list[ApiOrder]) -> int:
    """Upsert order headers; an older version never overwrites a newer one. The days their
    lines count on are counted again (app.sync.daily)."""
    with daily.recounting(session, *_seller(owner), (o.amazon_order_id for o in orders)):
        return _upsert_orders(session, owner, orders)


def _seller(owner: dict[str, int]) -> tuple[int, int]:
    return owner["tenant_id"], owner["seller_account_id"]


def _upsert_orders(session: Session, owner: dict[str, int], orders: list[ApiOrder]) -> int:
    now = utcnow()
    rows = [
        {
            **owner,
            "amazon_order_id": o.amazon_order_id,
            "purchase_date": o.purchase_date,
            "last_update_date": o.last_update_date,
            "status": o.status[:40],
            "fulfillment_channel": (o.fulfillment_channel or None),
            "marketplace_id": o.marketplace_id,
            "synced_at": now,
        }
        for o in orders
    ]
    return upsert(
        session,
        Order,
        rows,
        keys=ORDER_KEY,
        update=["purchase_date", "last_update_date", "status", "fulfillment_channel",
                "marketplace_id"],
        touch=["synced_at"],
        guard=lambda t, ex: t.c.last_update_date <= ex.last_update_date,
    )


def write_items(
    session: Session, owner: dict[str, int], items: list[ApiItem], replace_orders: set[str]
) -> int:
    """Upsert order lines; lines of `replace_orders` not in `items` are removed (so a report's
    synthetic lines give way to the API's real ones, never doubling units). The days they
    counted and count on are counted again (app.sync.daily)."""
    touched = {i.amazon_order_id for i in items} | replace_orders
    with daily.recounting(session, *_seller(owner), touched):
        return _upsert_items(session, owner, items, replace_orders)


def _upsert_items(
    session: Session, owner: dict[str, int], items: list[ApiItem], replace_orders: set[str]
) -> int:
    if replace_orders:
        keep = {(i.amazon_order_id, i.order_item_id) for i in items}
        existing = session.execute(
            select(OrderItem.amazon_order_id, OrderItem.order_item_id).where(
                OrderItem.tenant_id == owner["tenant_id"],
                OrderItem.seller_account_id == owner["seller_account_id"],
                OrderItem.amazon_order_id.in_(sorted(replace_orders)),
            )
        ).all()
        stale = [tuple(r) for r in existing if tuple(r) not in keep]
        if stale:
            session.execute(
                delete(OrderItem).where(
                    OrderItem.tenant_id == owner["tenant_id"],
                    OrderItem.seller_account_id == owner["seller_account_id"],
                    tuple_(OrderItem.amazon_order_id, OrderItem.order_item_id).in_(stale),
                )
            )
    rows = [
        {
            **owner,
            "amazon_order_id": i.amazon_order_id,
            "order_item_id": i.order_item_id,
            "sku": i.sku,
            "asin": i.asin,
            "quantity_ordered": i.quantity_ordered,
            "quantity_shipped": i.quantity_shipped,
            "item_price": i.item_price,
            "promotion_discount": i.promotion_discount,
            "currency": i.currency,
        }
        for i in items
    ]
    return upsert(
        session,
        OrderItem,
        rows,
        keys=ITEM_KEY,
        update=["sku", "asin", "quantity_ordered", "quantity_shipped"],
        prefer_incoming=["item_price", "promotion_discount", "currency"],
    )


def refresh_statistics(session: Session, tables: str = "orders") -> None:
    """ANALYZE orders (or their lines) on PostgreSQL after a bulk load.

    Each order line's foreign-key check looks its order up; on a freshly loaded, never analysed
    table the planner picks the (tenant, seller) index and filters, so a two-year backfill's
    checks turn quadratic (minutes). Fresh statistics make it use the unique key. The same
    holds for the lines: the daily units' lookup of a page's lines by order id (app.sync.daily)
    went through the (tenant, seller, sku) index of a seller whose lines were not analysed yet,
    reading all of them for every page (0.1-0.3 s a page with 100,000 lines).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"ANALYZE {tables}"))


def report_lines(rows: list[AllOrdersRow]) -> tuple[list[ApiOrder], list[ApiItem]]:
    """Orders and lines from all-orders report rows.

    The report has no OrderItemId: a line is keyed 'R-<sku>' (quantities of the same SKU in one
    order summed), stable across windows and re-runs.
    """
    orders: dict[str, ApiOrder] = {}
    qty: dict[tuple[str, str], int] = defaultdict(int)
    first: dict[tuple[str, str], AllOrdersRow] = {}
    for r in rows:
        prev = orders.get(r.amazon_order_id)
        if prev is None or r.last_update_date >= prev.last_update_date:
            orders[r.amazon_order_id] = ApiOrder(
                amazon_order_id=r.amazon_order_id,
                purchase_date=r.purchase_date,
                last_update_date=r.last_update_date,
                status=_status(r.status),
                fulfillment_channel=_channel(r.fulfillment_channel),
            )
        key = (r.amazon_order_id, r.sku)
        qty[key] += r.quantity
        first.setdefault(key, r)
    items = [
        ApiItem(
            amazon_order_id=oid,
            order_item_id=f"R-{sku}"[:40],
            sku=sku,
            asin=first[(oid, sku)].asin,
            quantity_ordered=q,
            item_price=first[(oid, sku)].item_price,
            promotion_discount=first[(oid, sku)].promotion_discount,
            currency=first[(oid, sku)].currency,
        )
        for (oid, sku), q in qty.items()
    ]
    return list(orders.values()), items


def _status(value: str) -> str:
    # Flat files spell it the British way; the Orders API (and our rows) say "Canceled".
    return CANCELED if value.lower() == "cancelled" else value


def _channel(value: str | None) -> str | None:
    # The report says "Amazon"/"Merchant"; the API says "AFN"/"MFN".
    return {"amazon": "AFN", "merchant": "MFN"}.get((value or "").lower(), value)


def write_report_rows(ctx: SyncContext, rows: list[AllOrdersRow], backfill: bool = False) -> int:
    """Write one all-orders report document (orders, lines, products) in the open transaction.

    During the first backfill every stored line came from a report and a report line's id
    (R-<sku>) is the same in every report, so lines are simply upserted. Later (a report
    fetched on a notification), orders whose lines came from getOrderItems keep those.
    """
    orders, items = report_lines(rows)
    owner = ctx.owner()
    written = write_orders(ctx.session, owner, orders)
    refresh_statistics(ctx.session)
    if not backfill:
        api_lined = _orders_with_api_lines(ctx.session, owner, {o.amazon_order_id for o in orders})
        items = [i for i in items if i.amazon_order_id not in api_lined]
    written += write_items(ctx.session, owner, items, set())
    refresh_statistics(ctx.session, "order_items")
    upsert_products(
        ctx.session,
        ctx.tenant_id,
        ctx.seller_id,
        ({"sku": r.sku, "asin": r.asin, "title": r.product_name} for r in rows),
    )
    return written


def _orders_with_api_lines(session: Session, owner: dict[str, int], ids: set[str]) -> set[str]:
    if not ids:
        return set()
    found: set[str] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        found.update(
            session.scalars(
                select(OrderItem.amazon_order_id).where(
                    OrderItem.tenant_id == owner["tenant_id"],
                    OrderItem.seller_account_id == owner["seller_account_id"],
                    OrderItem.amazon_order_id.in_(ordered[start : start + 500]),
                    ~OrderItem.order_item_id.startswith("R-"),
                )
            )
        )
    return found


def _orders_with_lines(session: Session, owner: dict[str, int], ids: list[str]) -> set[str]:
    if not ids:
        return set()
    return set(
        session.scalars(
            select(OrderItem.amazon_order_id).where(
                OrderItem.tenant_id == owner["tenant_id"],
                OrderItem.seller_account_id == owner["seller_account_id"],
                OrderItem.amazon_order_id.in_(ids),
            )
        )
    )


def backfill(ctx: SyncContext) -> None:
    """First sync: the all-orders report in 30-day windows up to the server's cut-off."""
    state = load_state(ctx.session, ctx.account, STREAM)
    cur = cursor_of(state)
    if "backfill_end" not in cur:
        ctx.session.commit()  # no transaction open while the server's clock is asked
        end = ctx.server_cutoff()
        start_day = ctx.last_complete_day() - dt.timedelta(days=ctx.backfill_days - 1)
        start = ctx.day_start(start_day)  # local midnight: the first whole local day
        cur = {
            "history_start": start_day.isoformat(),
            "backfill_next": _iso(start),
            "backfill_end": _iso(end),
        }
        set_cursor(state, cur)
        ctx.session.commit()
    start = ctx.day_start(dt.date.fromisoformat(cur["history_start"]))
    end = _dt(cur["backfill_end"])
    nxt = _dt(cur["backfill_next"])
    total = (end - start).total_seconds() or 1.0
    windows = []
    while nxt < end:
        windows.append((nxt, min(end, nxt + REPORT_WINDOW)))
        nxt = windows[-1][1]
    # Requested side by side, written and committed in window order, each with the cursor
    # past it. No transaction stays open while reports are requested and polled (on SQLite
    # a writer's transaction holds the one write lock).
    ctx.session.commit()
    for (_, until), document in fetch_windows(ctx, ALL_ORDERS, windows):
        rows = parse_all_orders(document)
        written = write_report_rows(ctx, rows, backfill=True)
        cur = {**cur, "backfill_next": _iso(until)}
        set_cursor(state, cur)
        ctx.commit_page(STREAM, written)
        ctx.progress(
            0.8 * (until - start).total_seconds() / total,
            f"orders backfill through {until.date()}: {len(rows)} report lines",
        )
    cur = {"history_start": cur["history_start"]}
    set_cursor(state, cur, watermark=end, backfill_done=True)
    if ctx.session.get_bind().dialect.name == "sqlite":
        # SQLite keeps no statistics until asked: plan the pages on the loaded history.
        ctx.session.execute(text("ANALYZE"))
    ctx.commit_page(STREAM, 0)


def incremental(ctx: SyncContext) -> None:
    """getOrders by LastUpdatedAfter (watermark minus an overlap); new orders get their lines."""
    state = load_state(ctx.session, ctx.account, STREAM)
    cur = cursor_of(state)
    if state.watermark is None:
        raise RuntimeError("orders incremental sync needs a watermark (run the backfill first)")
    if "after" not in cur:
        cur = {**cur, "after": _iso(state.watermark - OVERLAP)}
    token: str | None = cur.get("token")
    owner = ctx.owner()
    pages = 0
    # API calls happen outside transactions: on SQLite a writer's transaction holds the one
    # write lock, and getOrderItems for a page of new orders can take minutes.
    ctx.session.commit()
    while True:
        try:
            if token:
                page = ctx.client.get_orders(next_token=token)
            else:
                page = ctx.client.get_orders(last_updated_after=_dt(cur["after"]))
        except PermanentError:
            if not token:
                raise
            # A NextToken from an interrupted run may have expired: start the query again.
            token = None
            cur.pop("token", None)
            cur.pop("before", None)
            continue
        if "before" not in cur:
            before = page.last_updated_before or ctx.server_cutoff()
            cur["before"] = _iso(before)
        ids = [o.amazon_order_id for o in page.orders]
        known = _orders_with_lines(ctx.session, owner, ids)
        ctx.session.commit()
        items: list[ApiItem] = []
        fetched: set[str] = set()
        for order in page.orders:
            if order.amazon_order_id not in known and order.amazon_order_id not in fetched:
                items.extend(ctx.client.get_order_items(order.amazon_order_id))
                fetched.add(order.amazon_order_id)
        written = write_orders(ctx.session, owner, page.orders)
        written += write_items(ctx.session, owner, items, fetched)
        upsert_products(
            ctx.session,
            ctx.tenant_id,
            ctx.seller_id,
            ({"sku": i.sku, "asin": i.asin, "title": i.title} for i in items),
        )
        token = page.next_token
        pages += 1
        if token:
            cur["token"] = token
            set_cursor(state, cur)
            ctx.commit_page(STREAM, written)
            ctx.progress(0.9, f"orders: page {pages}, {len(page.orders)} orders")
            continue
        watermark = _dt(cur["before"])
        set_cursor(state, {"history_start": cur.get("history_start")} if cur.get(
            "history_start") else None, watermark=max(watermark, state.watermark))
        ctx.commit_page(STREAM, written)
        ctx.progress(1.0, f"orders up to date through {watermark.isoformat()}")
        return


def run(ctx: SyncContext) -> None:
    """The orders stream: backfill on the first sync, then increments."""
    state = load_state(ctx.session, ctx.account, STREAM)
    if not state.backfill_done:
        backfill(ctx)
    incremental(ctx)


def history_start(session: Session, tenant_id: int, seller_account_id: int) -> dt.date | None:
    """First complete day of order history (the backfill's first day), if known."""
    from app.models import SyncState

    state = session.scalars(
        select(SyncState).where(
            SyncState.tenant_id == tenant_id,
            SyncState.seller_account_id == seller_account_id,
            SyncState.stream == STREAM,
        )
    ).one_or_none()
    if state is None:
        return None
    value: Any = cursor_of(state).get("history_start")
    return dt.date.fromisoformat(value) if value else None
