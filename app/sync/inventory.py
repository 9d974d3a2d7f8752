"""FBA inventory stream: daily ledger balances for whole days, and today's summaries pass.

Day d's row in inventory_snapshots is its end-of-day sellable balance once the ledger covers d
(source 'ledger'); before that it is the latest getInventorySummaries pass of that day
(source 'summaries'), which a later ledger row replaces and which never replaces a ledger row.
Cursor (SyncState 'inventory'): `ledger_through`, the last day the ledger has been read for.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from app import summaries as read_model
from app.models import InventorySnapshot, utcnow
from app.sync.catalog import upsert_products
from app.sync.context import SyncContext
from app.sync.orders import history_start
from app.sync.report_windows import fetch_windows
from app.sync.state import cursor_of, load_state, set_cursor
from app.sync.upsert import upsert
from integrations.amazon.reports import LEDGER_SUMMARY, parse_ledger_summary
from integrations.amazon.results import InventorySummary, LedgerRow

STREAM = "inventory"
LEDGER_WINDOW_DAYS = 31
KEY = ["tenant_id", "seller_account_id", "sku", "date"]
QUANTITIES = [
    "fulfillable",
    "inbound_working",
    "inbound_shipped",
    "inbound_receiving",
    "reserved",
    "unfulfillable",
    "researching",
]


def write_ledger(ctx: SyncContext, rows: list[LedgerRow]) -> int:
    """End-of-day balances per SKU and day: sellable → fulfillable, the rest → unfulfillable."""
    sellable: dict[tuple[str, dt.date], int] = defaultdict(int)
    other: dict[tuple[str, dt.date], int] = defaultdict(int)
    for r in rows:
        target = sellable if r.disposition.upper() == "SELLABLE" else other
        target[(r.sku, r.date)] += r.ending_balance
    now = utcnow()
    out = [
        {
            **ctx.owner(),
            "sku": sku,
            "date": day,
            "fulfillable": sellable.get((sku, day), 0),
            "unfulfillable": other.get((sku, day), 0),
            "source": "ledger",
            "captured_at": now,
        }
        for sku, day in sorted(set(sellable) | set(other))
    ]
    written = upsert(
        ctx.session,
        InventorySnapshot,
        out,
        keys=KEY,
        update=["fulfillable", "unfulfillable", "source"],
        touch=["captured_at"],
    )
    upsert_products(
        ctx.session,
        ctx.tenant_id,
        ctx.seller_id,
        ({"sku": r.sku, "asin": r.asin, "fnsku": r.fnsku, "title": r.title} for r in rows),
    )
    return written


def write_summaries(ctx: SyncContext, day: dt.date, summaries: list[InventorySummary]) -> int:
    """One summaries page as day `day`'s snapshot (never over a ledger row)."""
    now = utcnow()
    rows = [
        {
            **ctx.owner(),
            "sku": s.sku,
            "date": day,
            "fulfillable": s.fulfillable,
            "inbound_working": s.inbound_working,
            "inbound_shipped": s.inbound_shipped,
            "inbound_receiving": s.inbound_receiving,
            "reserved": s.reserved,
            "unfulfillable": s.unfulfillable,
            "researching": s.researching,
            "source": "summaries",
            "captured_at": now,
        }
        for s in summaries
    ]
    written = upsert(
        ctx.session,
        InventorySnapshot,
        rows,
        keys=KEY,
        update=QUANTITIES,
        touch=["captured_at"],
        guard=lambda t, ex: t.c.source != "ledger",
    )
    upsert_products(
        ctx.session,
        ctx.tenant_id,
        ctx.seller_id,
        (
            {"sku": s.sku, "asin": s.asin, "fnsku": s.fnsku, "title": s.product_name}
            for s in summaries
        ),
    )
    return written


def ledger_windows(first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """Whole days from `first` to `last` in windows of LEDGER_WINDOW_DAYS (the last shorter)."""
    windows = []
    day = first
    while day <= last:
        until = min(last, day + dt.timedelta(days=LEDGER_WINDOW_DAYS - 1))
        windows.append((day, until))
        day = until + dt.timedelta(days=1)
    return windows


def sync_ledger(ctx: SyncContext) -> None:
    """Read the daily ledger from the day after `ledger_through` to the last whole day.

    The windows' reports are requested side by side (fetch_windows) and written and
    committed in day order, each with `ledger_through` at its last day.
    """
    last = ctx.last_complete_day()  # the server's clock: asked before any transaction opens
    state = load_state(ctx.session, ctx.account, STREAM)
    cur = cursor_of(state)
    if cur.get("ledger_through"):
        first = dt.date.fromisoformat(cur["ledger_through"]) + dt.timedelta(days=1)
    else:
        first = history_start(ctx.session, ctx.tenant_id, ctx.seller_id) or (
            last - dt.timedelta(days=ctx.backfill_days - 1)
        )
    ctx.session.commit()  # nothing open while the reports are requested and polled
    total = max(1, (last - first).days + 1)
    days = ledger_windows(first, last)
    # Each window spans whole local days of the marketplace (ctx.day_start).
    windows = [
        (ctx.day_start(day), ctx.day_start(until + dt.timedelta(days=1)) - dt.timedelta(seconds=1))
        for day, until in days
    ]
    options = {"aggregateByLocation": "COUNTRY", "aggregatedByTimePeriod": "DAILY"}
    fetched = fetch_windows(ctx, LEDGER_SUMMARY, windows, options)
    order = ctx.account.market.date_order
    for (day, until), (_, text) in zip(days, fetched, strict=True):
        rows = [r for r in parse_ledger_summary(text, order) if day <= r.date <= until]
        written = write_ledger(ctx, rows)
        set_cursor(state, {**cur, "ledger_through": until.isoformat()})
        cur = cursor_of(state)
        ctx.commit_page(STREAM, written)
        ctx.progress(
            0.8 * ((until - first).days + 1) / total, f"inventory ledger through {until}"
        )


def sync_summaries(ctx: SyncContext) -> None:
    """A full getInventorySummaries pass, written as the server's today."""
    today = ctx.last_complete_day() + dt.timedelta(days=1)
    # All pages first: a page token lives 30 seconds, so no slow database work between pages.
    pages = [page.summaries for page in ctx.client.inventory_pages()]
    state = load_state(ctx.session, ctx.account, STREAM)
    written = 0
    for summaries in pages:
        written += write_summaries(ctx, today, summaries)
    set_cursor(state, {**cursor_of(state), "summaries_day": today.isoformat()})
    ctx.commit_page(STREAM, written)
    ctx.progress(1.0, f"inventory: {sum(len(p) for p in pages)} SKUs on {today}")


def run(ctx: SyncContext) -> None:
    """The inventory stream, then the dashboard's rows for the stock it stored."""
    sync_ledger(ctx)
    sync_summaries(ctx)
    read_model.refresh(ctx.session, ctx.account)
    ctx.session.commit()
