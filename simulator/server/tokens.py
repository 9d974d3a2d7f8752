"""Stateless LWA access tokens: signed with the seller's credentials, checked on every call."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

from simulator.marketplace import Marketplace, Seller


def _mac(seller: Seller, payload: bytes) -> str:
    key = f"{seller.client_secret}|{seller.refresh_token}".encode()
    return hmac.new(key, payload, hashlib.sha256).hexdigest()[:40]


def issue_token(seller: Seller, expires: float) -> str:
    """A self-validating access token: any simulator with this seller's credentials accepts it.

    Stateless on purpose: python-amazon-sp-api caches tokens process-wide, so a test that starts a
    second simulator with the same seed keeps working with the first one's cached token.
    """
    payload = base64.urlsafe_b64encode(
        json.dumps({"c": seller.client_id, "e": int(expires), "n": secrets.token_hex(4)}).encode()
    )
    return "Atza|" + payload.decode() + "." + _mac(seller, payload)


def token_seller(mk: Marketplace, token: str) -> Seller | None:
    """The seller an unexpired, genuine access token belongs to, else None."""
    if not token.startswith("Atza|") or "." not in token:
        return None
    payload, mac = token[5:].rsplit(".", 1)
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("e", 0) < time.time():
        return None
    for s in mk.sellers:
        if s.client_id == data.get("c") and hmac.compare_digest(_mac(s, payload.encode()), mac):
            return s
    return None
