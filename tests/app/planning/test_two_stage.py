"""The recommend run's two-stage plan (#16): a seller with a warehouse, AWD, two suppliers (the
backup faster and pricier) and a purchase order in flight, trained and planned end to end."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.models import Location, LocationStock, PurchaseOrder, Recommendation
from app.planning.recommend import recommend_seller
from app.planning.train import train_seller
from app.supply import purchase_orders as pos
from forecasting.explain import fmt_date
from forecasting.supply import ORDER_LINES
from tests.support.supply import TODAY, two_stage_world

_world = two_stage_world


def _current(session: Any, seller: Any) -> dict[str, Recommendation]:
    rows = session.scalars(
        select(Recommendation).where(
            Recommendation.seller_account_id == seller.id, Recommendation.is_current.is_(True)
        )
    )
    return {r.sku: r for r in rows}


def test_the_send_is_capped_upstream_and_the_backup_flies_in(factory, db_session) -> None:
    w = _world(factory, db_session)
    train_seller(db_session, w.seller, seed=1)
    recommend_seller(db_session, w.seller)
    recs = _current(db_session, w.seller)
    short, steady, plain = recs["SHORT"], recs["STEADY"], recs["PLAIN"]

    # The FBA send takes what is upstream, and the sentence says so.
    tl = short.timeline
    assert short.quantity == 60 and tl["recommendation"]["upstream_limited"]
    assert tl["recommendation"]["unconstrained_quantity"] > 60
    assert "(upstream stock limit: 60 units upstream" in short.explanation
    assert tl["upstream"]["on_hand"] == 60 and tl["upstream"]["on_order"] == 0
    assert tl["upstream"]["locations"] == [
        {"location_id": w.warehouse.id, "name": "Main 3PL", "kind": "warehouse", "quantity": 60}
    ]

    # FBA is empty and Shenzhen's sea freight lands in 75 days: Ohio Works by air, and why.
    order = tl["recommendation"]["supplier_order"]
    assert order["backup"] is True and order["supplier_id"] == w.backup.id
    assert order["freight"] == "air" and order["lane_id"] == w.air.id
    assert order["arrives_on"] == (TODAY + dt.timedelta(days=14)).isoformat()
    assert order["at_fba_on"] == (TODAY + dt.timedelta(days=14 + 25)).isoformat()
    assert order["order_by"] == TODAY.isoformat()  # already late: order today
    c = order["contingency"]
    assert c["instead_of"]["supplier_id"] == w.primary.id and c["days_earlier"] == 61
    assert c["lost_margin_saved"] > c["extra_cost"] > 0
    assert order["explanation"].startswith(
        f"Order {order['quantity']:,} from Ohio Works by air: lands "
        f"{fmt_date(TODAY + dt.timedelta(days=14), TODAY)}, 61 days before Shenzhen Co by sea"
    )
    assert f"costs ${c['extra_cost']:,} more and saves ${c['lost_margin_saved']:,}" in \
        order["explanation"]
    assert order["cost"]["total"] == sum(order["cost"]["lines"][k] for k in ORDER_LINES)
    # The backup tops up the primary's regular order, which is still placed: stored beside it
    # and said after it, with its own date.
    regular = order.get("regular_order")
    if c["regular_quantity"]:
        assert regular["supplier_id"] == w.primary.id and regular["freight"] == "sea"
        assert regular["quantity"] == c["regular_quantity"] > 0
        assert order["explanation"].endswith(regular["explanation"])
        assert regular["explanation"].startswith(
            f"With it, order {regular['quantity']:,} from Shenzhen Co by sea as usual: lands")
    else:
        assert regular is None
    # the row's columns are the timeline's own
    assert (short.reorder_by, short.reorder_quantity, short.reorder_supplier_id) == (
        TODAY, order["quantity"], w.backup.id
    )

    # STEADY: warehouse and AWD stock, the PO's units on their day, each counted once.
    up = steady.timeline["upstream"]
    assert up["on_hand"] == 320 and up["on_order"] == 200
    assert [a["reference"] for a in up["arrivals"]] == [w.po.number]
    days = steady.timeline["days"]
    assert days["upstream_arrivals"][20] == 200 and sum(days["upstream_arrivals"]) == 200
    assert days["upstream_on_hand"][19] == 320 - steady.quantity
    assert days["upstream_on_hand"][20] == 520 - steady.quantity
    assert steady.quantity <= 320
    so = steady.timeline["recommendation"]["supplier_order"]
    if so is not None:  # any order honours the chosen supplier's case pack and MOQ
        pack, moq = (10, 100) if so["supplier_id"] == w.primary.id else (1, 0)
        assert so["quantity"] % pack == 0 and so["quantity"] >= moq
        assert so["case_pack"] == pack and so["moq"] == moq

    # PLAIN has no supplier and nothing upstream: planned as before.
    assert plain.timeline["upstream"] is None
    assert plain.timeline["recommendation"]["supplier_order"] is None
    assert not plain.timeline["recommendation"]["upstream_limited"]
    assert plain.reorder_by is None and plain.reorder_quantity is None
    assert "upstream_on_hand" not in plain.timeline["days"]


def test_a_partial_receipt_moves_exactly_the_received_units(factory, db_session) -> None:
    w = _world(factory, db_session)
    train_seller(db_session, w.seller, seed=1)
    recommend_seller(db_session, w.seller)
    before = _current(db_session, w.seller)["STEADY"].timeline
    po = db_session.get(PurchaseOrder, w.po.id)
    pos.receive(db_session, po, {po.lines[0].id: 70}, TODAY)
    recommend_seller(db_session, w.seller)
    after = _current(db_session, w.seller)["STEADY"].timeline
    assert after["upstream"]["on_hand"] == before["upstream"]["on_hand"] + 70
    assert after["upstream"]["on_order"] == before["upstream"]["on_order"] - 70 == 130
    stock = db_session.scalar(
        select(LocationStock.quantity).where(
            LocationStock.location_id == w.warehouse.id, LocationStock.sku == "STEADY"
        )
    )
    assert stock == 370
    # the whole horizon holds the same units: nothing counted twice, nothing lost
    for tl in (before, after):
        q = tl["recommendation"]["quantity"]
        assert tl["days"]["upstream_on_hand"][-1] + q == 520


def test_a_supplier_in_another_currency_needs_the_sellers_rate(factory, db_session) -> None:
    w = _world(factory, db_session, rate=None)
    train_seller(db_session, w.seller, seed=1)
    recommend_seller(db_session, w.seller)
    recs = _current(db_session, w.seller)
    for sku in ("SHORT", "STEADY"):
        tl = recs[sku].timeline
        assert tl["recommendation"]["supplier_order"] is None, sku
        assert recs[sku].reorder_by is None
        assert any("Shenzhen Co quotes in CNY: no rate to USD" in n for n in tl["notes"]), sku
        assert "the primary supplier cannot be priced: no supplier order" in tl["notes"]
    # the cap still holds: the send comes from upstream
    assert recs["SHORT"].quantity == 60
    assert db_session.scalar(select(Location.id).where(Location.kind == "awd")) == w.awd.id
