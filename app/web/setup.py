"""Wire the web layer into the app: security headers, login limiter, template context, errors."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request
from werkzeug.routing import IntegerConverter

from app.models.base import MAX_ID
from app.security import headers, ratelimit
from app.tenancy import TENANT_KEY
from app.web.auth.session import current_seller, current_user


class IdConverter(IntegerConverter):
    """`<id:name>`: a row id, 1 to MAX_ID; anything else matches no route (404, never a 500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        super().__init__(map, min=1, max=MAX_ID)


def _context() -> dict[str, Any]:
    # Static files and the JSON API never render templates; only pages pay for these lookups.
    if request.blueprint == "static" or request.path.startswith("/api/"):
        return {}
    if current_user() is not None:
        current_seller()
    return {}


# Flask-WTF caches the signed CSRF token in g.csrf_token; after login clears the session it
# must be regenerated, or a stale token (from a secret no longer in the session) is rendered.
_PER_REQUEST = ("fba_user", "fba_membership", "fba_seller", "fba_seller_accounts", "csrf_token")


def _reset() -> None:
    # An app context can outlive one request (tests push one around many requests), so the
    # per-request cache in g and the session's tenant mark must start fresh each time.
    for key in _PER_REQUEST:
        g.pop(key, None)
    session = g.get("fba_session")
    if session is not None:
        session.info.pop(TENANT_KEY, None)


def init_app(app: Flask) -> None:
    """Install everything the pages rely on (first: routes need the `id` converter)."""
    from app.web import errors

    app.url_map.converters["id"] = IdConverter
    headers.init_app(app)
    ratelimit.init_app(app)
    errors.register(app)
    app.before_request(_reset)
    app.context_processor(_context)
