"""SKU page: chart data, costs, Amazon's suggestion; settings saved whole or not at all."""

from __future__ import annotations

import html
import json
import re

from app.models import Product


def chart_data(page: str) -> dict:
    raw = re.search(r"data-chart='([^']*)'", page).group(1)
    return json.loads(html.unescape(raw))


def test_sku_page_has_history_forecast_and_projection(web, seeded) -> None:
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
    proj = data["projection"]
    assert proj["qty"] > 0 and proj["arrival"] == fc["dates"][product.lead_time_days - 1]
    # With the shipment the projection never falls below the one without it.
    assert all(w >= wo for w, wo in zip(proj["with"], proj["without"], strict=True))
    assert 'id="cost-breakdown"' in page and "Lost margin" in page


def test_fees_and_amazon_suggestion_are_shown(web, seeded) -> None:
    page = web.get(f"/skus/{seeded['products'][0].id}").get_data(as_text=True)
    assert "FBAPerUnitFulfillmentFee" in page and "$8.40" in page
    assert "Amazon suggests" in page and ">300<" in page and "Reorder now" in page


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
