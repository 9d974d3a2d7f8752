"""Expected arrivals of open inbound shipments: Amazon's window, what the sync saw, the seller's
own history, the lead-time fallback; units still to come per SKU; sent plans never counted twice."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

TODAY = dt.date(2026, 11, 20)
D = dt.timedelta(days=1)


@pytest.fixture
def account(factory: Any) -> Any:
    from app.models import Product

    tenant = factory.tenant()
    seller = factory.seller(tenant)
    for sku in ("A", "B", "C"):
        factory.session.add(
            Product(
                tenant_id=tenant.id,
                seller_account_id=seller.id,
                sku=sku,
                lead_time_transit_days=10,
                lead_time_receiving_days=4,
            )
        )
    factory.session.flush()
    return seller


def shipment(
    session: Any,
    account: Any,
    sid: str,
    status: str,
    sku: str,
    shipped: int,
    received: int = 0,
    **dates: Any,
) -> Any:
    from app.models import InboundShipment, InboundShipmentItem

    owner = {"tenant_id": account.tenant_id, "seller_account_id": account.id}
    row = InboundShipment(**owner, shipment_id=sid, status=status, **dates)
    session.add(row)
    session.add(
        InboundShipmentItem(
            **owner,
            shipment_id=sid,
            sku=sku,
            quantity_shipped=shipped,
            quantity_received=received,
        )
    )
    session.flush()
    return row


def closed_history(session: Any, account: Any, transit_days: int, span: int, n: int = 3) -> None:
    """`n` closed shipments: shipped, first receipt `transit_days` later, `span` receipt days."""
    for i in range(n):
        shipped = TODAY - dt.timedelta(days=60 + 10 * i)
        first = shipped + dt.timedelta(days=transit_days)
        shipment(
            session,
            account,
            f"OLD{i}",
            "CLOSED",
            "C",
            10,
            10,
            shipped_on=shipped,
            first_received_on=first,
            closed_on=first + dt.timedelta(days=span - 1),
        )


def test_amazons_window_gives_the_arrival_two_days_after_its_last_day(db_session, account):
    from app.planning.arrivals import inbound_for_seller

    shipment(
        db_session,
        account,
        "FBA1",
        "IN_TRANSIT",
        "A",
        40,
        delivery_window_start=TODAY + 3 * D,
        delivery_window_end=TODAY + 5 * D,
    )
    (got,) = inbound_for_seller(db_session, account, TODAY)["A"]
    assert (got.quantity, got.expected_arrival, got.arrival_source) == (40, TODAY + 7 * D, "amazon")
    assert got.shipment_id == "FBA1" and got.status == "in_transit"


def test_a_delivery_seen_replaces_the_window(db_session, account):
    from app.planning.arrivals import inbound_for_seller

    shipment(
        db_session,
        account,
        "FBA1",
        "DELIVERED",
        "A",
        40,
        delivered_on=TODAY - D,
        delivery_window_end=TODAY + 4 * D,
    )
    (got,) = inbound_for_seller(db_session, account, TODAY)["A"]
    assert (got.expected_arrival, got.arrival_source) == (TODAY + D, "amazon")


def test_without_amazon_date_or_history_the_lead_time_estimate_is_used(db_session, account):
    from app.planning.arrivals import inbound_for_seller
    from forecasting.inbound import estimate_arrival

    shipment(db_session, account, "FBA2", "SHIPPED", "A", 25, shipped_on=TODAY - 2 * D)
    (got,) = inbound_for_seller(db_session, account, TODAY)["A"]
    # Transit + receiving (10 + 4): the shipment exists, so production is behind it.
    assert got.expected_arrival == estimate_arrival("SHIPPED", 14, TODAY) == TODAY + 7 * D
    assert got.arrival_source == "estimated" and got.receiving_days is None


def test_the_sellers_own_history_sets_the_estimate_and_the_receiving_spread(db_session, account):
    from app.planning.arrivals import inbound_for_seller, seller_history

    closed_history(db_session, account, transit_days=9, span=3)
    shipment(db_session, account, "FBA2", "SHIPPED", "A", 25, shipped_on=TODAY - 2 * D)
    history = seller_history(db_session, account, TODAY)
    assert history.days_from("SHIPPED") == 9 and history.receipt_span == 3
    (got,) = inbound_for_seller(db_session, account, TODAY)["A"]
    # Shipped two days ago, nine days to the first receipt: a week from today, over 3 days.
    assert (got.expected_arrival, got.arrival_source, got.receiving_days) == (
        TODAY + 7 * D,
        "estimated",
        3,
    )
    by_day = got.units_by_day(TODAY)
    assert sorted(by_day) == [7, 8, 9] and sum(by_day.values()) == 25


def test_too_little_history_falls_back(db_session, account):
    from app.planning.arrivals import inbound_for_seller

    closed_history(db_session, account, transit_days=9, span=3, n=2)
    shipment(db_session, account, "FBA2", "SHIPPED", "A", 25, shipped_on=TODAY - 2 * D)
    (got,) = inbound_for_seller(db_session, account, TODAY)["A"]
    assert got.expected_arrival == TODAY + 7 * D and got.receiving_days is None  # lead time


def test_receiving_counts_only_units_not_received_and_is_stored(db_session, account):
    from app.models import InboundShipment
    from app.planning.arrivals import inbound_for_seller

    shipment(db_session, account, "FBA3", "RECEIVING", "B", 50, 20, first_received_on=TODAY - D)
    shipment(db_session, account, "FBA4", "CLOSED", "B", 30, 30)
    shipment(db_session, account, "FBA5", "CANCELLED", "B", 30, 0)
    (got,) = inbound_for_seller(db_session, account, TODAY)["B"]
    assert (got.quantity, got.expected_arrival, got.status) == (30, TODAY - D, "receiving")
    stored = db_session.scalars(
        select(InboundShipment).where(InboundShipment.shipment_id == "FBA3")
    ).one()
    assert (stored.expected_arrival, stored.arrival_source) == (TODAY - D, "amazon")
    # Its remaining units come from today on, none in the past.
    assert min(got.units_by_day(TODAY)) == 0 and sum(got.units_by_day(TODAY).values()) == 30


def test_a_sent_plan_counts_once_and_gives_way_to_amazons_record(db_session, account):
    from app.models import InboundShipment, ShipmentPlan, ShipmentPlanLine
    from app.planning.arrivals import inbound_for_seller
    from app.sync.inbound import forget_sent_plan, record_sent_plan

    owner = {"tenant_id": account.tenant_id, "seller_account_id": account.id}
    plan = ShipmentPlan(**owner, name="June", status="shipped", inbound_plan_id="wfPLAN")
    plan.lines.append(ShipmentPlanLine(**owner, sku="A", quantity=60))
    db_session.add(plan)
    db_session.flush()
    record_sent_plan(db_session, plan, TODAY - D)
    (got,) = inbound_for_seller(db_session, account, TODAY)["A"]
    assert (got.quantity, got.arrival_source) == (60, "estimated")
    assert got.shipment_id == f"LOCAL-{plan.id}"
    # Marking it sent again changes nothing (one stand-in, its lines once).
    record_sent_plan(db_session, plan, TODAY - D)
    assert len(inbound_for_seller(db_session, account, TODAY)["A"]) == 1

    # Amazon lists a shipment of that plan: Amazon's record counts, the stand-in does not.
    amazon = shipment(db_session, account, "FBA9", "SHIPPED", "A", 60, inbound_plan_id="wfPLAN")
    assert amazon.source == "amazon"
    (got,) = inbound_for_seller(db_session, account, TODAY)["A"]
    assert got.shipment_id == "FBA9"

    other = ShipmentPlan(**owner, name="July", status="shipped")
    other.lines.append(ShipmentPlanLine(**owner, sku="B", quantity=5))
    db_session.add(other)
    db_session.flush()
    record_sent_plan(db_session, other, TODAY)
    assert [i.quantity for i in inbound_for_seller(db_session, account, TODAY)["B"]] == [5]
    assert forget_sent_plan(db_session, other) == 1
    assert "B" not in inbound_for_seller(db_session, account, TODAY)
    assert not db_session.scalars(
        select(InboundShipment).where(InboundShipment.shipment_plan_id == other.id)
    ).all()
