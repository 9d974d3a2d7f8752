"""The inbound stream against the simulator over real HTTP (seed 7, 40 SKUs): exact against
inbound_shipments.csv, every status present, a second run changes nothing, daily runs learn
first receipt days, a crash mid-stream resumes, and sent plans give way to Amazon's record."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from simulator.inbound import STATUSES as SIMULATED_STATUSES
from tests.support.inbound import add_sim_seller, mismatches, server_clock, truth_shipments

TODAY = dt.date(2026, 11, 20)
STATUSES = set(SIMULATED_STATUSES)  # every status the simulated seller goes through


@pytest.fixture
def sim() -> Iterator[Any]:
    from simulator.testing import running_simulator

    with running_simulator(
        seed=7, skus=40, history_days=400, today=TODAY, rate_scale=1000
    ) as running:
        yield running


def fast(app: Any) -> None:
    app.config.update(SPAPI_RATE_SCALE=1000, SPAPI_BACKOFF_BASE=0.02, SPAPI_TIMEOUT=10)


def digest(session: Any, seller_id: int) -> str:
    from app.models import InboundShipment, InboundShipmentItem

    parts = []
    for model in (InboundShipment, InboundShipmentItem):
        cols = [c for c in model.__table__.c if c.name not in ("id",)]
        rows = session.execute(select(*cols).where(model.seller_account_id == seller_id)).all()
        parts.append("\n".join(sorted(repr(tuple(r)) for r in rows)))
    return hashlib.sha256("\n--\n".join(parts).encode()).hexdigest()


@pytest.mark.slow
def test_first_sync_is_exact_every_status_and_a_second_run_changes_nothing(live_app, sim):
    from app.extensions import db
    from app.models import InboundShipment
    from app.tasks import run_sync

    fast(live_app)
    seller_id = add_sim_seller(db.session, sim)
    first_clock = server_clock(sim)
    result = run_sync(seller_id, "inbound")
    assert result["status"] == "succeeded", result
    truth = truth_shipments(sim)
    assert mismatches(db.session, seller_id, truth, first_clock) == []
    statuses = set(db.session.scalars(select(InboundShipment.status)))
    assert statuses >= STATUSES
    # Amazon's dates were joined: plan shipments with a window, and legacy ones without.
    rows = db.session.scalars(select(InboundShipment)).all()
    assert any(r.delivery_window_end for r in rows) and any(not r.inbound_plan_id for r in rows)
    # The task stored each open shipment's arrival: Amazon's where it has a window.
    open_rows = [r for r in rows if r.status not in ("CLOSED", "CANCELLED")]
    assert open_rows and all(r.expected_arrival for r in open_rows)
    by_id = truth.set_index("shipment_id")
    for r in open_rows:
        if r.delivery_window_end and r.status in ("SHIPPED", "IN_TRANSIT"):
            assert r.arrival_source == "amazon"
            # The window's last day + 2 is never before the truth's first receipt day.
            assert r.expected_arrival.isoformat() >= by_id.at[r.shipment_id, "first_receipt_date"]
        if not r.delivery_window_end and r.status in ("SHIPPED", "IN_TRANSIT", "WORKING"):
            assert r.arrival_source == "estimated"

    before = digest(db.session, seller_id)
    again = run_sync(seller_id, "inbound")
    assert again["status"] == "succeeded" and again["rows_written"] >= 0
    db.session.expire_all()
    assert digest(db.session, seller_id) == before


@pytest.mark.slow
def test_daily_runs_are_incremental_and_learn_first_receipt_days(live_app, sim):
    from app.extensions import db
    from app.models import InboundShipment
    from app.tasks import run_sync

    fast(live_app)
    seller_id = add_sim_seller(db.session, sim)
    first_clock = server_clock(sim)
    backfill = run_sync(seller_id, "inbound")
    assert backfill["status"] == "succeeded"
    full_calls = None
    for _ in range(12):
        sim.advance(days=1)
        result = run_sync(seller_id, "inbound")
        assert result["status"] == "succeeded"
        full_calls = result["api_calls"]
        db.session.expire_all()
        assert mismatches(db.session, seller_id, truth_shipments(sim), first_clock) == []
    # A daily run reads two or three days of windows and the plans that changed, not 180 days.
    assert full_calls is not None and full_calls * 3 < backfill["api_calls"], (
        full_calls,
        backfill["api_calls"],
    )
    learnt = db.session.scalars(
        select(InboundShipment).where(InboundShipment.first_received_on.is_not(None))
    ).all()
    # Seen before receiving, then receiving: the first receipt day is known (and exact, above).
    assert len(learnt) >= 3


@pytest.mark.slow
def test_a_crash_mid_stream_resumes_and_converges(live_app, sim):
    from app.extensions import db
    from app.models import SyncState
    from app.sync.clients import client_for
    from app.sync.runner import run_stream

    fast(live_app)
    seller_id = add_sim_seller(db.session, sim)
    first_clock = server_clock(sim)
    from app.models import SellerAccount

    account = db.session.get(SellerAccount, seller_id)
    commits = {"n": 0}

    def crash(stream: str) -> None:
        commits["n"] += 1
        if commits["n"] == 5:
            raise RuntimeError("worker killed")

    client = client_for(account, live_app.config)
    with pytest.raises(RuntimeError, match="worker killed"):
        run_stream(db.session, account, "inbound", client, before_commit=crash)
    client.close()
    state = db.session.scalars(select(SyncState).where(SyncState.stream == "inbound")).one()
    assert not state.backfill_done and "updated_through" in (state.cursor or "")
    client = client_for(account, live_app.config)
    run = run_stream(db.session, account, "inbound", client)
    client.close()
    assert run.status == "succeeded"
    assert mismatches(db.session, seller_id, truth_shipments(sim), first_clock) == []


@pytest.mark.slow
def test_a_sent_plan_counts_until_amazons_record_replaces_it(live_app, sim):
    from app.extensions import db
    from app.models import InboundShipment, SellerAccount, ShipmentPlan, ShipmentPlanLine
    from app.planning.arrivals import inbound_for_seller
    from app.sync.inbound import record_sent_plan
    from app.tasks import run_sync

    fast(live_app)
    seller_id = add_sim_seller(db.session, sim)
    account = db.session.get(SellerAccount, seller_id)
    assert run_sync(seller_id, "inbound")["status"] == "succeeded"
    # A plan whose inbound plan id Amazon lists (the simulator's WORKING top-up's plan).
    working = db.session.scalars(
        select(InboundShipment).where(
            InboundShipment.status == "WORKING", InboundShipment.inbound_plan_id.is_not(None)
        )
    ).first()
    assert working is not None
    plan = ShipmentPlan(
        tenant_id=account.tenant_id,
        seller_account_id=seller_id,
        name="sent",
        status="shipped",
        inbound_plan_id=working.inbound_plan_id,
    )
    plan.lines.append(
        ShipmentPlanLine(
            tenant_id=account.tenant_id, seller_account_id=seller_id, sku="X-1", quantity=12
        )
    )
    other = ShipmentPlan(
        tenant_id=account.tenant_id, seller_account_id=seller_id, name="own", status="shipped"
    )
    other.lines.append(
        ShipmentPlanLine(
            tenant_id=account.tenant_id, seller_account_id=seller_id, sku="X-2", quantity=30
        )
    )
    db.session.add_all([plan, other])
    db.session.flush()
    record_sent_plan(db.session, plan, TODAY)
    record_sent_plan(db.session, other, TODAY)
    db.session.commit()
    today = server_clock(sim).date()
    inbound = inbound_for_seller(db.session, account, today)
    # Amazon already lists a shipment of the first plan: its stand-in is not counted.
    assert "X-1" not in inbound
    (own,) = inbound["X-2"]
    assert own.quantity == 30 and own.arrival_source == "estimated" and own.expected_arrival
    # Amazon's own record of that shipment id replaces the stand-in on the next sync.
    local = db.session.scalars(
        select(InboundShipment).where(InboundShipment.source == "local")
    ).all()
    assert [r.shipment_plan_id for r in local] == [other.id]
