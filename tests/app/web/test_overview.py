"""/marketplaces/: every marketplace named, each in its own currency, totals per currency, a
converted total only at rates the business entered (shown with the rate and its day)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from sqlalchemy import func, select


def _add_ca(db_session: Any, seeded: dict[str, Any], factory: Any, value_units: int = 10) -> Any:
    """A CA account beside the seeded US one (its own connection here), with one SKU worth
    `value_units` x CA$7 at cost on hand."""
    from app.models import InventorySnapshot, Product

    ca = factory.seller(
        seeded["tenant"], "Acme CA", marketplace="CA", marketplace_id="A2EUQ1WTGCTBG2"
    )
    db_session.add(
        Product(
            tenant_id=ca.tenant_id, seller_account_id=ca.id, sku="CA-ONLY-1",
            title="Maple syrup tin", unit_cost=7.0, price=25.0,
        )
    )  # fmt: skip
    db_session.add(
        InventorySnapshot(
            tenant_id=ca.tenant_id, seller_account_id=ca.id, sku="CA-ONLY-1",
            date=dt.datetime.now(dt.UTC).date(), fulfillable=value_units, source="ledger",
        )
    )  # fmt: skip
    db_session.commit()
    return ca


def _row(page: str, row_attr: str) -> str:
    row = re.search(rf"<tr[^>]*{row_attr}[^>]*>(.*?)</tr>", page, re.S)
    assert row, row_attr
    return row.group(1)


def _cells(page: str, row_attr: str) -> list[str]:
    row = re.search(rf"<tr[^>]*{row_attr}[^>]*>(.*?)</tr>", page, re.S)
    assert row, row_attr
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row.group(1), re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def test_each_marketplace_in_its_currency_and_never_summed(web, seeded, factory, db_session):
    from app import summaries

    us = seeded["seller"]
    _add_ca(db_session, seeded, factory)
    page = web.get("/marketplaces/").get_data(as_text=True)
    assert 'data-marketplace="US"' in page and 'data-marketplace="CA"' in page
    us_state = summaries.ensure(db_session, us.tenant_id, us.id)
    # A business in two currencies: each amount with its distinct symbol, never a bare "$".
    us_value = f"US${us_state.value:,.0f}"
    assert not re.search(r"(?<![A-Z])\$\d", page)
    ca_cells = _cells(page, 'data-marketplace="CA" data-currency="CAD"')
    assert "CA$70" in ca_cells  # 10 units at CA$7, never written as plain "$"
    assert 'data-missing-cost' not in _row(page, 'data-marketplace="CA" data-currency="CAD"')
    us_cells = _cells(page, 'data-marketplace="US" data-currency="USD"')
    assert us_value in us_cells
    # One total per currency; no figure anywhere is US + CA.
    usd_total = _cells(page, 'data-currency-total="USD"')
    cad_total = _cells(page, 'data-currency-total="CAD"')
    assert us_value in usd_total and "CA$70" in cad_total
    mixed = f"{us_state.value + 70:,.0f}"
    assert mixed not in page
    assert 'id="converted-total"' not in page and 'id="no-conversion"' in page
    assert "no exchange rates entered" in page
    # Two currencies: the rate form is there, and the line saying none is needed is not.
    assert 'action="/marketplaces/rates"' in page and 'id="no-rates"' not in page
    # The SKU table names each row's marketplace; the filter keeps one.
    only_ca = web.get("/marketplaces/?marketplace=ca").get_data(as_text=True)
    skus = re.search(r'id="risky-skus".*?</table>', only_ca, re.S).group(0)
    assert "CA-ONLY-1" in skus and 'data-marketplace="US"' not in skus
    assert "CA$25.00" in skus


def test_converted_total_at_entered_rates_with_the_rate_and_day(
    web, seeded, factory, db_session, token
):
    from app import summaries
    from app.models import ExchangeRate

    us = seeded["seller"]
    _add_ca(db_session, seeded, factory)
    csrf = token(web, "/marketplaces/")
    saved = web.post(
        "/marketplaces/rates", data={"csrf_token": csrf, "base": "USD", "rate_CAD": "0.7"}
    )
    assert saved.status_code == 302
    page = web.get("/marketplaces/").get_data(as_text=True)
    us_value = summaries.ensure(db_session, us.tenant_id, us.id).value
    converted = _cells(page, 'id="converted-total"')
    assert f"US${us_value + 70 * 0.7:,.0f}" in converted
    assert "converted to USD at your rates" in converted[0]
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert f"1 CAD = 0.7000 USD (entered {today})" in converted[0]
    # The per-currency totals are still there, unconverted.
    assert "CA$70" in _cells(page, 'data-currency-total="CAD"')
    assert db_session.scalar(select(func.count()).select_from(ExchangeRate)) == 1


@pytest.mark.parametrize("rate", ["abc", "-1", "0", "nan", "inf", "1e9"])
def test_bad_rates_are_refused_and_nothing_is_lost(web, seeded, factory, db_session, token, rate):
    from app.models import ExchangeRate

    _add_ca(db_session, seeded, factory)
    csrf = token(web, "/marketplaces/")
    assert web.post(
        "/marketplaces/rates", data={"csrf_token": csrf, "base": "USD", "rate_CAD": "1.25"}
    ).status_code == 302
    refused = web.post(
        "/marketplaces/rates", data={"csrf_token": csrf, "base": "USD", "rate_CAD": rate}
    )
    assert refused.status_code == 422
    assert "Enter how many USD one CAD buys" in refused.get_data(as_text=True)
    db_session.expire_all()
    kept = db_session.scalars(select(ExchangeRate)).all()
    assert [(r.currency, r.rate) for r in kept] == [("CAD", 1.25)]
    # Without a CSRF token nothing is stored either.
    web.post("/marketplaces/rates", data={"base": "USD", "rate_CAD": "2"})
    db_session.expire_all()
    assert [r.rate for r in db_session.scalars(select(ExchangeRate))] == [1.25]


def test_another_tenants_marketplaces_and_rates_stay_out(web, seeded, factory, db_session):
    from app.models import ExchangeRate

    _add_ca(db_session, seeded, factory)
    other = factory.tenant()
    factory.seller(other, "Other CA", marketplace="CA", marketplace_id="A2EUQ1WTGCTBG2")
    db_session.add(
        ExchangeRate(tenant_id=other.id, base_currency="USD", currency="CAD", rate=0.5)
    )
    db_session.commit()
    page = web.get("/marketplaces/").get_data(as_text=True)
    assert "Other CA" not in page
    assert 'id="converted-total"' not in page and "0.5000" not in page


def test_a_marketplace_without_unit_costs_says_so(web, seeded, factory, db_session):
    from app.models import Product

    ca = _add_ca(db_session, seeded, factory)
    db_session.add(Product(tenant_id=ca.tenant_id, seller_account_id=ca.id, sku="CA-NOCOST"))
    db_session.commit()
    page = web.get("/marketplaces/").get_data(as_text=True)
    row = _row(page, 'data-marketplace="CA" data-currency="CAD"')
    assert 'data-missing-cost="1"' in row and "1 SKUs have no unit cost" in row
    assert "without 1 SKUs that have no unit cost" in _row(page, 'data-currency-total="CAD"')


def test_an_out_of_stock_sku_runs_out_now_as_on_the_dashboard(web, seeded, db_session):
    """The cross-marketplace table words the run-out day as the dashboard does: "now" for a SKU
    out of stock, with the later day when a shipment lands before it runs out again."""
    from app import localtime, summaries
    from app.models import SkuSummary

    us = seeded["seller"]
    summaries.ensure(db_session, us.tenant_id, us.id)
    rows = db_session.scalars(
        select(SkuSummary).where(SkuSummary.seller_account_id == us.id).order_by(SkuSummary.sku)
    ).all()
    assert len(rows) >= 3
    later = localtime.today(us.time_zone) + dt.timedelta(days=20)
    # rows[2] runs out again on its inventory's own day (a simulator's clock may be ahead of the
    # server's): the dashboard says "now", no "again"
    rows[2].snapshot_date = localtime.today(us.time_zone) + dt.timedelta(days=3)
    for row, runs_out in ((rows[0], None), (rows[1], later), (rows[2], rows[2].snapshot_date)):
        row.status, row.status_rank, row.runs_out_on = "out_of_stock", 0, runs_out
    db_session.commit()
    page = web.get("/marketplaces/").get_data(as_text=True)
    table = re.search(r'id="risky-skus".*?</table>', page, re.S).group(0)

    def text_of(sku: str) -> str:
        row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S) if sku in r)
        return " ".join(re.sub(r"<[^>]+>", " ", row).split())

    assert " now " in text_of(rows[0].sku) + " " and "again" not in text_of(rows[0].sku)
    assert "now, again" in text_of(rows[1].sku)
    assert " now " in text_of(rows[2].sku) + " " and "again" not in text_of(rows[2].sku)


def test_one_currency_needs_no_rates_and_keeps_its_dollars(web, seeded, db_session):
    """A seller in one currency: no exchange-rate form (nothing to convert), one line saying so,
    and its money written "$" as on its own pages; the table fits its card (class "fit")."""
    from app import summaries

    us = seeded["seller"]
    page = web.get("/marketplaces/").get_data(as_text=True)
    assert 'action="/marketplaces/rates"' not in page and 'name="base"' not in page
    assert "No exchange rates to enter: every marketplace here sells in USD" in page
    assert 'id="no-conversion"' not in page and 'id="converted-total"' not in page
    value = summaries.ensure(db_session, us.tenant_id, us.id).value
    assert f"${value:,.0f}" in _cells(page, 'data-marketplace="US" data-currency="USD"')
    assert "US$" not in page and "CA$" not in page
    assert '<table class="table fit" id="marketplaces">' in page
    assert "data-currency-total" not in page  # its one row is its total
    # Every row of the table has its 11 cells: nothing spills past the header.
    table = re.search(r'id="marketplaces".*?</table>', page, re.S).group(0)
    heads = re.findall(r"<th[ >]", re.search(r"<thead>.*?</thead>", table, re.S).group(0))
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]:
        spans = [int(n or 1) for n in re.findall(r'<t[dh](?: colspan="(\d+)")?[ >]', row)]
        assert sum(spans) == len(heads) == 11, row
