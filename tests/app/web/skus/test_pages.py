"""SKU page: chart data, costs, Amazon's suggestion; settings saved whole or not at all."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest

from app.models import FeeEvent, Product
from forecasting.explain import fmt_date
from tests.support import timelines


def chart_data(page: str, kind: str = "sales") -> dict:
    raw = re.search(rf"data-chart='([^']*)' data-kind=\"{kind}\"", page).group(1)
    return json.loads(html.unescape(raw))


@pytest.fixture
def planned(seeded, db_session) -> dict[str, Product]:
    """Seeded SKUs 1-7 with stored timelines of each scenario, planned by forecasting."""
    names = list(timelines.SCENARIOS)
    products = seeded["products"][1 : 1 + len(names)]
    today = dt.datetime.now(dt.UTC).date()
    timelines.plan(db_session, products, names, today)
    seeded["api_token"] = timelines.api_token(db_session, seeded)
    db_session.commit()
    return dict(zip(names, products, strict=True))


def test_sku_page_has_history_and_forecast(web, seeded) -> None:
    product = seeded["products"][1]  # SKU 1 was out of stock for 8 days
    response = web.get(f"/skus/{product.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    data = chart_data(page)
    history = data["history"]
    assert len(history["dates"]) == 180 and sum(history["stockout"]) == 8
    # No sales are recorded on stockout days.
    assert all(u == 0 for u, out in zip(history["units"], history["stockout"], strict=True) if out)
    assert sum(history["units"]) > 0
    fc = data["forecast"]
    assert len(fc["dates"]) == 60
    assert all(lo <= m <= hi for lo, m, hi in zip(fc["p10"], fc["mean"], fc["p90"], strict=True))
    # No projection of the view's own: a SKU without a stored timeline says so.
    assert "projection" not in data and "the planner has not run" in page


def _api(web, pid: int, secret: str) -> dict:
    auth = {"Authorization": f"Bearer {secret}"}
    response = web.get(f"/api/v1/skus/{pid}/timeline", headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()


def test_page_reads_the_stored_timeline(web, seeded, planned) -> None:
    secret = seeded["api_token"]
    for name, product in planned.items():
        page = web.get(f"/skus/{product.id}").get_data(as_text=True)
        tl = _api(web, product.id, secret)
        assert tl["status"] == name or name in ("receiving", "estimated"), (name, tl["status"])
        assert f'data-status="{tl["status"]}"' in page
        # The chart is the timeline's days, unchanged.
        chart = chart_data(page, "timeline")
        for key in ("date", "on_hand_p50_without", "on_hand_p50_with", "stockout_prob_with"):
            assert chart[key] == [d[key] for d in tl["days"]], (name, key)
        # The explanation as stored.
        assert tl["recommendation"]["explanation"] in html.unescape(page)
        # One Total per column, each the candidate's total.
        table = page[page.index('id="cost-breakdown"') :]
        table = table[: table.index("</table>")]
        assert table.count(">Total<") == 1
        totals = dict(re.findall(r'data-quantity="(\d+)" data-total="([^"]+)"', table))
        cands = {str(c["quantity"]): c["total"] for c in tl["recommendation"]["candidates"]}
        assert {q: float(t) for q, t in totals.items()} == cands
        # Ship-by only when a shipment is needed, and then the API's date.
        assert ('id="rec-ship-by"' in page) == (tl["ship_by"] is not None), name
        if tl["ship_by"]:
            when = dt.date.fromisoformat(tl["ship_by"])
            assert (
                f'id="rec-ship-by">ship by {fmt_date(when, dt.date.fromisoformat(tl["as_of"]))}<'
                in page
            )
        assert f'id="rec-qty">{tl["recommendation"]["quantity"]:,}<' in page
        for shipment in tl["inbound"]:
            assert shipment["shipment_id"] in page
    page = web.get(f"/skus/{planned['estimated'].id}").get_data(as_text=True)
    assert "(estimated)" in page
    page = web.get(f"/skus/{planned['receiving'].id}").get_data(as_text=True)
    assert "arriving over " in page
    tl = _api(web, planned["excess"].id, secret)
    page = web.get(f"/skus/{planned['excess'].id}").get_data(as_text=True)
    assert f"Excess: {tl['excess']['units']:,} units beyond need" in page
    assert 'id="excess-options"' in page and "(cheapest)" in page
    tl = _api(web, planned["stockout_before_arrival"].id, secret)
    page = web.get(f"/skus/{planned['stockout_before_arrival'].id}").get_data(as_text=True)
    assert "Runs out before anything shipped today can arrive (lands " in page


def test_fees_and_amazon_suggestion_are_shown(web, seeded) -> None:
    page = web.get(f"/skus/{seeded['products'][0].id}").get_data(as_text=True)
    assert "FBAPerUnitFulfillmentFee" in page and "-$5.40" in page and "$-" not in page
    assert "$8.40" in page
    assert "Amazon suggests" in page and ">300<" in page and "Reorder now" in page


def test_refunded_principal_is_not_listed_as_a_fee(web, seeded, db_session) -> None:
    product = seeded["products"][0]
    db_session.add(
        FeeEvent(
            tenant_id=product.tenant_id,
            seller_account_id=product.seller_account_id,
            event_key="refund-principal-1",
            event_kind="refund",
            sku=product.sku,
            fee_type="Principal",
            amount=-620.55,
            posted_date=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
        )
    )
    db_session.commit()
    page = web.get(f"/skus/{product.id}").get_data(as_text=True)
    fees_table = page[page.index('id="fees-charged"') :]
    fees_table = fees_table[: fees_table.index("</table>")]
    assert "Principal" not in fees_table
    assert "Refunded to buyers" in page and "-$620.55" in page and "$-620.55" not in page


def _settings(token_value: str, **overrides: str) -> dict[str, str]:
    data = {
        "csrf_token": token_value,
        "unit_cost": "5.25",
        "lead_time_production_days": "10",
        "lead_time_transit_days": "30",
        "lead_time_receiving_days": "5",
        "lead_time_spread_days": "4",
        "case_pack": "24",
        "moq": "48",
        "prep_owner": "AMAZON",
        "label_owner": "NONE",
    }
    data.update(overrides)
    return data


def test_valid_settings_are_saved(web, seeded, db_session, token) -> None:
    pid = seeded["products"][2].id
    url = f"/skus/{pid}"
    response = web.post(url, data=_settings(token(web, url)))
    assert response.status_code == 302
    db_session.expire_all()
    p = db_session.get(Product, pid)
    assert (p.unit_cost, p.case_pack, p.moq, p.prep_owner, p.label_owner) == (
        5.25,
        24,
        48,
        "AMAZON",
        "NONE",
    )
    assert p.lead_time_days == 45
    # the stockout settings left empty inherit the account's
    assert (p.in_stock_target_pct, p.stockout_cost_multiple) == (None, None)
    response = web.post(url, data=_settings(token(web, url), in_stock_target_pct="98",
                                            stockout_cost_multiple="3"))
    assert response.status_code == 302
    db_session.expire_all()
    p = db_session.get(Product, pid)
    assert (p.in_stock_target_pct, p.stockout_cost_multiple) == (98, 3)
    page = web.get(url).get_data(as_text=True)
    assert "In-stock target (%)" in page and "counted as this many more lost sales" in page


BAD = [
    ({"case_pack": "0"}, "Between 1 and 10,000 units."),
    ({"case_pack": "abc"}, "'abc' is not a whole number."),
    ({"case_pack": ""}, "Enter the units per case"),
    ({"moq": "2.5"}, "'2.5' is not a whole number."),
    ({"moq": "-5"}, "Between 0 and 1,000,000 units."),
    ({"unit_cost": "-1"}, "Between 0 and 100,000."),
    ({"unit_cost": "lots"}, "Not a valid decimal value."),
    ({"lead_time_transit_days": "400"}, "Between 0 and 365 days."),
    ({"lead_time_transit_days": ""}, "Enter a whole number of days."),
    ({"prep_owner": "ROBOT"}, "Not a valid choice."),
    ({"in_stock_target_pct": "100"}, "Between 50 and 99%."),
    ({"stockout_cost_multiple": "1.5"}, "'1.5' is not a whole number."),
    ({"lead_time_production_days": "200", "lead_time_transit_days": "200"}, "more than a year"),
]


def test_bad_settings_show_errors_and_save_nothing(web, seeded, db_session, token) -> None:
    pid = seeded["products"][3].id
    url = f"/skus/{pid}"
    before = db_session.get(Product, pid)
    snapshot = (
        before.unit_cost,
        before.case_pack,
        before.moq,
        before.lead_time_days,
        before.prep_owner,
    )
    for override, message in BAD:
        response = web.post(url, data=_settings(token(web, url), **override))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, override
        assert html.escape(message, quote=False) in page or message in html.unescape(page), override
        assert "nothing was saved" in page
        db_session.expire_all()
        p = db_session.get(Product, pid)
        assert (p.unit_cost, p.case_pack, p.moq, p.lead_time_days, p.prep_owner) == snapshot


def test_settings_post_without_csrf_is_refused(web, seeded, db_session) -> None:
    pid = seeded["products"][3].id
    data = _settings("forged")
    response = web.post(f"/skus/{pid}", data=data)
    assert response.status_code in (400, 422)
    db_session.expire_all()
    assert db_session.get(Product, pid).case_pack != 24


def test_unknown_sku_is_404(web) -> None:
    assert web.get("/skus/999999").status_code == 404
