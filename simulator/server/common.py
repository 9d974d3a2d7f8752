"""What every SP-API route shares: Amazon's error shapes, the access-token check, rate limits."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Response, current_app, g, jsonify, request

from simulator.marketplace import Marketplace, Seller
from simulator.server.tokens import token_seller

FAULT_SLOW_SECONDS = 2.0


class ApiError(Exception):
    """An error answered in Amazon's shape: {"errors": [{"code", "message", "details"}]}."""

    def __init__(self, status: int, code: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def error_response(status: int, code: str, message: str, details: str = "") -> Response:
    """A JSON error response as Amazon sends it."""
    resp = jsonify({"errors": [{"code": code, "message": message, "details": details}]})
    resp.status_code = status
    resp.headers["x-amzn-RequestId"] = str(uuid.uuid4())
    return resp


def market() -> Marketplace:
    """The Marketplace behind the running app."""
    return current_app.config["SIM_MARKETPLACE"]


def region_refusal(owner: Seller) -> str | None:
    """Why a seller may not be called on this request's regional host, or None when it may:
    a UK seller is served by the EU endpoint (`/eu/...`), not the North American one."""
    asked = request.environ.get("simulator.region", "na")
    own = owner.world.market.region
    if asked == own:
        return None
    return (f"The seller's marketplace ({owner.world.market.code}) is served by the {own} "
            f"endpoint, not {asked}.")  # fmt: skip


def seller() -> Seller:
    """The seller identified by the request's access token."""
    return g.seller


def iso(ts: int) -> str:
    """Unix seconds as ISO 8601 UTC (Amazon's Orders style, e.g. 2026-11-26T17:03:21Z)."""
    return datetime.fromtimestamp(int(ts), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(name: str, value: str | None) -> int | None:
    """ISO 8601 text to Unix seconds; a 400 InvalidInput when it does not parse."""
    if value is None or value == "":
        return None
    try:
        dt = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError as exc:
        raise ApiError(400, "InvalidInput", f"Invalid {name}: {value!r} is not ISO 8601.") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp())


def encode_token(data: dict[str, Any]) -> str:
    """An opaque, stable page token."""
    return base64.urlsafe_b64encode(json.dumps(data, sort_keys=True).encode()).decode()


def decode_token(token: str) -> dict[str, Any]:
    """Inverse of encode_token; a 400 InvalidInput when the token is not ours."""
    try:
        data = json.loads(base64.urlsafe_b64decode(token.encode()))
        if not isinstance(data, dict):
            raise ValueError(token)
        return data
    except (ValueError, TypeError) as exc:
        raise ApiError(400, "InvalidInput", "Invalid NextToken.") from exc


def maybe_fault(operation: str) -> Response | None:
    """Deterministic faults: the k-th SP-API request of the run fails when hash(seed, k) < p."""
    mk = market()
    if mk.fault_rate <= 0:
        return None
    with mk.lock:
        mk.fault_counter += 1
        k = mk.fault_counter
    digest = hashlib.sha256(f"fault:{mk.seed}:{k}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    if u >= mk.fault_rate:
        return None
    kind = digest[8] % 4
    mk.fault_log.append(
        {"n": k, "operation": operation, "kind": ("500", "503", "slow", "drop")[kind]}
    )
    if kind == 0:
        return error_response(500, "InternalFailure", "We encountered an internal error.")
    if kind == 1:
        return error_response(503, "ServiceUnavailable", "Service temporarily unavailable.")
    if kind == 2:
        time.sleep(current_app.config.get("SIM_FAULT_SLOW_SECONDS", FAULT_SLOW_SECONDS))
        return None
    sock = request.environ.get("werkzeug.socket")
    if sock is not None:
        # Close without answering: the client sees the connection drop mid-request.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    return error_response(503, "ServiceUnavailable", "Connection dropped.")


def operation(name: str) -> Callable:
    """Decorate an SP-API view: faults, access token, rate limit, x-amzn-RateLimit-Limit."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Response:
            mk = market()
            limiter = current_app.config["SIM_LIMITER"]
            fault = maybe_fault(name)
            if fault is not None:
                return fault
            token = request.headers.get("x-amz-access-token", "")
            owner = token_seller(mk, token)
            if owner is None:
                return error_response(
                    403,
                    "Unauthorized",
                    "Access to requested resource is denied.",
                    "The access token you provided is revoked, malformed or invalid."
                    if token
                    else "",
                )
            asked = requested_marketplace()
            if asked is not None and len(owner.marketplaces) > 1:
                # One selling partner in several marketplaces: the one the call names.
                owner = owner.in_marketplace(asked) or owner
            g.seller = owner
            refused = region_refusal(owner)
            if refused is not None:
                denied = "Access to requested resource is denied."
                return error_response(403, "Unauthorized", denied, refused)
            if not limiter.try_acquire(owner.index, name):
                resp = error_response(
                    429, "QuotaExceeded", "You exceeded your quota for the requested resource."
                )
                resp.headers["x-amzn-RateLimit-Limit"] = limiter.header(name)
                return resp
            # A call about a thing by id (a report, an order's items) is about whichever of the
            # seller's marketplaces holds it, whatever marketplace it names (python-amazon-sp-
            # api adds the client's marketplace to every GET; Amazon ignores it there).
            candidates = [owner, *(m for m in owner.marketplaces if m is not owner)]
            retry_on = (404,) if asked is not None else (400, 404)
            for candidate in candidates:
                g.seller = candidate
                try:
                    with mk.lock:
                        resp = view(*args, **kwargs)
                except ApiError as err:
                    resp = error_response(err.status, err.code, err.message, err.details)
                status = resp.status_code if isinstance(resp, Response) else 200
                if status not in retry_on:
                    break
            if not isinstance(resp, Response):
                resp = current_app.make_response(resp)
            resp.headers["x-amzn-RateLimit-Limit"] = limiter.header(name)
            resp.headers.setdefault("x-amzn-RequestId", str(uuid.uuid4()))
            return resp

        return wrapped

    return decorate


MARKETPLACE_KEYS = ("MarketplaceIds", "marketplaceIds", "MarketplaceId", "marketplaceId")


def requested_marketplace() -> str | None:
    """The marketplace id a call names (query or JSON body, at any depth up to 3), else None."""
    for key in (*MARKETPLACE_KEYS, "granularityId"):
        values = list_arg(key)
        if values:
            return values[0]
    body = request.get_json(silent=True) if request.is_json else None
    return _marketplace_in(body, 3)


def _marketplace_in(value: Any, depth: int) -> str | None:
    if depth < 0 or not isinstance(value, dict):
        return None
    for key in MARKETPLACE_KEYS:
        found = value.get(key)
        if isinstance(found, list) and found and isinstance(found[0], str):
            return found[0]
        if isinstance(found, str):
            return found
    for inner in value.values():
        hit = _marketplace_in(inner, depth - 1)
        if hit is not None:
            return hit
    return None


def money(cents: int) -> dict[str, str]:
    """Orders API Money in the calling seller's currency: amount as a decimal string."""
    mk = seller().world.market
    return {"CurrencyCode": mk.currency, "Amount": mk.amount(cents)}


def arg(name: str, *aliases: str) -> str | None:
    """A query parameter by any of its spellings."""
    for key in (name, *aliases):
        if key in request.args:
            return request.args.get(key)
    return None


def list_arg(name: str) -> list[str]:
    """A list query parameter given as repeats or comma-separated."""
    values: list[str] = []
    for v in request.args.getlist(name):
        values.extend(x for x in v.split(",") if x)
    return values
