"""SKU endpoints: listing, filters and sort, settings edits that are all-or-nothing, forecasts."""

from __future__ import annotations

import datetime as dt

from app.models import risk
from tests.support.web import problem


def _get(client, world, url, which="a"):
    response = client.get(url, headers=world.headers(which))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_list_is_scoped_paged_and_sorted(client, world) -> None:
    body = _get(client, world, "/api/v1/skus")
    assert [s["sku"] for s in body["data"]] == ["MUG-BLUE", "MUG-RED", "TEA-100"]
    assert body["pagination"] == {"limit": 50, "offset": 0, "total": 3, "next_offset": None}
    body = _get(client, world, "/api/v1/skus?limit=2&offset=0&sort=-sku")
    assert [s["sku"] for s in body["data"]] == ["TEA-100", "MUG-RED"]
    assert body["pagination"]["next_offset"] == 2
    assert [s["sku"] for s in _get(client, world, "/api/v1/skus", "b")["data"]] == ["B-ONLY"]


def test_list_filters(client, world) -> None:
    status = world.timeline.status.value
    red = _get(client, world, f"/api/v1/skus?status={status}")["data"]
    assert [s["sku"] for s in red] == ["MUG-RED"]
    group = _get(client, world, f"/api/v1/skus?group={risk.group_of(status)}")["data"]
    assert [s["sku"] for s in group] == ["MUG-RED"]
    excess = _get(client, world, "/api/v1/skus?group=excess")["data"]
    assert [s["sku"] for s in excess] == ["MUG-BLUE"]
    # The current recommendation is shown, never a superseded one.
    assert red[0]["recommendation"]["quantity"] == world.timeline.quantity
    # LIKE wildcards in q are literal: "100%" matches only the tea's title.
    assert [s["sku"] for s in _get(client, world, "/api/v1/skus?q=100%25")["data"]] == ["TEA-100"]
    assert _get(client, world, "/api/v1/skus?q=_")["pagination"]["total"] == 1
    assert _get(client, world, "/api/v1/skus?q=mug")["pagination"]["total"] == 2
    other = _get(client, world, f"/api/v1/skus?seller={world.seller_b.id}")
    assert other["data"] == []
    by_qty = _get(client, world, "/api/v1/skus?sort=-recommended_quantity")["data"]
    assert [s["sku"] for s in by_qty] == ["MUG-RED", "MUG-BLUE", "TEA-100"]


BAD_QUERIES = [
    ("limit=0", "limit"),
    ("limit=abc", "limit"),
    ("offset=-1", "offset"),
    ("sort=price", "sort"),
    ("seller=x", "seller"),
    ("active=yes", "active"),
    ("q=" + "x" * 101, "q"),
    ("status=stockout", "status"),
    ("group=ok-ish", "group"),
]


def test_bad_query_parameters_are_400_naming_the_parameter(client, world) -> None:
    for query, param in BAD_QUERIES:
        response = client.get(f"/api/v1/skus?{query}", headers=world.headers())
        assert param in problem(response, 400, "bad_query")["errors"], query


def test_detail_has_inventory_and_current_recommendation(client, world) -> None:
    red = world.products["MUG-RED"]
    body = _get(client, world, f"/api/v1/skus/{red.id}")
    assert body["inventory"]["fulfillable"] == 10 and body["inventory"]["inbound"] == 12
    rec = body["recommendation"]
    assert rec["status"] == world.timeline.status.value == world.recommendation.status
    assert rec["quantity"] == world.timeline.quantity
    assert body["case_pack"] == 12


def test_other_tenants_and_missing_skus_are_the_same_404(client, world) -> None:
    b_id = world.product_b.id
    for url in (f"/api/v1/skus/{b_id}", "/api/v1/skus/999999", "/api/v1/skus/99999999999999"):
        response = client.get(url, headers=world.headers())
        problem(response, 404, "not_found")
    response = client.patch(f"/api/v1/skus/{b_id}", json={"moq": 5}, headers=world.headers())
    assert response.status_code == 404


def test_patch_changes_settings(client, world, db_session) -> None:
    red = world.products["MUG-RED"]
    response = client.patch(
        f"/api/v1/skus/{red.id}",
        json={
            "unit_cost": 4,
            "lead_time_transit_days": 30,
            "case_pack": 6,
            "moq": 0,
            "prep_owner": "AMAZON",
            "label_owner": "NONE",
            "active": False,
        },
        headers=world.headers(),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["unit_cost"] == 4 and body["case_pack"] == 6 and body["active"] is False
    db_session.expire_all()
    assert red.lead_time_transit_days == 30 and red.prep_owner == "AMAZON"
    # Costs are kept to the column's 4 decimals, in the answer and in the database alike.
    response = client.patch(
        f"/api/v1/skus/{red.id}", json={"unit_cost": 1.23456}, headers=world.headers()
    )
    assert response.get_json()["unit_cost"] == 1.2346
    db_session.expire_all()
    assert red.unit_cost == 1.2346
    # unit_cost may be cleared.
    response = client.patch(
        f"/api/v1/skus/{red.id}", json={"unit_cost": None}, headers=world.headers()
    )
    assert response.get_json()["unit_cost"] is None


BAD_SETTINGS = [
    ({"moq": -1, "case_pack": 6}, {"moq"}),
    ({"case_pack": 0}, {"case_pack"}),
    ({"case_pack": 2.5}, {"case_pack"}),
    ({"case_pack": True}, {"case_pack"}),
    ({"case_pack": "6"}, {"case_pack"}),
    ({"unit_cost": -0.01}, {"unit_cost"}),
    ({"unit_cost": 1e300}, {"unit_cost"}),
    ({"lead_time_transit_days": 366}, {"lead_time_transit_days"}),
    ({"prep_owner": "amazon"}, {"prep_owner"}),
    ({"active": "true"}, {"active"}),
    ({"moq": None}, {"moq"}),
    ({"sku": "RENAMED", "title": "x"}, {"sku", "title"}),
    ({"moq": 10**40, "price": 1}, {"moq", "price"}),
]


def test_bad_settings_are_422_naming_each_field_and_change_nothing(client, world) -> None:
    red = world.products["MUG-RED"]
    before = client.get(f"/api/v1/skus/{red.id}", headers=world.headers()).get_json()
    for body, bad_fields in BAD_SETTINGS:
        response = client.patch(f"/api/v1/skus/{red.id}", json=body, headers=world.headers())
        error = problem(response, 422, "validation_error")
        assert set(error["errors"]) == bad_fields, body
        assert all(name in error["detail"] for name in bad_fields)
        after = client.get(f"/api/v1/skus/{red.id}", headers=world.headers()).get_json()
        assert after == before, body


MALFORMED = [
    ("{", "application/json", 400),
    ('{"moq": NaN}', "application/json", 400),
    ('{"moq": Infinity}', "application/json", 400),
    (b'{"moq": "\xff"}', "application/json", 400),
    ("[1, 2]", "application/json", 422),
    ("5", "application/json", 422),
    ('{"title": "\\ud800"}', "application/json", 422),
    ("moq=5", "application/x-www-form-urlencoded", 415),
    ("", "application/json", 400),
    ("[" * 100_000, "application/json", 400),
]


def test_malformed_bodies_are_4xx_never_5xx(client, world) -> None:
    red = world.products["MUG-RED"]
    for data, content_type, status in MALFORMED:
        response = client.patch(
            f"/api/v1/skus/{red.id}", data=data, content_type=content_type, headers=world.headers()
        )
        problem(response, status)


def test_forecast_comes_from_the_newest_model(client, world) -> None:
    red = world.products["MUG-RED"]
    body = _get(client, world, f"/api/v1/skus/{red.id}/forecast")
    assert body["model_version"]["id"] == world.model_version.id
    assert [p["mean"] for p in body["points"]] == [5.0, 5.0, 5.0]
    assert body["points"][0]["p90"] == 7.0
    assert [p["date"] for p in body["points"]] == ["2026-11-27", "2026-11-28", "2026-11-29"]
    blue = _get(client, world, f"/api/v1/skus/{world.products['MUG-BLUE'].id}/forecast")
    assert blue["points"] == [] and blue["model_version"]["id"] == world.model_version.id
    b = _get(client, world, f"/api/v1/skus/{world.product_b.id}/forecast", "b")
    assert b["model_version"] is None and b["points"] == []


def test_unit_cost_limit_and_lead_time_total_match_the_form(client, world) -> None:
    red = world.products["MUG-RED"]
    url = f"/api/v1/skus/{red.id}"
    ok = client.patch(url, json={"unit_cost": 100_000}, headers=world.headers())
    assert ok.status_code == 200 and ok.get_json()["unit_cost"] == 100_000
    body = problem(
        client.patch(url, json={"unit_cost": 100_000.5}, headers=world.headers()),
        422,
        "validation_error",
    )
    assert set(body["errors"]) == {"unit_cost"}
    too_long = {"lead_time_production_days": 300, "lead_time_transit_days": 66}
    body = problem(client.patch(url, json=too_long, headers=world.headers()), 422)
    assert set(body["errors"]) == set(too_long)
    assert "more than a year" in body["errors"]["lead_time_transit_days"]
    assert client.get(url, headers=world.headers()).get_json()["unit_cost"] == 100_000


def test_timeline_serves_the_stored_timeline_in_the_contracts_shape(client, world) -> None:
    red = world.products["MUG-RED"]
    body = _get(client, world, f"/api/v1/skus/{red.id}/timeline")
    tl = world.timeline
    expected = tl.to_dict()  # days as one object per day: the contract
    for key in ("as_of", "horizon_days", "fulfillable", "status", "runs_out_on", "ship_by"):
        assert body[key] == expected[key], key
    assert (
        body["inbound"]
        == expected["inbound"]
        == [
            {
                "shipment_id": "FBA1",
                "status": "SHIPPED",
                "quantity": 12,
                "expected_arrival": (tl.as_of + dt.timedelta(days=3)).isoformat(),
                "arrival_source": "amazon",
            }
        ]
    )
    assert body["days"] == expected["days"] and len(body["days"]) == body["horizon_days"]
    assert body["days"][0]["on_hand_p50_without"] == 10  # the inbound is not on hand
    # a single-stage SKU (no supplier terms, nothing upstream): both of issue 16's fields null
    assert body["recommendation"] == {**expected["recommendation"], "supplier_order": None}
    assert body["upstream"] is None
    assert body["notes"] == ["unit cost set"] and body["sku_id"] == red.id
    assert body["recommendation_id"] == world.recommendation.id
    # The SKU and the recommendation APIs read the same stored row.
    summary = _get(client, world, f"/api/v1/skus/{red.id}")["recommendation"]
    assert summary["ship_by"] == body["ship_by"] and summary["status"] == body["status"]
    assert summary["runs_out_on"] == body["runs_out_on"]
    assert summary["quantity"] == body["recommendation"]["quantity"]


def test_timeline_404s_before_the_planner_ran_and_for_other_tenants(client, world) -> None:
    for product in (world.products["MUG-BLUE"], world.products["TEA-100"], world.product_b):
        response = client.get(f"/api/v1/skus/{product.id}/timeline", headers=world.headers())
        problem(response, 404, "not_found")


def test_sku_list_and_recommendations_carry_the_supplier_order(client, world, db_session) -> None:
    """reorder_by and reorder_quantity (the supplier order the dashboard's "Reorder by" column
    shows) are in the SKU list's recommendation and in the recommendation items; null without
    a supplier order."""
    rec = world.recommendation
    rec.reorder_by = dt.date(2026, 12, 24)
    rec.reorder_quantity = 480
    db_session.commit()
    skus = {s["sku"]: s for s in _get(client, world, "/api/v1/skus")["data"]}
    shown = skus[rec.sku]["recommendation"]
    assert shown["id"] == rec.id
    assert (shown["reorder_by"], shown["reorder_quantity"]) == ("2026-12-24", 480)
    others = [s["recommendation"] for k, s in skus.items() if k != rec.sku and s["recommendation"]]
    assert others and all(o["reorder_by"] is None and o["reorder_quantity"] is None for o in others)
    items = {r["id"]: r for r in _get(client, world, "/api/v1/recommendations")["data"]}
    assert (items[rec.id]["reorder_by"], items[rec.id]["reorder_quantity"]) == ("2026-12-24", 480)
    one = _get(client, world, f"/api/v1/recommendations/{rec.id}")
    assert (one["reorder_by"], one["reorder_quantity"]) == ("2026-12-24", 480)
