"""Money in its currency, written as its marketplace writes it (app.money, Babel)."""

from __future__ import annotations

import pytest

from app import money
from app.models import SellerAccount
from integrations.amazon import marketplaces

NBSP = "\xa0"


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "digits", "text"),
    [
        (1234.5, "GBP", "en_GB", 2, "£1,234.50"),
        (1234.5, "EUR", "de_DE", 2, f"1.234,50{NBSP}€"),
        (12345, "JPY", "en_JP", 2, "¥12,345"),  # no minor units: never decimals
        (12345.6, "JPY", "en_JP", 2, "¥12,346"),
        (-620.554, "USD", "en_US", 2, "-$620.55"),  # the sign before the symbol
        (-620.4, "USD", "en_US", 0, "-$620"),
        (-0.004, "USD", "en_US", 2, "$0.00"),  # rounds to zero: no minus sign
        (-0.4, "GBP", "en_GB", 0, "£0"),
        (1234.5, "CAD", "en_CA", 2, "$1,234.50"),
        (1234.5, "SEK", "sv_SE", 2, f"1{NBSP}234,50{NBSP}kr"),
    ],
)
def test_money_is_written_the_locale_s_way(amount, currency, locale, digits, text) -> None:
    assert money.money(amount, currency, locale, digits) == text


def test_every_marketplace_has_a_locale_babel_knows_and_writes_its_currency_in() -> None:
    for m in marketplaces.table().values():
        text = money.money(1234.5, m.currency, m.locale)
        assert any(ch.isdigit() for ch in text), m.code
        # The locale knows the currency's symbol (not just its three-letter code) where it has
        # one: the pages of a UK seller show £, not GBP.
        if m.currency in ("USD", "GBP", "EUR", "JPY", "INR"):
            assert m.currency not in text, (m.code, text)


def test_a_seller_s_money_follows_its_marketplace() -> None:
    uk = SellerAccount(name="shop", marketplace="UK")
    assert money.of(uk) == ("GBP", "en_GB") and uk.currency == "GBP"
    assert money.seller_formatter(uk)(-3) == "-£3.00"
    assert money.seller_formatter(SellerAccount(name="s", marketplace="DE"), 0)(1234.5) == (
        f"1.234{NBSP}€"
    )
    with pytest.raises(KeyError, match="XX"):
        money.of(SellerAccount(name="s", marketplace="XX"))


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "digits", "text"),
    [
        (1234.5, "CAD", "en_CA", 2, "CA$1,234.50"),  # en_CA's own "$" reads as dollars
        (1234.5, "USD", "en_US", 2, "US$1,234.50"),
        (-620.554, "USD", "en_US", 2, "-US$620.55"),
        (-0.4, "CAD", "en_CA", 0, "CA$0"),
        (1234.5, "MXN", "es_MX", 0, "MX$1,234"),
        (1234.5, "EUR", "de_DE", 2, f"1.234,50{NBSP}€"),  # the locale's layout, same symbol
        (1234.5, "GBP", "en_GB", 2, "£1,234.50"),
        (12345, "JPY", "en_JP", 2, "JP¥12,345"),
    ],
)
def test_distinct_money_names_its_currency(amount, currency, locale, digits, text) -> None:
    assert money.money(amount, currency, locale, digits, distinct=True) == text
    assert money.formatter(currency, locale, digits, distinct=True)(amount) == text


def test_distinct_symbols_tell_every_marketplace_currency_apart() -> None:
    currencies = {m.currency for m in marketplaces.table().values()}
    symbols = {money.distinct_symbol(c) for c in currencies}
    assert len(symbols) == len(currencies)


def test_a_business_in_several_currencies_writes_them_apart(factory, db_session) -> None:
    tenant = factory.tenant()
    us = factory.seller(tenant, marketplace="US")
    assert not money.tenant_in_several_currencies(us)
    assert money.seller_formatter(us, 0)(1234.5) == "$1,234"  # one currency: as before
    ca = factory.seller(tenant, marketplace="CA", marketplace_id="A2EUQ1WTGCTBG2")
    assert money.tenant_in_several_currencies(us) and money.tenant_in_several_currencies(ca)
    assert money.seller_formatter(ca, 0)(1234.5) == "CA$1,234"
    assert money.seller_formatter(us, 0)(1234.5) == "US$1,234"
    assert money.seller_formatter(us, 0, distinct=False)(1234.5) == "$1,234"
    assert money.in_several_currencies([us, ca]) and not money.in_several_currencies([us])
    # Another business's accounts do not count.
    other = factory.seller(factory.tenant(), marketplace="US")
    assert not money.tenant_in_several_currencies(other)
    assert not money.tenant_in_several_currencies(SellerAccount(name="new", marketplace="CA"))
