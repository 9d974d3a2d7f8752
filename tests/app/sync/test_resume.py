"""A sync interrupted inside a page write and run again leaves exactly the database of a sync
that never stopped; a malformed page writes nothing. Also: fees and reports streams."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest
from sqlalchemy import func, select

from tests.support.sync import sim_seller, table_digests, truth_frames

TODAY = dt.date(2026, 11, 20)
# Reports before fees: fee estimates are asked at the listing price the reports bring.
ALL_STREAMS = ("orders", "inventory", "reports", "fees")


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    from simulator.testing import running_simulator

    with running_simulator(
        seed=11, skus=12, history_days=120, today=TODAY, rate_scale=1000
    ) as running:
        yield running


def digests(session: Any, seller_id: int, with_timestamps: bool = False) -> dict[str, str]:
    return table_digests(session, seller_id, with_timestamps)


def add_seller(sim: Any, name: str) -> tuple[int, int]:
    from app.extensions import db

    account = sim_seller(db.session, sim, name)
    return account.tenant_id, account.id


def history_days(sim: Any) -> int:
    """Days of history the simulator has now (the clock may have been moved on by a test)."""
    world = sim.marketplace.sellers[0].world
    return world.next_ordinal - world.start_ordinal


def fail_on_call(monkeypatch: Any, target: Any, name: str, call: int) -> dict[str, int]:
    """Make target.name raise on its call-th call, after doing its writes (mid-transaction)."""
    real = getattr(target, name)
    seen = {"n": 0}

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        seen["n"] += 1
        if seen["n"] == call:
            raise RuntimeError(f"killed inside {name}")
        return result

    monkeypatch.setattr(target, name, wrapper)
    return seen


def truth(sim: Any) -> pd.DataFrame:
    return truth_frames(sim, sim.marketplace.now)


def assert_matches_truth(session: Any, tenant_id: int, seller_id: int, sim: Any) -> None:
    from app.sync.history import sales_history

    history = sales_history(session, tenant_id, seller_id)
    got = history.assign(date=history["date"].dt.strftime("%Y-%m-%d"))
    merged = truth(sim).merge(
        got, on=["sku", "date"], how="outer", indicator=True, suffixes=("_t", "")
    )
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(20)
    assert (merged["units_t"] == merged["units"]).all()
    assert (merged["in_stock_t"] == merged["in_stock"]).all()


@pytest.mark.slow
def test_interrupted_sync_rerun_equals_uninterrupted(live_app, sim, monkeypatch) -> None:
    from app.extensions import db
    from app.models import SyncRun
    from app.sync import fees, inventory, orders
    from app.tasks import run_sync

    live_app.config.update(SPAPI_RATE_SCALE=1000, SPAPI_BACKOFF_BASE=0.02)
    _, clean = add_seller(sim, "clean")
    tenant_b, broken = add_seller(sim, "broken")
    for stream in ALL_STREAMS:
        assert run_sync(clean, stream, backfill_days=history_days(sim))["status"] == "succeeded"

    with monkeypatch.context() as m:
        fail_on_call(m, orders, "write_items", 2)
        fail_on_call(m, inventory, "write_ledger", 2)
        fail_on_call(m, fees, "write_fee_lines", 3)
        for stream in ("orders", "inventory", "fees"):
            with pytest.raises(RuntimeError, match="killed inside"):
                run_sync(broken, stream, backfill_days=history_days(sim))
    failed = db.session.scalars(
        select(SyncRun).where(SyncRun.seller_account_id == broken, SyncRun.status == "failed")
    ).all()
    assert len(failed) == 3 and all("killed inside" in (r.error or "") for r in failed)
    # Part of the work is committed (earlier pages), none of the failed page.
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(orders.Order)
            .where(orders.Order.seller_account_id == broken)
        )
        > 0
    )
    for stream in ALL_STREAMS:
        assert run_sync(broken, stream, backfill_days=history_days(sim))["status"] == "succeeded"
    db.session.expire_all()
    assert digests(db.session, broken) == digests(db.session, clean)
    assert_matches_truth(db.session, tenant_b, broken, sim)

    # Time moves on: increments, one of them killed on its second getOrders page.
    sim.advance(days=3)
    for stream in ("orders", "inventory"):
        run_sync(clean, stream)
    with monkeypatch.context() as m:
        calls = fail_on_call(m, orders, "write_orders", 2)
        with pytest.raises(RuntimeError):
            run_sync(broken, "orders")
        assert calls["n"] == 2
    for stream in ("orders", "inventory"):
        run_sync(broken, stream)
    db.session.expire_all()
    assert digests(db.session, broken) == digests(db.session, clean)
    assert_matches_truth(db.session, tenant_b, broken, sim)


def test_malformed_page_writes_nothing_from_that_page(live_app, sim, monkeypatch) -> None:
    from app.extensions import db
    from app.models import Order, SyncState
    from app.sync import orders
    from app.tasks import run_sync
    from integrations.amazon.errors import MalformedPayload

    live_app.config.update(SPAPI_RATE_SCALE=1000)
    _, seller = add_seller(sim, "malformed")
    real = orders.parse_all_orders
    seen = {"n": 0, "rows": 0}

    def parse(text: str) -> Any:
        seen["n"] += 1
        if seen["n"] == 2:
            raise MalformedPayload(
                "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL.line[7].quantity",
                "not an integer: 'x'",
            )
        rows = real(text)
        seen["rows"] += len({r.amazon_order_id for r in rows})
        return rows

    monkeypatch.setattr(orders, "parse_all_orders", parse)
    with pytest.raises(MalformedPayload):
        run_sync(seller, "orders", backfill_days=history_days(sim))
    stored = db.session.scalar(
        select(func.count()).select_from(Order).where(Order.seller_account_id == seller)
    )
    assert stored == seen["rows"]  # the first window only
    state = db.session.scalars(select(SyncState).where(SyncState.seller_account_id == seller)).one()
    assert not state.backfill_done and state.watermark is None


def test_fees_and_reports_streams_fill_their_tables_and_rerun_changes_nothing(
    live_app, sim
) -> None:
    from app.extensions import db
    from app.models import (
        AmazonRestockRecommendation,
        FeeEstimate,
        FeeEvent,
        Product,
        StorageFeeCharge,
    )
    from app.tasks import run_sync
    from simulator.truth import truth_texts

    live_app.config.update(SPAPI_RATE_SCALE=1000)
    _, seller = add_seller(sim, "fees")
    for stream in ALL_STREAMS:
        assert run_sync(seller, stream, backfill_days=history_days(sim))["status"] == "succeeded"
    session = db.session
    fee_types = set(
        session.scalars(
            select(FeeEvent.fee_type).where(FeeEvent.seller_account_id == seller).distinct()
        )
    )
    assert {"FBAPerUnitFulfillmentFee", "Commission"} <= fee_types
    estimates = session.scalars(select(FeeEstimate).where(FeeEstimate.seller_account_id == seller))
    assert all(e.total_fees and e.total_fees > 0 for e in estimates)
    skus = pd.read_csv(io.StringIO(truth_texts(sim.marketplace.sellers[0].world)["skus.csv"]))
    products = {
        p.sku: p
        for p in session.scalars(select(Product).where(Product.seller_account_id == seller))
    }
    assert set(products) == set(skus["sku"])
    for row in skus.itertuples():
        p = products[row.sku]
        assert p.size_tier and p.length_in == pytest.approx(row.length_in, rel=0.02)
        assert p.unit_cost is None  # the seller's own setting, never filled from Amazon
    assert (
        session.scalar(
            select(func.count())
            .select_from(StorageFeeCharge)
            .where(StorageFeeCharge.seller_account_id == seller)
        )
        > 0
    )
    restock = session.scalars(
        select(AmazonRestockRecommendation).where(
            AmazonRestockRecommendation.seller_account_id == seller
        )
    ).all()
    assert restock and {r.sku for r in restock} <= set(skus["sku"])
    before = digests(session, seller, with_timestamps=True)
    for stream in ("fees", "reports"):
        run_sync(seller, stream)
    session.expire_all()
    assert digests(session, seller, with_timestamps=True) == before


def test_fetch_report_job_stores_a_finished_report(live_app, sim) -> None:
    """What a REPORT_PROCESSING_FINISHED notification triggers: fetch that report by id."""
    from app.extensions import db
    from app.models import InventorySnapshot, SellerAccount, SyncRun
    from app.sync.clients import client_for
    from app.tasks import fetch_report

    live_app.config.update(SPAPI_RATE_SCALE=1000)
    _, seller = add_seller(sim, "notified")
    client = client_for(db.session.get(SellerAccount, seller), live_app.config)
    report_id = client.create_report(
        "GET_LEDGER_SUMMARY_VIEW_DATA",
        # Nov 1-5 of the US seller: Pacific days
        dt.datetime(2026, 11, 1, tzinfo=ZoneInfo("America/Los_Angeles")),
        dt.datetime(2026, 11, 5, 23, 59, tzinfo=ZoneInfo("America/Los_Angeles")),
        {"aggregatedByTimePeriod": "DAILY"},
    )
    client.close()
    result = fetch_report(seller, report_id, "GET_LEDGER_SUMMARY_VIEW_DATA")
    assert result["rows_written"] == 5 * 12
    days = set(
        db.session.scalars(
            select(InventorySnapshot.date).where(InventorySnapshot.seller_account_id == seller)
        )
    )
    assert days == {dt.date(2026, 11, d) for d in range(1, 6)}
    run = db.session.get(SyncRun, result["sync_run_id"])
    assert run.status == "succeeded" and run.api_calls >= 2
    ignored = fetch_report(seller, report_id, "GET_FBA_INVENTORY_PLANNING_DATA")
    assert ignored["rows_written"] == 0
