"""Purchase orders: statuses, receipts into stock, currency, and the planner's read API."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.models import LocationInbound, LocationStock
from app.supply import purchase_orders as pos
from app.supply import terms_for_seller, upstream_for_seller
from app.supply.currency import to_seller
from app.supply.errors import SupplyError

DAY = dt.date(2026, 3, 1)


def _po(s, lines=(("SKU-A", 300), ("SKU-B", 200)), **kw):
    kw.setdefault("fx_rate", 0.14)
    return pos.create(
        _session(s), s.account, s.primary, s.warehouse,
        [pos.LineInput(sku, q, 20.0) for sku, q in lines], freight_lane=s.sea, ordered_on=DAY,
        **kw,
    )  # fmt: skip


def _session(s):
    from app.extensions import db

    return db.session


def _stock(session, location, sku):
    return session.scalar(
        select(LocationStock.quantity).where(
            LocationStock.location_id == location.id, LocationStock.sku == sku
        )
    )


def _ship(po):
    for status in ("sent", "in_production", "shipped"):
        pos.transition(po, status, DAY)


def test_a_partial_receipt_moves_exactly_the_received_units(supply, db_session) -> None:
    po = _po(supply)
    _ship(po)
    a, b = po.lines
    pos.receive(db_session, po, {a.id: 120}, DAY)
    assert _stock(db_session, supply.warehouse, "SKU-A") == 120
    assert _stock(db_session, supply.warehouse, "SKU-B") is None
    assert (a.received_quantity, a.outstanding, po.status) == (120, 180, "shipped")
    pos.receive(db_session, po, {a.id: 180, b.id: 50}, DAY)
    assert _stock(db_session, supply.warehouse, "SKU-A") == 300
    assert _stock(db_session, supply.warehouse, "SKU-B") == 50
    assert po.status == "shipped"
    pos.receive(db_session, po, {b.id: 150}, DAY + dt.timedelta(days=2))
    assert po.status == "received" and po.received_on == DAY + dt.timedelta(days=2)
    assert _stock(db_session, supply.warehouse, "SKU-B") == 200


def test_receiving_more_than_ordered_is_refused_and_changes_nothing(supply, db_session) -> None:
    po = _po(supply)
    _ship(po)
    a, b = po.lines
    pos.receive(db_session, po, {a.id: 250}, DAY)
    with pytest.raises(SupplyError, match="51 received but only 50 of 300"):
        pos.receive(db_session, po, {b.id: 10, a.id: 51}, DAY)
    assert (a.received_quantity, b.received_quantity) == (250, 0)
    assert _stock(db_session, supply.warehouse, "SKU-A") == 250
    assert _stock(db_session, supply.warehouse, "SKU-B") is None
    with pytest.raises(SupplyError, match="whole number"):
        pos.receive(db_session, po, {a.id: -1}, DAY)


def test_status_transitions_follow_the_order_and_receipts_need_a_shipped_po(
    supply, db_session
) -> None:
    po = _po(supply)
    with pytest.raises(SupplyError, match="draft: it cannot become shipped"):
        pos.transition(po, "shipped")
    with pytest.raises(SupplyError, match="only a shipped PO"):
        pos.receive(db_session, po, {po.lines[0].id: 1})
    pos.transition(po, "sent", DAY)
    assert po.sent_on == DAY and po.ordered_on == DAY
    with pytest.raises(SupplyError, match="cannot become draft"):
        pos.transition(po, "draft")
    pos.transition(po, "in_production")
    pos.transition(po, "shipped", DAY)
    with pytest.raises(SupplyError, match="still has units to receive"):
        pos.transition(po, "received")
    with pytest.raises(SupplyError, match="cannot become cancelled"):
        pos.transition(po, "cancelled")
    with pytest.raises(SupplyError, match="Unknown status"):
        pos.transition(po, "lost")


def test_a_po_in_another_currency_needs_a_rate(supply, db_session) -> None:
    with pytest.raises(SupplyError, match="enter the rate") as err:
        _po(supply, fx_rate=None)
    assert err.value.field == "fx_rate"
    with pytest.raises(SupplyError, match="positive"):
        _po(supply, fx_rate=-2)
    po = _po(supply, fx_rate=0.14)
    assert po.currency == "CNY" and to_seller(100.0, po, "USD") == pytest.approx(14.0)
    po.fx_rate = None
    with pytest.raises(SupplyError, match="no rate"):
        to_seller(100.0, po, "USD")
    usd = pos.create(db_session, supply.account, supply.backup, supply.warehouse,
                     [pos.LineInput("SKU-A", 5, 6.0)])  # fmt: skip
    assert usd.fx_rate is None and to_seller(30.0, usd, "USD") == 30.0
    assert usd.number != po.number


def test_lines_are_checked(supply, db_session) -> None:
    with pytest.raises(SupplyError, match="twice"):
        _po(supply, lines=(("SKU-A", 10), ("SKU-A", 20)))
    with pytest.raises(SupplyError, match="Line 2 \\(SKU-B\\): quantity"):
        _po(supply, lines=(("SKU-A", 10), ("SKU-B", 0)))
    with pytest.raises(SupplyError, match="at least one line"):
        _po(supply, lines=())


def test_upstream_counts_each_unit_once_on_its_day(supply, db_session) -> None:
    s = supply
    db_session.add(
        LocationStock(
            tenant_id=s.tenant.id,
            seller_account_id=s.account.id,
            location_id=s.warehouse.id,
            sku="SKU-A",
            quantity=70,
        )
    )
    db_session.add(
        LocationStock(
            tenant_id=s.tenant.id,
            seller_account_id=s.account.id,
            location_id=s.fba.id,
            sku="SKU-A",
            quantity=999,
        )
    )
    db_session.add(LocationInbound(tenant_id=s.tenant.id, seller_account_id=s.account.id,
                                   location_id=s.awd.id, reference="AWD-1", sku="SKU-B",
                                   quantity=40, expected_on=DAY))  # fmt: skip
    draft = _po(s, lines=(("SKU-A", 1000),))
    po = _po(s)
    assert po.expected_arrival_on == DAY + dt.timedelta(days=40 + 35)
    _ship(po)
    pos.receive(db_session, po, {po.lines[0].id: 100}, DAY)
    up = upstream_for_seller(db_session, s.account)
    a, b = up["SKU-A"], up["SKU-B"]
    assert a.on_hand == 170  # 70 imported + 100 received; FBA's 999 is not upstream
    assert [(o.arrives_on, o.quantity, o.reference) for o in a.on_order] == [
        (po.expected_arrival_on, 200, po.number)
    ]
    assert draft.number not in {o.reference for o in a.on_order}
    assert b.on_hand == 0
    assert [(o.arrives_on, o.quantity, o.kind) for o in b.on_order] == [
        (DAY, 40, "awd"),
        (po.expected_arrival_on, 200, "warehouse"),
    ]
    assert set(upstream_for_seller(db_session, s.account, ["SKU-B"])) == {"SKU-B"}


def test_terms_list_the_primary_first_with_lanes_and_price_breaks(supply, db_session) -> None:
    terms = terms_for_seller(db_session, supply.account)
    first, second = terms["SKU-A"]
    assert (first.supplier_name, first.role, first.currency) == ("Shenzhen Co", "primary", "CNY")
    assert first.unit_cost_for(499) == 20.0 and first.unit_cost_for(500) == 18.0
    assert [(lane.mode, lane.transit_days) for lane in first.lanes] == [("sea", 35)]
    assert (second.role, second.production_lead_days) == ("backup", 10)
    assert second.lanes[0].mode == "air" and second.lanes[0].cost_per_unit == 1.5


def test_other_tenants_rows_are_neither_read_nor_usable(supply, factory, db_session) -> None:
    from tests.support.supply import build_supply

    other = build_supply(factory, db_session, "Other")
    po = _po(supply)
    _ship(po)
    pos.receive(db_session, po, {po.lines[0].id: 10}, DAY)
    assert upstream_for_seller(db_session, other.account) == {}
    with pytest.raises(SupplyError, match="Unknown destination"):
        pos.create(db_session, supply.account, supply.primary, other.warehouse,
                   [pos.LineInput("SKU-A", 5, 1.0)], fx_rate=0.14)  # fmt: skip
    with pytest.raises(SupplyError, match="Unknown supplier"):
        pos.create(db_session, supply.account, other.primary, supply.warehouse,
                   [pos.LineInput("SKU-A", 5, 1.0)], fx_rate=0.14)  # fmt: skip
