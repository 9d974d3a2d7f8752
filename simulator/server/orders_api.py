"""Orders v0: getOrders (time windows, statuses, stable NextToken pages), getOrder, items."""

from __future__ import annotations

from typing import Any

import numpy as np
from flask import Blueprint

from simulator.orderbook import STATUS_NAMES
from simulator.orderview import find_order, order_items_json, order_json, orders_json
from simulator.server import common
from simulator.server.common import ApiError, arg, iso, market, operation, seller

bp = Blueprint("orders", __name__)
LAG = 120  # Amazon refuses "before" times later than two minutes ago


def _window() -> dict:
    """Validate the query into a page spec {m, a, b, s, p, n, o}."""
    now = market().now
    cre_a = common.parse_time("CreatedAfter", arg("CreatedAfter"))
    cre_b = common.parse_time("CreatedBefore", arg("CreatedBefore"))
    upd_a = common.parse_time("LastUpdatedAfter", arg("LastUpdatedAfter"))
    upd_b = common.parse_time("LastUpdatedBefore", arg("LastUpdatedBefore"))
    if (cre_a is None) == (upd_a is None):
        raise ApiError(
            400, "InvalidInput", "Exactly one of CreatedAfter and LastUpdatedAfter is required."
        )
    if cre_a is not None and (upd_b is not None):
        raise ApiError(400, "InvalidInput", "LastUpdatedBefore cannot be used with CreatedAfter.")
    if upd_a is not None and (cre_b is not None):
        raise ApiError(400, "InvalidInput", "CreatedBefore cannot be used with LastUpdatedAfter.")
    after = cre_a if cre_a is not None else upd_a
    assert after is not None  # exactly one of the two was given (checked above)
    before = cre_b if cre_a is not None else upd_b
    name = "CreatedBefore" if cre_a is not None else "LastUpdatedBefore"
    if before is not None and before > now - LAG:
        raise ApiError(
            400,
            "InvalidInput",
            f"{name} must be no later than two minutes before the time the request "
            f"was submitted ({iso(now - LAG)}).",
        )
    if after > now - LAG:
        raise ApiError(
            400,
            "InvalidInput",
            "CreatedAfter/LastUpdatedAfter must be no later than two minutes before "
            "the time the request was submitted.",
        )
    if before is None:
        before = now - LAG
    if before < after:
        raise ApiError(400, "InvalidInput", f"{name} must be later than the 'after' time.")
    statuses = common.list_arg("OrderStatuses")
    bad = [
        s
        for s in statuses
        if s not in STATUS_NAMES
        and s
        not in ("PartiallyShipped", "Unfulfillable", "InvoiceUnconfirmed", "PendingAvailability")
    ]
    if bad:
        raise ApiError(400, "InvalidInput", f"Invalid OrderStatuses: {','.join(bad)}")
    size_text = arg("MaxResultsPerPage") or "100"
    if not size_text.isdigit() or not 1 <= int(size_text) <= 100:
        raise ApiError(400, "InvalidInput", "MaxResultsPerPage must be between 1 and 100.")
    channels = common.list_arg("FulfillmentChannels")
    return {
        "m": "c" if cre_a is not None else "u",
        "a": after,
        "b": before,
        "s": statuses,
        "p": int(size_text),
        "n": now,
        "o": 0,
        "f": 1 if channels and "AFN" not in channels else 0,
    }


@bp.get("/orders/v0/orders")
@operation("getOrders")
def get_orders():
    """One page of orders by creation or last-update window, as of the first page's clock."""
    token = arg("NextToken")
    spec = common.decode_token(token) if token else _window()
    s = seller()
    book = s.world.orders
    now = int(spec["n"])
    if spec.get("f") or not len(book):
        idx = np.zeros(0, dtype=np.int64)
    elif spec["m"] == "u":
        idx = book.updated_between(int(spec["a"]), int(spec["b"]), now)
    else:
        idx = book.created_between(int(spec["a"]), int(spec["b"]))
    if spec["s"] and len(idx):
        names = STATUS_NAMES[book.status_code(idx, now)]
        idx = idx[np.isin(names, spec["s"])]
    off, size = int(spec["o"]), int(spec["p"])
    page = idx[off : off + size]
    payload: dict[str, Any] = {"Orders": orders_json(s, page, now)}
    if off + size < len(idx):
        payload["NextToken"] = common.encode_token({**spec, "o": off + size})
    key = "LastUpdatedBefore" if spec["m"] == "u" else "CreatedBefore"
    payload[key] = iso(int(spec["b"]))
    return {"payload": payload}


@bp.get("/orders/v0/orders/<order_id>")
@operation("getOrder")
def get_order(order_id: str):
    """One order."""
    s = seller()
    idx = find_order(s, order_id)
    if idx is None:
        raise ApiError(404, "NotFound", f"Order {order_id} was not found.")
    return {"payload": order_json(s, idx, market().now)}


@bp.get("/orders/v0/orders/<order_id>/orderItems")
@operation("getOrderItems")
def get_order_items(order_id: str):
    """The lines of one order; prices only once the order is no longer Pending."""
    s = seller()
    idx = find_order(s, order_id)
    if idx is None:
        raise ApiError(404, "NotFound", f"Order {order_id} was not found.")
    items = order_items_json(s, idx, market().now)
    token = arg("NextToken")
    off = int(common.decode_token(token)["o"]) if token else 0
    size = 100
    payload = {"AmazonOrderId": order_id, "OrderItems": items[off : off + size]}
    if off + size < len(items):
        payload["NextToken"] = common.encode_token({"o": off + size})
    return {"payload": payload}
