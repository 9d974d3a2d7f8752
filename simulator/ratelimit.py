"""Token buckets per (seller, operation) at the SP-API's documented rates and bursts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

# operation -> (requests per second, burst), from shared/spapi-notes.md and the API docs.
RATES: dict[str, tuple[float, int]] = {
    "getOrders": (0.0167, 20),
    "getOrder": (0.5, 30),
    "getOrderItems": (0.5, 30),
    "getInventorySummaries": (2.0, 2),
    "listFinancialEvents": (0.5, 30),
    "listFinancialEventsByOrderId": (0.5, 30),
    "getMyFeesEstimateForSKU": (1.0, 2),
    "createReport": (0.0167, 15),
    "getReport": (2.0, 15),
    "getReports": (0.0222, 10),
    "getReportDocument": (0.0167, 15),
    "createInboundPlan": (2.0, 2),
    "getInboundPlan": (2.0, 6),
    "listInboundPlans": (2.0, 6),
    "getInboundOperationStatus": (2.0, 6),
    "getShipment": (2.0, 6),
    "listShipmentItems": (2.0, 30),
    "listInboundPlanItems": (2.0, 6),
    "getShipments": (2.0, 30),
    "getShipmentItemsByShipmentId": (2.0, 30),
    "getShipmentItems": (2.0, 30),
    "listInventory": (2.0, 2),
    "listInboundShipments": (1.0, 1),
    "getInboundShipment": (2.0, 2),
}


class RateLimiter:
    """Thread-safe token buckets; `scale` multiplies every rate (not the bursts)."""

    def __init__(self, scale: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.scale = scale
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[int, str], tuple[float, float]] = {}

    def rate(self, operation: str) -> float:
        """Requests per second in force for an operation."""
        return RATES[operation][0] * self.scale

    def header(self, operation: str) -> str:
        """Value of x-amzn-RateLimit-Limit for an operation."""
        return f"{self.rate(operation):g}"

    def try_acquire(self, seller: int, operation: str) -> bool:
        """Take one token; False when the bucket is empty (the caller answers 429)."""
        rate, burst = self.rate(operation), RATES[operation][1]
        now = self._clock()
        with self._lock:
            tokens, stamp = self._buckets.get((seller, operation), (float(burst), now))
            tokens = min(float(burst), tokens + (now - stamp) * rate)
            if tokens < 1.0:
                self._buckets[(seller, operation)] = (tokens, now)
                return False
            self._buckets[(seller, operation)] = (tokens - 1.0, now)
            return True
