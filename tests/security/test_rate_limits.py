"""Finding 9: rate limits beyond login. API bearer authentication and the webhook count failed
attempts per client; the limit also stops a client that later brings a valid credential."""

from __future__ import annotations

import time
from typing import Any

from app.web import limits


def _limit_count(spec: str) -> int:
    return int(spec.split()[0])


def test_failed_api_tokens_are_limited_per_client(app: Any, client: Any) -> None:
    allowed = _limit_count(limits.API_AUTH_FAILURES)
    bad = {"Authorization": "Bearer fbap_guessed-token"}
    for _ in range(allowed):
        assert client.get("/api/v1/skus", headers=bad).status_code == 401
    assert client.get("/api/v1/skus", headers=bad).status_code == 429
    # Another client (address) is not affected.
    other = app.test_client()
    response = other.get("/api/v1/skus", headers=bad, environ_base={"REMOTE_ADDR": "127.0.0.9"})
    assert response.status_code == 401


def test_bad_webhook_signatures_are_limited_per_client(
    app: Any, client: Any, factory: Any, db_session: Any
) -> None:
    seller = factory.seller(factory.tenant("Hooks"))
    db_session.commit()
    url = f"/webhooks/sp-api/{seller.public_id}"
    headers = {
        "X-Webhook-Timestamp": str(int(time.time())),
        "X-Webhook-Signature": "v1=" + "0" * 64,
        "Content-Type": "application/json",
    }
    for _ in range(_limit_count(limits.WEBHOOK_FAILURES)):
        assert client.post(url, data=b"{}", headers=headers).status_code == 401
    assert client.post(url, data=b"{}", headers=headers).status_code == 429
