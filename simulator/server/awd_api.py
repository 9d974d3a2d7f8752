"""AWD 2024-05-09: listInventory, listInboundShipments and getInboundShipment (simulator.awd).

A seller of a marketplace AWD does not serve (all but the US) gets 404 NotFound; a US seller
without AWD (`Marketplace(awd=False)`) gets empty lists and 404 for any shipment id.
Page tokens carry the query and an offset; listInboundShipments pages are frozen at the first
page's day (a page later in the day shows the same shipments in the same states).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from simulator import awd
from simulator.marketplace import Seller
from simulator.server.common import (
    ApiError,
    arg,
    decode_token,
    encode_token,
    iso,
    operation,
    parse_time,
    seller,
)

bp = Blueprint("awd", __name__)
BASE = "/awd/2024-05-09"
DEFAULT_PAGE = 25
MAX_PAGE = 200
SORT_FIELDS = ("UPDATED_AT", "CREATED_AT")
SORT_ORDERS = ("ASCENDING", "DESCENDING")
SHOW_HIDE = ("SHOW", "HIDE")


def _model(s: Seller) -> awd.AwdModel | None:
    """The seller's AWD, None when it has none; 404 outside AWD's marketplaces; 403 when the
    seller's app was not granted the Amazon Warehousing and Distribution role."""
    if not getattr(s.world, "awd_role", True):
        raise ApiError(403, "Unauthorized", "Access to requested resource is denied.")
    if s.world.market.code not in awd.AWD_MARKETS:
        raise ApiError(
            404,
            "NotFound",
            "Amazon Warehousing and Distribution is not available in this marketplace.",
        )
    return awd.model(s.world)


def _choice(name: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
    value = arg(name)
    if value in (None, ""):
        return default
    if value not in allowed:
        raise ApiError(400, "InvalidInput", f"Invalid {name} received: {value}.")
    return value


def _max_results() -> int:
    raw = arg("maxResults")
    if raw in (None, ""):
        return DEFAULT_PAGE
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "InvalidInput", f"Invalid maxResults: {raw!r}.") from None
    if not 1 <= value <= MAX_PAGE:
        raise ApiError(400, "InvalidInput", f"maxResults must be 1 to {MAX_PAGE}.")
    return value


def _token(kind: str) -> dict[str, Any] | None:
    token = arg("nextToken")
    if not token:
        return None
    spec = decode_token(token)
    if spec.get("k") != kind:
        raise ApiError(400, "InvalidInput", "Invalid nextToken.")
    return spec


@bp.get(f"{BASE}/inventory")
@operation("listInventory")
def list_inventory():
    """AWD inventory per SKU: totals, and with details=SHOW what is available and reserved."""
    s = seller()
    m = _model(s)
    spec = _token("inventory") or {
        "k": "inventory",
        "sku": arg("sku") or "",
        "order": _choice("sortOrder", SORT_ORDERS, "ASCENDING"),
        "details": _choice("details", SHOW_HIDE, "HIDE") == "SHOW",
        "o": 0,
    }
    size = _max_results()
    skus = s.world.lists["sku"]
    rows = sorted(m.inventory() if m else [], key=lambda r: skus[r["sku"]],
                  reverse=spec["order"] == "DESCENDING")  # fmt: skip
    if spec["sku"]:
        rows = [r for r in rows if skus[r["sku"]] == spec["sku"]]
    off = int(spec["o"])
    out = []
    for r in rows[off : off + size]:
        item: dict[str, Any] = {
            "sku": skus[r["sku"]],
            "totalInboundQuantity": r["inbound"],
            "totalOnhandQuantity": r["end"],
        }
        if spec["details"]:
            item["inventoryDetails"] = {
                "availableDistributableQuantity": r["available"],
                "replenishmentQuantity": r["replenishment"],
                "reservedDistributableQuantity": r["reserved"],
            }
            item["expirationDetails"] = []
        out.append(item)
    body: dict[str, Any] = {"inventory": out}
    if off + size < len(rows):
        body["nextToken"] = encode_token({**spec, "o": off + size})
    return body


def _summary(st: awd.AwdShipmentState) -> dict[str, Any]:
    return {
        "createdAt": iso(st.created_ts),
        "externalReferenceId": f"PO-{st.shipment.number + 1:03d}-{st.shipment.sku + 1:04d}",
        "orderId": st.shipment.order_id,
        "shipmentId": st.shipment.shipment_id,
        "shipmentStatus": st.status,
        "updatedAt": iso(st.updated_ts),
    }


@bp.get(f"{BASE}/inboundShipments")
@operation("listInboundShipments")
def list_inbound_shipments():
    """Inbound shipments into AWD: filters by status and update time, sorted, paged."""
    s = seller()
    m = _model(s)
    spec = _token("shipments")
    if spec is None:
        after = parse_time("updatedAfter", arg("updatedAfter"))
        before = parse_time("updatedBefore", arg("updatedBefore"))
        if after is not None and before is not None and after > before:
            raise ApiError(400, "InvalidInput", "updatedAfter must not be after updatedBefore.")
        spec = {
            "k": "shipments",
            "by": _choice("sortBy", SORT_FIELDS, "UPDATED_AT"),
            "order": _choice("sortOrder", SORT_ORDERS, "DESCENDING"),
            "st": _choice("shipmentStatus", awd.STATUSES),
            "a": after,
            "b": before,
            "d": m.today if m else 0,
            "o": 0,
        }
    size = _max_results()
    found = []
    for st in m.states(int(spec["d"])) if m else []:
        if spec["st"] and st.status != spec["st"]:
            continue
        if spec["a"] is not None and st.updated_ts < int(spec["a"]):
            continue
        if spec["b"] is not None and st.updated_ts > int(spec["b"]):
            continue
        found.append(st)
    key = "updated_ts" if spec["by"] == "UPDATED_AT" else "created_ts"
    found.sort(key=lambda st: (getattr(st, key), st.shipment.shipment_id),
               reverse=spec["order"] == "DESCENDING")  # fmt: skip
    off = int(spec["o"])
    body: dict[str, Any] = {"shipments": [_summary(st) for st in found[off : off + size]]}
    if off + size < len(found):
        body["nextToken"] = encode_token({**spec, "o": off + size})
    return body


@bp.get(f"{BASE}/inboundShipments/<shipment_id>")
@operation("getInboundShipment")
def get_inbound_shipment(shipment_id: str):
    """One AWD inbound shipment: addresses, cases, received units and (SHOW) SKU quantities."""
    s = seller()
    m = _model(s)
    show = _choice("skuQuantities", SHOW_HIDE, "HIDE") == "SHOW"
    st = next((x for x in (m.states() if m else []) if x.shipment.shipment_id == shipment_id),
              None)  # fmt: skip
    if st is None:
        raise ApiError(404, "NotFound", f"Shipment {shipment_id} not found.")
    sh = st.shipment
    sku = s.world.lists["sku"][sh.sku]
    cat = s.world.catalog
    weight = round(float(cat["weight_lb"].iat[sh.sku]) * sh.case_pack + 0.5, 2)
    cases, loose = divmod(sh.quantity, sh.case_pack)
    containers = []
    for count, per in ((cases, sh.case_pack), (1 if loose else 0, loose)):
        if count:
            containers.append(
                {
                    "count": count,
                    "distributionPackage": {
                        "contents": {"products": [{"quantity": per, "sku": sku}]},
                        "measurements": {
                            "dimensions": {
                                "height": float(cat["height_in"].iat[sh.sku]) + 2.0,
                                "length": float(cat["length_in"].iat[sh.sku]) + 2.0,
                                "unitOfMeasurement": "INCHES",
                                "width": float(cat["width_in"].iat[sh.sku]) + 2.0,
                            },
                            "weight": {"unitOfMeasurement": "POUNDS", "weight": weight},
                        },
                        "type": "CASE",
                    },
                }
            )
    body: dict[str, Any] = {
        **_summary(st),
        "destinationAddress": dict(awd.AWD_ADDRESS),
        "destinationRegion": "us-west",
        "originAddress": dict(awd.ORIGIN_ADDRESS),
        "receivedQuantity": [{"quantity": st.received, "unitOfMeasurement": "PRODUCT_UNITS"}],
        "shipBy": iso(s.world.day_start(sh.ship_day) + 15 * 3600),
        "shipmentContainerQuantities": containers,
        "warehouseReferenceId": f"WR{sh.shipment_id[5:]}",
    }
    if st.status not in ("CREATED", "CANCELLED"):
        body["trackingId"] = f"1Z{sh.shipment_id[5:]}"
        body["carrierCode"] = {"carrierCodeType": "SCAC", "carrierCodeValue": "UPSN"}
    if show:
        body["shipmentSkuQuantities"] = [
            {
                "expectedQuantity": {"quantity": sh.quantity, "unitOfMeasurement": "PRODUCT_UNITS"},
                "receivedQuantity": {"quantity": st.received, "unitOfMeasurement": "PRODUCT_UNITS"},
                "sku": sku,
            }
        ]
    return body
