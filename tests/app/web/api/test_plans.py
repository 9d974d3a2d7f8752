"""Shipment plans through the API: lines checked against case pack and MOQ, all-or-nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from app.models import ShipmentPlan, ShipmentPlanLine
from tests.support.web import problem


def _count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_create_a_plan_with_lines(client, world, db_session) -> None:
    response = client.post(
        "/api/v1/plans",
        json={
            "seller_account_id": world.seller_a.id,
            "name": "  December  ",
            "lines": [{"sku": "MUG-RED", "quantity": 36}, {"sku": "TEA-100", "quantity": 7}],
        },
        headers=world.headers(),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["name"] == "December" and body["status"] == "draft"
    assert body["total_units"] == 43
    assert body["created_by_user_id"] == world.user_a.id
    lines = {line["sku"]: line for line in body["lines"]}
    # The current recommendation's quantity is kept beside the chosen one.
    assert lines["MUG-RED"]["recommended_quantity"] == world.timeline.quantity > 0
    assert lines["TEA-100"]["recommended_quantity"] is None
    got = client.get(f"/api/v1/plans/{body['id']}", headers=world.headers()).get_json()
    assert got == body


BAD_LINES = [
    ([{"sku": "MUG-RED", "quantity": 30}], "lines[0].quantity", "case pack (12)"),
    ([{"sku": "MUG-RED", "quantity": 12}], "lines[0].quantity", "MOQ (24)"),
    ([{"sku": "MUG-BLUE", "quantity": 0}], "lines[0].quantity", "at least 1"),
    ([{"sku": "B-ONLY", "quantity": 1}], "lines[0].sku", "not a SKU"),
    ([{"sku": "NOPE", "quantity": 1}], "lines[0].sku", "not a SKU"),
    (
        [{"sku": "TEA-100", "quantity": 1}, {"sku": "TEA-100", "quantity": 2}],
        "lines[1].sku",
        "more than once",
    ),
    ([{"sku": "TEA-100"}], "lines[0].quantity", "required"),
    ([{"sku": "TEA-100", "quantity": 1, "box": 3}], "lines[0].box", "unknown"),
    (["TEA-100"], "lines[0]", "object"),
    ({"sku": "TEA-100"}, "lines", "list"),
]


def test_bad_lines_are_422_and_nothing_is_saved(client, world, db_session) -> None:
    for lines, field, words in BAD_LINES:
        _check_bad_lines(client, world, db_session, lines, field, words)


def _check_bad_lines(client, world, db_session, lines, field, words) -> None:
    plans, plan_lines = _count(db_session, ShipmentPlan), _count(db_session, ShipmentPlanLine)
    response = client.post(
        "/api/v1/plans",
        json={
            "seller_account_id": world.seller_a.id,
            "name": "x",
            "lines": [{"sku": "MUG-BLUE", "quantity": 6}, *lines]
            if isinstance(lines, list)
            else lines,
        },
        headers=world.headers(),
    )
    details = problem(response, 422, "validation_error")["errors"]
    # The valid first line shifts indexes by one.
    if isinstance(lines, list):
        field = field.replace("lines[1]", "lines[2]").replace("lines[0]", "lines[1]")
    assert field in details, details
    assert words in details[field]
    assert _count(db_session, ShipmentPlan) == plans
    assert _count(db_session, ShipmentPlanLine) == plan_lines


BAD_FIELDS = [
    ({"name": "x"}, "seller_account_id"),
    ({"seller_account_id": 1}, "name"),
    ({"seller_account_id": "1", "name": "x"}, "seller_account_id"),
    ({"seller_account_id": 1, "name": "   "}, "name"),
    ({"seller_account_id": 1, "name": "x" * 201}, "name"),
    ({"seller_account_id": 1, "name": "x", "status": "lost"}, "status"),
    ({"seller_account_id": 1, "name": "x", "owner": 2}, "owner"),
]


def test_bad_plan_fields_are_422_naming_the_field(client, world) -> None:
    for body, field in BAD_FIELDS:
        response = client.post("/api/v1/plans", json=body, headers=world.headers())
        assert field in problem(response, 422, "validation_error")["errors"], body


def test_another_tenants_seller_cannot_own_a_new_plan(client, world, db_session) -> None:
    plans = _count(db_session, ShipmentPlan)
    response = client.post(
        "/api/v1/plans",
        json={"seller_account_id": world.seller_b.id, "name": "sneaky"},
        headers=world.headers(),
    )
    assert problem(response, 422, "validation_error")["errors"] == {
        "seller_account_id": "no such seller account"
    }
    assert _count(db_session, ShipmentPlan) == plans


def test_patch_replaces_lines_and_renames(client, world, db_session) -> None:
    url = f"/api/v1/plans/{world.plan.id}"
    response = client.patch(
        url,
        json={
            "name": "Week 49",
            "status": "ready",
            # MUG-RED kept with a new quantity, MUG-BLUE added.
            "lines": [{"sku": "MUG-BLUE", "quantity": 12}, {"sku": "MUG-RED", "quantity": 48}],
        },
        headers=world.headers(),
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["name"], body["status"], body["total_units"]) == ("Week 49", "ready", 60)
    # Dropping a SKU and adding it back in one request must not collide with the unique key.
    response = client.patch(
        url, json={"lines": [{"sku": "TEA-100", "quantity": 3}]}, headers=world.headers()
    )
    assert [line["sku"] for line in response.get_json()["lines"]] == ["TEA-100"]
    response = client.patch(
        url, json={"lines": [{"sku": "MUG-RED", "quantity": 24}]}, headers=world.headers()
    )
    assert [line["sku"] for line in response.get_json()["lines"]] == ["MUG-RED"]
    assert _count(db_session, ShipmentPlanLine) == 1


def test_a_bad_patch_changes_nothing(client, world) -> None:
    url = f"/api/v1/plans/{world.plan.id}"
    before = client.get(url, headers=world.headers()).get_json()
    response = client.patch(
        url,
        json={"name": "Renamed", "lines": [{"sku": "MUG-RED", "quantity": 25}]},
        headers=world.headers(),
    )
    assert response.status_code == 422
    assert client.get(url, headers=world.headers()).get_json() == before


def test_list_and_delete(client, world, db_session) -> None:
    body = client.get("/api/v1/plans", headers=world.headers()).get_json()
    assert [p["id"] for p in body["data"]] == [world.plan.id]
    assert (
        client.get("/api/v1/plans?status=shipped", headers=world.headers()).get_json()["data"] == []
    )
    # B cannot delete A's plan; A can.
    url = f"/api/v1/plans/{world.plan.id}"
    assert client.delete(url, headers=world.headers("b")).status_code == 404
    response = client.delete(url, headers=world.headers())
    assert response.status_code == 204 and response.data == b""
    assert client.get(url, headers=world.headers()).status_code == 404
    assert _count(db_session, ShipmentPlanLine) == 0


def test_a_write_that_collides_at_commit_is_409_and_saves_nothing(
    client, world, db_session, monkeypatch
) -> None:
    """A concurrent writer adding the same SKU (simulated): 409, and the plan is as before."""
    from app.web.api import plans as plans_module

    original = plans_module._apply_lines

    def racing(plan_row, lines, tenant_id):
        original(plan_row, lines, tenant_id)
        plan_row.lines.append(
            ShipmentPlanLine(
                tenant_id=tenant_id,
                seller_account_id=plan_row.seller_account_id,
                sku=lines[0]["sku"],
                quantity=6,
            )
        )

    monkeypatch.setattr(plans_module, "_apply_lines", racing)
    url = f"/api/v1/plans/{world.plan.id}"
    before = client.get(url, headers=world.headers()).get_json()
    response = client.patch(
        url,
        json={"name": "Raced", "lines": [{"sku": "MUG-BLUE", "quantity": 6}]},
        headers=world.headers(),
    )
    problem(response, 409, "conflict")
    db_session.expire_all()
    assert client.get(url, headers=world.headers()).get_json() == before
