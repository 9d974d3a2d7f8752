"""The demo seller's upstream has a warehouse with stock, two suppliers and POs in each status
(its AWD is the AWD sync's: tests/app/sync/test_awd.py)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from app.models import Location, LocationInbound, Order, OrderItem, Product, PurchaseOrder
from app.supply import terms_for_seller, upstream_for_seller
from app.supply.demo import seed_supply
from app.sync import daily


def test_demo_supply_has_every_status_and_a_faster_pricier_backup(factory, db_session) -> None:
    tenant = factory.tenant("Demo")
    account = factory.seller(tenant)
    for i in range(12):
        p = factory.product(account, f"D-{i:02d}", unit_cost=4.0 + i, case_pack=12, moq=0)
        p.cubic_feet = 40.0  # bulky: ten weeks of them fill more than 5,000 cu ft
    # D-00 sold 56 units in the last four weeks (2 a day), D-01 84 (3 a day)
    when = dt.datetime(2026, 2, 20, 15, tzinfo=dt.UTC)
    for n, (sku, units) in enumerate((("D-00", 56), ("D-01", 84))):
        own = {"tenant_id": tenant.id, "seller_account_id": account.id}
        db_session.add(Order(**own, amazon_order_id=f"O-{n}", purchase_date=when,
                             last_update_date=when, status="Shipped"))  # fmt: skip
        db_session.add(OrderItem(**own, amazon_order_id=f"O-{n}", order_item_id="1", sku=sku,
                                 quantity_ordered=units, quantity_shipped=units))  # fmt: skip
    db_session.flush()
    daily.rebuild(db_session, tenant.id, account.id)  # as a bulk load of orders does
    made = seed_supply(db_session, account, dt.date(2026, 3, 1))
    assert made["purchase_orders"] == 6
    statuses = sorted(db_session.scalars(select(PurchaseOrder.status)))
    assert statuses == ["draft", "in_production", "received", "sent", "shipped", "shipped"]
    primary, backup = terms_for_seller(db_session, account)["D-00"]
    assert backup.role == "backup" and backup.production_lead_days < primary.production_lead_days
    assert backup.unit_cost > primary.unit_cost * 0.14  # pricier once converted to USD
    assert {lane.mode for lane in primary.lanes} == {"sea", "air"}
    up = upstream_for_seller(db_session, account)
    assert up["D-00"].on_hand > 0 and any(u.on_order for u in up.values())
    # the 3PL holds 1, 3, 6, 10 weeks of sales in turn (a SKU without sales: a fixed amount)
    warehouse = db_session.scalar(select(Location).where(Location.kind == "warehouse"))
    assert up["D-00"].by_location[warehouse.id] == 14
    assert up["D-01"].on_hand == 63 and up["D-02"].on_hand == 160
    # the 3PL has room for what it holds
    cubic = {p.sku: float(p.cubic_feet or 0) for p in db_session.scalars(select(Product))}
    held = sum(cubic[sku] * u.by_location.get(warehouse.id, 0) for sku, u in up.items())
    assert 0 < held <= warehouse.capacity_cuft
    # AWD stock and AWD inbound shipments come from the AWD sync, never from here
    assert db_session.scalar(select(Location).where(Location.kind == "awd")) is None
    assert not db_session.scalars(select(LocationInbound)).all()
    assert made["locations"] == 1
    # the SKUs reach FBA from the 3PL: their lead time is that leg
    leads = {p.lead_time_days for p in db_session.scalars(select(Product))}
    assert leads == {8, 11, 14, 17}
