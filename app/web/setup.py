"""Wire the web layer into the app: security headers, login limiter, template context, errors."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request
from markupsafe import Markup
from werkzeug.routing import BaseConverter

from app import localtime, money
from app.models.base import MAX_ID
from app.security import headers
from app.tenancy import TENANT_KEY
from app.web import limits
from app.web.auth.session import current_seller, current_user
from app.web.formatting import DISTINCT_KEY, distinct_money, format_money


def digits_up_to(limit: int) -> str:
    """A regex matching exactly the decimal numbers 1..limit (no sign, no leading zero)."""
    top = str(limit)
    width = len(top)
    alternatives = [rf"[1-9]\d{{0,{width - 2}}}"] if width > 1 else []
    for i, char in enumerate(top):
        low, digit = (1 if i == 0 else 0), int(char)
        if digit > low:
            rest = rf"\d{{{width - i - 1}}}" if i < width - 1 else ""
            alternatives.append(f"{top[:i]}[{low}-{digit - 1}]{rest}")
    alternatives.append(top)
    return "(?:" + "|".join(alternatives) + ")"


class IdConverter(BaseConverter):
    """`<id:name>`: a row id, 1 to MAX_ID; any other text matches no route (404, never a 500).

    Bounded in the pattern, not in to_python: werkzeug answers a value refused after matching
    with 405 when the same path has rules for other methods.
    """

    regex = digits_up_to(MAX_ID)
    weight = 50  # as werkzeug's int converter: preferred to string parts
    part_isolating = True

    def to_python(self, value: str) -> int:
        """The id as an int."""
        return int(value)

    def to_url(self, value: Any) -> str:
        """The id in a URL."""
        return str(int(value))


def money_attrs(seller: Any) -> Markup:
    """data-currency and data-locale for plan.js's Intl.NumberFormat (the locale as BCP 47), and
    data-currency-symbol when the page writes the currency's distinct symbol (app.money)."""
    currency, locale = money.of(seller)
    attrs = Markup('data-currency="{}" data-locale="{}"').format(
        currency, locale.replace("_", "-")
    )
    if distinct_money(seller):
        attrs += Markup(' data-currency-symbol="{}"').format(money.distinct_symbol(currency))
    return attrs


def when(value: Any, seller: Any = None, seconds: bool = False) -> str:
    """Templates' times: an instant in the user's chosen time zone, else the seller's
    marketplace's (UTC without a seller), its zone named: '2026-03-31 23:30 BST'."""
    user = g.get("fba_user")
    chosen = getattr(user, "time_zone", None)
    zone = chosen or (seller.time_zone if hasattr(seller, "marketplace") else "UTC")
    return localtime.label(value, zone, "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def _context() -> dict[str, Any]:
    # Static files and the JSON API never render templates; only pages pay for these lookups.
    if request.blueprint == "static" or request.path.startswith("/api/"):
        return {}
    if current_user() is not None:
        current_seller()
    return {}


# Flask-WTF caches the signed CSRF token in g.csrf_token; after login clears the session it
# must be regenerated, or a stale token (from a secret no longer in the session) is rendered.
_PER_REQUEST = (
    "fba_user",
    "fba_membership",
    "fba_seller",
    "fba_seller_accounts",
    "csrf_token",
    DISTINCT_KEY,
)


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
    limits.init_app(app)
    errors.register(app)
    app.before_request(_reset)
    app.context_processor(_context)
    app.jinja_env.globals.update(format_money=format_money, money_attrs=money_attrs)
    app.jinja_env.filters["when"] = when
