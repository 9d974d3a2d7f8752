"""The reorder-by alert (#16, #18): a supplier order whose order-by date is within N days is
announced once, to a loopback JSON receiver, and again only when the plan moves the date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.alerts.service import ALL_EVENTS, run_for_seller
from app.models import AlertSettings, Recommendation, Supplier
from app.planning.recommend import recommend_seller
from app.planning.train import train_seller
from tests.support.receiver import json_receiver
from tests.support.supply import TODAY, two_stage_world

NOON = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def _settings(session: Any, tenant_id: int, user_id: int, url: str, **kw: Any) -> AlertSettings:
    kw.setdefault("events", list(ALL_EVENTS))
    row = AlertSettings(tenant_id=tenant_id, user_id=user_id, channel_url=url, **kw)
    session.add(row)
    session.flush()
    return row


def _plan(session: Any, seller: Any, at: dt.datetime, orders: dict[str, tuple]) -> None:
    """A planner run whose SKUs carry supplier orders (quantity, supplier, order-by)."""
    for old in session.query(Recommendation).filter_by(is_current=True):
        old.is_current = False
    for sku, (qty, supplier, by) in orders.items():
        session.add(
            Recommendation(
                tenant_id=seller.tenant_id, seller_account_id=seller.id, sku=sku,
                computed_at=at, status="healthy", reorder_quantity=qty,
                reorder_supplier_id=supplier.id if supplier else None, reorder_by=by,
            )
        )  # fmt: skip
    session.flush()


def test_reorder_by_within_n_days_once_per_state_change(app, factory, db_session) -> None:
    tenant = factory.tenant()
    user = factory.user(tenant)
    seller = factory.seller(tenant, name="acme-us")
    sup = Supplier(tenant_id=tenant.id, name="Ningbo Housewares")
    db_session.add(sup)
    db_session.flush()
    today = NOON.date()
    soon, far = today + dt.timedelta(days=9), today + dt.timedelta(days=40)
    with json_receiver() as rx:
        _settings(db_session, tenant.id, user.id, rx.url, reorder_by_days=10)
        plan = {"MUG-1": (600, sup, soon), "CUP-2": (240, sup, far),
                "LATE-3": (96, sup, today - dt.timedelta(days=2)), "NONE-4": (None, None, None)}
        _plan(db_session, seller, NOON, plan)  # fmt: skip
        assert run_for_seller(db_session, seller, app.config, NOON).sent == 2
        got = {m["sku"]: m for m in rx.messages}
        assert set(got) == {"MUG-1", "LATE-3"}
        assert {m["kind"] for m in rx.messages} == {"reorder_by_soon"}
        assert got["MUG-1"]["message"] == (
            f"Order 600 units of MUG-1 (acme-us) from Ningbo Housewares by {soon.isoformat()}."
        )
        assert "LATE-3 (acme-us) from Ningbo Housewares now" in got["LATE-3"]["message"]

        # The next run with the same dates: nothing new.
        later = NOON + dt.timedelta(hours=1)
        _plan(db_session, seller, later, plan)
        assert run_for_seller(db_session, seller, app.config, later).sent == 0

        # The plan moves MUG-1's date: a new deadline, announced once; CUP-2 comes within 10 days.
        moved = soon - dt.timedelta(days=3)
        again = NOON + dt.timedelta(days=31)
        _plan(db_session, seller, again, {**plan, "MUG-1": (660, sup, moved)})
        assert run_for_seller(db_session, seller, app.config, again).sent == 2
        new = {m["sku"]: m["message"] for m in rx.messages[2:]}
        assert set(new) == {"MUG-1", "CUP-2"} and moved.isoformat() in new["MUG-1"]
        assert "660 units" in new["MUG-1"]


def test_a_planned_supplier_order_that_is_late_is_announced(app, factory, db_session) -> None:
    w = two_stage_world(factory, db_session)
    user = factory.user(w.tenant)
    train_seller(db_session, w.seller, seed=1)
    recommend_seller(db_session, w.seller)
    now = dt.datetime.combine(TODAY, dt.time(12), tzinfo=dt.UTC)
    with json_receiver() as rx:
        _settings(db_session, w.seller.tenant_id, user.id, rx.url, events=["reorder_by_soon"])
        run_for_seller(db_session, w.seller, app.config, now)
        msgs = {m["sku"]: m["message"] for m in rx.messages}
        # SHORT's backup order is due today; PLAIN has no supplier and never appears
        assert "SHORT" in msgs and "PLAIN" not in msgs
        short = db_session.query(Recommendation).filter_by(sku="SHORT", is_current=True).one()
        assert msgs["SHORT"] == (
            f"Order {short.reorder_quantity} units of SHORT ({w.seller.name}) from Ohio Works "
            f"now (order-by date {TODAY.isoformat()})."
        )
