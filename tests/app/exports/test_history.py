"""sales_history: the daily history the forecaster trains on, from rows written by the sync."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from app.models import InventorySnapshot, Order, OrderItem, Product, SyncState
from app.sync import daily
from app.sync.history import sales_history
from app.web.skus import detail

UTC = dt.UTC
PT = ZoneInfo("America/Los_Angeles")
LONDON = ZoneInfo("Europe/London")


def _order(session, seller, oid, when, status="Shipped", lines=(("A", 1),)):
    session.add(
        Order(
            tenant_id=seller.tenant_id,
            seller_account_id=seller.id,
            amazon_order_id=oid,
            purchase_date=when,
            last_update_date=when,
            status=status,
        )
    )
    session.flush()
    for i, (sku, qty) in enumerate(lines):
        session.add(
            OrderItem(
                tenant_id=seller.tenant_id,
                seller_account_id=seller.id,
                amazon_order_id=oid,
                order_item_id=f"{oid}-{i}",
                sku=sku,
                quantity_ordered=qty,
            )
        )
    daily.rebuild(session, seller.tenant_id, seller.id)  # as the orders sync keeps them


def _stock(session, seller, sku, day, qty, source="ledger"):
    session.add(
        InventorySnapshot(
            tenant_id=seller.tenant_id,
            seller_account_id=seller.id,
            sku=sku,
            date=day,
            fulfillable=qty,
            source=source,
        )
    )
    session.flush()


def _synced(session, seller, watermark, start):
    session.add(
        SyncState(
            tenant_id=seller.tenant_id,
            seller_account_id=seller.id,
            stream="orders",
            watermark=watermark,
            backfill_done=True,
            cursor=json.dumps({"history_start": start.isoformat()}),
        )
    )
    session.flush()


def test_history_rows_per_day_with_zeros_cancellations_and_stockouts(db_session, factory) -> None:
    tenant = factory.tenant()
    seller = factory.seller(tenant)  # a US seller: its days are Pacific
    d = dt.date(2026, 3, 1)
    _synced(db_session, seller, dt.datetime(2026, 3, 6, 0, 3, tzinfo=PT), d)
    # 23:30 Pacific on the 1st (07:30 UTC on the 2nd) counts on the 1st: the seller's day.
    _order(db_session, seller, "o1", dt.datetime(2026, 3, 1, 23, 30, tzinfo=PT), lines=[("A", 2)])
    _order(
        db_session,
        seller,
        "o2",
        dt.datetime(2026, 3, 3, 1, 0, tzinfo=PT),
        lines=[("A", 1), ("B", 4)],
    )
    _order(db_session, seller, "o3", dt.datetime(2026, 3, 3, 2, 0, tzinfo=PT), status="Canceled")
    _order(db_session, seller, "o4", dt.datetime(2026, 3, 4, 2, 0, tzinfo=PT), status="Pending")
    _order(db_session, seller, "o5", dt.datetime(2026, 3, 6, 0, 1, tzinfo=PT))  # not a whole day
    _stock(db_session, seller, "A", dt.date(2026, 3, 1), 5)
    _stock(db_session, seller, "A", dt.date(2026, 3, 2), 0)  # out at the end of the 2nd ...
    _stock(db_session, seller, "A", dt.date(2026, 3, 4), 3)  # ... and the 3rd (carried forward)
    _stock(db_session, seller, "C", dt.date(2026, 3, 4), 0, source="summaries")  # never stocked

    h = sales_history(db_session, tenant.id, seller.id)
    rows = {(r.sku, r.date.date().isoformat()): (r.units, r.in_stock) for r in h.itertuples()}
    assert rows == {
        ("A", "2026-03-01"): (2, 1),
        ("A", "2026-03-02"): (0, 0),
        ("A", "2026-03-03"): (1, 0),
        ("A", "2026-03-04"): (1, 1),
        ("A", "2026-03-05"): (0, 1),
        ("B", "2026-03-03"): (4, 1),  # first known day: its first sale
        ("B", "2026-03-04"): (0, 1),
        ("B", "2026-03-05"): (0, 1),
    }
    assert list(h.columns) == ["sku", "date", "units", "in_stock"]
    assert str(h["date"].dtype).startswith("datetime64")


def test_history_is_empty_before_the_first_sync(db_session, factory) -> None:
    tenant = factory.tenant()
    seller = factory.seller(tenant)
    _order(db_session, seller, "o1", dt.datetime(2026, 3, 1, 12, tzinfo=UTC))
    h = sales_history(db_session, tenant.id, seller.id)
    assert h.empty and list(h.columns) == ["sku", "date", "units", "in_stock"]


def test_history_is_per_seller(db_session, factory) -> None:
    tenant = factory.tenant()
    one, two = factory.seller(tenant), factory.seller(tenant)
    for seller in (one, two):
        _synced(db_session, seller, dt.datetime(2026, 3, 3, 0, 3, tzinfo=PT), dt.date(2026, 3, 1))
    _order(db_session, one, "o1", dt.datetime(2026, 3, 1, 12, tzinfo=PT))
    assert len(sales_history(db_session, tenant.id, one.id)) == 2
    assert sales_history(db_session, tenant.id, two.id).empty


def _days(h) -> dict[str, int]:
    return {r.date.date().isoformat(): r.units for r in h.itertuples() if r.units}


def test_a_uk_sale_at_23_30_london_on_31_march_counts_on_31_march(db_session, factory) -> None:
    tenant = factory.tenant()
    seller = factory.seller(tenant, marketplace="UK")
    _synced(db_session, seller, dt.datetime(2026, 4, 3, 0, 5, tzinfo=LONDON), dt.date(2026, 3, 30))
    # 23:30 BST on 31 March is 22:30 UTC: 31 March. 00:30 BST on 1 April is 23:30 UTC on
    # 31 March: 1 April.
    late, early = dt.datetime(2026, 3, 31, 23, 30, tzinfo=LONDON), dt.datetime(2026, 4, 1, 0, 30)
    _order(db_session, seller, "o1", late)
    _order(db_session, seller, "o2", early.replace(tzinfo=LONDON), lines=[("A", 2)])
    assert dt.datetime(2026, 4, 1, 0, 30, tzinfo=LONDON).astimezone(UTC).day == 31
    h = sales_history(db_session, tenant.id, seller.id)
    assert _days(h) == {"2026-03-31": 1, "2026-04-01": 2}
    assert h["date"].max().date() == dt.date(2026, 4, 2)  # the last whole London day
    # The SKU page counts the same days.
    product = Product(tenant_id=tenant.id, seller_account_id=seller.id, sku="A")
    db_session.add(product)
    db_session.flush()
    page = detail.sales_history(db_session, product, dt.date(2026, 4, 2))
    shown = {d: n for d, n in zip(page["dates"], page["units"], strict=True) if n}
    assert shown == {"2026-03-31": 1, "2026-04-01": 2}


@pytest.mark.parametrize(
    ("zone", "marketplace", "day", "hours"),
    [
        ("America/Los_Angeles", "US", dt.date(2026, 3, 8), 23),  # clocks forward: 23 hours
        ("America/Los_Angeles", "US", dt.date(2026, 11, 1), 25),  # clocks back: 25 hours
        ("Europe/London", "UK", dt.date(2026, 3, 29), 23),
        ("Europe/London", "UK", dt.date(2026, 10, 25), 25),
    ],
)
def test_the_days_the_clocks_change_count_all_their_hours(db_session, factory, zone, marketplace,
                                                          day, hours) -> None:
    tz = ZoneInfo(zone)
    tenant = factory.tenant()
    seller = factory.seller(tenant, marketplace=marketplace)
    start = dt.datetime.combine(day, dt.time(), tz).astimezone(UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz).astimezone(UTC)
    assert (end - start) == dt.timedelta(hours=hours)
    _synced(db_session, seller, end + dt.timedelta(days=1, minutes=5), day - dt.timedelta(days=1))
    # One order in each elapsed hour of the local day, one a minute before it starts and one
    # at the next local midnight.
    for k in range(hours):
        _order(db_session, seller, f"h{k}", start + dt.timedelta(hours=k, minutes=30))
    _order(db_session, seller, "before", start - dt.timedelta(minutes=1))
    _order(db_session, seller, "after", end)
    h = sales_history(db_session, tenant.id, seller.id)
    prev, nxt = (day - dt.timedelta(days=1)).isoformat(), (day + dt.timedelta(days=1)).isoformat()
    assert _days(h) == {prev: 1, day.isoformat(): hours, nxt: 1}
