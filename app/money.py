"""Money written in its currency, the way its marketplace writes it (Babel).

`money(1234.5, "GBP", "en_GB")` is `£1,234.50`, in EUR for de_DE `1.234,50 €`, in JPY for en_JP
`¥12,345` (a currency without minor units never shows decimals). Every page, email and stored
explanation formats money through here (`formatter` for forecasting's explanations, which take a
formatter and import nothing of the app), and plan.js formats with the browser's
Intl.NumberFormat from the same currency and locale, given on the page.

Amounts round to `digits` decimals first, so a value that rounds to zero never shows a minus sign.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from typing import Protocol

from babel import Locale
from babel.numbers import NumberPattern, get_currency_precision

from integrations.amazon import marketplaces

Formatter = Callable[[float], str]


class HasMarketplace(Protocol):
    """Anything that names its marketplace (a seller account)."""

    marketplace: str


@cache
def _pattern(locale: str, digits: int) -> tuple[Locale, NumberPattern]:
    loc = Locale.parse(locale)
    pattern = copy.copy(loc.currency_formats["standard"])
    pattern.frac_prec = (digits, digits)
    return loc, pattern


@cache
def _precision(currency: str) -> int:
    # Babel looks the currency up in its data on every call; pages format many amounts.
    return int(get_currency_precision(currency))


def money(amount: float, currency: str, locale: str, digits: int = 2) -> str:
    """`amount` in `currency` as `locale` writes it, with `digits` decimals at most (fewer when
    the currency has fewer minor units, as JPY's none)."""
    digits = max(0, min(int(digits), _precision(currency)))
    value = round(float(amount), digits)
    if value == 0:
        value = 0.0  # -0.004 is written 0.00, never -0.00
    loc, pattern = _pattern(locale, digits)
    return pattern.apply(value, loc, currency=currency, currency_digits=False)


def formatter(currency: str, locale: str, digits: int = 2) -> Formatter:
    """A one-argument money formatter for `currency` and `locale` (for forecasting's words)."""
    return lambda amount: money(amount, currency, locale, digits)


def of(account: HasMarketplace) -> tuple[str, str]:
    """The currency and locale of a seller account's money: its marketplace's."""
    m = marketplaces.get(account.marketplace)
    return m.currency, m.locale


def seller_formatter(account: HasMarketplace, digits: int = 2) -> Formatter:
    """The money formatter of a seller account."""
    return formatter(*of(account), digits=digits)
