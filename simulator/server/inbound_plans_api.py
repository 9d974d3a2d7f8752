"""Fulfillment Inbound 2024-03-20 reads: plans, a plan's shipments (with dates) and items.

Plans are those created through createInboundPlan and the simulated seller's own
Send-to-Amazon plans (one per day it created shipments; legacy v0-only shipments have none).
`getShipment` carries `shipmentConfirmationId` (the v0 ShipmentId), `dates.readyToShipWindow`
(the ship day) and, when the seller chose one, `selectedDeliveryWindow`: Amazon's own date,
the days within which the carrier delivers at the fulfillment center.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Blueprint, request

from simulator.inbound import (
    FC_ADDRESS,
    FC_ID,
    SELLER_ADDRESS,
    ShipmentState,
    plan_status,
    plans,
    window_times,
)
from simulator.marketplace import Seller
from simulator.orders import day_epoch
from simulator.server.common import ApiError, decode_token, encode_token, iso, market, operation
from simulator.server.common import seller as current_seller

bp = Blueprint("inbound_plans", __name__)
BASE = "/inbound/fba/2024-03-20"
_ADDRESS_KEYS = (
    "addressLine1",
    "addressLine2",
    "city",
    "companyName",
    "countryCode",
    "districtOrCounty",
    "email",
    "name",
    "phoneNumber",
    "postalCode",
    "stateOrProvinceCode",
)


def _derived_id(prefix: str, *parts: object) -> str:
    h = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()
    return f"{prefix}{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _check_id(name: str, value: str) -> None:
    if len(value) != 38 or not all(c.isalnum() or c == "-" for c in value):
        raise ApiError(400, "InvalidInput", f"{name} must be 38 letters, digits or dashes.")


def _source(s: Seller, plan_id: str) -> dict[str, str]:
    plan = s.inbound_plans.get(plan_id)
    src = plan["body"]["sourceAddress"] if plan else SELLER_ADDRESS
    return {k: src[k] for k in _ADDRESS_KEYS if src.get(k)}


def _summary(s: Seller, plan_id: str, members: list[ShipmentState]) -> dict[str, Any]:
    """InboundPlanSummary of a plan and its shipments."""
    api = s.inbound_plans.get(plan_id)
    created = api["created"] if api else min(m.shipment.created_ts for m in members)
    updated = max([created, *(m.last_updated for m in members)])
    if api:
        name = api["body"].get("name") or f"Plan {iso(created)[:10]}"
        marketplaces = list(api["body"]["destinationMarketplaces"])
    else:
        name = f"STA ({iso(created)[:10]})"
        marketplaces = [s.marketplace_id]
    return {
        "createdAt": iso(created),
        "inboundPlanId": plan_id,
        "lastUpdatedAt": iso(updated),
        "marketplaceIds": marketplaces,
        "name": name,
        "sourceAddress": _source(s, plan_id),
        "status": plan_status(members),
    }


def _plan(plan_id: str) -> tuple[Seller, list[ShipmentState]]:
    _check_id("inboundPlanId", plan_id)
    s = current_seller()
    members = plans(s.world, market().now).get(plan_id)
    if not members:
        raise ApiError(404, "NotFound", f"Inbound plan {plan_id} not found.")
    return s, members


def _shipment(plan_id: str, shipment_id: str) -> tuple[Seller, ShipmentState]:
    _check_id("shipmentId", shipment_id)
    s, members = _plan(plan_id)
    for m in members:
        if m.shipment.sta_shipment_id == shipment_id:
            return s, m
    raise ApiError(404, "NotFound", f"Shipment {shipment_id} not found in {plan_id}.")


def _page(size_default: int, size_max: int) -> tuple[int, int]:
    text = request.args.get("pageSize", str(size_default))
    if not text.isdigit() or not 1 <= int(text) <= size_max:
        raise ApiError(400, "InvalidInput", f"pageSize must be 1..{size_max}.")
    token = request.args.get("paginationToken")
    off = int(decode_token(token).get("o", 0)) if token else 0
    return int(text), off


@bp.get(f"{BASE}/inboundPlans")
@operation("listInboundPlans")
def list_inbound_plans():
    """Plans, by lastUpdatedAt (default) or createdAt, newest first unless sortOrder=ASC."""
    s = current_seller()
    size, off = _page(10, 30)
    status = request.args.get("status")
    if status not in (None, "ACTIVE", "VOIDED", "SHIPPED"):
        raise ApiError(400, "InvalidInput", "status must be ACTIVE, VOIDED or SHIPPED.")
    sort_by = request.args.get("sortBy", "LAST_UPDATED_TIME")
    order = request.args.get("sortOrder", "DESC")
    if sort_by not in ("LAST_UPDATED_TIME", "CREATION_TIME") or order not in ("ASC", "DESC"):
        raise ApiError(400, "InvalidInput", "Invalid sortBy or sortOrder.")
    key = "lastUpdatedAt" if sort_by == "LAST_UPDATED_TIME" else "createdAt"
    summaries = [_summary(s, pid, m) for pid, m in plans(s.world, market().now).items()]
    if status:
        summaries = [x for x in summaries if x["status"] == status]
    summaries.sort(key=lambda x: (x[key], x["inboundPlanId"]), reverse=order == "DESC")
    out: dict[str, Any] = {"inboundPlans": summaries[off : off + size]}
    if off + size < len(summaries):
        out["pagination"] = {"nextToken": encode_token({"o": off + size})}
    return out


@bp.get(f"{BASE}/inboundPlans/<plan_id>")
@operation("getInboundPlan")
def get_inbound_plan(plan_id: str):
    """The plan with its accepted placement option and one summary per shipment."""
    s, members = _plan(plan_id)
    return {
        **_summary(s, plan_id, members),
        "placementOptions": [
            {"placementOptionId": _derived_id("pl", plan_id), "status": "ACCEPTED"}
        ],
        "shipments": [
            {"shipmentId": m.shipment.sta_shipment_id, "status": m.status} for m in members
        ],
    }


@bp.get(f"{BASE}/inboundPlans/<plan_id>/shipments/<shipment_id>")
@operation("getShipment")
def get_shipment(plan_id: str, shipment_id: str):
    """A shipment: status, source, destination, ship day and the selected delivery window."""
    s, m = _shipment(plan_id, shipment_id)
    sh = m.shipment
    body: dict[str, Any] = {
        "shipmentId": sh.sta_shipment_id,
        "shipmentConfirmationId": sh.shipment_id,
        "name": sh.shipment_id,
        "placementOptionId": _derived_id("pl", plan_id),
        "status": m.status,
        "source": {"sourceType": "SELLER_FACILITY", "address": _source(s, plan_id)},
        "destination": {
            "destinationType": "AMAZON_WAREHOUSE",
            "warehouseId": FC_ID,
            "address": dict(FC_ADDRESS),
        },
        "dates": {
            "readyToShipWindow": {
                "start": iso(day_epoch(sh.ship_day)),
                "end": iso(day_epoch(sh.ship_day + 1) - 1),
            }
        },
    }
    window = window_times(sh)
    if window is not None:
        body["selectedDeliveryWindow"] = {
            "availabilityType": "AVAILABLE",
            "deliveryWindowOptionId": _derived_id("dw", sh.sta_shipment_id),
            "startDate": iso(window[0]),
            "endDate": iso(window[1]),
        }
    return body


def _items(s: Seller, members: list[ShipmentState]) -> list[dict[str, Any]]:
    """Item entries (one per SKU, quantities summed) of some shipments."""
    cat = s.world.catalog
    qty: dict[int, int] = {}
    for m in members:
        qty[m.shipment.sku] = qty.get(m.shipment.sku, 0) + m.shipment.quantity
    return [
        {
            "asin": str(cat["asin"].iat[i]),
            "fnsku": str(cat["fnsku"].iat[i]),
            "labelOwner": "SELLER",
            "msku": str(cat["sku"].iat[i]),
            "prepInstructions": [],
            "quantity": int(q),
        }
        for i, q in sorted(qty.items())
    ]


def _paged_items(items: list[dict[str, Any]]) -> dict[str, Any]:
    size, off = _page(10, 1000)
    out: dict[str, Any] = {"items": items[off : off + size]}
    if off + size < len(items):
        out["pagination"] = {"nextToken": encode_token({"o": off + size})}
    return out


@bp.get(f"{BASE}/inboundPlans/<plan_id>/shipments/<shipment_id>/items")
@operation("listShipmentItems")
def list_shipment_items(plan_id: str, shipment_id: str):
    """The items of one shipment."""
    s, m = _shipment(plan_id, shipment_id)
    return _paged_items(_items(s, [m]))


@bp.get(f"{BASE}/inboundPlans/<plan_id>/items")
@operation("listInboundPlanItems")
def list_inbound_plan_items(plan_id: str):
    """The items of every shipment of a plan."""
    s, members = _plan(plan_id)
    return _paged_items(_items(s, [m for m in members if m.status != "CANCELLED"] or members))
