"""Money written in its currency, the way its marketplace writes it (Babel).

`money(1234.5, "GBP", "en_GB")` is `£1,234.50`, in EUR for de_DE `1.234,50 €`, in JPY for en_JP
`¥12,345` (a currency without minor units never shows decimals). Every page, email and stored
explanation formats money through here (`formatter` for forecasting's explanations, which take a
formatter and import nothing of the app), and plan.js formats with the browser's
Intl.NumberFormat from the same currency and locale, given on the page.

Amounts round to `digits` decimals first, so a value that rounds to zero never shows a minus sign.

A business whose marketplaces keep money in more than one currency sees each amount `distinct`:
its currency's international symbol (CLDR's, as en_001 writes it: US$, CA$, MX$, A$, JP¥; £, €
and ₹ stay as they are) in place of the local one, in the same locale's number format. Babel's
en_CA writes CAD as "$", which beside a US page (or on the all-marketplaces page) reads as
dollars; distinct it is CA$1,234.50, and USD is US$1,234.50. A business in one currency keeps
its marketplace's own "$1,234.50". plan.js gets the same symbol from the page
(`data-currency-symbol`, app.web.setup.money_attrs).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, Protocol

from babel import Locale
from babel.numbers import NumberPattern, get_currency_precision, get_currency_symbol
from sqlalchemy import inspect, select

from integrations.amazon import marketplaces

Formatter = Callable[[float], str]


class HasMarketplace(Protocol):
    """Anything that names its marketplace (a seller account)."""

    marketplace: str


# The locale whose currency symbols tell every currency apart (CLDR's international English).
DISTINCT_LOCALE = "en_001"


@cache
def distinct_symbol(currency: str) -> str:
    """The symbol no other currency shares: 'US$', 'CA$', 'MX$', '£', '€'."""
    return str(get_currency_symbol(currency, DISTINCT_LOCALE))


@cache
def _pattern(locale: str, digits: int, symbol: str | None = None) -> tuple[Locale, NumberPattern]:
    loc = Locale.parse(locale)
    pattern = copy.copy(loc.currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    if symbol is not None:
        # The locale's own layout (sign, spacing, side) with this symbol where "¤" stands.
        pattern.prefix = tuple(p.replace("¤", symbol) for p in pattern.prefix)
        pattern.suffix = tuple(p.replace("¤", symbol) for p in pattern.suffix)
    return loc, pattern


@cache
def _precision(currency: str) -> int:
    # Babel looks the currency up in its data on every call; pages format many amounts.
    return int(get_currency_precision(currency))


def money(
    amount: float, currency: str, locale: str, digits: int = 2, distinct: bool = False
) -> str:
    """`amount` in `currency` as `locale` writes it, with `digits` decimals at most (fewer when
    the currency has fewer minor units, as JPY's none); `distinct`: with the currency's
    `distinct_symbol` (a business in several currencies)."""
    digits = max(0, min(int(digits), _precision(currency)))
    value = round(float(amount), digits)
    if value == 0:
        value = 0.0  # -0.004 is written 0.00, never -0.00
    loc, pattern = _pattern(locale, digits, distinct_symbol(currency) if distinct else None)
    return pattern.apply(value, loc, currency=currency, currency_digits=False)


def formatter(currency: str, locale: str, digits: int = 2, distinct: bool = False) -> Formatter:
    """A one-argument money formatter for `currency` and `locale` (for forecasting's words)."""
    return lambda amount: money(amount, currency, locale, digits, distinct)


def of(account: HasMarketplace) -> tuple[str, str]:
    """The currency and locale of a seller account's money: its marketplace's."""
    m = marketplaces.get(account.marketplace)
    return m.currency, m.locale


def in_several_currencies(accounts: Iterable[HasMarketplace]) -> bool:
    """Whether these accounts (a business's) keep money in more than one currency."""
    return len({marketplaces.get(a.marketplace).currency for a in accounts}) > 1


def tenant_in_several_currencies(account: Any) -> bool:
    """Whether the account's business has accounts in more than one currency (asked of the
    database through the account's own session and class: this module sits below the models).
    An account in no session, without a business yet, or not a mapped row at all (a page's
    stand-in that only names its marketplace) has only its own currency."""
    state = inspect(account, raiseerr=False)
    session = state.session if state is not None else None
    if session is None or getattr(account, "tenant_id", None) is None:
        return False
    cls = type(account)
    with session.no_autoflush:
        codes = session.scalars(
            select(cls.marketplace).where(cls.tenant_id == account.tenant_id).distinct()
        ).all()
    return len({marketplaces.get(c).currency for c in {*codes, account.marketplace}}) > 1


def seller_formatter(
    account: HasMarketplace, digits: int = 2, distinct: bool | None = None
) -> Formatter:
    """The money formatter of a seller account: `distinct` when its business has accounts in
    several currencies (asked of the database unless the caller says)."""
    if distinct is None:
        distinct = tenant_in_several_currencies(account)
    return formatter(*of(account), digits=digits, distinct=distinct)
