"""A plan marked shipped through the API is inbound (a local shipment) until it is not."""

from __future__ import annotations

from sqlalchemy import select

from app.models import InboundShipment, InboundShipmentItem


def _local(db_session) -> list[tuple[str, str, int]]:
    rows = db_session.execute(
        select(
            InboundShipment.shipment_id,
            InboundShipmentItem.sku,
            InboundShipmentItem.quantity_shipped,
        )
        .select_from(InboundShipment)
        .join(InboundShipmentItem, InboundShipmentItem.shipment_id == InboundShipment.shipment_id)
        .where(InboundShipment.source == "local")
    ).all()
    return sorted(tuple(r) for r in rows)


def test_marking_a_plan_shipped_makes_it_inbound_and_unmarking_undoes_it(
    client, world, db_session
) -> None:
    created = client.post(
        "/api/v1/plans",
        json={
            "seller_account_id": world.seller_a.id,
            "name": "Sent",
            "lines": [{"sku": "MUG-RED", "quantity": 36}],
        },
        headers=world.headers(),
    ).get_json()
    assert _local(db_session) == []
    url = f"/api/v1/plans/{created['id']}"
    assert client.patch(url, json={"status": "shipped"}, headers=world.headers()).status_code == 200
    sid = f"LOCAL-{created['id']}"
    assert _local(db_session) == [(sid, "MUG-RED", 36)]
    row = db_session.scalars(
        select(InboundShipment).where(InboundShipment.shipment_id == sid)
    ).one()
    assert row.arrival_source == "estimated" and row.shipped_on is not None
    # Renaming a shipped plan keeps one stand-in; un-marking it removes it.
    assert client.patch(url, json={"name": "Sent!"}, headers=world.headers()).status_code == 200
    assert _local(db_session) == [(sid, "MUG-RED", 36)]
    assert client.patch(url, json={"status": "ready"}, headers=world.headers()).status_code == 200
    assert _local(db_session) == []
