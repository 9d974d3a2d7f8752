"""The SKU page's sales history and the forecaster's history: read from sku_daily_units against
adding up the raw orders as before, on one database, in one run.

    .venv/bin/python bench/daily_units.py DATABASE_URL [--skus 200] [--rounds 5]
        [--history-rounds 3] [--write-days 60] [--pages 50]

"Before" is the same functions with their units counted from orders and order lines as they
were until migration 0016: the SKU page per local day of one SKU's 180 days, the forecaster per
SKU and day of the whole seller, both through app.sync.daily._counted (the one count the table
is built with, filtered as the old statements filtered). Calls alternate before/after per SKU;
every pair's outputs are compared and must be equal. Also times one rebuild of the seller's
rows (what migration 0016 does once per seller). Reads only; the rebuild is rolled back.

Works on the demo's SQLite database (instance/demo/demo.db, from `python -m app.demo
--no-serve`) and on a PostgreSQL database seeded by bench/seed_data.py (the first seller of
each database; SKUs sampled evenly, the same ones for both).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402
from sqlalchemy import bindparam, func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app import localtime  # noqa: E402
from app.extensions import make_engine  # noqa: E402
from app.models import InventorySnapshot, Order, OrderItem, Product, SellerAccount  # noqa: E402
from app.models.orders import item_order  # noqa: E402
from app.sync import daily, history  # noqa: E402
from app.sync.orders import refresh_statistics, write_items, write_orders  # noqa: E402
from app.web.skus import detail  # noqa: E402
from integrations.amazon.results import Order as ApiOrder  # noqa: E402
from integrations.amazon.results import OrderItem as ApiItem  # noqa: E402

_raw_statements: dict[str, Any] = {}
_zones: dict[int, str] = {}


def raw_units_by_day(
    bind: Any, tenant_id: int, seller_id: int, sku: str, first: Any, last: Any
) -> dict[Any, int]:
    """The SKU page's units as counted before the table: its orders' lines in the 180 days."""
    conn = daily._conn(bind)
    # The page was handed its seller's zone (no query for it).
    zone = _zones.get(seller_id) or _zones.setdefault(
        seller_id, daily._zone(conn, tenant_id, seller_id)
    )
    stmt = _raw_statements.get(zone)
    if stmt is None:  # built once per zone, as the page built its statement
        stmt = _raw_statements[zone] = (
            daily._counted(conn, zone, tenant_id, seller_id)
            .where(OrderItem.sku == bindparam("sku"))
            .where(Order.purchase_date >= bindparam("start_ts"))
            .where(Order.purchase_date < bindparam("end_ts"))
        )
    start_ts, end_ts = localtime.day_bounds(first, last, zone)
    rows = conn.execute(stmt, {"sku": sku, "start_ts": start_ts, "end_ts": end_ts})
    return {localtime.as_date(r[3]): int(r[4]) for r in rows}


def raw_all_units(bind: Any, tenant_id: int, seller_id: int) -> list[Any]:
    """The forecaster's units as counted before the table: every line of the seller's orders."""
    conn = daily._conn(bind)
    zone = daily._zone(conn, tenant_id, seller_id)
    stmt = daily._counted(conn, zone, tenant_id, seller_id)
    return [(r[2], r[3], r[4]) for r in conn.execute(stmt)]


@contextmanager
def raw_counts() -> Iterator[None]:
    """The readers as they were: units from orders, not from sku_daily_units."""
    kept = daily.units_by_day, daily.all_units
    daily.units_by_day, daily.all_units = raw_units_by_day, raw_all_units  # type: ignore[assignment]
    try:
        yield
    finally:
        daily.units_by_day, daily.all_units = kept  # type: ignore[assignment]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def main() -> None:
    """Print before/after times and their ratio."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("--skus", type=int, default=200, help="SKU pages to time (evenly sampled)")
    ap.add_argument("--rounds", type=int, default=5, help="passes over those SKUs")
    ap.add_argument("--history-rounds", type=int, default=3)
    ap.add_argument("--write-days", type=int, default=60,
                    help="the orders sync's write cost: this many days of the seller's orders "
                    "written again into two new sellers, with and without the recount (0: skip)")
    ap.add_argument("--pages", type=int, default=50, help="getOrders pages of those timed")
    args = ap.parse_args()
    engine = make_engine(args.url)
    with Session(engine) as session:
        seller = session.scalars(select(SellerAccount).order_by(SellerAccount.id)).first()
        assert seller is not None, "no seller account in this database"
        t, s = seller.tenant_id, seller.id
        products = list(
            session.scalars(
                select(Product)
                .where(Product.tenant_id == t, Product.seller_account_id == s)
                .order_by(Product.sku)
            )
        )
        step = max(1, len(products) // args.skus)
        sample = products[::step][: args.skus]
        end = session.scalar(
            select(func.max(InventorySnapshot.date)).where(
                InventorySnapshot.tenant_id == t, InventorySnapshot.seller_account_id == s
            )
        )
        end = localtime.as_date(end) if end else localtime.today(seller.time_zone)
        orders = session.scalar(
            select(func.count()).select_from(Order).where(
                Order.tenant_id == t, Order.seller_account_id == s
            )
        )
        lines = session.scalar(
            select(func.count()).select_from(OrderItem).where(
                OrderItem.tenant_id == t, OrderItem.seller_account_id == s
            )
        )
        rows = len(daily.all_units(session, t, s))
        print(
            f"{engine.dialect.name}: seller {s} ({seller.marketplace}), {len(products)} SKUs,"
            f" {orders:,} orders, {lines:,} order lines, {rows:,} sku_daily_units rows"
        )

        # Warm both paths (statement caches, the page's built statements, the OS cache).
        for p in sample[:5]:
            detail.sales_history(session, p, end)
            with raw_counts():
                detail.sales_history(session, p, end)
        before: list[float] = []
        after: list[float] = []
        for _ in range(args.rounds):
            for p in sample:
                with raw_counts():
                    b, old = timed(lambda p=p: detail.sales_history(session, p, end))
                a, new = timed(lambda p=p: detail.sales_history(session, p, end))
                assert new == old, f"SKU page history differs for {p.sku}"
                before.append(b)
                after.append(a)
        _report(f"SKU page sales_history, {len(sample)} SKUs x {args.rounds}", before, after)

        # The forecaster's history: its units frame (what changed), and the whole history when
        # the seller has synced orders (the bench seed writes no orders cursor: none then).
        for label, fn in (
            ("forecaster's units frame (history._units)", lambda: history._units(session, t, s)),
            ("forecaster's sales_history", lambda: history.sales_history(session, t, s)),
        ):
            hb: list[float] = []
            ha: list[float] = []
            for _ in range(args.history_rounds):
                with raw_counts():
                    b, old = timed(fn)
                a, new = timed(fn)
                pd.testing.assert_frame_equal(_sorted(new), _sorted(old))
                hb.append(b)
                ha.append(a)
            _report(f"{label} ({len(new):,} rows) x {args.history_rounds}", hb, ha)

        took, _ = timed(lambda: daily.rebuild(session, t, s))
        print(f"  rebuild of the seller's rows (migration 0016's work): {took:.2f} s")
        session.rollback()
        if args.write_days:
            writes(session, seller, end, args.write_days, args.pages)
            session.rollback()
    engine.dispose()


def _sync_pages(
    session: Session, seller: SellerAccount, end: Any, days: int
) -> tuple[list[list[ApiOrder]], dict[str, list[ApiItem]]]:
    """The seller's orders of the last `days` days as 100-order pages (getOrders' size), and
    their lines."""
    since = localtime.day_start(end - dt.timedelta(days=days - 1), seller.time_zone)
    own = (Order.tenant_id == seller.tenant_id, Order.seller_account_id == seller.id)
    orders = [
        ApiOrder(r.amazon_order_id, r.purchase_date, r.last_update_date, r.status)
        for r in session.scalars(
            select(Order).where(*own, Order.purchase_date >= since).order_by(Order.purchase_date)
        )
    ]
    items: dict[str, list[ApiItem]] = {}
    for i in session.scalars(
        select(OrderItem)
        .join(Order, item_order())
        .where(*own, Order.purchase_date >= since)
    ):
        items.setdefault(i.amazon_order_id, []).append(
            ApiItem(i.amazon_order_id, i.order_item_id, i.sku, i.asin, i.quantity_ordered)
        )
    return [orders[k : k + 100] for k in range(0, len(orders), 100)], items


def writes(session: Session, seller: SellerAccount, end: Any, days: int, pages_n: int) -> None:
    """The orders sync's writes, into two new sellers in turn, one keeping its daily units (as
    the sync does now) and one not (as before): the seller's last `days` days as 30-day report
    windows (the backfill, with its statistics refreshes, as write_report_rows), then `pages_n`
    getOrders pages of 100 new orders, then `pages_n` pages of known orders re-synced one hour
    later and shipped.
    Rolled back after."""
    from cryptography.fernet import Fernet
    from flask import Flask

    from app.security.crypto import KeyRing

    pages, items = _sync_pages(session, seller, end, days)
    flask_app = Flask("bench")  # a key ring for the new sellers' (made-up) credentials
    flask_app.extensions["fba_keyring"] = KeyRing([Fernet.generate_key().decode()])
    with flask_app.app_context():
        kept, bare = (
            SellerAccount(tenant_id=seller.tenant_id, name=f"bench daily {k}", marketplace="US",
                          lwa_client_id="bench", lwa_client_secret="bench-secret-" + str(k),
                          refresh_token="bench-token-" + str(k))  # fmt: skip  # noqa: S106
            for k in (1, 2)
        )
        session.add_all([kept, bare])
        session.flush()
    real = daily.recounting

    def page(target: SellerAccount, orders: list[ApiOrder], recount: bool, kind: str) -> float:
        # A report window's lines replace nothing (write_report_rows); a page's new orders get
        # their lines from getOrderItems, replacing any stored; known orders come without.
        owner = {"tenant_id": target.tenant_id, "seller_account_id": target.id}
        ids = {o.amazon_order_id for o in orders} if kind != "changed" else set()
        lines = [i for oid in ids for i in items.get(oid, [])]
        daily.recounting = real if recount else _no_recount  # type: ignore[assignment]
        try:
            started = time.perf_counter()
            write_orders(session, owner, orders)
            if kind == "window":
                refresh_statistics(session)
            write_items(session, owner, lines, ids if kind == "page" else set())
            if kind == "window":
                refresh_statistics(session, "order_items")
            return time.perf_counter() - started
        finally:
            daily.recounting = real  # type: ignore[assignment]

    windows: dict[int, list[ApiOrder]] = {}
    for o in (o for p in pages for o in p):
        windows.setdefault((o.purchase_date - pages[0][0].purchase_date).days // 30, []).append(o)
    recent = pages[-pages_n:]
    # New orders: the recent pages again under other order ids (the same days and SKUs).
    fresh = [[replace(o, amazon_order_id=o.amazon_order_id + "-N") for o in p] for p in recent]
    for p in recent:
        for o in p:
            items[o.amazon_order_id + "-N"] = [
                replace(i, amazon_order_id=o.amazon_order_id + "-N")
                for i in items.get(o.amazon_order_id, [])
            ]
    changed = [
        [replace(o, status="Shipped", last_update_date=o.last_update_date + dt.timedelta(hours=1))
         for o in p]
        for p in recent
    ]  # fmt: skip
    for label, kind, batches in (
        ("report windows of 30 days", "window", list(windows.values())),
        ("getOrders pages of new orders", "page", fresh),
        ("getOrders pages of changed orders", "changed", changed),
    ):
        with_recount: list[float] = []
        without: list[float] = []
        for p in batches:
            without.append(page(bare, p, False, kind))
            with_recount.append(page(kept, p, True, kind))
        n = sum(len(p) for p in batches)
        mb, ma = statistics.median(without) * 1000, statistics.median(with_recount) * 1000
        print(f"  orders sync writes, {label}: {len(batches)} x ({n:,} orders):"
              f" {sum(without):.2f} s without the table, {sum(with_recount):.2f} s keeping it"
              f" ({sum(with_recount) / sum(without):.2f}x); median {mb:.1f} -> {ma:.1f} ms"
              " each")  # fmt: skip
    # What the pages kept is what a count from scratch gives.
    rows = sorted(daily.all_units(session, kept.tenant_id, kept.id))
    daily.rebuild(session, kept.tenant_id, kept.id)
    assert rows == sorted(daily.all_units(session, kept.tenant_id, kept.id))


@contextmanager
def _no_recount(*_: Any) -> Iterator[None]:
    yield


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    # The units frames come in the database's order; the history itself is sorted.
    return frame.sort_values(["sku", "date"]).reset_index(drop=True)


def _report(label: str, before: list[float], after: list[float]) -> None:
    mb, ma = statistics.median(before), statistics.median(after)
    print(f"  {label}: median {mb * 1000:.2f} ms before, {ma * 1000:.2f} ms after "
          f"({mb / ma:.1f}x); mean {statistics.mean(before) * 1000:.2f} -> "
          f"{statistics.mean(after) * 1000:.2f} ms; max {max(before) * 1000:.1f} -> "
          f"{max(after) * 1000:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
