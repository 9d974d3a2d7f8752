"""Signed webhook deliveries of SP-API notifications, at least once, from a background thread."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import random
import threading
import time
import uuid
from typing import Any

import numpy as np
import requests
from flask import Flask

from simulator.inventory import InventorySnapshot, snapshot
from simulator.marketplace import Marketplace, Seller
from simulator.orderbook import STATUS_NAMES
from simulator.orderview import amazon_order_id, is_prime, order_item_id, place
from simulator.truth import clock_iso

DUPLICATE_RATE = 0.03
SWAP_RATE = 0.10
RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0, 4.0)
APPLICATION_ID = "amzn1.sellerapps.app.0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


def _uuid(*parts: Any) -> str:
    return str(uuid.UUID(bytes=hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:16]))


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """X-Webhook-Signature value: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def _metadata(seller: Seller, kind: str, key: str, now: int, camel: bool = False) -> dict:
    meta = {
        "ApplicationId": APPLICATION_ID,
        "SubscriptionId": _uuid("sub", seller.seed, kind),
        "PublishTime": clock_iso(now),
        "NotificationId": _uuid("n", seller.seed, kind, key),
    }
    if camel:
        return {k[0].lower() + k[1:]: v for k, v in meta.items()}
    return meta


def order_change(seller: Seller, idx: int, ts: int, now: int) -> dict:
    """ORDER_CHANGE for order `idx`'s status event at `ts`."""
    book = seller.world.orders
    code = int(book.status_code(np.array([idx]), ts)[0])
    lines = book.lines_of(idx)
    qty = int(book.line["qty"][lines].sum())
    purchase = int(book.o["purchase_ts"][idx])
    items = []
    for line in lines:
        q = int(book.line["qty"][line])
        item = {
            "OrderItemId": order_item_id(seller, int(line)),
            "SellerSKU": str(seller.world.catalog["sku"].iat[int(book.line["sku"][line])]),
            "SupplySourceId": None,
            "Quantity": q,
            "QuantityShipped": q if code == 2 else 0,
        }
        if code in (1, 2):
            item["OrderItemStatus"] = "Shipped" if code == 2 else "Unshipped"
        items.append(item)
    summary = {
        "MarketplaceId": seller.marketplace_id,
        "OrderStatus": str(STATUS_NAMES[code]),
        "PurchaseDate": clock_iso(purchase),
        "DestinationPostalCode": place(seller, idx)[2],
        "FulfillmentType": "AFN",
        "OrderType": "StandardOrder",
        "NumberOfItemsShipped": qty if code == 2 else 0,
        "NumberOfItemsUnshipped": qty if code in (0, 1) else 0,
        "EarliestShipDate": clock_iso(purchase + 3600),
        "LatestShipDate": clock_iso(purchase + 2 * 86400),
        "OrderPrograms": ["Prime"] if is_prime(idx) else [],
        "ShippingPrograms": [],
        "OrderItems": items,
    }
    if code == 3:
        summary["CancelNotifyDate"] = clock_iso(ts)
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": clock_iso(ts),
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": seller.seller_id,
                "AmazonOrderId": amazon_order_id(seller, idx),
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {
                    "TimeOfOrderChange": clock_iso(ts),
                    "ChangeReason": "Order status changed",
                },
                "Summary": summary,
            }
        },
        "NotificationMetadata": _metadata(seller, "ORDER_CHANGE", f"{idx}:{ts}", now),
    }


def inventory_change(seller: Seller, sku: int, snap: InventorySnapshot, now: int) -> dict:
    """FBA_INVENTORY_AVAILABILITY_CHANGES for one SKU with its quantities at `now`."""
    cat = seller.world.catalog
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "FBA_INVENTORY_AVAILABILITY_CHANGES",
        "PayloadVersion": "1.0",
        "EventTime": clock_iso(now),
        "Payload": {
            "SellerId": seller.seller_id,
            "FNSKU": str(cat["fnsku"].iat[sku]),
            "ASIN": str(cat["asin"].iat[sku]),
            "SKU": str(cat["sku"].iat[sku]),
            "FulfillmentInventoryByMarketplace": [
                {
                    "MarketplaceId": seller.marketplace_id,
                    "ItemName": str(cat["title"].iat[sku]),
                    "FulfillmentInventory": {
                        "InboundQuantityBreakdown": {
                            "Working": int(snap.inbound_working[sku]),
                            "Shipped": int(snap.inbound_shipped[sku]),
                            "Receiving": int(snap.inbound_receiving[sku]),
                        },
                        "Fulfillable": int(snap.fulfillable[sku]),
                        "Unfulfillable": 0,
                        "Researching": 0,
                        "ReservedQuantityBreakdown": {
                            "WarehouseProcessing": 0,
                            "WarehouseTransfer": 0,
                            "PendingCustomerOrder": int(snap.pending_customer_order[sku]),
                        },
                        "FutureSupplyBuyable": 0,
                        "PendingCustomerOrderInTransit": 0,
                    },
                }
            ],
        },
        "NotificationMetadata": _metadata(seller, "FBA_INVENTORY", f"{sku}:{now}", now),
    }


def report_finished(seller: Seller, report: dict, now: int) -> dict:
    """REPORT_PROCESSING_FINISHED for a report that reached a final state."""
    inner = {
        "sellerId": seller.seller_id,
        "accountId": seller.seller_id,
        "reportId": report["reportId"],
        "reportType": report["reportType"],
        "processingStatus": report["processingStatus"],
    }
    if report.get("reportDocumentId"):
        inner["reportDocumentId"] = report["reportDocumentId"]
    return {
        "notificationVersion": "2020-09-04",
        "notificationType": "REPORT_PROCESSING_FINISHED",
        "payloadVersion": "2020-09-04",
        "eventTime": clock_iso(now),
        "payload": {"reportProcessingFinishedNotification": inner},
        "notificationMetadata": _metadata(seller, "REPORT", report["reportId"], now, camel=True),
    }


def notification_id(body: dict) -> str:
    """NotificationId of either casing of notification."""
    if "NotificationMetadata" in body:
        return body["NotificationMetadata"]["NotificationId"]
    return body["notificationMetadata"]["notificationId"]


class Notifier:
    """Builds notifications when the clock moves and delivers them from one worker thread."""

    def __init__(self, market: Marketplace) -> None:
        self.market = market
        self._queue: queue.Queue = queue.Queue()
        self._log: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()
        self._snaps = {s.index: snapshot(s.world, market.now) for s in market.sellers}
        self._session = requests.Session()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sim-notifier", daemon=True)
        self._thread.start()

    @classmethod
    def attach(cls, app: Flask, market: Marketplace) -> Notifier:
        """Create a notifier and hook it to the clock and to report completion."""
        notifier = cls(market)
        market.advance_listeners.append(notifier.on_advance)
        app.config["SIM_REPORT_HOOKS"].append(notifier.on_report)
        app.config["SIM_NOTIFIER"] = notifier
        return notifier

    # ----------------------------------------------------------- building
    def on_advance(self, old: int, new: int) -> None:
        """Queue ORDER_CHANGE for status events in (old, new] and inventory changes per SKU."""
        with self.market.lock:
            for s in self.market.sellers:
                snap = snapshot(s.world, new)
                before = self._snaps.get(s.index)
                self._snaps[s.index] = snap
                if not s.webhook_url:
                    continue
                bodies = []
                book = s.world.orders
                if len(book):
                    lo = np.searchsorted(book.ev_ts, old, side="right")
                    hi = np.searchsorted(book.ev_ts, new, side="right")
                    for idx, ts in zip(book.ev_order[lo:hi], book.ev_ts[lo:hi], strict=True):
                        bodies.append(order_change(s, int(idx), int(ts), new))
                if before is not None:
                    changed = np.flatnonzero(
                        (snap.fulfillable != before.fulfillable)
                        | (snap.pending_customer_order != before.pending_customer_order)
                        | (snap.inbound_shipped != before.inbound_shipped)
                        | (snap.inbound_receiving != before.inbound_receiving)
                        | (snap.inbound_working != before.inbound_working)
                    )
                    bodies.extend(inventory_change(s, int(i), snap, new) for i in changed)
                self._enqueue(s, self._shuffle(bodies, f"{s.seed}:{old}:{new}"))

    def on_report(self, seller: Seller, report: dict) -> None:
        """Queue REPORT_PROCESSING_FINISHED when a report is done."""
        if seller.webhook_url:
            self._enqueue(seller, [report_finished(seller, report, self.market.now)])

    @staticmethod
    def _shuffle(bodies: list[dict], key: str) -> list[dict]:
        """At-least-once, like SQS: a few duplicates and some neighbours swapped (seeded)."""
        rng = random.Random(key)
        keyed: list[tuple[float, dict]] = []
        for pos, body in enumerate(bodies):
            keyed.append((pos, body))
            if rng.random() < DUPLICATE_RATE:
                keyed.append((pos + rng.randint(1, 5) + 0.5, body))
        out = [body for _, body in sorted(keyed, key=lambda kb: kb[0])]
        for i in range(len(out) - 1):
            if rng.random() < SWAP_RATE:
                out[i], out[i + 1] = out[i + 1], out[i]
        return out

    def _enqueue(self, seller: Seller, bodies: list[dict]) -> None:
        for body in bodies:
            entry = {
                "seller": seller.index,
                "type": body.get("NotificationType") or body.get("notificationType"),
                "notification_id": notification_id(body),
                "url": seller.webhook_url,
                "attempts": 0,
                "status": None,
                "delivered": False,
                "body": body,
            }
            with self._log_lock:
                self._log.append(entry)
            self._queue.put((entry, seller.webhook_secret or ""))

    # ---------------------------------------------------------- delivering
    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                self._queue.task_done()
                return
            entry, secret = item
            if self._stopping.is_set():
                self._queue.task_done()
                continue
            raw = json.dumps(entry["body"], separators=(",", ":")).encode()
            for delay in (*RETRY_DELAYS, None):
                entry["attempts"] += 1
                stamp = str(int(time.time()))
                headers = {
                    "Content-Type": "application/json",
                    "X-Webhook-Timestamp": stamp,
                    "X-Webhook-Signature": sign(secret, stamp, raw),
                }
                try:
                    resp = self._session.post(entry["url"], data=raw, headers=headers, timeout=5)
                    entry["status"] = resp.status_code
                    if 200 <= resp.status_code < 300:
                        entry["delivered"] = True
                        break
                except requests.RequestException as exc:
                    entry["status"] = f"error: {type(exc).__name__}"
                if delay is None or self._stopping.wait(delay):
                    break
            self._queue.task_done()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued delivery finished (delivered or gave up)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self._queue.unfinished_tasks == 0:
                return True
            time.sleep(0.02)
        return False

    def sent_log(self) -> list[dict[str, Any]]:
        """Copies of every delivery record, oldest first."""
        with self._log_lock:
            return [dict(e) for e in self._log]

    def stop(self) -> None:
        """Finish the worker thread, abandoning pending retries."""
        self._stopping.set()
        self._queue.put(None)
        self._thread.join(timeout=10)
        self._session.close()
