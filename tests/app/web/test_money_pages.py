"""Pages write money in the seller's currency: a UK seller's dashboard, SKU and plan pages show
£ amounts and never a dollar sign; plan.js gets the currency and locale from the form."""

from __future__ import annotations

import re

import pytest

from integrations.amazon import marketplaces

MONEY_PAGES = ("/", "/plans/new")


def _move(db_session, seller, code: str) -> None:
    m = marketplaces.get(code)
    # The connection moves too: an account's marketplace must be in its connection's region.
    seller.marketplace, seller.marketplace_id, seller.region = m.code, m.marketplace_id, m.region
    seller.connection.region = m.region
    db_session.commit()


@pytest.mark.parametrize(("code", "symbol", "locale"), [("UK", "£", "en-GB"), ("DE", "€", "de-DE"),
                                                        ("JP", "¥", "en-JP")])
def test_pages_show_the_marketplace_currency(web, seeded, db_session, code, symbol,
                                             locale) -> None:
    _move(db_session, seeded["seller"], code)
    product = seeded["products"][0]
    for url in (*MONEY_PAGES, f"/skus/{product.id}"):
        page = web.get(url).get_data(as_text=True)
        assert symbol in page, url
        assert not re.search(r"\$\d|\$-|-\$", page), url
    page = web.get("/plans/new").get_data(as_text=True)
    currency = marketplaces.get(code).currency
    assert f'data-currency="{currency}" data-locale="{locale}"' in page
    assert re.search(r'id="sum-cost">[^<]*' + re.escape(symbol), page)


def test_a_us_seller_keeps_dollars(web, seeded) -> None:
    page = web.get("/plans/new").get_data(as_text=True)
    assert 'data-currency="USD" data-locale="en-US"' in page
    assert 'id="sum-cost">$0<' in page
    assert "£" not in web.get("/").get_data(as_text=True)
