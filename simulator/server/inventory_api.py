"""FBA Inventory v1 getInventorySummaries: per-SKU quantities with details and 30 s page tokens."""

from __future__ import annotations

import time

import numpy as np
from flask import Blueprint

from simulator.inventory import snapshot
from simulator.server.common import (
    ApiError,
    arg,
    decode_token,
    encode_token,
    iso,
    list_arg,
    market,
    operation,
    parse_time,
    seller,
)

bp = Blueprint("inventory", __name__)
PAGE = 50
TOKEN_SECONDS = 30


@bp.get("/fba/inventory/v1/summaries")
@operation("getInventorySummaries")
def get_inventory_summaries():
    """Inventory summaries for the marketplace granularity."""
    s = seller()
    token = arg("nextToken")
    if token:
        spec = decode_token(token)
        if time.time() > float(spec.get("x", 0)):
            raise ApiError(400, "InvalidInput", "The nextToken has expired.")
    else:
        gtype = arg("granularityType")
        if gtype != "Marketplace":
            raise ApiError(400, "InvalidInput", "granularityType must be Marketplace.")
        if arg("granularityId") not in (s.marketplace_id,):
            raise ApiError(400, "InvalidInput", "granularityId must be a marketplace id.")
        since = parse_time("startDateTime", arg("startDateTime"))
        spec = {
            "d": (arg("details") or "false").lower() == "true",
            "t": since,
            "k": list_arg("sellerSkus") or ([arg("sellerSku")] if arg("sellerSku") else []),
            "o": 0,
        }
    now = market().now
    snap = snapshot(s.world, now)
    cat = s.world.catalog
    idx = np.arange(s.world.n)  # new launches are listed (with inbound units) before launch
    if spec["k"]:
        idx = idx[np.isin(cat["sku"].to_numpy()[idx], spec["k"])]
    if spec["t"] is not None:
        idx = idx[snap.last_updated[idx] >= int(spec["t"])]
    off = int(spec["o"])
    page = idx[off : off + PAGE]
    summaries = []
    for i in page:
        item = {
            "asin": str(cat["asin"].iat[i]),
            "fnSku": str(cat["fnsku"].iat[i]),
            "sellerSku": str(cat["sku"].iat[i]),
            "condition": "NewItem",
            "lastUpdatedTime": iso(int(snap.last_updated[i])),
            "productName": str(cat["title"].iat[i]),
            "totalQuantity": int(snap.total[i]),
            "stores": [],
        }
        if spec["d"]:
            reserved = int(snap.pending_customer_order[i])
            item["inventoryDetails"] = {
                "fulfillableQuantity": int(snap.fulfillable[i]),
                "inboundWorkingQuantity": int(snap.inbound_working[i]),
                "inboundShippedQuantity": int(snap.inbound_shipped[i]),
                "inboundReceivingQuantity": int(snap.inbound_receiving[i]),
                "reservedQuantity": {
                    "totalReservedQuantity": reserved,
                    "pendingCustomerOrderQuantity": reserved,
                    "pendingTransshipmentQuantity": 0,
                    "fcProcessingQuantity": 0,
                },
                "researchingQuantity": {
                    "totalResearchingQuantity": 0,
                    "researchingQuantityBreakdown": [],
                },
                "unfulfillableQuantity": {
                    "totalUnfulfillableQuantity": 0,
                    "customerDamagedQuantity": 0,
                    "warehouseDamagedQuantity": 0,
                    "distributorDamagedQuantity": 0,
                    "carrierDamagedQuantity": 0,
                    "defectiveQuantity": 0,
                    "expiredQuantity": 0,
                },
            }
        summaries.append(item)
    body: dict = {
        "payload": {
            "granularity": {"granularityType": "Marketplace", "granularityId": s.marketplace_id},
            "inventorySummaries": summaries,
        }
    }
    if off + PAGE < len(idx):
        body["pagination"] = {
            "nextToken": encode_token({**spec, "o": off + PAGE, "x": time.time() + TOKEN_SECONDS})
        }
    return body
