"""Finances v0: shipment events (principal, FBA fee, commission) and refunds, by time or order."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from flask import Blueprint

from simulator.marketplace import Seller
from simulator.markets import Market
from simulator.orderview import amazon_order_id, find_order, order_item_id
from simulator.server.common import (
    ApiError,
    arg,
    decode_token,
    encode_token,
    iso,
    market,
    operation,
    parse_time,
    seller,
)

bp = Blueprint("finances", __name__)
_EVENTS: dict[tuple[int, ...], tuple[Any, tuple[np.ndarray, np.ndarray]]] = {}
_CACHE_LOCK = threading.Lock()
LAG = 120
MAX_WINDOW = 180 * 86400
REFUND_ADMIN_SHARE = 0.2  # Amazon keeps 20 % of the refunded commission (at most $5)


def _cur(amount: float, mk: Market) -> dict[str, Any]:
    return {"CurrencyCode": mk.currency, "CurrencyAmount": round(float(amount), mk.minor_units)}


def commission(seller: Seller, sku: int, principal_cents: int, qty: int) -> float:
    """Referral fee in the marketplace's currency: rate × price, at least $0.30 per unit (in
    its currency at the simulator's price factor)."""
    mk = seller.world.market
    rate = float(seller.world.lists["referral_rate"][sku])
    least = 0.30 * mk.price_factor * qty
    return round(max(rate * principal_cents / 100.0, least), mk.minor_units)


def shipment_event(seller: Seller, idx: int) -> dict[str, Any]:
    """The ShipmentEvent of order `idx` (posted when it shipped)."""
    book = seller.world.orders
    cat = seller.world.lists  # plain lists: this runs per order of every page
    mk = seller.world.market
    items = []
    for line in book.lines_of(idx):
        sku = int(book.line["sku"][line])
        qty = int(book.line["qty"][line])
        list_c = int(book.line["list_cents"][line]) * qty
        sale_c = int(book.line["unit_cents"][line]) * qty
        item: dict[str, Any] = {
            "SellerSKU": str(cat["sku"][sku]),
            "OrderItemId": order_item_id(seller, int(line)),
            "QuantityShipped": qty,
            "ItemChargeList": [
                {"ChargeType": "Principal", "ChargeAmount": _cur(list_c / 100, mk)},
                {"ChargeType": "Tax", "ChargeAmount": _cur(0, mk)},
            ],
            "ItemFeeList": [
                {
                    "FeeType": "FBAPerUnitFulfillmentFee",
                    "FeeAmount": _cur(-float(cat["fulfillment_fee"][sku]) * qty, mk),
                },
                {
                    "FeeType": "Commission",
                    "FeeAmount": _cur(-commission(seller, sku, sale_c, qty), mk),
                },
            ],
        }
        if list_c > sale_c:
            item["PromotionList"] = [
                {
                    "PromotionType": "PromotionMetaDataDefinitionValue",
                    "PromotionId": f"PROMO-{sku:04d}",
                    "PromotionAmount": _cur(-(list_c - sale_c) / 100, mk),
                }
            ]
        items.append(item)
    return {
        "AmazonOrderId": amazon_order_id(seller, idx),
        "MarketplaceName": seller.world.market.sales_channel,
        "PostedDate": iso(int(book.o["shipped_ts"][idx])),
        "ShipmentItemList": items,
    }


def refund_event(seller: Seller, line: int) -> dict[str, Any]:
    """The refund of one order line: principal back to the buyer, most of the commission back."""
    book = seller.world.orders
    cat = seller.world.lists
    mk = seller.world.market
    idx = int(book.line["order"][line])
    sku = int(book.line["sku"][line])
    qty = int(book.line["qty"][line])
    sale_c = int(book.line["unit_cents"][line]) * qty
    fee = commission(seller, sku, sale_c, qty)
    admin = round(min(5.0 * mk.price_factor, REFUND_ADMIN_SHARE * fee), mk.minor_units)
    return {
        "AmazonOrderId": amazon_order_id(seller, idx),
        "MarketplaceName": seller.world.market.sales_channel,
        "PostedDate": iso(int(book.line["refund_ts"][line])),
        "ShipmentItemAdjustmentList": [
            {
                "SellerSKU": str(cat["sku"][sku]),
                "OrderAdjustmentItemId": f"{line:014d}",
                "QuantityShipped": qty,
                "ItemChargeAdjustmentList": [
                    {"ChargeType": "Principal", "ChargeAmount": _cur(-sale_c / 100, mk)},
                ],
                "ItemFeeAdjustmentList": [
                    {"FeeType": "Commission", "FeeAmount": _cur(fee, mk)},
                    {"FeeType": "RefundCommission", "FeeAmount": _cur(-admin, mk)},
                ],
            }
        ],
    }


def _events(seller: Seller, after: int, before: int) -> tuple[np.ndarray, np.ndarray]:
    """(kind, index) of events posted in [after, before], by time: kind 0 shipment, 1 refund.

    Every page of a window asks for the same list: the last few are kept (keyed by the order
    book's arrays too, which are rebuilt when the clock moves on)."""
    book = seller.world.orders
    if not len(book):
        return np.zeros(0, int), np.zeros(0, int)
    key = (id(seller), after, before, id(book.ship_ts), id(book.refund_ts))
    with _CACHE_LOCK:
        hit = _EVENTS.get(key)
    if hit is not None:
        return hit[1]
    found = _sorted_events(book, after, before)
    with _CACHE_LOCK:
        # The arrays stay referenced while cached, so their ids cannot be reused meanwhile.
        _EVENTS[key] = ((seller, book.ship_ts, book.refund_ts), found)
        while len(_EVENTS) > 8:
            _EVENTS.pop(next(iter(_EVENTS)))
    return found


def _sorted_events(book: Any, after: int, before: int) -> tuple[np.ndarray, np.ndarray]:
    s_lo, s_hi = np.searchsorted(book.ship_ts, [after, before + 1])
    r_lo, r_hi = np.searchsorted(book.refund_ts, [after, before + 1])
    ts = np.concatenate([book.ship_ts[s_lo:s_hi], book.refund_ts[r_lo:r_hi]])
    kind = np.concatenate([np.zeros(s_hi - s_lo, int), np.ones(r_hi - r_lo, int)])
    ref = np.concatenate([book.ship_idx[s_lo:s_hi], book.refund_idx[r_lo:r_hi]])
    order = np.lexsort((ref, kind, ts))
    return kind[order], ref[order]


def _payload(seller: Seller, kinds: np.ndarray, refs: np.ndarray) -> dict[str, Any]:
    ships = [shipment_event(seller, int(r)) for k, r in zip(kinds, refs, strict=True) if k == 0]
    refunds = [refund_event(seller, int(r)) for k, r in zip(kinds, refs, strict=True) if k == 1]
    return {"ShipmentEventList": ships, "RefundEventList": refunds}


def _page_size() -> int:
    text = arg("MaxResultsPerPage") or "100"
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise ApiError(400, "InvalidInput", "MaxResultsPerPage must be between 1 and 100.")
    return int(text)


@bp.get("/finances/v0/financialEvents")
@operation("listFinancialEvents")
def list_financial_events():
    """Events posted between PostedAfter and PostedBefore (at most 180 days apart)."""
    token = arg("NextToken")
    now = market().now
    if token:
        spec = decode_token(token)
    else:
        after = parse_time("PostedAfter", arg("PostedAfter"))
        before = parse_time("PostedBefore", arg("PostedBefore"))
        if after is None:
            raise ApiError(400, "InvalidInput", "PostedAfter is required.")
        if before is not None and before > now - LAG:
            raise ApiError(
                400, "InvalidInput", "PostedBefore must be no later than two minutes before now."
            )
        before = now - LAG if before is None else before
        if after > before:
            raise ApiError(400, "InvalidInput", "PostedAfter must be before PostedBefore.")
        if before - after > MAX_WINDOW:
            raise ApiError(
                400, "InvalidInput", "PostedAfter and PostedBefore must be at most 180 days apart."
            )
        spec = {"a": after, "b": before, "p": _page_size(), "o": 0}
    # A selling partner's events span its marketplaces (each event names its MarketplaceName):
    # one marketplace's events, then the next's.
    every = seller().marketplaces or [seller()]
    m = int(spec.get("m", 0))
    if not 0 <= m < len(every):
        raise ApiError(400, "InvalidInput", "Invalid NextToken.")
    s = every[m]
    kinds, refs = _events(s, int(spec["a"]), int(spec["b"]))
    off, size = int(spec["o"]), int(spec["p"])
    payload: dict[str, Any] = {
        "FinancialEvents": _payload(s, kinds[off : off + size], refs[off : off + size])
    }
    if off + size < len(kinds):
        payload["NextToken"] = encode_token({**spec, "o": off + size})
    elif m + 1 < len(every):
        payload["NextToken"] = encode_token({**spec, "o": 0, "m": m + 1})
    return {"payload": payload}


@bp.get("/finances/v0/orders/<order_id>/financialEvents")
@operation("listFinancialEventsByOrderId")
def list_financial_events_by_order(order_id: str):
    """Every event of one order posted so far."""
    s = seller()
    idx = find_order(s, order_id)
    if idx is None:
        raise ApiError(404, "NotFound", f"Order {order_id} was not found.")
    now = market().now
    book = s.world.orders
    kinds, refs = [], []
    if 0 <= book.o["shipped_ts"][idx] <= now:
        kinds.append(0)
        refs.append(idx)
    for line in book.lines_of(idx):
        if 0 <= book.line["refund_ts"][line] <= now:
            kinds.append(1)
            refs.append(int(line))
    return {"payload": {"FinancialEvents": _payload(s, np.array(kinds), np.array(refs))}}
