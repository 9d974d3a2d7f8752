"""The data model on SQLite and PostgreSQL: keys, tenancy columns, types."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.models import Base, InventorySnapshot, Order, OrderItem, Product, Tenant


def test_every_seller_owned_table_carries_its_tenant_and_keys_start_with_it() -> None:
    # user_sessions belong to a user (who may be in several tenants), like memberships.
    exempt = {"tenants", "users", "memberships", "user_sessions", "alembic_version"}
    for table in Base.metadata.sorted_tables:
        if table.name in exempt:
            continue
        assert "tenant_id" in table.c, f"{table.name} has no tenant_id"
        for constraint in table.constraints:
            if (
                constraint.__class__.__name__ == "UniqueConstraint"
                and table.name != "seller_accounts"
            ):
                first = next(iter(constraint.columns)).name
                assert first == "tenant_id", (
                    f"{table.name} key {constraint.name} starts with {first}"
                )


def test_product_natural_key_is_unique_per_tenant_and_seller(factory, db_session) -> None:
    tenant = factory.tenant()
    seller = factory.seller(tenant)
    factory.product(seller, "SKU-1", unit_cost=4.5, case_pack=12)
    other = factory.tenant()
    other_seller = factory.seller(other)
    factory.product(other_seller, "SKU-1")  # same SKU in another tenant is fine
    with pytest.raises(IntegrityError), db_session.begin_nested():
        factory.product(seller, "SKU-1")


def test_order_items_cascade_with_their_order_and_dates_stay_utc(factory, db_session) -> None:
    tenant = factory.tenant()
    seller = factory.seller(tenant)
    when = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    order = Order(
        tenant_id=tenant.id,
        seller_account_id=seller.id,
        amazon_order_id="111-1",
        purchase_date=when,
        last_update_date=when,
        status="Shipped",
    )
    db_session.add(order)
    db_session.flush()
    db_session.add(
        OrderItem(
            tenant_id=tenant.id,
            seller_account_id=seller.id,
            amazon_order_id="111-1",
            order_item_id="1",
            sku="SKU-1",
            quantity_ordered=2,
            item_price=19.98,
        )
    )
    db_session.flush()
    db_session.expire_all()
    loaded = db_session.scalars(select(Order)).one()
    assert loaded.purchase_date == when and loaded.purchase_date.tzinfo is not None
    db_session.delete(loaded)
    db_session.flush()
    assert db_session.scalars(select(OrderItem)).all() == []


def test_inventory_history_keeps_one_row_per_sku_per_day(factory, db_session) -> None:
    tenant = factory.tenant()
    seller = factory.seller(tenant)
    for day in (1, 2):
        db_session.add(
            InventorySnapshot(
                tenant_id=tenant.id,
                seller_account_id=seller.id,
                sku="A",
                date=dt.date(2026, 1, day),
                fulfillable=day,
            )
        )
    db_session.flush()
    assert len(db_session.scalars(select(InventorySnapshot)).all()) == 2
    with pytest.raises(IntegrityError), db_session.begin_nested():
        db_session.add(
            InventorySnapshot(
                tenant_id=tenant.id, seller_account_id=seller.id, sku="A", date=dt.date(2026, 1, 1)
            )
        )
        db_session.flush()


def test_naive_datetimes_are_refused(factory, db_session) -> None:
    tenant = factory.tenant()
    seller = factory.seller(tenant)
    db_session.add(
        Order(
            tenant_id=tenant.id,
            seller_account_id=seller.id,
            amazon_order_id="x",
            purchase_date=dt.datetime(2026, 1, 1),
            last_update_date=dt.datetime(2026, 1, 1),
            status="Pending",
        )
    )
    with pytest.raises(Exception, match="naive datetime"):
        db_session.flush()
    db_session.rollback()


def test_lead_time_is_the_sum_of_its_parts(factory) -> None:
    seller = factory.seller(factory.tenant())
    product: Product = factory.product(
        seller,
        "LT",
        lead_time_production_days=20,
        lead_time_transit_days=25,
        lead_time_receiving_days=5,
    )
    assert product.lead_time_days == 50
    assert isinstance(product.tenant_id, int)
    assert db_tenant_count(factory) >= 1


def db_tenant_count(factory) -> int:
    return len(factory.session.scalars(select(Tenant)).all())
