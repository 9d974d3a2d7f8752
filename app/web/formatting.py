"""How pages print numbers and dates: Jinja filters, and the one implementation of them.

`num`, `money` and `day` are the filters the macros of templates/_macros.html call, so every page
prints a value the same way (and as forecasting.explain writes it in sentences: "$1,234",
"-$620.55", "Dec 5", "Jan 15, 2026"); `money` writes the page's seller's currency (Babel).
Pages with many cells (the dashboard's table) call the
filters directly: a filter is a function call, a macro call costs tens of microseconds.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from flask import Flask, g, has_request_context
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from app import money as app_money

MISSING = "—"  # a value that is not known (yet)
DISTINCT_KEY = "fba_money_distinct"  # g's per-request answers of distinct_money, by business


def num(value: Any, digits: int = 0) -> str:
    """1234.5 -> '1,235' (digits=0), '1,234.50' (digits=2); None -> '—'."""
    if value is None:
        return MISSING
    return f"{value:,.{digits}f}"


def format_money(value: float | None, seller: Any, digits: int = 0) -> str:
    """`value` in `seller`'s currency and locale (app.money, Babel): '$1,235', '-$620.55',
    '£1,234.50', '1.234,50 €', or 'CA$1,235' and 'US$1,235' for a business in several
    currencies; a value that rounds to zero has no sign; None -> '—'.

    A page without a seller to say whose money it is fails loudly rather than guess dollars.
    """
    if value is None:
        return MISSING
    if not hasattr(seller, "marketplace"):
        raise TypeError("money() on a page without a seller: whose currency is it?")
    currency, locale = app_money.of(seller)
    return app_money.money(value, currency, locale, digits, distinct=distinct_money(seller))


def distinct_money(seller: Any) -> bool:
    """Whether the page writes the seller's money with its distinct symbol (CA$, US$): its
    business has accounts in several currencies. Asked once per request and business."""
    if not has_request_context():
        return app_money.tenant_in_several_currencies(seller)
    known = g.setdefault(DISTINCT_KEY, {})
    tenant = getattr(seller, "tenant_id", None)
    if tenant not in known:
        # The header's accounts (app.web.auth.session.current_seller) are every account of
        # the logged-in tenant: when they are loaded, no statement is needed.
        header = g.get("fba_seller_accounts")
        if header and all(getattr(a, "tenant_id", None) == tenant for a in header):
            known[tenant] = app_money.in_several_currencies([*header, seller])
        else:
            known[tenant] = app_money.tenant_in_several_currencies(seller)
    return bool(known[tenant])


@pass_context
def money(context: Context, value: Any, digits: int = 0) -> str:
    """The `money` filter: `value` in the currency of the page's `seller`."""
    return format_money(value, context.get("seller"), digits)


def day(value: dt.date | None, as_of: dt.date | None = None) -> str:
    """'Dec 5', with the year when it is not as_of's ('Jan 15, 2026'); None -> '—'."""
    if value is None:
        return MISSING
    text = f"{value:%b} {value.day}"
    if as_of is not None and value.year != as_of.year:
        return f"{text}, {value.year}"
    return text


@functools.lru_cache(maxsize=256)
def _badge(word: str, label: str, tone: str) -> Markup:
    return Markup('<span class="badge badge-{}" data-status="{}">{}</span>\n').format(
        tone, word, label
    )


def badge(status: Mapping[str, str] | None) -> Markup:
    """A status badge ({word, label, tone}, app.web.dashboard.table.status_badge) as HTML, the
    `status_badge` macro's one implementation; None -> a muted dash. Built once per status (a
    table has a handful of them)."""
    if not status:
        return Markup('<span class="muted">{}</span>').format(MISSING)
    return _badge(status["word"], status["label"], status["tone"])


def init_app(app: Flask) -> None:
    """Register the filters."""
    app.add_template_filter(badge, "badge")
    app.add_template_filter(num, "num")
    app.add_template_filter(money, "money")
    app.add_template_filter(day, "day")
