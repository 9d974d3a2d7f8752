"""Headless Chromium: the SKU page's headline, cost table, chart and sentence say what
GET /api/v1/skus/{id}/timeline says, for SKUs in several states."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest

from forecasting.explain import fmt_date, fmt_money

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True),
]


def _login(page, server) -> None:
    page.goto(server["url"] + "/")
    page.fill("input[name=email]", server["email"])
    page.fill("input[name=password]", server["password"])
    page.click("button[type=submit]")
    page.wait_for_url(server["url"] + "/")


def _api(server, pid: int) -> dict:
    request = urllib.request.Request(  # noqa: S310 - the test server on loopback
        f"{server['url']}/api/v1/skus/{pid}/timeline",
        headers={"Authorization": f"Bearer {server['api_token']}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        return json.load(response)


def _money(text: str) -> float:
    text = text.strip()
    sign = -1.0 if text.startswith("-") else 1.0
    return sign * float(text.lstrip("-").lstrip("$").replace(",", ""))


@pytest.mark.parametrize(
    "scenario", ["out_of_stock", "stockout_before_arrival", "ship_by", "excess", "receiving"]
)
def test_sku_page_agrees_with_the_api(page, server, shoot, scenario) -> None:
    _login(page, server)
    pid = server["scenarios"][scenario]
    tl = _api(server, pid)
    rec = tl["recommendation"]
    as_of = dt.date.fromisoformat(tl["as_of"])
    page.goto(f"{server['url']}/skus/{pid}")
    page.wait_for_selector("#stock-chart[data-drawn='1'] svg")

    # The headline is the stored status, with its date or number.
    assert page.get_attribute("#status", "data-status") == tl["status"]
    title = page.inner_text("#status-title")
    if tl["status"] == "out_of_stock":
        assert title == "Out of stock now"
        if tl["next_inbound_on"]:
            lands = fmt_date(dt.date.fromisoformat(tl["next_inbound_on"]), as_of)
            assert lands in page.inner_text("#status-detail")
    elif tl["status"] == "stockout_before_arrival":
        lands = fmt_date(dt.date.fromisoformat(tl["arrives_if_shipped_today"]), as_of)
        assert title == f"Runs out before anything shipped today can arrive (lands {lands})"
    elif tl["status"] == "ship_by":
        assert title == f"Ship by {fmt_date(dt.date.fromisoformat(tl['ship_by']), as_of)}"
    elif tl["status"] == "excess":
        ex = tl["excess"]
        assert title == (
            f"Excess: {ex['units']:,} units beyond need, {fmt_money(ex['monthly_cost'])}/month"
        )
        assert page.inner_text("#excess-units") == f"{ex['units']:,}"
        assert _money(page.inner_text("#excess-monthly")) == ex["monthly_cost"]
        cheapest = page.locator("#excess-options tr.strong")
        assert cheapest.count() == 1 and "(cheapest)" in cheapest.inner_text()

    # The quantity and the ship-by date beside it.
    assert page.inner_text("#rec-qty") == f"{rec['quantity']:,}"
    if tl["ship_by"]:
        when = fmt_date(dt.date.fromisoformat(tl["ship_by"]), as_of)
        assert page.inner_text("#rec-ship-by") == f"ship by {when}"
    else:
        assert page.locator("#rec-ship-by").count() == 0

    # The sentence as stored.
    assert page.inner_text("#explanation") == rec["explanation"]

    # The cost table: the chosen quantity first, ship nothing beside it, one Total per column
    # equal to the candidate's total, and each column's printed lines add up to it.
    heads = page.locator("#cost-breakdown thead th[data-quantity]")
    quantities = [int(heads.nth(i).get_attribute("data-quantity")) for i in range(heads.count())]
    cands = {c["quantity"]: c for c in rec["candidates"]}
    assert quantities[0] == rec["quantity"] and set(quantities) == set(cands)
    assert page.locator("#cost-breakdown tr.total").count() == 1
    assert page.locator("#cost-breakdown th", has_text="Total").count() == 1
    body = page.locator("#cost-breakdown tr[data-line]")
    for col, q in enumerate(quantities):
        total = page.locator(f"#cost-breakdown tr.total td[data-quantity='{q}']")
        assert _money(total.inner_text()) == round(cands[q]["total"], 2)
        lines = [
            _money(body.nth(r).locator("td").nth(col).inner_text()) for r in range(body.count())
        ]
        assert round(sum(lines), 2) == round(cands[q]["total"], 2)
    assert "$-" not in page.inner_text("body")
    assert page.locator("#fees-apart li").count() == len(rec["fees_apart"])
    window = fmt_date(dt.date.fromisoformat(rec["cost_horizon"]["window_from"]), as_of)
    assert window in page.inner_text("#cost-horizon")

    # The chart's data is the timeline's days; its lines are drawn from them.
    chart = json.loads(page.get_attribute("#stock-chart", "data-chart"))
    for key in (
        "date",
        "arrivals",
        "on_hand_p50_without",
        "on_hand_p50_with",
        "on_hand_p10_without",
        "on_hand_p90_with",
        "demand_p50",
    ):
        assert chart[key] == [d[key] for d in tl["days"]], key
    risk = json.loads(page.get_attribute("#risk-chart", "data-chart"))
    assert risk["stockout_prob_without"] == [d["stockout_prob_without"] for d in tl["days"]]
    assert page.locator("#stock-chart [data-series=on_hand_p50_without] polyline").count() == 1
    with_line = page.locator("#stock-chart [data-series=on_hand_p50_with] polyline").count()
    assert with_line == (1 if rec["quantity"] else 0)
    marks = page.locator("#stock-chart [data-series=arrivals] line").count()
    assert marks == sum(1 for d in tl["days"] if d["arrivals"])

    # The inbound list: each shipment, its expected arrival, and "(estimated)" where it is.
    for s in tl["inbound"]:
        row = page.locator(f"#inbound-table tr[data-shipment='{s['shipment_id']}']")
        assert row.count() == 1
        assert f"{s['quantity']:,}" in row.inner_text()
        cell = row.locator("td[data-date]")
        assert cell.get_attribute("data-date") == (s["expected_arrival"] or "")
        assert ("(estimated)" in cell.inner_text()) == (s["arrival_source"] == "estimated")
        if str(s["status"]).lower() == "receiving":
            assert "arriving over " in cell.inner_text()

    shoot(page, f"sku-{scenario}")
