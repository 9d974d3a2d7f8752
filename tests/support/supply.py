"""A seller with a warehouse, AWD, two suppliers (one a faster, pricier backup) and terms."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any


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
