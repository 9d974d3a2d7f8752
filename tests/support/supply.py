"""A seller with a warehouse, AWD, two suppliers (one a faster, pricier backup) and terms."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

# The two-stage world: sales until END, planned for TODAY.
END = dt.date(2026, 6, 30)
TODAY = END + dt.timedelta(days=1)
PLANS = {
    "SHORT": {"rate": 12.0, "stock": 0},  # FBA empty, 60 units upstream: the backup by air
    "STEADY": {"rate": 3.0, "stock": 150},  # stock upstream and a PO on its way
    "PLAIN": {"rate": 3.0, "stock": 40},  # no supplier, nothing upstream: single-stage
}


def build_supply(
    factory: Any,
    session: Any,
    tenant_name: str = "Sup",
    tenant: Any = None,
    account: Any = None,
    skus: tuple[str, ...] = ("SKU-A", "SKU-B"),
) -> SimpleNamespace:
    """Rows every supply test starts from; two SKUs, both with a primary and a backup."""
    from app.models import FreightLane, Location, Supplier, SupplierSku

    if tenant is None:
        tenant = factory.tenant(tenant_name)
        account = factory.seller(tenant)
        for sku in skus:
            factory.product(account, sku)
    warehouse = Location(
        tenant_id=tenant.id,
        seller_account_id=account.id,
        kind="warehouse",
        name="Main 3PL",
        holding_cost_per_cuft_month=0.5,
        capacity_cuft=2000,
    )
    awd = Location(tenant_id=tenant.id, seller_account_id=account.id, kind="awd", name="AWD")
    fba = Location(tenant_id=tenant.id, seller_account_id=account.id, kind="fba", name="FBA US")
    primary = Supplier(
        tenant_id=tenant.id, name="Shenzhen Co", currency="CNY", production_lead_days=40
    )
    backup = Supplier(
        tenant_id=tenant.id, name="Ohio Works", currency="USD", production_lead_days=10
    )
    session.add_all([warehouse, awd, fba, primary, backup])
    session.flush()
    sea = FreightLane(
        tenant_id=tenant.id,
        supplier_id=primary.id,
        destination_location_id=warehouse.id,
        mode="sea",
        transit_days=35,
        cost_per_unit=0,
        cost_per_cuft=2.0,
    )
    air = FreightLane(
        tenant_id=tenant.id,
        supplier_id=backup.id,
        destination_location_id=warehouse.id,
        mode="air",
        transit_days=4,
        cost_per_unit=1.5,
        cost_per_cuft=0,
    )
    session.add_all([sea, air])
    for sku in skus:
        session.add(
            SupplierSku(
                tenant_id=tenant.id,
                seller_account_id=account.id,
                supplier_id=primary.id,
                sku=sku,
                unit_cost=20.0,
                case_pack=10,
                moq=100,
                price_breaks=[{"min_qty": 500, "unit_cost": 18.0}],
                role="primary",
            )
        )
        session.add(
            SupplierSku(
                tenant_id=tenant.id,
                seller_account_id=account.id,
                supplier_id=backup.id,
                sku=sku,
                unit_cost=6.0,
                case_pack=1,
                moq=0,
                price_breaks=[],
                role="backup",
            )
        )
    session.flush()
    return SimpleNamespace(tenant=tenant, account=account, warehouse=warehouse, awd=awd, fba=fba,
                           primary=primary, backup=backup, sea=sea, air=air)  # fmt: skip


def selling_seller(
    factory: Any, session: Any, plans: dict[str, dict[str, float]], end: Any, days: int = 150
) -> Any:
    """A seller whose SKUs sold Poisson(rate) a day until `end`, with FBA stock `stock` on the
    last day (500 before): enough history to train on. Products: $6 cost, case pack 6, 0.1 cu
    ft, 25 days of lead time (the SKU's days from upstream to sellable at FBA)."""
    import numpy as np

    from app import localtime
    from app.models import InventorySnapshot, Order, OrderItem, SyncState
    from app.sync import daily

    tenant = factory.tenant()
    seller = factory.seller(tenant)
    rng = np.random.default_rng(3)
    for sku, p in plans.items():
        factory.product(
            seller, sku, unit_cost=6.0, price=p.get("price", 20.0), cubic_feet=0.1,
            size_tier="large_standard", case_pack=6, moq=0, lead_time_production_days=0,
            lead_time_transit_days=20, lead_time_receiving_days=5,
        )  # fmt: skip
    own = {"tenant_id": tenant.id, "seller_account_id": seller.id}
    n = 0
    for i in range(days):
        day = end - dt.timedelta(days=days - 1 - i)
        when = dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)
        for sku, p in plans.items():
            units = int(rng.poisson(p["rate"]))
            if units:
                n += 1
                oid = f"111-{n:07d}"
                session.add(Order(**own, amazon_order_id=oid, purchase_date=when,
                                  last_update_date=when, status="Shipped"))  # fmt: skip
                session.add(OrderItem(**own, amazon_order_id=oid, order_item_id="1", sku=sku,
                                      quantity_ordered=units, quantity_shipped=units,
                                      item_price=p.get("price", 20.0) * units))  # fmt: skip
            stock = int(p["stock"]) if i == days - 1 else 500
            session.add(InventorySnapshot(**own, sku=sku, date=day, fulfillable=stock,
                                          source="ledger"))  # fmt: skip
    session.add(
        SyncState(
            **own,
            stream="orders",
            # Synced to just after the seller's local midnight: `end` is its last whole day.
            watermark=localtime.day_start(end + dt.timedelta(days=1), seller.time_zone)
            + dt.timedelta(minutes=3),
        )
    )
    daily.rebuild(session, tenant.id, seller.id)  # as the orders sync keeps them
    return seller


def two_stage_world(
    factory: Any, session: Any, rate: float | None = 0.14, end: dt.date = END
) -> SimpleNamespace:
    """PLANS' seller (untrained, sales until `end`, planned for the day after) with
    build_supply's suppliers for SHORT and STEADY: 60 units of SHORT at the warehouse; 300 of
    STEADY there and 20 at AWD, and (with `rate`, the CNY rate the seller entered) a shipped PO
    of 200 STEADY from the primary landing in 20 days."""
    from app.models import Tenant
    from app.supply import purchase_orders as pos
    from app.supply.stock import set_quantity

    today = end + dt.timedelta(days=1)
    seller = selling_seller(factory, session, PLANS, end)
    tenant = session.get(Tenant, seller.tenant_id)
    sup = build_supply(factory, session, tenant=tenant, account=seller, skus=("SHORT", "STEADY"))
    set_quantity(session, sup.warehouse, "SHORT", 60)
    set_quantity(session, sup.warehouse, "STEADY", 300)
    set_quantity(session, sup.awd, "STEADY", 20, source="awd")  # as the AWD sync writes it
    sup.po = None
    if rate is not None:
        po = pos.create(
            session, seller, sup.primary, sup.warehouse, [pos.LineInput("STEADY", 200, 20.0)],
            fx_rate=rate, freight_lane=sup.sea, ordered_on=end - dt.timedelta(days=60),
            expected_arrival_on=today + dt.timedelta(days=20),
        )  # fmt: skip
        for step in ("sent", "in_production", "shipped"):
            pos.transition(po, step, end - dt.timedelta(days=30))
        sup.po = po
    session.flush()
    sup.seller = seller
    return sup
