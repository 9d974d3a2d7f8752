"""Fulfillment Inbound v0: getShipments, getShipmentItemsByShipmentId and getShipmentItems.

Every shipment of the simulated seller (its own, the staged ones and those of plans created
through createInboundPlan) is listed with its current status; items carry QuantityShipped and
QuantityReceived. NextToken pages are frozen at the first page's clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint

from simulator.inbound import FC_ID, SELLER_ADDRESS, STATUSES, ShipmentState, states
from simulator.marketplace import Seller
from simulator.server.common import (
    ApiError,
    arg,
    decode_token,
    encode_token,
    list_arg,
    market,
    operation,
    parse_time,
    seller,
)

bp = Blueprint("inbound_v0", __name__)
BASE = "/fba/inbound/v0"
SHIPMENTS_PAGE = 50
ITEMS_PAGE = 100
# ShipmentStatusList accepts these (the model's query enum); the others never occur here.
QUERY_STATUSES = (*STATUSES, "READY_TO_SHIP", "DELETED", "ERROR")


def _address(s: Seller, st: ShipmentState) -> dict[str, str]:
    """v0 Address (capitalised keys) of where the shipment ships from."""
    plan = s.inbound_plans.get(st.shipment.plan_id)
    src = plan["body"]["sourceAddress"] if plan else SELLER_ADDRESS
    out = {
        "Name": src["name"],
        "AddressLine1": src["addressLine1"],
        "City": src["city"],
        "StateOrProvinceCode": src.get("stateOrProvinceCode", ""),
        "CountryCode": src["countryCode"],
        "PostalCode": src["postalCode"],
    }
    if src.get("addressLine2"):
        out["AddressLine2"] = src["addressLine2"]
    return out


def _case(s: Seller, st: ShipmentState) -> int:
    """Units per case when the shipment is whole cases of a case-packed SKU, else 0."""
    case = int(s.world.catalog["case_pack"].iat[st.shipment.sku])
    return case if case > 1 and st.shipment.quantity % case == 0 else 0


def shipment_info(s: Seller, st: ShipmentState) -> dict[str, Any]:
    """InboundShipmentInfo of one shipment."""
    sh = st.shipment
    created = s.world.market.day(s.world.ordinal_of(sh.created_ts))
    return {
        "ShipmentId": sh.shipment_id,
        "ShipmentName": f"FBA ({created}) - {sh.shipment_id[-4:]}",
        "ShipFromAddress": _address(s, st),
        "DestinationFulfillmentCenterId": FC_ID,
        "ShipmentStatus": st.status,
        "LabelPrepType": "SELLER_LABEL",
        "AreCasesRequired": _case(s, st) > 0,
        "BoxContentsSource": "INTERACTIVE" if sh.plan_id else "FEED",
    }


def shipment_item(s: Seller, st: ShipmentState) -> dict[str, Any]:
    """InboundShipmentItem of one shipment (one SKU per shipment here)."""
    cat = s.world.catalog
    i = st.shipment.sku
    return {
        "ShipmentId": st.shipment.shipment_id,
        "SellerSKU": str(cat["sku"].iat[i]),
        "FulfillmentNetworkSKU": str(cat["fnsku"].iat[i]),
        "QuantityShipped": int(st.shipment.quantity),
        "QuantityReceived": int(st.received),
        "QuantityInCase": _case(s, st),
        "PrepDetailsList": [],
    }


def _marketplace(s: Seller) -> None:
    if arg("MarketplaceId") != s.marketplace_id:
        raise ApiError(400, "InvalidInput", "MarketplaceId is required and must be the seller's.")


def _statuses() -> list[str]:
    wanted = list_arg("ShipmentStatusList")
    bad = [x for x in wanted if x not in QUERY_STATUSES]
    if bad:
        raise ApiError(400, "InvalidInput", f"Invalid ShipmentStatusList value {bad[0]}.")
    return wanted


def _date_range(required: bool) -> tuple[int | None, int | None]:
    after = parse_time("LastUpdatedAfter", arg("LastUpdatedAfter"))
    before = parse_time("LastUpdatedBefore", arg("LastUpdatedBefore"))
    if required and (after is None or before is None):
        raise ApiError(400, "InvalidInput", "LastUpdatedAfter and LastUpdatedBefore are required.")
    if after is not None and before is not None and after > before:
        raise ApiError(400, "InvalidInput", "LastUpdatedAfter must be before LastUpdatedBefore.")
    return after, before


def _matching(s: Seller, spec: dict[str, Any]) -> list[ShipmentState]:
    """Shipments matching a query spec, evaluated at the spec's frozen clock."""
    out = []
    ids = set(spec.get("ids") or [])
    for st in states(s.world, int(spec["c"]), int(spec["d"]), int(spec["n"])):
        if spec.get("st") and st.status not in spec["st"]:
            continue
        if ids and st.shipment.shipment_id not in ids:
            continue
        if spec.get("a") is not None and st.last_updated < int(spec["a"]):
            continue
        if spec.get("b") is not None and st.last_updated > int(spec["b"]):
            continue
        out.append(st)
    return out


def _spec_from_token(kind: str) -> dict[str, Any]:
    token = arg("NextToken")
    if not token:
        raise ApiError(400, "InvalidInput", "NextToken is required when QueryType=NEXT_TOKEN.")
    spec = decode_token(token)
    if spec.get("k") != kind:
        raise ApiError(400, "InvalidInput", "Invalid NextToken.")
    return spec


def _frozen() -> dict[str, int]:
    s, mk = seller(), market()
    return {"c": mk.now, "d": s.world.next_ordinal, "n": len(s.world.shipments)}


@bp.get(f"{BASE}/shipments")
@operation("getShipments")
def get_shipments():
    """Shipments by status and/or id (SHIPMENT), by last update (DATE_RANGE), or next page."""
    s = seller()
    _marketplace(s)
    query = arg("QueryType")
    if query == "NEXT_TOKEN":
        spec = _spec_from_token("shipments")
    elif query in ("SHIPMENT", "DATE_RANGE"):
        statuses = _statuses()
        ids = list_arg("ShipmentIdList")
        if len(ids) > 999:
            raise ApiError(400, "InvalidInput", "ShipmentIdList has at most 999 ids.")
        if query == "SHIPMENT" and not statuses and not ids:
            raise ApiError(
                400,
                "InvalidInput",
                "ShipmentStatusList or ShipmentIdList is required when QueryType=SHIPMENT.",
            )
        after, before = _date_range(required=query == "DATE_RANGE")
        spec = {"k": "shipments", "st": statuses, "ids": ids, "a": after, "b": before, "o": 0}
        spec.update(_frozen())
    else:
        raise ApiError(400, "InvalidInput", "QueryType must be SHIPMENT, DATE_RANGE or NEXT_TOKEN.")
    return _page(
        _matching(s, spec), spec, SHIPMENTS_PAGE, "ShipmentData", lambda st: shipment_info(s, st)
    )


@bp.get(f"{BASE}/shipments/<shipment_id>/items")
@operation("getShipmentItemsByShipmentId")
def get_shipment_items_by_shipment_id(shipment_id: str):
    """The items of one shipment with shipped and received quantities."""
    s = seller()
    spec = {"k": "items", "ids": [shipment_id], **_frozen()}
    found = _matching(s, spec)
    if not found:
        raise ApiError(404, "NotFound", f"Shipment {shipment_id} not found.")
    return {"payload": {"ItemData": [shipment_item(s, st) for st in found]}}


@bp.get(f"{BASE}/shipmentItems")
@operation("getShipmentItems")
def get_shipment_items():
    """Items of the shipments last updated in a date range (DATE_RANGE), or the next page."""
    s = seller()
    _marketplace(s)
    query = arg("QueryType")
    if query == "NEXT_TOKEN":
        spec = _spec_from_token("items")
    elif query == "DATE_RANGE":
        after, before = _date_range(required=True)
        spec = {"k": "items", "a": after, "b": before, "o": 0, **_frozen()}
    else:
        raise ApiError(400, "InvalidInput", "QueryType must be DATE_RANGE or NEXT_TOKEN.")
    return _page(_matching(s, spec), spec, ITEMS_PAGE, "ItemData", lambda st: shipment_item(s, st))


def _page(
    found: list[Any],
    spec: dict[str, Any],
    size: int,
    key: str,
    render: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """One page of `found` from the spec's offset `o`, with a NextToken while more remain."""
    off = int(spec["o"])
    payload: dict[str, Any] = {key: [render(x) for x in found[off : off + size]]}
    if off + size < len(found):
        payload["NextToken"] = encode_token({**spec, "o": off + size})
    return {"payload": payload}
