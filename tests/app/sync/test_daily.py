"""sku_daily_units as the orders sync keeps it: the same days and units the SKU page and the
forecaster's history counted from raw orders, through re-syncs, changes and cancellations."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import bindparam, func, select

from app import localtime
from app.models import Order, OrderItem, Product, SkuDailyUnits
from app.models.orders import item_order, not_cancelled
from app.sync import daily, history
from app.sync.orders import write_items, write_orders
from app.web.skus import detail
from integrations.amazon.results import Order as ApiOrder
from integrations.amazon.results import OrderItem as ApiItem

PT = ZoneInfo("America/Los_Angeles")
LONDON = ZoneInfo("Europe/London")
D = dt.date(2026, 3, 7)  # the US clocks go forward the night after (8 March: 23 hours)


def raw_units(session: Any, tenant_id: int, seller_id: int) -> dict[tuple[str, dt.date], int]:
    """The forecaster's count before the table (app.sync.history._units as it was): every
    (sku, local day) of the seller's lines in orders not cancelled, summed."""
    zone = history.seller_zone(session, tenant_id, seller_id)
    day = localtime.day_sql(session, Order.purchase_date, zone)
    rows = session.execute(
        select(OrderItem.sku, day, func.sum(OrderItem.quantity_ordered))
        .join(Order, item_order())
        .where(
            OrderItem.tenant_id == tenant_id,
            OrderItem.seller_account_id == seller_id,
            not_cancelled(),
        )
        .group_by(OrderItem.sku, day)
    )
    return {(sku, localtime.as_date(d)): int(n) for sku, d, n in rows}


def raw_page_units(session: Any, product: Product, end: dt.date) -> dict[dt.date, int]:
    """The SKU page's count before the table (detail._units_statement as it was)."""
    zone = history.seller_zone(session, product.tenant_id, product.seller_account_id)
    start = end - dt.timedelta(days=detail.HISTORY_DAYS - 1)
    start_ts, end_ts = localtime.day_bounds(start, end, zone)
    day = localtime.day_sql(session, Order.purchase_date, zone)
    stmt = (
        select(day, func.sum(OrderItem.quantity_ordered))
        .join(Order, item_order())
        .where(
            OrderItem.tenant_id == bindparam("t"),
            OrderItem.seller_account_id == bindparam("s"),
            OrderItem.sku == bindparam("sku"),
            Order.purchase_date >= bindparam("a"),
            Order.purchase_date < bindparam("b"),
            not_cancelled(),
        )
        .group_by(day)
    )
    params = {"t": product.tenant_id, "s": product.seller_account_id, "sku": product.sku,
              "a": start_ts, "b": end_ts}  # fmt: skip
    return {localtime.as_date(d): int(n or 0) for d, n in session.execute(stmt, params)}


def table_units(session: Any, tenant_id: int, seller_id: int) -> dict[tuple[str, dt.date], int]:
    rows = daily.all_units(session, tenant_id, seller_id)
    return {(sku, localtime.as_date(d)): n for sku, d, n in rows}


def order(oid: str, when: dt.datetime, status: str = "Shipped", updated: int = 0) -> ApiOrder:
    return ApiOrder(
        amazon_order_id=oid,
        purchase_date=when.astimezone(dt.UTC),
        last_update_date=(when + dt.timedelta(hours=updated)).astimezone(dt.UTC),
        status=status,
    )


def line(oid: str, n: int, sku: str, qty: int) -> ApiItem:
    return ApiItem(amazon_order_id=oid, order_item_id=f"{oid}-{n}", sku=sku, asin=None,
                   quantity_ordered=qty)  # fmt: skip


def at(day: dt.date, hour: int, minute: int = 0, zone: ZoneInfo = PT) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), zone)


def write(session: Any, seller: Any, orders: list[ApiOrder], items: list[ApiItem],
          replace: set[str] | None = None) -> None:  # fmt: skip
    """One page as the incremental sync writes it: headers, then lines."""
    owner = {"tenant_id": seller.tenant_id, "seller_account_id": seller.id}
    write_orders(session, owner, orders)
    write_items(session, owner, items, replace or set())
    session.flush()


def first_batch() -> tuple[list[ApiOrder], list[ApiItem]]:
    nxt = D + dt.timedelta(days=1)
    orders = [
        order("o1", at(D, 23, 59)),  # 07:59 UTC on the 8th: the 7th, Pacific
        order("o2", at(nxt, 0, 0)),  # local midnight: the 8th
        order("o3", at(D, 23, 30), status="Canceled"),
        order("o4", at(D, 12), status="Pending"),  # pending orders count
        order("o5", at(D, 13), status="Cancelled"),  # the flat files' spelling
        order("o6", at(D, 14)),  # a line of 0 units: a row of 0
        order("o7", at(nxt, 3, 30)),  # the 23-hour day
        order("o8", at(D - dt.timedelta(days=30), 9)),
    ]
    items = [
        line("o1", 1, "A", 2),
        line("o2", 1, "A", 1),
        line("o2", 2, "B", 3),
        line("o3", 1, "A", 5),
        line("o4", 1, "B", 4),
        line("o5", 1, "B", 9),
        line("o6", 1, "C", 0),
        line("o7", 1, "A", 6),
        line("o8", 1, "A", 1),
        line("o8", 2, "C", 2),
    ]
    return orders, items


def second_batch() -> tuple[list[ApiOrder], list[ApiItem], set[str]]:
    """The same orders re-synced, changed: moved across midnight, cancelled, shipped, a line's
    quantity and SKU changed and a report line replaced by the API's own."""
    nxt = D + dt.timedelta(days=1)
    orders = [
        order("o1", at(nxt, 0, 1), updated=5),  # moved past midnight: the 8th now
        order("o2", at(nxt, 0, 0), status="Canceled", updated=5),
        order("o4", at(D, 12), status="Shipped", updated=5),
        order("o6", at(D, 14)),  # unchanged
        order("o8", at(D - dt.timedelta(days=30), 9), updated=-2),  # older: ignored
        order("o9", at(D, 22)),  # new
    ]
    items = [
        line("o1", 1, "A", 5),  # 2 -> 5 units
        line("o4", 1, "C", 4),  # B -> C
        line("o6", 1, "C", 0),
        line("o9", 9, "B", 2),
    ]
    return orders, items, {"o4", "o6"}


def assert_same_as_raw(session: Any, seller: Any, end: dt.date) -> None:
    """The table, the forecaster's history and the SKU page match the raw-orders counts."""
    t, s = seller.tenant_id, seller.id
    assert table_units(session, t, s) == raw_units(session, t, s)
    before = history.sales_history(session, t, s)
    kept = history._units
    try:
        # The history as it was computed before the table, from raw_units.
        history._units = lambda ses, tt, ss: _frame(raw_units(ses, tt, ss))  # type: ignore[assignment]
        old = history.sales_history(session, t, s)
    finally:
        history._units = kept  # type: ignore[assignment]
    pd.testing.assert_frame_equal(before, old)
    for sku in ("A", "B", "C", "Z"):
        product = Product(tenant_id=t, seller_account_id=s, sku=sku)
        page = detail.sales_history(session, product, end)
        raw = raw_page_units(session, product, end)
        dates = [dt.date.fromisoformat(d) for d in page["dates"]]
        assert page["units"] == [raw.get(d, 0) for d in dates]


def _frame(units: dict[tuple[str, dt.date], int]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(sku, d, n) for (sku, d), n in units.items()], columns=["sku", "date", "units"]
    )
    frame["date"] = pd.to_datetime(frame["date"].astype(str))
    frame["units"] = frame["units"].astype("int64")
    return frame


def synced(session: Any, seller: Any, through: dt.date) -> None:
    from app.models import SyncState

    session.add(SyncState(tenant_id=seller.tenant_id, seller_account_id=seller.id,
                          stream="orders", backfill_done=True,
                          watermark=localtime.day_start(through + dt.timedelta(days=1),
                                                        seller.time_zone)))  # fmt: skip
    session.flush()


def test_the_table_counts_what_the_raw_orders_count_through_resyncs(factory, db_session) -> None:
    tenant, other = factory.tenant(), factory.tenant()
    seller = factory.seller(tenant)
    # Another tenant's seller with the same order ids and SKUs: never mixed in.
    theirs = factory.seller(other)
    end = D + dt.timedelta(days=3)
    for s in (seller, theirs):
        synced(db_session, s, end)
    orders, items = first_batch()
    write(db_session, theirs, orders, items)
    write(db_session, seller, orders, items)
    units = table_units(db_session, tenant.id, seller.id)
    assert units[("A", D)] == 2  # o1 at 23:59 on the 7th; o3 cancelled
    assert units[("A", D + dt.timedelta(days=1))] == 1 + 6  # o2 at midnight, o7
    assert units[("B", D)] == 4  # pending o4; o5 cancelled the British way
    assert units[("C", D)] == 0
    assert_same_as_raw(db_session, seller, end)

    orders2, items2, replaced = second_batch()
    write(db_session, seller, orders2, items2, replaced)
    units = table_units(db_session, tenant.id, seller.id)
    assert ("A", D) not in units  # o1 moved to the 8th
    assert units[("A", D + dt.timedelta(days=1))] == 5 + 6  # o1's 5; o2 cancelled; o7
    assert ("B", D + dt.timedelta(days=1)) not in units  # o2 cancelled
    assert units[("B", D)] == 2 and units[("C", D)] == 4 + 0  # o9; o4's line is C now
    assert units[("A", D - dt.timedelta(days=30))] == 1  # the older o8 changed nothing
    assert_same_as_raw(db_session, seller, end)

    # The same pages again: nothing changes.
    write(db_session, seller, orders, items)
    write(db_session, seller, orders2, items2, replaced)
    assert table_units(db_session, tenant.id, seller.id) == units
    # The other tenant's rows are its own first batch's, untouched by ours.
    their_units = table_units(db_session, other.id, theirs.id)
    assert their_units == raw_units(db_session, other.id, theirs.id)
    assert their_units[("A", D)] == 2


def test_a_uk_sellers_days_are_london_days(factory, db_session) -> None:
    tenant = factory.tenant()
    seller = factory.seller(tenant, marketplace="UK")
    day = dt.date(2026, 3, 31)
    synced(db_session, seller, day + dt.timedelta(days=2))
    orders = [
        order("u1", at(day, 23, 30, LONDON)),  # 22:30 UTC: the 31st
        order("u2", at(day + dt.timedelta(days=1), 0, 30, LONDON)),  # 23:30 UTC: 1 April
    ]
    write(db_session, seller, orders, [line("u1", 1, "A", 1), line("u2", 1, "A", 2)])
    assert table_units(db_session, tenant.id, seller.id) == {
        ("A", day): 1, ("A", day + dt.timedelta(days=1)): 2,
    }  # fmt: skip
    assert_same_as_raw(db_session, seller, day + dt.timedelta(days=2))


def test_a_new_time_zone_counts_every_day_again(factory, db_session) -> None:
    tenant = factory.tenant()
    seller = factory.seller(tenant)
    end = D + dt.timedelta(days=3)
    synced(db_session, seller, end)
    orders, items = first_batch()
    write(db_session, seller, orders, items)
    pacific = table_units(db_session, tenant.id, seller.id)
    # Mexico City is two hours ahead of Pacific: o1 (23:59 Pacific) is on the 8th there.
    seller.marketplace = "MX"
    db_session.flush()
    assert seller.time_zone == "America/Mexico_City"
    moved = table_units(db_session, tenant.id, seller.id)
    assert moved != pacific and moved[("A", D + dt.timedelta(days=1))] == 2 + 1 + 6
    assert_same_as_raw(db_session, seller, end)
    seller.marketplace = "US"  # and back
    db_session.flush()
    assert table_units(db_session, tenant.id, seller.id) == pacific


def test_a_rebuild_equals_the_kept_rows(factory, db_session) -> None:
    tenant = factory.tenant()
    seller = factory.seller(tenant)
    orders, items = first_batch()
    write(db_session, seller, orders, items)
    orders2, items2, replaced = second_batch()
    write(db_session, seller, orders2, items2, replaced)
    kept = table_units(db_session, tenant.id, seller.id)
    daily.rebuild(db_session, tenant.id, seller.id)
    assert table_units(db_session, tenant.id, seller.id) == kept
    count = db_session.scalar(select(func.count()).select_from(SkuDailyUnits))
    assert count == len(kept)


@pytest.mark.parametrize("n_skus", [3, daily.ID_CHUNK + 1])
def test_a_page_of_many_orders_is_counted_in_chunks(factory, db_session, n_skus) -> None:
    """More orders than one lookup takes: each order's difference is added once."""
    tenant = factory.tenant()
    seller = factory.seller(tenant)
    orders = [order(f"m{k}", at(D, k % 24)) for k in range(n_skus)]
    items = [line(f"m{k}", 1, f"S{k}", 1 + k % 3) for k in range(n_skus)]
    write(db_session, seller, orders, items)
    cancelled = [order(f"m{k}", at(D, k % 24), "Canceled", 1) for k in range(0, n_skus, 2)]
    write(db_session, seller, cancelled, [])
    assert table_units(db_session, tenant.id, seller.id) == raw_units(
        db_session, tenant.id, seller.id
    )
    assert len(table_units(db_session, tenant.id, seller.id)) == n_skus // 2
