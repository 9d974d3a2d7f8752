"""sales_history: the daily history the forecaster trains on, from rows written by the sync."""

from __future__ import annotations

import datetime as dt
import json

from app.models import InventorySnapshot, Order, OrderItem, SyncState
from app.sync.history import sales_history

UTC = dt.UTC


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
    session.flush()


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
    seller = factory.seller(tenant)
    d = dt.date(2026, 3, 1)
    _synced(db_session, seller, dt.datetime(2026, 3, 6, 0, 3, tzinfo=UTC), d)
    # 23:30 UTC on the 1st counts on the 1st, whatever the seller's local day is.
    _order(db_session, seller, "o1", dt.datetime(2026, 3, 1, 23, 30, tzinfo=UTC), lines=[("A", 2)])
    _order(
        db_session,
        seller,
        "o2",
        dt.datetime(2026, 3, 3, 1, 0, tzinfo=UTC),
        lines=[("A", 1), ("B", 4)],
    )
    _order(db_session, seller, "o3", dt.datetime(2026, 3, 3, 2, 0, tzinfo=UTC), status="Canceled")
    _order(db_session, seller, "o4", dt.datetime(2026, 3, 4, 2, 0, tzinfo=UTC), status="Pending")
    _order(db_session, seller, "o5", dt.datetime(2026, 3, 6, 0, 1, tzinfo=UTC))  # not a whole day
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
        _synced(db_session, seller, dt.datetime(2026, 3, 3, 0, 3, tzinfo=UTC), dt.date(2026, 3, 1))
    _order(db_session, one, "o1", dt.datetime(2026, 3, 1, 12, tzinfo=UTC))
    assert len(sales_history(db_session, tenant.id, one.id)) == 2
    assert sales_history(db_session, tenant.id, two.id).empty
