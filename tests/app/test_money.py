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
