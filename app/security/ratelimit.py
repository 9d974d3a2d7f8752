"""Login attempt limiting per client IP and e-mail: Redis when configured, else in memory."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from typing import Any, Protocol

from flask import Flask, current_app

DEFAULT_LIMIT = 10
DEFAULT_WINDOW_SECONDS = 15 * 60


class Limiter(Protocol):
    """Counts failures for a key inside a sliding window."""

    def blocked(self, key: str) -> int:
        """Seconds until the key may try again (0: not blocked)."""

    def fail(self, key: str) -> None:
        """Record one failed attempt."""

    def reset(self, key: str) -> None:
        """Forget the key's failures (after a successful login)."""


class MemoryLimiter:
    """Per-process sliding window; enough for one process (the demo, tests)."""

    def __init__(self, limit: int, window: float):
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def blocked(self, key: str) -> int:
        """Seconds until the key may try again (0: not blocked)."""
        now = time.monotonic()
        with self._lock:
            hits = self._trim(key, now)
            if len(hits) < self.limit:
                return 0
            return max(1, int(hits[0] + self.window - now))

    def fail(self, key: str) -> None:
        """Record one failed attempt."""
        with self._lock:
            self._trim(key, time.monotonic()).append(time.monotonic())

    def reset(self, key: str) -> None:
        """Forget the key's failures."""
        with self._lock:
            self._hits.pop(key, None)


class RedisLimiter:
    """Fixed window counter in Redis, shared by every web process."""

    def __init__(self, conn: Any, limit: int, window: int):
        self.conn, self.limit, self.window = conn, limit, window

    def blocked(self, key: str) -> int:
        """Seconds until the key may try again (0: not blocked)."""
        count = self.conn.get(key)
        if count is None or int(count) < self.limit:
            return 0
        return max(1, int(self.conn.ttl(key)))

    def fail(self, key: str) -> None:
        """Record one failed attempt; the window starts with the first failure."""
        pipe = self.conn.pipeline()
        pipe.incr(key)
        pipe.expire(key, self.window, nx=True)
        pipe.execute()

    def reset(self, key: str) -> None:
        """Forget the key's failures."""
        self.conn.delete(key)


def login_key(ip: str | None, email: str) -> str:
    """Key for one client and account; the e-mail is hashed so Redis holds no addresses."""
    digest = hashlib.sha256(f"{ip or '-'}|{email.strip().lower()}".encode()).hexdigest()[:32]
    return f"fba:login:{digest}"


def init_app(app: Flask) -> None:
    """Choose the backend from REDIS_URL."""
    limit = int(app.config.get("LOGIN_RATE_LIMIT", DEFAULT_LIMIT))
    window = int(app.config.get("LOGIN_RATE_WINDOW", DEFAULT_WINDOW_SECONDS))
    limiter: Limiter
    if app.config.get("REDIS_URL"):
        import redis

        limiter = RedisLimiter(redis.Redis.from_url(app.config["REDIS_URL"]), limit, window)
    else:
        limiter = MemoryLimiter(limit, window)
    app.extensions["fba_login_limiter"] = limiter


def login_limiter() -> Limiter:
    """The current app's login limiter."""
    return current_app.extensions["fba_login_limiter"]
