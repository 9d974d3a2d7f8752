"""0016 fills sku_daily_units from the orders already stored, counted as the app counts them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, text

from app import localtime, migrate

UTC = dt.UTC
PT = ZoneInfo("America/Los_Angeles")
LONDON = ZoneInfo("Europe/London")


def _account(conn, n: int, marketplace: str) -> None:
    conn.execute(
        text(
            "INSERT INTO seller_connections (id, tenant_id, region, endpoint, token_url,"
            " lwa_client_id, lwa_client_secret, refresh_token, created_at, updated_at)"
            " VALUES (:n, 1, 'r', 'e', 't', 'c', 's', 'r', '2026-01-01', '2026-01-01')"
        ),
        {"n": n},
    )
    conn.execute(
        text(
            "INSERT INTO seller_accounts (id, connection_id, public_id, name, marketplace,"
            " marketplace_id, region, webhook_secret, review_days, active, created_at,"
            " updated_at, tenant_id) VALUES (:n, :n, :pid, :name, :m, 'x', 'r', 'w', 7, true,"
            " '2026-01-01', '2026-01-01', 1)"
        ),
        {"n": n, "pid": f"pub{n}", "name": f"acct {n}", "m": marketplace},
    )


def _order(conn, seller: int, oid: str, when: dt.datetime, status: str, lines) -> None:
    stamp = when.astimezone(UTC)
    conn.execute(
        text(
            "INSERT INTO orders (tenant_id, seller_account_id, amazon_order_id, purchase_date,"
            " last_update_date, status, synced_at) VALUES (1, :s, :o, :p, :p, :st, :p)"
        ),
        {"s": seller, "o": oid, "p": stamp, "st": status},
    )
    for k, (sku, qty) in enumerate(lines):
        conn.execute(
            text(
                "INSERT INTO order_items (tenant_id, seller_account_id, amazon_order_id,"
                " order_item_id, sku, quantity_ordered, quantity_shipped)"
                " VALUES (1, :s, :o, :i, :sku, :q, 0)"
            ),
            {"s": seller, "o": oid, "i": f"{oid}-{k}", "sku": sku, "q": qty},
        )


def test_the_backfill_counts_local_days_without_cancelled_orders(scratch_url) -> None:
    migrate.upgrade(scratch_url, "0015")
    engine = create_engine(scratch_url)
    day = dt.date(2026, 3, 31)
    nxt = day + dt.timedelta(days=1)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO tenants (id, name, created_at, updated_at) "
                              "VALUES (1, 't', '2026-01-01', '2026-01-01')"))  # fmt: skip
            _account(conn, 3, "US")
            _account(conn, 8, "UK")
            for seller, zone in ((3, PT), (8, LONDON)):
                late = dt.datetime.combine(day, dt.time(23, 30), zone)
                early = dt.datetime.combine(nxt, dt.time(0, 30), zone)
                _order(conn, seller, "a", late, "Shipped", [("A", 1), ("B", 2)])
                _order(conn, seller, "b", early, "Pending", [("A", 3)])
                _order(conn, seller, "c", late, "Canceled", [("A", 5)])
                _order(conn, seller, "d", early, "Cancelled", [("B", 7)])
                _order(conn, seller, "e", early, "Shipped", [("C", 0)])
        migrate.upgrade(scratch_url, "0016")
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT seller_account_id, sku, date, units FROM sku_daily_units"
                " WHERE tenant_id = 1")).all()  # fmt: skip
        got = {(s, sku, localtime.as_date(d)): n for s, sku, d, n in rows}
        expected = {}
        for seller in (3, 8):
            expected |= {
                (seller, "A", day): 1, (seller, "B", day): 2,
                (seller, "A", nxt): 3, (seller, "C", nxt): 0,
            }  # fmt: skip
        assert got == expected
        # 23:30 London on 31 March is 22:30 UTC, 00:30 on 1 April 23:30 UTC on the 31st:
        # the UK days are London's, not UTC's.
        assert dt.datetime.combine(nxt, dt.time(0, 30), LONDON).astimezone(UTC).day == 31
        migrate.downgrade(scratch_url, "0015")
        migrate.upgrade(scratch_url, "0016")  # and again, from the same orders
        with engine.connect() as conn:
            again = conn.execute(text("SELECT count(*) FROM sku_daily_units")).scalar()
        assert again == len(expected)
    finally:
        engine.dispose()
