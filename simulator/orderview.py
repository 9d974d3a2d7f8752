"""How one order looks from outside at a given clock: Orders API JSON and shared facts."""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.marketplace import Seller
from simulator.markets import Market
from simulator.orderbook import STATUS_NAMES
from simulator.orders import order_id, parse_order_id

PLACES = (
    ("SEATTLE", "WA", "98101"),
    ("AUSTIN", "TX", "78701"),
    ("BROOKLYN", "NY", "11201"),
    ("DENVER", "CO", "80202"),
    ("MIAMI", "FL", "33101"),
    ("CHICAGO", "IL", "60601"),
    ("PORTLAND", "OR", "97201"),
    ("COLUMBUS", "OH", "43004"),
    ("PHOENIX", "AZ", "85001"),
    ("ATLANTA", "GA", "30301"),
    ("BOSTON", "MA", "02108"),
    ("SAN DIEGO", "CA", "92101"),
)


def amazon_order_id(seller: Seller, idx: int) -> str:
    """The AmazonOrderId of order `idx`."""
    o = seller.world.orders.o
    return order_id(seller.order_prefix, int(o["day"][idx]), int(o["num"][idx]))


def find_order(seller: Seller, text: str) -> int | None:
    """Order index from an AmazonOrderId, or None."""
    parsed = parse_order_id(seller.order_prefix, text)
    if parsed is None:
        return None
    return seller.world.orders.lookup(*parsed)


def order_item_id(seller: Seller, line: int) -> str:
    """A 14-digit OrderItemId, stable for the life of the seller."""
    return f"{10 + seller.seed % 89:02d}{line:012d}"


def place_index(seed: int, idx: np.ndarray) -> np.ndarray:
    """Deterministic ship-to place per order (index into PLACES), vectorised."""
    h = (idx.astype(np.uint64) * np.uint64(2654435761) + np.uint64(seed * 97 + 13)) % np.uint64(
        2**32
    )
    return ((h >> np.uint64(8)) % np.uint64(len(PLACES))).astype(np.int64)


def place(seller: Seller, idx: int) -> tuple[str, str, str]:
    """Deterministic ship-to city, state and postal code."""
    return PLACES[int(place_index(seller.seed, np.array([idx]))[0])]


def is_prime(idx: int) -> bool:
    """Most FBA orders are Prime."""
    return idx % 5 != 0


def iso_many(ts: np.ndarray) -> list[str]:
    """Unix seconds to ISO 8601 UTC strings (…Z), vectorised."""
    text = np.datetime_as_string(np.asarray(ts, dtype="int64").astype("datetime64[s]"), unit="s")
    return [t + "Z" for t in text]


def orders_json(seller: Seller, idx: np.ndarray, now: int) -> list[dict[str, Any]]:
    """getOrders representation of many orders as of `now`, computed column-wise."""
    book = seller.world.orders
    o = book.o
    idx = np.asarray(idx, dtype=np.int64)
    if not len(idx):
        return []
    status = book.status_code(idx, now)
    last = iso_many(book.last_update(idx, now))
    purchase_ts = o["purchase_ts"][idx]
    purchase = iso_many(purchase_ts)
    earliest = iso_many(purchase_ts + 3600)
    latest = iso_many(purchase_ts + 2 * 86400)
    starts, counts = o["line_start"][idx], o["n_lines"][idx]
    line_ix = np.repeat(starts, counts) + (
        np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    )
    owner = np.repeat(np.arange(len(idx)), counts)
    qty = np.bincount(owner, weights=book.line["qty"][line_ix], minlength=len(idx)).astype(int)
    paid = np.bincount(
        owner,
        weights=book.line["qty"][line_ix] * book.line["unit_cents"][line_ix],
        minlength=len(idx),
    ).astype(np.int64)
    places = place_index(seller.seed, idx)
    mk = seller.world.market
    out = []
    for n, i in enumerate(idx.tolist()):
        code = int(status[n])
        city, state, postal = PLACES[int(places[n])]
        item: dict[str, Any] = {
            "AmazonOrderId": order_id(seller.order_prefix, int(o["day"][i]), int(o["num"][i])),
            "PurchaseDate": purchase[n],
            "LastUpdateDate": last[n],
            "OrderStatus": str(STATUS_NAMES[code]),
            "FulfillmentChannel": "AFN",
            "SalesChannel": mk.sales_channel,
            "ShipServiceLevel": "Expedited",
            "NumberOfItemsShipped": int(qty[n]) if code == 2 else 0,
            "NumberOfItemsUnshipped": int(qty[n]) if code in (0, 1) else 0,
            "PaymentMethod": "Other",
            "PaymentMethodDetails": ["Standard"],
            "MarketplaceId": seller.marketplace_id,
            "ShipmentServiceLevelCategory": "Expedited",
            "OrderType": "StandardOrder",
            "EarliestShipDate": earliest[n],
            "LatestShipDate": latest[n],
            "IsBusinessOrder": False,
            "IsPrime": is_prime(i),
            "IsPremiumOrder": False,
            "IsGlobalExpressEnabled": False,
            "IsReplacementOrder": False,
            "IsSoldByAB": False,
            "IsISPU": False,
            "IsAccessPointOrder": False,
            "HasRegulatedItems": False,
            "ShippingAddress": {
                "City": city,
                "StateOrRegion": state,
                "PostalCode": postal,
                "CountryCode": mk.country,
            },
        }
        if code in (1, 2):
            # Pending and cancelled orders carry no money, as on Amazon.
            item["OrderTotal"] = {"CurrencyCode": mk.currency, "Amount": mk.amount(paid[n])}
        out.append(item)
    return out


def order_json(seller: Seller, idx: int, now: int) -> dict[str, Any]:
    """getOrders/getOrder representation of order `idx` as of `now`."""
    return orders_json(seller, np.array([idx]), now)[0]


def order_items_json(seller: Seller, idx: int, now: int) -> list[dict[str, Any]]:
    """getOrderItems representation of order `idx`'s lines as of `now`."""
    book = seller.world.orders
    cat = seller.world.lists
    mk = seller.world.market
    status = int(book.status_code(np.array([idx]), now)[0])
    items = []
    for line in book.lines_of(idx).tolist():
        sku = int(book.line["sku"][line])
        qty = int(book.line["qty"][line])
        item: dict[str, Any] = {
            "ASIN": cat["asin"][sku],
            "SellerSKU": cat["sku"][sku],
            "OrderItemId": order_item_id(seller, line),
            "Title": cat["title"][sku],
            "QuantityOrdered": qty,
            "QuantityShipped": qty if status == 2 else 0,
            "ProductInfo": {"NumberOfItems": "1"},
            "IsGift": "false",
            "ConditionId": "New",
            "ConditionSubtypeId": "New",
            "IsTransparency": False,
            "SerialNumberRequired": False,
        }
        if status in (1, 2):
            list_c = int(book.line["list_cents"][line]) * qty
            promo = list_c - int(book.line["unit_cents"][line]) * qty
            item["ItemPrice"] = _money(list_c, mk)
            item["ItemTax"] = _money(0, mk)
            item["PromotionDiscount"] = _money(promo, mk)
            item["PromotionDiscountTax"] = _money(0, mk)
            if promo > 0:
                item["PromotionIds"] = [f"PROMO-{sku:04d}"]
        items.append(item)
    return items


def _money(cents: int, mk: Market) -> dict[str, str]:
    return {"CurrencyCode": mk.currency, "Amount": mk.amount(cents)}
