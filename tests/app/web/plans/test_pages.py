"""Plan builder: case pack and MOQ checks, nothing half-saved, totals, downloads, delete."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.models import Recommendation, ShipmentPlan, ShipmentPlanLine


def _form(web, token, picks: dict[int, str], name: str = "March restock") -> dict:
    data: dict = {
        "csrf_token": token(web, "/plans/new"),
        "name": name,
        "pick": [str(pid) for pid in picks],
    }
    for pid, qty in picks.items():
        data[f"qty-{pid}"] = qty
    return data


def _plan_count(db_session) -> int:
    return db_session.scalar(select(func.count()).select_from(ShipmentPlan))


def test_builder_lists_recommended_lines_with_totals(web, seeded) -> None:
    page = web.get("/plans/new").get_data(as_text=True)
    shipping = [p for i, p in enumerate(seeded["products"]) if i % 6 != 2]
    assert page.count('class="plan-line') == len(shipping)
    assert 'data-cap-standard="400.0"' in page and 'src="/static/js/plan.js"' in page


def test_valid_plan_is_saved_with_recommended_quantities(web, seeded, db_session, token) -> None:
    p0, p1 = seeded["products"][0], seeded["products"][1]  # case pack 12 / MOQ 24; 1 / 0
    response = web.post("/plans/new", data=_form(web, token, {p0.id: "48", p1.id: "1,000"}))
    assert response.status_code == 302
    plan = db_session.scalar(select(ShipmentPlan).order_by(ShipmentPlan.id.desc()))
    assert plan.name == "March restock" and plan.created_by_user_id == seeded["user"].id
    lines = {ln.sku: ln for ln in plan.lines}
    assert lines[p0.sku].quantity == 48 and lines[p1.sku].quantity == 1000
    rec = db_session.scalar(select(Recommendation).where(Recommendation.sku == p0.sku))
    assert lines[p0.sku].recommended_quantity == rec.quantity
    page = web.get(f"/plans/{plan.id}").get_data(as_text=True)
    assert re.search(r'id="plan-units">1,048<', page)


def test_bad_quantities_show_line_errors_and_save_nothing(web, seeded, db_session, token) -> None:
    p0, p1, p4 = seeded["products"][0], seeded["products"][1], seeded["products"][4]
    before = _plan_count(db_session)
    cases = [
        ({p0.id: "50"}, "Must be a multiple of the case pack (12 per case), e.g. 48 or 60."),
        ({p0.id: "12"}, "Below the minimum order of 24 units."),
        ({p4.id: "10"}, "Below the minimum order of 24 units."),
        ({p1.id: "0"}, "Enter at least 1 unit"),
        ({p1.id: "ten"}, "Enter a whole number of units."),
        ({p1.id: "-3"}, "Enter at least 1 unit"),
        ({p1.id: "99999999"}, "At most 1,000,000 units."),
        ({p1.id: "5", p0.id: "13"}, "multiple of the case pack"),
    ]
    for picks, message in cases:
        response = web.post("/plans/new", data=_form(web, token, picks))
        assert response.status_code == 422, picks
        assert message in response.get_data(as_text=True), picks
    nothing = web.post("/plans/new", data=_form(web, token, {}))
    assert nothing.status_code == 422 and "Tick at least one line" in nothing.get_data(as_text=True)
    no_name = web.post("/plans/new", data=_form(web, token, {p1.id: "5"}, name=""))
    assert no_name.status_code == 422
    assert _plan_count(db_session) == before
    assert db_session.scalar(select(func.count()).select_from(ShipmentPlanLine)) == 0


def test_capacity_warning_when_plan_passes_the_limit(web, seeded, db_session, token) -> None:
    p1 = seeded["products"][1]  # 10x6x4 in = 0.139 cu ft per unit; limit 400 cu ft
    response = web.post(
        "/plans/new", data=_form(web, token, {p1.id: "3000"}), follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "This plan needs 416.7 cu ft of standard-size space; your limit is 400.0." in page


def test_delete_needs_csrf_and_removes_the_plan(web, seeded, db_session, token) -> None:
    p1 = seeded["products"][1]
    web.post("/plans/new", data=_form(web, token, {p1.id: "5"}))
    plan = db_session.scalar(select(ShipmentPlan).order_by(ShipmentPlan.id.desc()))
    assert web.post(f"/plans/{plan.id}/delete").status_code == 400
    ok = web.post(f"/plans/{plan.id}/delete", data={"csrf_token": token(web, f"/plans/{plan.id}")})
    assert ok.status_code == 302
    db_session.expire_all()
    assert db_session.get(ShipmentPlan, plan.id) is None
    assert web.get(f"/plans/{plan.id}").status_code == 404
