"""GET /api/v1/suppliers, /locations and /purchase-orders: the caller's rows only, paged."""

from __future__ import annotations

import datetime as dt

from app.models import LocationStock
from app.supply import purchase_orders as pos
from tests.support.supply import build_supply


def _supply(factory, db_session, world):
    s = build_supply(
        factory, db_session, tenant=world.a, account=world.seller_a, skus=("MUG-RED", "MUG-BLUE")
    )
    db_session.add(
        LocationStock(
            tenant_id=world.a.id,
            seller_account_id=world.seller_a.id,
            location_id=s.warehouse.id,
            sku="MUG-RED",
            quantity=80,
        )
    )
    po = pos.create(
        db_session,
        world.seller_a,
        s.primary,
        s.warehouse,
        [pos.LineInput("MUG-RED", 300, 20.0), pos.LineInput("MUG-BLUE", 100, 21.5)],
        fx_rate=0.14,
        freight_lane=s.sea,
        ordered_on=dt.date(2026, 3, 1),
    )
    for status in ("sent", "in_production", "shipped"):
        pos.transition(po, status, dt.date(2026, 3, 2))
    pos.receive(db_session, po, {po.lines[1].id: 40}, dt.date(2026, 4, 1))
    db_session.commit()
    return s, po


def test_lists_show_suppliers_locations_and_pos_with_their_numbers(
    client, world, factory, db_session
) -> None:
    s, po = _supply(factory, db_session, world)
    body = client.get("/api/v1/suppliers", headers=world.headers()).get_json()
    assert [x["name"] for x in body["data"]] == ["Ohio Works", "Shenzhen Co"]
    primary = body["data"][1]
    assert primary["currency"] == "CNY" and primary["production_lead_days"] == 40
    assert primary["lanes"][0]["mode"] == "sea" and primary["lanes"][0]["transit_days"] == 35
    red = next(t for t in primary["terms"] if t["sku"] == "MUG-RED")
    assert (red["role"], red["moq"], red["case_pack"]) == ("primary", 100, 10)
    assert red["price_breaks"] == [{"min_qty": 500, "unit_cost": 18.0}]

    body = client.get("/api/v1/locations?kind=warehouse", headers=world.headers()).get_json()
    (wh,) = body["data"]
    assert wh["kind"] == "warehouse" and wh["capacity_cuft"] == 2000
    assert wh["stock"] == [{"sku": "MUG-BLUE", "quantity": 40}, {"sku": "MUG-RED", "quantity": 80}]
    kinds = client.get("/api/v1/locations", headers=world.headers()).get_json()
    assert sorted(x["kind"] for x in kinds["data"]) == ["awd", "fba", "warehouse"]
    assert kinds["pagination"]["total"] == 3

    body = client.get("/api/v1/purchase-orders?status=shipped", headers=world.headers())
    (got,) = body.get_json()["data"]
    assert (got["number"], got["status"], got["currency"], got["fx_rate"]) == (
        po.number,
        "shipped",
        "CNY",
        0.14,
    )
    assert got["expected_arrival_on"] == "2026-05-15"  # 1 Mar + 40 production + 35 sea
    assert (got["units"], got["received_units"], got["total_cost"]) == (400, 40, 8150.0)
    blue = next(line for line in got["lines"] if line["sku"] == "MUG-BLUE")
    assert (blue["received_quantity"], blue["outstanding"]) == (40, 60)
    none = client.get("/api/v1/purchase-orders?status=draft", headers=world.headers())
    assert none.get_json()["data"] == []


def test_another_tenant_sees_none_of_it(client, world, factory, db_session) -> None:
    _supply(factory, db_session, world)
    for url in ("/api/v1/suppliers", "/api/v1/locations", "/api/v1/purchase-orders"):
        body = client.get(url, headers=world.headers("b")).get_json()
        assert body["data"] == [] and body["pagination"]["total"] == 0, url
    page = client.get("/api/v1/purchase-orders?limit=1", headers=world.headers()).get_json()
    assert page["pagination"]["total"] == 1 and len(page["data"]) == 1
