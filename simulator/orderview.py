"""How one order looks from outside at a given clock: Orders API JSON and shared facts."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from simulator.marketplace import Seller
from simulator.orderbook import STATUS_NAMES
from simulator.orders import order_id, parse_order_id
from simulator.truth import clock_iso

_PLACES = (
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


def place(seller: Seller, idx: int) -> tuple[str, str, str]:
    """Deterministic ship-to city, state and postal code."""
    h = hashlib.blake2b(f"{seller.seed}:{idx}".encode(), digest_size=2).digest()
    return _PLACES[int.from_bytes(h, "big") % len(_PLACES)]


def is_prime(idx: int) -> bool:
    """Most FBA orders are Prime."""
    return idx % 5 != 0


def order_json(seller: Seller, idx: int, now: int) -> dict[str, Any]:
    """getOrders/getOrder representation of order `idx` as of `now`."""
    book = seller.world.orders
    o = book.o
    ix = np.array([idx])
    status = int(book.status_code(ix, now)[0])
    last = int(book.last_update(ix, now)[0])
    lines = book.lines_of(idx)
    qty = int(book.line["qty"][lines].sum())
    purchase = int(o["purchase_ts"][idx])
    city, state, postal = place(seller, idx)
    out: dict[str, Any] = {
        "AmazonOrderId": amazon_order_id(seller, idx),
        "PurchaseDate": clock_iso(purchase),
        "LastUpdateDate": clock_iso(last),
        "OrderStatus": str(STATUS_NAMES[status]),
        "FulfillmentChannel": "AFN",
        "SalesChannel": "Amazon.com",
        "ShipServiceLevel": "Expedited",
        "NumberOfItemsShipped": qty if status == 2 else 0,
        "NumberOfItemsUnshipped": qty if status in (0, 1) else 0,
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": seller.marketplace_id,
        "ShipmentServiceLevelCategory": "Expedited",
        "OrderType": "StandardOrder",
        "EarliestShipDate": clock_iso(purchase + 3600),
        "LatestShipDate": clock_iso(purchase + 2 * 86400),
        "IsBusinessOrder": False,
        "IsPrime": is_prime(idx),
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
            "CountryCode": "US",
        },
    }
    if status in (1, 2):
        # Pending and cancelled orders carry no money, as on Amazon.
        total = int((book.line["unit_cents"][lines] * book.line["qty"][lines]).sum())
        out["OrderTotal"] = {"CurrencyCode": "USD", "Amount": f"{total / 100:.2f}"}
    return out


def order_items_json(seller: Seller, idx: int, now: int) -> list[dict[str, Any]]:
    """getOrderItems representation of order `idx`'s lines as of `now`."""
    book = seller.world.orders
    cat = seller.world.catalog
    status = int(book.status_code(np.array([idx]), now)[0])
    items = []
    for line in book.lines_of(idx):
        sku = int(book.line["sku"][line])
        qty = int(book.line["qty"][line])
        item: dict[str, Any] = {
            "ASIN": str(cat["asin"].iat[sku]),
            "SellerSKU": str(cat["sku"].iat[sku]),
            "OrderItemId": order_item_id(seller, int(line)),
            "Title": str(cat["title"].iat[sku]),
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
            item["ItemPrice"] = _money(list_c)
            item["ItemTax"] = _money(0)
            item["PromotionDiscount"] = _money(promo)
            item["PromotionDiscountTax"] = _money(0)
            if promo > 0:
                item["PromotionIds"] = [f"PROMO-{sku:04d}"]
        items.append(item)
    return items


def _money(cents: int) -> dict[str, str]:
    return {"CurrencyCode": "USD", "Amount": f"{cents / 100:.2f}"}
