"""Fees stream: financial events per order line (fees, refunds) and fee estimates per SKU.

Cursor (SyncState 'fees'): `posted_through` (events before it are stored) and, mid-window,
the window being read and its NextToken.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.models import FeeEstimate, FeeEvent, OrderItem, Product, utcnow
from app.sync.context import SyncContext
from app.sync.orders import history_start
from app.sync.state import cursor_of, load_state, set_cursor
from app.sync.upsert import upsert
from integrations.amazon.errors import MalformedPayload, PermanentError
from integrations.amazon.results import FeeLine

STREAM = "fees"
WINDOW = dt.timedelta(days=180)
OVERLAP = dt.timedelta(hours=1)
ESTIMATE_BATCH = 20
# Fee lines written per commit (about ten pages of listFinancialEvents).
COMMIT_LINES = 2000


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).isoformat()


def _dt(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC)


def foreign_channels(ctx: SyncContext) -> frozenset[str]:
    """The MarketplaceNames of the other marketplaces on this account's connection (lower
    case): a selling partner's financial events span its marketplaces, and a line of Amazon.ca
    belongs to the CA account, in dollars Canadian, never to the US one."""
    return frozenset(s.market.sales_channel.lower() for s in ctx.account.siblings())


def write_fee_lines(ctx: SyncContext, lines: list[FeeLine]) -> int:
    """Upsert fee events keyed by their identity digest (only this marketplace's lines)."""
    owner = ctx.owner()
    foreign = foreign_channels(ctx)
    if foreign:
        lines = [
            line
            for line in lines
            if line.marketplace_name is None or line.marketplace_name.lower() not in foreign
        ]
    rows = [
        {
            **owner,
            "event_key": line.key,
            "event_kind": line.kind,
            "amazon_order_id": line.amazon_order_id,
            "order_item_id": line.order_item_id,
            "sku": line.sku,
            "fee_type": line.fee_type[:80],
            "amount": line.amount,
            "currency": line.currency[:3],
            "posted_date": line.posted_date,
        }
        for line in lines
    ]
    return upsert(
        ctx.session,
        FeeEvent,
        rows,
        keys=["tenant_id", "seller_account_id", "event_key"],
        update=["amount", "currency", "sku"],
    )


def sync_events(ctx: SyncContext) -> None:
    """listFinancialEvents in windows of at most 180 days, page by page; the lines of several
    pages are written and committed together (with the NextToken after the last of them),
    since a two-year backfill reads thousands of pages and a commit per page cost more than
    writing them."""
    # The server's clock first: no transaction is open while the API is waited on (on SQLite a
    # job's transaction holds the one write lock).
    end = ctx.server_cutoff()
    last_day = ctx.last_complete_day()
    state = load_state(ctx.session, ctx.account, STREAM)
    cur = cursor_of(state)
    if cur.get("posted_through"):
        begin = _dt(cur["posted_through"]) - OVERLAP
    else:
        first = history_start(ctx.session, ctx.tenant_id, ctx.seller_id) or (
            last_day - dt.timedelta(days=ctx.backfill_days - 1)
        )
        begin = dt.datetime.combine(first, dt.time(), dt.UTC)
    if cur.get("window_from"):
        begin = _dt(cur["window_from"])
    ctx.session.commit()
    while begin < end:
        until = min(end, begin + WINDOW)
        if cur.get("window_from") and cur.get("window_to"):
            until = _dt(cur["window_to"])
        token = cur.get("token")
        pages = ctx.client.financial_event_pages(begin, until, resume_token=token)
        batch: list[FeeLine] = []
        for page in pages:
            batch.extend(page.lines)
            if page.next_token and len(batch) < COMMIT_LINES:
                continue  # nothing written yet: no transaction is open for the next call
            written = write_fee_lines(ctx, batch)
            batch = []
            if page.next_token:
                cur = {**cur, "window_from": _iso(begin), "window_to": _iso(until),
                       "token": page.next_token}
            else:
                cur = {"posted_through": _iso(until)}
            set_cursor(state, cur)
            ctx.commit_page(STREAM, written)
        ctx.progress(0.7, f"fees: financial events through {until.date()}")
        cur = {"posted_through": _iso(until)}
        begin = until


def _prices(ctx: SyncContext) -> dict[str, float]:
    """A price per SKU to estimate fees at: the product's, else its latest selling price."""
    prices: dict[str, float] = {}
    for sku, price in ctx.session.execute(
        select(Product.sku, Product.price).where(
            Product.tenant_id == ctx.tenant_id,
            Product.seller_account_id == ctx.seller_id,
            Product.active.is_(True),
        )
    ):
        if price:
            prices[sku] = float(price)
        else:
            prices.setdefault(sku, 0.0)
    missing = [s for s, p in prices.items() if not p]
    if missing:
        rows = ctx.session.execute(
            select(OrderItem.sku, OrderItem.item_price, OrderItem.quantity_ordered)
            .where(
                OrderItem.tenant_id == ctx.tenant_id,
                OrderItem.seller_account_id == ctx.seller_id,
                OrderItem.sku.in_(missing),
                OrderItem.item_price.is_not(None),
                OrderItem.quantity_ordered > 0,
            )
            .order_by(OrderItem.id)
        )
        for sku, price, qty in rows:
            if price is not None:  # always, by the query; the column itself is nullable
                prices[sku] = round(float(price) / qty, 2)
    return {s: p for s, p in prices.items() if p > 0}


def sync_estimates(ctx: SyncContext) -> None:
    """getMyFeesEstimateForSKU for every active product with a known price."""
    prices = _prices(ctx)
    ctx.session.commit()  # the estimates are asked with no transaction open
    batch: list[dict[str, object]] = []
    done = 0
    for sku, price in sorted(prices.items()):
        try:
            est = ctx.client.fees_estimate(sku, price)
        except (PermanentError, MalformedPayload) as exc:
            # One SKU Amazon cannot estimate (e.g. suppressed listing) must not stop the rest.
            ctx.progress(0.8, f"fees: no estimate for {sku}: {type(exc).__name__}")
            continue
        batch.append(
            {
                **ctx.owner(),
                "sku": sku,
                "price": est.price,
                "currency": est.currency[:3],
                "fulfillment_fee": est.fulfillment_fee,
                "referral_fee": est.referral_fee,
                "total_fees": est.total_fees,
                "detail": est.detail,
                "fetched_at": utcnow(),
            }
        )
        done += 1
        if len(batch) >= ESTIMATE_BATCH:
            _write_estimates(ctx, batch)
            batch = []
    _write_estimates(ctx, batch)
    ctx.progress(1.0, f"fees: {done} estimates")


def _write_estimates(ctx: SyncContext, rows: list[dict[str, object]]) -> None:
    if not rows:
        return
    written = upsert(
        ctx.session,
        FeeEstimate,
        rows,
        keys=["tenant_id", "seller_account_id", "sku"],
        update=["price", "currency", "fulfillment_fee", "referral_fee", "total_fees"],
        # JSON has no equality operator in PostgreSQL: `detail` follows the compared columns.
        touch=["detail", "fetched_at"],
    )
    ctx.commit_page(STREAM, written)


def run(ctx: SyncContext) -> None:
    """The fees stream."""
    sync_events(ctx)
    sync_estimates(ctx)
