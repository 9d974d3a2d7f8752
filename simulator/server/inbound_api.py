"""Fulfillment Inbound 2024-03-20: createInboundPlan (units then arrive after the lead time).

The plans, their shipments and items are read through `inbound_plans_api`.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, request

from simulator.server.common import ApiError, market, operation, seller

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
    """Accept a plan; each item becomes a shipment arriving after the SKU's lead time.

    The shipment ships on the clock's day (WORKING until then) and has a delivery window;
    it is listed by getShipments and the plan reads like any other.
    """
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
            sta_shipment_id="sh" + str(uuid.uuid4()),
            window=True,
        )
        shipments.append(shipment.shipment_id)
    s.inbound_plans[plan_id] = {"body": body, "created": mk.now, "shipments": shipments}
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
