"""The demo seller's upstream: a warehouse with stock, two suppliers (the backup faster and
pricier, by truck; the primary by sea or air) and purchase orders in flight in each status.
Its AWD stock and AWD inbound shipments are not made here: the AWD sync brings them from the
simulator (app.sync.awd), which runs before this; the seller's AWD storage cost is set here.

The demo's SKUs now reach FBA from the 3PL, so their lead time becomes that leg (8 to 17 days of
transit and receiving, no production: production and freight are the suppliers' terms); the
spreadsheet's totals were the whole supplier-to-FBA chain of a single-stage seller. The 3PL holds
1, 3, 6 or 10 weeks of each SKU's last four weeks of sales in turn, so that some SKUs are short
upstream (a supplier order due now, some only in time by the backup) and others are not."""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    FreightLane,
    Location,
    Product,
    SellerAccount,
    SkuDailyUnits,
    Supplier,
    SupplierSku,
)
from app.supply import purchase_orders as pos
from app.supply.stock import set_quantity, stock_by_location
from app.sync.awd import find_location
from forecasting.policy import smallest_shipment


def _sold_per_day(session: Session, account: SellerAccount, today: dt.date) -> dict[str, float]:
    """Each SKU's units sold per day over the four weeks before `today` (the seller's local days,
    cancelled orders not counted: the daily units the orders sync keeps)."""
    rows = session.execute(
        select(SkuDailyUnits.sku, func.sum(SkuDailyUnits.units))
        .where(
            SkuDailyUnits.tenant_id == account.tenant_id,
            SkuDailyUnits.seller_account_id == account.id,
            SkuDailyUnits.date >= today - dt.timedelta(days=28),
        )
        .group_by(SkuDailyUnits.sku)
    )
    return {sku: float(n or 0) / 28.0 for sku, n in rows}


def seed_supply(session: Session, account: SellerAccount, today: dt.date) -> dict[str, int]:
    """Add the rows (flushed, not committed); returns counts of what was made."""
    t, s = account.tenant_id, account.id
    products = list(
        session.scalars(
            select(Product)
            .where(Product.tenant_id == t, Product.seller_account_id == s)
            .order_by(Product.sku)
        )
    )
    warehouse = Location(
        tenant_id=t,
        seller_account_id=s,
        kind="warehouse",
        name="Main 3PL",
        holding_cost_per_cuft_month=0.45,
        capacity_cuft=5000,
        address="Unit 4, 100 Example Way, Reno NV",
    )
    awd = find_location(session, account)  # synced from the simulator, when it has AWD
    if awd is not None:
        awd.holding_cost_per_cuft_month = 0.48
    primary = Supplier(
        tenant_id=t,
        name="Ningbo Housewares Co.",
        currency="CNY",
        contact="sales@ningbo-housewares.example",
        production_lead_days=35,
    )
    backup = Supplier(
        tenant_id=t,
        name="Midwest Goods (backup)",
        currency="USD",
        contact="orders@midwest-goods.example",
        production_lead_days=7,
    )
    session.add_all([warehouse, primary, backup])
    session.flush()
    sea = FreightLane(
        tenant_id=t,
        supplier_id=primary.id,
        destination_location_id=warehouse.id,
        mode="sea",
        transit_days=32,
        cost_per_cuft=1.8,
    )
    air = FreightLane(
        tenant_id=t,
        supplier_id=primary.id,
        destination_location_id=warehouse.id,
        mode="air",
        transit_days=6,
        cost_per_cuft=9.5,
    )
    truck = FreightLane(
        tenant_id=t,
        supplier_id=backup.id,
        destination_location_id=warehouse.id,
        mode="truck",
        transit_days=3,
        cost_per_unit=0.4,
    )
    session.add_all([sea, air, truck])
    sold = _sold_per_day(session, account, today)
    rate = 0.14  # USD per CNY, as the seller entered it
    for i, p in enumerate(products):
        pack, moq = max(1, p.case_pack or 1), max(0, p.moq or 0)
        cost_usd = float(p.unit_cost or 5.0)
        base_cny = round(cost_usd * 0.8 / rate, 2)
        session.add(
            SupplierSku(
                tenant_id=t,
                seller_account_id=s,
                supplier_id=primary.id,
                sku=p.sku,
                unit_cost=base_cny,
                case_pack=pack,
                moq=smallest_shipment(pack, max(moq, 100)),
                role="primary",
                price_breaks=[{"min_qty": 1000, "unit_cost": round(base_cny * 0.93, 2)}],
            )
        )
        session.add(
            SupplierSku(
                tenant_id=t,
                seller_account_id=s,
                supplier_id=backup.id,
                sku=p.sku,
                unit_cost=round(cost_usd * 1.35, 2),
                case_pack=1,
                moq=0,
                role="backup",
                price_breaks=[],
            )
        )
        weeks = (1, 3, 6, 10)[i % 4]
        units = round(sold.get(p.sku, 0.0) * 7 * weeks) or (i % 4) * 60 + 40
        set_quantity(session, warehouse, p.sku, units, source="demo")
        p.lead_time_production_days = 0
        p.lead_time_transit_days = 5 + (i % 4) * 3
        p.lead_time_receiving_days = 3
    session.flush()
    made = 0
    statuses = ["draft", "sent", "in_production", "shipped", "shipped", "received"]
    for n, status in enumerate(statuses):
        chunk = products[n * 2 : n * 2 + 2] or products[:2]
        if not chunk:
            break
        ordered = today - dt.timedelta(days=10 * n)
        lines = [
            pos.LineInput(
                p.sku,
                smallest_shipment(max(1, p.case_pack or 1), 100) * 3,
                round(float(p.unit_cost or 5.0) * 0.8 / rate, 2),
            )
            for p in chunk
        ]
        po = pos.create(
            session,
            account,
            primary,
            warehouse,
            lines,
            fx_rate=rate,
            freight_lane=sea,
            ordered_on=ordered,
        )
        path = ["sent", "in_production", "shipped"]
        steps = (
            [] if status == "draft" else path[: path.index(status) + 1] if status in path else path
        )
        for step in steps:
            pos.transition(po, step, ordered + dt.timedelta(days=2))
        if n == 4:  # the second shipped PO has had a partial receipt
            pos.receive(session, po, {po.lines[0].id: po.lines[0].quantity // 2}, today)
        if status == "received":
            pos.receive(session, po, {ln.id: ln.quantity for ln in po.lines}, today)
        made += 1
    # Room for what it holds, receipts included, and half as much again (whole thousands).
    cubic = {p.sku: float(p.cubic_feet or 0) for p in products}
    held = stock_by_location(session, [warehouse])[warehouse.id]
    volume = sum(cubic.get(sku, 0.0) * units for sku, units in held.items())
    warehouse.capacity_cuft = max(5000.0, math.ceil(volume * 1.5 / 1000) * 1000.0)
    session.flush()
    return {"suppliers": 2, "locations": 1 + (awd is not None), "purchase_orders": made}
