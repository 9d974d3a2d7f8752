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


def test_a_business_in_us_and_ca_writes_us_and_ca_dollars_apart(
    web, seeded, factory, db_session, token
) -> None:
    """Beside a CA account, the US seller's money is US$ (Babel's en_CA writes CAD "$" too), on
    every page and in plan.js's totals; the CA seller's is CA$."""
    ca = factory.seller(
        seeded["tenant"], "Acme CA", marketplace="CA", marketplace_id="A2EUQ1WTGCTBG2"
    )
    db_session.commit()
    product = seeded["products"][0]
    for url in (*MONEY_PAGES, f"/skus/{product.id}"):
        page = web.get(url).get_data(as_text=True)
        assert re.search(r"US\$\d", page), url
        assert not re.search(r"(?<![A-Z])\$\d|-\$", page), url
    page = web.get("/plans/new").get_data(as_text=True)
    assert 'data-currency="USD" data-locale="en-US" data-currency-symbol="US$"' in page
    assert 'id="sum-cost">US$0<' in page
    csrf = token(web, "/")
    chosen = web.post("/sellers/choose", data={"csrf_token": csrf, "seller": ca.id})
    assert chosen.status_code == 302
    page = web.get("/plans/new").get_data(as_text=True)
    assert 'data-currency="CAD" data-locale="en-CA" data-currency-symbol="CA$"' in page
    assert 'id="sum-cost">CA$0<' in page


def test_a_dashboard_seen_before_a_second_currency_is_not_served_stale(
    web, seeded, factory, db_session
) -> None:
    """The dashboard's rendered page is kept per process (app.web.dashboard.fragments); a CA
    account added after a view changes how the US money is written, so the next view is new."""
    assert not re.search(r"US\$\d", web.get("/").get_data(as_text=True))
    factory.seller(seeded["tenant"], "Acme CA", marketplace="CA", marketplace_id="A2EUQ1WTGCTBG2")
    db_session.commit()
    page = web.get("/").get_data(as_text=True)
    assert re.search(r"US\$\d", page)
    assert not re.search(r"(?<![A-Z])\$\d|-\$", page)


def test_one_currency_gives_plan_js_no_symbol(web, seeded) -> None:
    page = web.get("/plans/new").get_data(as_text=True)
    assert "data-currency-symbol" not in page


def test_the_supplier_order_s_unit_cost_is_in_the_seller_s_money() -> None:
    """The SKU page's purchase line '(100 × £30.90)' is written like the amounts beside it."""
    from app.money import formatter
    from app.web.skus.timeline import supplier_order

    tl = {
        "as_of": "2026-12-01",
        "recommendation": {
            "supplier_order": {
                "quantity": 100, "unit_cost": 30.9, "order_by": "2026-12-05",
                "arrives_on": "2027-01-10", "at_fba_on": "2027-01-20",
                "cost": {"lines": {"purchase": 3090.0, "freight": 140.0}, "total": 3230.0},
            }
        },
    }  # fmt: skip
    order = supplier_order(tl, formatter("GBP", "en_GB"))
    purchase = next(line for line in order["lines"] if line["key"] == "purchase")
    assert purchase["label"].endswith("(100 × £30.90)")
    order = supplier_order(tl, formatter("USD", "en_US", distinct=True))
    purchase = next(line for line in order["lines"] if line["key"] == "purchase")
    assert purchase["label"].endswith("(100 × US$30.90)")
