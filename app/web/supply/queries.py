"""What the supply pages read: a seller's locations, suppliers' terms, recommendations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.models import Location, Product, PurchaseOrder, Recommendation, SellerAccount, SupplierSku
from app.supply.read import Terms, terms_for_seller


def locations(seller: SellerAccount, upstream_only: bool = False) -> list[Location]:
    """The seller's locations by kind and name (without FBA when `upstream_only`)."""
    stmt = select(Location).where(
        Location.tenant_id == seller.tenant_id, Location.seller_account_id == seller.id
    )
    if upstream_only:
        stmt = stmt.where(Location.kind != "fba")
    return list(db.session.scalars(stmt.order_by(Location.kind, Location.name)))


def products(seller: SellerAccount) -> dict[str, Product]:
    """The seller's products by SKU."""
    rows = db.session.scalars(
        select(Product).where(
            Product.tenant_id == seller.tenant_id, Product.seller_account_id == seller.id
        )
    )
    return {p.sku: p for p in rows}


def supplier_terms(seller: SellerAccount, supplier_id: int) -> dict[str, Terms]:
    """One supplier's terms for the seller's SKUs."""
    out = {}
    for sku, terms in terms_for_seller(db.session, seller).items():
        for t in terms:
            if t.supplier_id == supplier_id:
                out[sku] = t
    return out


def case_packs(po: PurchaseOrder) -> dict[str, int]:
    """The case pack of each SKU of a PO under its supplier's terms."""
    rows = db.session.execute(
        select(SupplierSku.sku, SupplierSku.case_pack).where(
            SupplierSku.tenant_id == po.tenant_id,
            SupplierSku.seller_account_id == po.seller_account_id,
            SupplierSku.supplier_id == po.supplier_id,
        )
    )
    return {str(sku): int(pack) for sku, pack in rows}


@dataclass(frozen=True)
class OrderRec:
    """A SKU's current supplier-order recommendation (the two-stage planner's)."""

    sku: str
    supplier_id: int
    quantity: int
    order_by: dt.date
    lane_id: int | None
    destination_location_id: int | None
    due: bool  # order-by within the review period, or past: "to reorder"


def supplier_orders(seller: SellerAccount, due_by: dt.date) -> dict[tuple[str, int], OrderRec]:
    """Each SKU's current supplier orders by (SKU, supplier) (SKUs without one are left out):
    the chosen one, and beside a backup supplier or faster freight the primary's regular order
    (`supplier_order.regular_order`). `due_by` is the last order-by date that counts as due
    (the dashboard's Scope.reorder_due)."""
    r = Recommendation
    order = r.timeline["recommendation"]["supplier_order"]
    regular = order["regular_order"]
    rows = db.session.execute(
        select(
            r.sku,
            r.reorder_supplier_id,
            r.reorder_quantity,
            r.reorder_by,
            order["lane_id"].as_integer(),
            order["destination_location_id"].as_integer(),
            regular["supplier_id"].as_integer(),
            regular["quantity"].as_integer(),
            regular["order_by"].as_string(),
            regular["lane_id"].as_integer(),
            regular["destination_location_id"].as_integer(),
        ).where(
            r.tenant_id == seller.tenant_id,
            r.seller_account_id == seller.id,
            r.is_current.is_(True),
            r.reorder_by.is_not(None),
            r.reorder_supplier_id.is_not(None),
        )
    )
    out: dict[tuple[str, int], OrderRec] = {}
    for sku, sup, q, by, lane, dest, r_sup, r_q, r_by, r_lane, r_dest in rows:
        out[(sku, int(sup))] = OrderRec(sku, int(sup), int(q or 0), by, lane, dest, by <= due_by)
        if r_sup is not None and r_q and r_by:
            day = dt.date.fromisoformat(str(r_by)[:10])
            out.setdefault(
                (sku, int(r_sup)),
                OrderRec(sku, int(r_sup), int(r_q), day, r_lane, r_dest, day <= due_by),
            )
    return out
