"""Client-side pacing: one token bucket per (seller, operation) at the documented rate and burst.

Buckets live in-process by default; with a Redis connection they live in Redis (a Lua script
with Redis's own clock), so several workers pacing the same seller share one budget.
Buckets reserve: every caller takes a slot at once and sleeps until its slot comes, so waiting
callers are served in arrival order and nobody spins.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Limit:
    """A usage plan: sustained requests per second and burst size."""

    rate: float
    burst: int


# Documented usage plans (see shared/spapi-notes.md).
OPERATION_LIMITS: dict[str, Limit] = {
    "getOrders": Limit(0.0167, 20),
    "getOrderItems": Limit(0.5, 30),
    "getInventorySummaries": Limit(2.0, 2),
    "listFinancialEvents": Limit(0.5, 30),
    "getMyFeesEstimateForSKU": Limit(1.0, 2),
    "createReport": Limit(0.0167, 15),
    "getReport": Limit(2.0, 15),
    "getReportDocument": Limit(0.0167, 15),
    "createInboundPlan": Limit(2.0, 2),
    "getShipments": Limit(2.0, 30),
    "getShipmentItemsByShipmentId": Limit(2.0, 30),
    "getShipmentItems": Limit(2.0, 30),
    "listInboundPlans": Limit(2.0, 6),
    "getInboundPlan": Limit(2.0, 6),
    "getShipment": Limit(2.0, 6),
    "listShipmentItems": Limit(2.0, 30),
    "listInventory": Limit(2.0, 2),
    "listInboundShipments": Limit(1.0, 1),
    "getInboundShipment": Limit(2.0, 2),
}


class Buckets(Protocol):
    """Storage of token buckets: `reserve` returns how long the caller must wait for its slot."""

    def reserve(self, key: str, rate: float, burst: int) -> float: ...

    def drain(self, key: str, rate: float, burst: int) -> None: ...

    def peek(self, key: str, rate: float, burst: int) -> float: ...


class LocalBuckets:
    """Token buckets in this process (threads share them)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}

    def reserve(self, key: str, rate: float, burst: int) -> float:
        """Take a slot; return seconds until it is due (0 when a token was available)."""
        with self._lock:
            now = self._clock()
            tokens, ts = self._state.get(key, (float(burst), now))
            tokens = min(float(burst), tokens + (now - ts) * rate) - 1.0
            self._state[key] = (tokens, now)
        return 0.0 if tokens >= 0 else -tokens / rate

    def drain(self, key: str, rate: float, burst: int) -> None:
        """The server said 429: assume its bucket is empty."""
        with self._lock:
            tokens, _ = self._state.get(key, (0.0, 0.0))
            self._state[key] = (min(tokens, 0.0), self._clock())

    def peek(self, key: str, rate: float, burst: int) -> float:
        """Seconds until a slot would be free now, taking none."""
        with self._lock:
            now = self._clock()
            tokens, ts = self._state.get(key, (float(burst), now))
        tokens = min(float(burst), tokens + (now - ts) * rate)
        return 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate


_RESERVE_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local drain = ARGV[3] == '1'
local peek = ARGV[3] == '2'
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(v[1]) or burst
local ts = tonumber(v[2]) or now
tokens = math.min(burst, tokens + (now - ts) * rate)
local wait = 0
if peek then
  if tokens < 1 then wait = (1 - tokens) / rate end
  return tostring(wait)
end
if drain then
  tokens = math.min(tokens, 0)
else
  tokens = tokens - 1
  if tokens < 0 then wait = -tokens / rate end
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
return tostring(wait)
"""


class RedisBuckets:
    """Token buckets in Redis, shared by every process that paces the same seller."""

    def __init__(self, redis: Any, prefix: str = "fba:spapi:rl:") -> None:
        self._redis = redis
        self._prefix = prefix
        self._script = redis.register_script(_RESERVE_LUA)

    def reserve(self, key: str, rate: float, burst: int) -> float:
        """Take a slot in the shared bucket; return seconds until it is due."""
        return float(self._script(keys=[self._prefix + key], args=[rate, burst, "0"]))

    def drain(self, key: str, rate: float, burst: int) -> None:
        """The server said 429: empty the shared bucket for everyone."""
        self._script(keys=[self._prefix + key], args=[rate, burst, "1"])

    def peek(self, key: str, rate: float, burst: int) -> float:
        """Seconds until a slot in the shared bucket would be free now, taking none."""
        return float(self._script(keys=[self._prefix + key], args=[rate, burst, "2"]))


_local = LocalBuckets()


def local_buckets() -> LocalBuckets:
    """The process-wide in-memory buckets (so every client in a process shares them)."""
    return _local


class Pacer:
    """Paces one seller's calls per operation; learns the rate in force from responses.

    `scale` multiplies the documented rates (tests run the simulator with --rate-scale K).
    The `x-amzn-RateLimit-Limit` header wins when it names a rate other than the documented
    one: that is the rate Amazon applies to this seller now.
    """

    def __init__(
        self,
        seller_key: str,
        buckets: Buckets | None = None,
        scale: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.seller_key = seller_key
        self.buckets = buckets or _local
        self.scale = scale
        self._sleep = sleep
        self._observed: dict[str, float] = {}
        self.waited = 0.0

    def limit(self, operation: str) -> Limit:
        """The plan in force for an operation."""
        documented = OPERATION_LIMITS.get(operation, Limit(1.0, 1))
        observed = self._observed.get(operation)
        if observed is None or abs(observed - documented.rate) <= documented.rate * 0.02:
            return Limit(documented.rate * self.scale, documented.burst)
        return Limit(observed, documented.burst)

    def _key(self, operation: str) -> str:
        return f"{self.seller_key}:{operation}"

    def wait(self, operation: str) -> None:
        """Block until the operation may be called."""
        plan = self.limit(operation)
        delay = self.buckets.reserve(self._key(operation), plan.rate, plan.burst)
        if delay > 0:
            self.waited += delay
            self._sleep(delay)

    def due(self, operation: str) -> float:
        """Seconds until the operation could be called without waiting (0: now); takes no
        slot, so a caller with other work can do it first instead of sleeping in `wait`."""
        plan = self.limit(operation)
        return self.buckets.peek(self._key(operation), plan.rate, plan.burst)

    def throttled(self, operation: str) -> float:
        """Record a 429; return how long to wait before the retry."""
        plan = self.limit(operation)
        self.buckets.drain(self._key(operation), plan.rate, plan.burst)
        return 1.0 / plan.rate

    def observe(self, operation: str, header: str | None) -> None:
        """Adopt the rate a response announced in `x-amzn-RateLimit-Limit`."""
        if not header:
            return
        try:
            rate = float(header)
        except ValueError:
            return
        if rate > 0:
            self._observed[operation] = rate
