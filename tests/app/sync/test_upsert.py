"""Idempotent upserts on SQLite and PostgreSQL (both the executemany and the COPY paths)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.models import Order, Product
from app.sync.catalog import upsert_products
from app.sync.upsert import COPY_THRESHOLD, upsert

UTC = dt.UTC
KEY = ["tenant_id", "seller_account_id", "amazon_order_id"]


def _rows(seller, n: int, status: str = "Shipped", hour: int = 1) -> list[dict]:
    when = dt.datetime(2026, 3, 1, hour, tzinfo=UTC)
    return [
        {
            "tenant_id": seller.tenant_id,
            "seller_account_id": seller.id,
            "amazon_order_id": f"o{i}",
            "purchase_date": when,
            "last_update_date": when,
            "status": status,
            "synced_at": when,
        }
        for i in range(n)
    ]


def _orders(session, seller) -> dict[str, Order]:
    session.expire_all()
    return {
        o.amazon_order_id: o
        for o in session.scalars(select(Order).where(Order.seller_account_id == seller.id))
    }


@pytest.mark.parametrize("n", [3, COPY_THRESHOLD + 5])
def test_upsert_inserts_updates_changed_rows_only_and_respects_the_guard(
    db_session, factory, n
) -> None:
    seller = factory.seller(factory.tenant())
    newer = lambda t, ex: t.c.last_update_date <= ex.last_update_date  # noqa: E731
    args = {
        "keys": KEY,
        "update": ["status", "last_update_date"],
        "touch": ["synced_at"],
        "guard": newer,
    }
    assert upsert(db_session, Order, _rows(seller, n), **args) == n
    first = _orders(db_session, seller)
    assert len(first) == n and {o.status for o in first.values()} == {"Shipped"}

    # Same data again, with a later synced_at: nothing is written, not even the touch column.
    again = [{**r, "synced_at": dt.datetime(2030, 1, 1, tzinfo=UTC)} for r in _rows(seller, n)]
    upsert(db_session, Order, again, **args)
    assert {o.synced_at for o in _orders(db_session, seller).values()} == {
        dt.datetime(2026, 3, 1, 1, tzinfo=UTC)
    }

    # An older version never overwrites a newer one; a newer one does.
    upsert(db_session, Order, _rows(seller, n, "Pending", hour=0), **args)
    assert {o.status for o in _orders(db_session, seller).values()} == {"Shipped"}
    upsert(db_session, Order, _rows(seller, n, "Canceled", hour=2), **args)
    assert {o.status for o in _orders(db_session, seller).values()} == {"Canceled"}


def test_duplicate_keys_in_one_batch_last_wins(db_session, factory) -> None:
    seller = factory.seller(factory.tenant())
    rows = _rows(seller, 1) + _rows(seller, 1, "Canceled")
    assert upsert(db_session, Order, rows, keys=KEY, update=["status"]) == 1
    assert _orders(db_session, seller)["o0"].status == "Canceled"


def test_products_fill_amazon_columns_and_never_touch_seller_settings(db_session, factory) -> None:
    seller = factory.seller(factory.tenant())
    factory.product(
        seller,
        "A",
        unit_cost=4.5,
        case_pack=12,
        moq=100,
        lead_time_transit_days=30,
        prep_owner="AMAZON",
        title="Seller's own title",
    )
    upsert_products(
        db_session,
        seller.tenant_id,
        seller.id,
        [
            {"sku": "A", "asin": "B01", "title": "Amazon title", "unit_cost": 99.0},
            {"sku": "A", "fnsku": "X01", "asin": None},
            {"sku": "B", "asin": "B02", "size_tier": "Small standard"},
        ],
    )
    db_session.expire_all()
    products = {
        p.sku: p
        for p in db_session.scalars(select(Product).where(Product.seller_account_id == seller.id))
    }
    a = products["A"]
    assert (a.asin, a.fnsku, a.title) == ("B01", "X01", "Amazon title")
    assert (a.unit_cost, a.case_pack, a.moq, a.lead_time_transit_days, a.prep_owner) == (
        4.5,
        12,
        100,
        30,
        "AMAZON",
    )
    # Amazon's wording is stored as the planner's tier code.
    assert products["B"].size_tier == "small_standard" and products["B"].case_pack == 1
    # A later sighting without a value keeps what is known.
    upsert_products(db_session, seller.tenant_id, seller.id, [{"sku": "A", "asin": None}])
    db_session.expire_all()
    assert db_session.get(Product, a.id).asin == "B01"
