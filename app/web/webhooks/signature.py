"""Webhook signatures: `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`, constant-time."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

MAX_SKEW = 300  # seconds a timestamp may be off from our clock (replays older than this fail)
MAX_SIGNATURES = 4  # a rotation needs two; more is someone making us hash for them


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The header value a forwarder sends for `body` at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def timestamp_ok(header: str | None, now: float, max_skew: int = MAX_SKEW) -> bool:
    """The timestamp is whole Unix seconds within `max_skew` of `now`."""
    if not header or not header.isascii() or not header.isdigit() or len(header) > 12:
        return False
    return abs(now - int(header)) <= max_skew


def signature_ok(
    header: str | None, timestamp: str, body: bytes, secrets: Iterable[str | None]
) -> bool:
    """Any `v1=` value in `header` matches the HMAC of the body under any of `secrets`."""
    if not header:
        return False
    given = [p.strip()[3:] for p in header.split(",") if p.strip().startswith("v1=")]
    if not given or len(given) > MAX_SIGNATURES:
        return False
    expected = [sign(s, timestamp, body)[3:] for s in secrets if s]
    ok = False
    for value in given:
        for mac in expected:
            # No early exit: every pair is compared, so timing says nothing about which matched.
            ok |= hmac.compare_digest(value.encode(), mac.encode())
    return ok
