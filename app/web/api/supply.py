"""Upstream supply endpoints: suppliers with their terms and lanes, locations with their stock,
purchase orders with their status and lines."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Location, PurchaseOrder, Supplier, SupplierSku
from app.models.base import MAX_ID
from app.models.supply import LOCATION_KINDS, PO_STATUSES
from app.supply.purchase_orders import totals
from app.supply.stock import stock_by_location
from app.web.api.auth import current
from app.web.api.blueprint import bp
from app.web.api.queries import count
from app.web.api.serializers import page
from app.web.api.validation import page_params, query_choice, query_int


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def supplier_json(s: Supplier, terms: list[SupplierSku]) -> dict[str, Any]:
    """A supplier with its freight lanes and per-SKU terms (costs in its currency)."""
    return {
        "id": s.id,
        "name": s.name,
        "currency": s.currency,
        "contact": s.contact,
        "production_lead_days": s.production_lead_days,
        "active": s.active,
        "lanes": [
            {
                "id": lane.id,
                "destination_location_id": lane.destination_location_id,
                "mode": lane.mode,
                "transit_days": lane.transit_days,
                "cost_per_unit": float(lane.cost_per_unit or 0),
                "cost_per_cuft": float(lane.cost_per_cuft or 0),
            }
            for lane in s.lanes
        ],
        "terms": [
            {
                "seller_account_id": t.seller_account_id,
                "sku": t.sku,
                "role": t.role,
                "unit_cost": float(t.unit_cost),
                "case_pack": t.case_pack,
                "moq": t.moq,
                "price_breaks": [
                    {"min_qty": int(b["min_qty"]), "unit_cost": float(b["unit_cost"])}
                    for b in sorted(t.price_breaks or [], key=lambda b: int(b["min_qty"]))
                ],
            }
            for t in terms
        ],
    }


def location_json(loc: Location, stock: dict[str, int]) -> dict[str, Any]:
    """A location with its units per SKU."""
    return {
        "id": loc.id,
        "seller_account_id": loc.seller_account_id,
        "kind": loc.kind,
        "name": loc.name,
        "holding_cost_per_cuft_month": float(loc.holding_cost_per_cuft_month or 0),
        "capacity_cuft": loc.capacity_cuft,
        "stock": [{"sku": sku, "quantity": q} for sku, q in sorted(stock.items())],
        "units": sum(stock.values()),
    }


def purchase_order_json(po: PurchaseOrder) -> dict[str, Any]:
    """A PO with its dates, money (in its currency, with the seller's rate) and lines."""
    return {
        "id": po.id,
        "number": po.number,
        "seller_account_id": po.seller_account_id,
        "supplier_id": po.supplier_id,
        "destination_location_id": po.destination_location_id,
        "freight_lane_id": po.freight_lane_id,
        "status": po.status,
        "currency": po.currency,
        "fx_rate": po.fx_rate,
        "ordered_on": _day(po.ordered_on),
        "expected_ship_on": _day(po.expected_ship_on),
        "expected_arrival_on": _day(po.expected_arrival_on),
        "sent_on": _day(po.sent_on),
        "shipped_on": _day(po.shipped_on),
        "received_on": _day(po.received_on),
        **totals(po),
        "lines": [
            {
                "id": line.id,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_cost": float(line.unit_cost),
                "received_quantity": line.received_quantity,
                "outstanding": line.outstanding,
            }
            for line in po.lines
        ],
    }


@bp.get("/suppliers")
def list_suppliers() -> ResponseReturnValue:
    """The tenant's suppliers by name, each with its lanes and terms."""
    tenant_id = current().tenant_id
    limit, offset = page_params()
    stmt = select(Supplier).where(Supplier.tenant_id == tenant_id)
    session = db.session
    total = count(session, stmt)
    rows = session.scalars(
        stmt.options(selectinload(Supplier.lanes))
        .order_by(Supplier.name, Supplier.id)
        .limit(limit)
        .offset(offset)
    ).all()
    terms: dict[int, list[SupplierSku]] = defaultdict(list)
    if rows:
        for t in session.scalars(
            select(SupplierSku)
            .where(
                SupplierSku.tenant_id == tenant_id,
                SupplierSku.supplier_id.in_([s.id for s in rows]),
            )
            .order_by(SupplierSku.sku, SupplierSku.seller_account_id)
        ):
            terms[t.supplier_id].append(t)
    return jsonify(page([supplier_json(s, terms[s.id]) for s in rows], total, limit, offset))


@bp.get("/locations")
def list_locations() -> ResponseReturnValue:
    """The tenant's locations (FBA, AWD, warehouses), each with its stock per SKU."""
    tenant_id = current().tenant_id
    limit, offset = page_params()
    seller = query_int("seller", None, 1, MAX_ID)
    kind = query_choice("kind", LOCATION_KINDS)
    stmt = select(Location).where(Location.tenant_id == tenant_id)
    if seller is not None:
        stmt = stmt.where(Location.seller_account_id == seller)
    if kind is not None:
        stmt = stmt.where(Location.kind == kind)
    session = db.session
    total = count(session, stmt)
    rows = session.scalars(
        stmt.order_by(Location.seller_account_id, Location.kind, Location.name, Location.id)
        .limit(limit)
        .offset(offset)
    ).all()
    stock = stock_by_location(session, rows)
    return jsonify(page([location_json(loc, stock[loc.id]) for loc in rows], total, limit, offset))


@bp.get("/purchase-orders")
def list_purchase_orders() -> ResponseReturnValue:
    """The tenant's purchase orders, newest first, with status and lines."""
    tenant_id = current().tenant_id
    limit, offset = page_params()
    seller = query_int("seller", None, 1, MAX_ID)
    status = query_choice("status", PO_STATUSES)
    stmt = select(PurchaseOrder).where(PurchaseOrder.tenant_id == tenant_id)
    if seller is not None:
        stmt = stmt.where(PurchaseOrder.seller_account_id == seller)
    if status is not None:
        stmt = stmt.where(PurchaseOrder.status == status)
    session = db.session
    total = count(session, stmt)
    rows = session.scalars(
        stmt.options(selectinload(PurchaseOrder.lines))
        .order_by(PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return jsonify(page([purchase_order_json(p) for p in rows], total, limit, offset))
