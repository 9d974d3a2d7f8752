"""Rows to JSON-ready dicts; the shapes here are the ones the OpenAPI document describes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.models import (
    InventorySnapshot,
    ModelVersion,
    Product,
    Recommendation,
    SellerAccount,
    ShipmentPlan,
)


def iso(value: dt.date | dt.datetime | None) -> str | None:
    """ISO 8601 text (datetimes are timezone-aware UTC throughout the app)."""
    return None if value is None else value.isoformat()


def recommendation_summary(rec: Recommendation | None) -> dict[str, Any] | None:
    """The few recommendation fields shown beside a SKU."""
    if rec is None:
        return None
    return {
        "id": rec.id,
        "quantity": rec.quantity,
        "ship_by": iso(rec.ship_by),
        "runs_out_on": iso(rec.runs_out_on),
        "status": rec.status,
        "days_of_cover_without": rec.days_of_cover_without,
        "stockout_probability": rec.stockout_probability,
        # The supplier order (two-stage SKUs; both None: none), as the dashboard shows it.
        "reorder_by": iso(rec.reorder_by),
        "reorder_quantity": rec.reorder_quantity,
    }


def sku(product: Product, rec: Recommendation | None = None) -> dict[str, Any]:
    """A SKU with its settings and, when there is one, its current recommendation."""
    return {
        "id": product.id,
        "seller_account_id": product.seller_account_id,
        "sku": product.sku,
        "asin": product.asin,
        "fnsku": product.fnsku,
        "title": product.title,
        "category": product.category,
        "size_tier": product.size_tier,
        "price": product.price,
        "unit_cost": product.unit_cost,
        "lead_time_production_days": product.lead_time_production_days,
        "lead_time_transit_days": product.lead_time_transit_days,
        "lead_time_receiving_days": product.lead_time_receiving_days,
        "lead_time_spread_days": product.lead_time_spread_days,
        "lead_time_days": product.lead_time_days,
        "case_pack": product.case_pack,
        "moq": product.moq,
        "in_stock_target_pct": product.in_stock_target_pct,
        "stockout_cost_multiple": product.stockout_cost_multiple,
        "prep_owner": product.prep_owner,
        "label_owner": product.label_owner,
        "active": product.active,
        "recommendation": recommendation_summary(rec),
        "updated_at": iso(product.updated_at),
    }


def inventory(snapshot: InventorySnapshot | None) -> dict[str, Any] | None:
    """The latest FBA quantities of a SKU."""
    if snapshot is None:
        return None
    return {
        "date": iso(snapshot.date),
        "fulfillable": snapshot.fulfillable,
        "inbound": snapshot.inbound_working + snapshot.inbound_shipped + snapshot.inbound_receiving,
        "reserved": snapshot.reserved,
        "unfulfillable": snapshot.unfulfillable,
    }


def model_version(mv: ModelVersion | None) -> dict[str, Any] | None:
    """The identity of a trained model (no artifact paths: those are server internals)."""
    if mv is None:
        return None
    return {
        "id": mv.id,
        "trained_at": iso(mv.trained_at),
        "cutoff": iso(mv.cutoff),
        "status": mv.status,
    }


def recommendation(rec: Recommendation, account: SellerAccount) -> dict[str, Any]:
    """A recommendation in full, with the marketplace and currency of its money (its seller
    account's: a US and a CA account of one seller answer in USD and CAD)."""
    return {
        "id": rec.id,
        "seller_account_id": rec.seller_account_id,
        "marketplace": account.marketplace,
        "currency": account.currency,
        "sku": rec.sku,
        "computed_at": iso(rec.computed_at),
        "is_current": rec.is_current,
        "model_version_id": rec.model_version_id,
        "quantity": rec.quantity,
        "ship_by": iso(rec.ship_by),
        "days_of_cover_without": rec.days_of_cover_without,
        "days_of_cover_with": rec.days_of_cover_with,
        "stockout_probability": rec.stockout_probability,
        "runs_out_on": iso(rec.runs_out_on),
        "status": rec.status,
        "reorder_by": iso(rec.reorder_by),
        "reorder_quantity": rec.reorder_quantity,
        "cost_breakdown": rec.cost_breakdown,
        "explanation": rec.explanation,
    }


def timeline(product: Product, rec: Recommendation, stored: dict[str, Any]) -> dict[str, Any]:
    """GET /api/v1/skus/{id}/timeline: the stored timeline (days expanded, app.queries) as is,
    with the ids it belongs to."""
    return {"sku_id": product.id, "recommendation_id": rec.id, **stored}


def plan(p: ShipmentPlan) -> dict[str, Any]:
    """A shipment plan with its lines and totals."""
    lines = [
        {
            "id": line.id,
            "sku": line.sku,
            "quantity": line.quantity,
            "recommended_quantity": line.recommended_quantity,
        }
        for line in p.lines
    ]
    return {
        "id": p.id,
        "seller_account_id": p.seller_account_id,
        "name": p.name,
        "status": p.status,
        "inbound_plan_id": p.inbound_plan_id,
        "created_by_user_id": p.created_by_user_id,
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
        "total_units": sum(line["quantity"] for line in lines),
        "lines": lines,
    }


def seller(account: SellerAccount) -> dict[str, Any]:
    """A seller account without any of its credentials."""
    return {
        "id": account.id,
        "name": account.name,
        "marketplace": account.marketplace,
        "marketplace_id": account.marketplace_id,
        "region": account.region,
        # Every amount of this seller (prices, costs, fees, plans) is in its marketplace's
        # currency; its days are local days of this time zone.
        "currency": account.currency,
        "time_zone": account.time_zone,
        "seller_id": account.seller_id,
        "active": account.active,
        "created_at": iso(account.created_at),
    }


def page(items: list[dict[str, Any]], total: int, limit: int, offset: int) -> dict[str, Any]:
    """A page of results with what a client needs to fetch the next one."""
    next_offset = offset + limit if offset + limit < total else None
    return {
        "data": items,
        "pagination": {
            "limit": limit,
            "offset": offset,
            "total": total,
            "next_offset": next_offset,
        },
    }
