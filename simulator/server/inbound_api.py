"""Fulfillment Inbound 2024-03-20: createInboundPlan (units then arrive after the lead time)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, request

from simulator.server.common import ApiError, iso, market, operation, seller

bp = Blueprint("inbound", __name__)
OWNERS = ("AMAZON", "SELLER", "NONE")
BASE = "/inbound/fba/2024-03-20"


def _validate(body: dict[str, Any], skus: list[str]) -> None:
    for key in ("destinationMarketplaces", "items", "sourceAddress"):
        if key not in body:
            raise ApiError(400, "InvalidInput", f"{key} is required.")
    if not isinstance(body["items"], list) or not body["items"]:
        raise ApiError(400, "InvalidInput", "items must be a non-empty list.")
    for n, item in enumerate(body["items"]):
        if not isinstance(item, dict):
            raise ApiError(400, "InvalidInput", f"items[{n}] must be an object.")
        for key in ("msku", "quantity", "prepOwner", "labelOwner"):
            if key not in item:
                raise ApiError(400, "InvalidInput", f"items[{n}].{key} is required.")
        if item["msku"] not in skus:
            raise ApiError(400, "InvalidInput", f"items[{n}].msku {item['msku']} is not listed.")
        q = item["quantity"]
        if not isinstance(q, int) or isinstance(q, bool) or not 1 <= q <= 10000:
            raise ApiError(400, "InvalidInput", f"items[{n}].quantity must be 1..10000.")
        for key in ("prepOwner", "labelOwner"):
            if item[key] not in OWNERS:
                raise ApiError(400, "InvalidInput", f"items[{n}].{key} must be one of {OWNERS}.")
    address = body["sourceAddress"]
    if not isinstance(address, dict):
        raise ApiError(400, "InvalidInput", "sourceAddress must be an object.")
    for key in ("addressLine1", "city", "countryCode", "name", "phoneNumber", "postalCode"):
        if not address.get(key):
            raise ApiError(400, "InvalidInput", f"sourceAddress.{key} is required.")


@bp.post(f"{BASE}/inboundPlans")
@operation("createInboundPlan")
def create_inbound_plan():
    """Accept a plan; each item becomes a shipment arriving after the SKU's lead time."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "InvalidInput", "A JSON body is required.")
    s = seller()
    cat = s.world.catalog
    skus = list(cat["sku"])
    _validate(body, skus)
    mk = market()
    plan_id = "wf" + str(uuid.uuid4())
    op_id = str(uuid.uuid4())
    today = s.world.next_ordinal  # the clock's day
    shipments = []
    for item in body["items"]:
        i = skus.index(item["msku"])
        lead = int(cat["lead_time_days"].iat[i])
        shipment = s.world.add_shipment(
            i,
            int(item["quantity"]),
            today,
            today + lead,
            source="inbound_plan",
            plan_id=plan_id,
            created_ts=mk.now,
        )
        shipments.append(shipment.shipment_id)
    s.inbound_plans[plan_id] = {
        "body": body,
        "created": mk.now,
        "shipments": shipments,
        "shipment_ids": ["sh" + str(uuid.uuid4()) for _ in shipments],
    }
    s.operations[op_id] = {"operation": "createInboundPlan", "polls": 0}
    resp = {"inboundPlanId": plan_id, "operationId": op_id}
    return resp, 202


@bp.get(f"{BASE}/operations/<operation_id>")
@operation("getInboundOperationStatus")
def get_operation_status(operation_id: str):
    """IN_PROGRESS on the first poll, SUCCESS afterwards."""
    op = seller().operations.get(operation_id)
    if op is None:
        raise ApiError(404, "NotFound", f"Operation {operation_id} not found.")
    op["polls"] += 1
    return {
        "operation": op["operation"],
        "operationId": operation_id,
        "operationProblems": [],
        "operationStatus": "IN_PROGRESS" if op["polls"] == 1 else "SUCCESS",
    }


def _summary(plan_id: str, plan: dict[str, Any]) -> dict[str, Any]:
    """InboundPlanSummary fields of a stored plan."""
    body = plan["body"]
    src = body["sourceAddress"]
    keys = (
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
    return {
        "createdAt": iso(plan["created"]),
        "inboundPlanId": plan_id,
        "lastUpdatedAt": iso(plan["created"]),
        "marketplaceIds": list(body["destinationMarketplaces"]),
        "name": body.get("name") or f"Plan {iso(plan['created'])[:10]}",
        "sourceAddress": {k: src[k] for k in keys if src.get(k)},
        "status": "SHIPPED",
    }


@bp.get(f"{BASE}/inboundPlans")
@operation("listInboundPlans")
def list_inbound_plans():
    """Plans created through the API, newest first, 10 per page (pageSize up to 30)."""
    s = seller()
    size_text = request.args.get("pageSize", "10")
    if not size_text.isdigit() or not 1 <= int(size_text) <= 30:
        raise ApiError(400, "InvalidInput", "pageSize must be 1..30.")
    size = int(size_text)
    ids = sorted(s.inbound_plans, key=lambda k: (s.inbound_plans[k]["created"], k), reverse=True)
    token = request.args.get("paginationToken")
    off = int(token) if token and token.isdigit() else 0
    out: dict[str, Any] = {
        "inboundPlans": [_summary(k, s.inbound_plans[k]) for k in ids[off : off + size]]
    }
    if off + size < len(ids):
        out["pagination"] = {"nextToken": str(off + size)}
    return out


@bp.get(f"{BASE}/inboundPlans/<plan_id>")
@operation("getInboundPlan")
def get_inbound_plan(plan_id: str):
    """The plan with one shipment summary per item."""
    s = seller()
    plan = s.inbound_plans.get(plan_id)
    if plan is None:
        raise ApiError(404, "NotFound", f"Inbound plan {plan_id} not found.")
    arrived = {
        sh.shipment_id
        for sh in s.world.shipments
        if sh.plan_id == plan_id and sh.arrival_day < s.world.next_ordinal
    }
    return {
        **_summary(plan_id, plan),
        "shipments": [
            {"shipmentId": sid, "status": "CLOSED" if internal in arrived else "IN_TRANSIT"}
            for sid, internal in zip(plan["shipment_ids"], plan["shipments"], strict=True)
        ],
    }
