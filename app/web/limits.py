"""Request rate limits with Flask-Limiter: login, sign-up, invitations, API tokens, webhooks.

Counters live in Redis when REDIS_URL is set (shared by every web process), else in memory.
The storage URI is the plain `redis://` URL: Flask-Limiter's `[redis]` extra would pin an older
redis client than the one the jobs use, and `limits` only needs the client to be importable.
Limits count by client address (the real one behind TRUSTED_PROXIES) and, for login, by the
e-mail tried as well, hashed so the store holds no addresses. Failure-based limits only count
answers that failed (401/422), so a user who types their password right is never slowed down.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask, Response, request
from flask_limiter import Limiter

LOGIN_FAILURES = "10 per 15 minutes"  # per client and e-mail
LOGIN_PER_CLIENT = "60 per 15 minutes"  # every login POST from one address, any e-mail
SIGNUP = "10 per hour"
ACCOUNT_FAILURES = "10 per 15 minutes"  # wrong current password, bad invitation password
API_AUTH_FAILURES = "30 per minute"
WEBHOOK_FAILURES = "30 per minute"
WEBHOOK_PER_CLIENT = "1200 per minute"
RESET_REQUESTS = "5 per 15 minutes"  # reset requests per client, and per client+e-mail


def client_address() -> str:
    """The client's address (ProxyFix has already applied TRUSTED_PROXIES)."""
    return request.remote_addr or "-"


def client_and_email() -> str:
    """Key of one client trying one e-mail; the address is hashed."""
    email = (request.form.get("email") or "").strip().lower()
    digest = hashlib.sha256(f"{client_address()}|{email}".encode()).hexdigest()[:32]
    return f"login:{digest}"


def _failed(*statuses: int) -> Any:
    def deduct(response: Response) -> bool:
        return response.status_code in statuses

    return deduct


# One Limiter for the process: views are decorated at import. init_app binds it to an app
# (storage from that app's REDIS_URL); a process serves one app, tests make one per test.
limiter = Limiter(
    key_func=client_address,
    key_prefix="fba",
    strategy="fixed-window",
    headers_enabled=False,
)

login_limits = [
    limiter.limit(LOGIN_FAILURES, key_func=client_and_email, methods=["POST"],
                  deduct_when=_failed(401)),
    limiter.limit(LOGIN_PER_CLIENT, methods=["POST"]),
]  # fmt: skip
signup_limit = limiter.limit(SIGNUP, methods=["POST"])
reset_limits = [
    limiter.limit(RESET_REQUESTS, methods=["POST"]),
    limiter.limit(RESET_REQUESTS, key_func=client_and_email, methods=["POST"]),
]
account_limit = limiter.limit(ACCOUNT_FAILURES, methods=["POST"], deduct_when=_failed(422))


_blueprints_limited = False


def _limit_blueprints() -> None:
    """Limits on every route of the API (bad tokens) and webhooks (bad signatures, floods)."""
    global _blueprints_limited  # noqa: PLW0603 - once per process: the limiter is global too
    if _blueprints_limited:
        return
    from app.web.api import bp as api_bp
    from app.web.webhooks.views import bp as webhooks_bp

    limiter.limit(API_AUTH_FAILURES, deduct_when=_failed(401))(api_bp)
    limiter.limit(WEBHOOK_FAILURES, deduct_when=_failed(401))(webhooks_bp)
    limiter.limit(WEBHOOK_PER_CLIENT)(webhooks_bp)
    _blueprints_limited = True


def init_app(app: Flask) -> None:
    """Bind the limiter to `app`: storage from REDIS_URL (memory without it)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
    _limit_blueprints()
