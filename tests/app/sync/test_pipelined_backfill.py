"""The first sync's report windows, pipelined, against the simulator: commits in window order
with the cursor exactly past the last committed window, a failure in window k resumed from k
with nothing lost or doubled, reports processed side by side (simulated wall time about one
processing time, not one per window), and no transaction open while the API is waited on."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from tests.support.sync import sim_seller, table_digests

TODAY = dt.date(2026, 11, 20)
HISTORY = 200  # seven 30-day order windows, seven 31-day ledger windows
WINDOW = dt.timedelta(days=30)


@pytest.fixture(scope="module")
def sim() -> Iterator[Any]:
    from simulator.testing import running_simulator

    with running_simulator(
        seed=5, skus=10, history_days=HISTORY, today=TODAY, rate_scale=1000
    ) as running:
        yield running


def _utc(when: dt.datetime) -> dt.datetime:
    return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def orders_cursor(session: Any, seller_id: int) -> tuple[dict[str, Any], Any]:
    from app.models import SyncState

    state = session.scalars(
        select(SyncState).where(
            SyncState.seller_account_id == seller_id, SyncState.stream == "orders"
        )
    ).one()
    return json.loads(state.cursor) if state.cursor else {}, state


def stored_updates(session: Any, seller_id: int) -> list[dt.datetime]:
    from app.models import Order

    return [
        _utc(t)
        for t in session.scalars(
            select(Order.last_update_date).where(Order.seller_account_id == seller_id)
        )
    ]


def run(live_app: Any, seller_id: int, stream: str, **kw: Any) -> Any:
    from app.extensions import db
    from app.models import SellerAccount
    from app.sync.clients import client_for
    from app.sync.runner import run_stream

    account = db.session.get(SellerAccount, seller_id)
    client = kw.pop("client", None) or client_for(account, live_app.config)
    try:
        return run_stream(db.session, account, stream, client, backfill_days=HISTORY, **kw)
    finally:
        client.close()


def _local_midnight(session: Any, seller_id: int, day: str) -> dt.datetime:
    from app import localtime
    from app.models import SellerAccount

    account = session.get(SellerAccount, seller_id)
    return localtime.day_start(dt.date.fromisoformat(day), account.time_zone)


def test_windows_commit_in_order_with_the_cursor_exactly_past_them(live_app, sim) -> None:
    from app.extensions import db

    live_app.config.update(SPAPI_RATE_SCALE=1000)
    seller = sim_seller(db.session, sim, "ordered").id
    seen: list[tuple[str, int, dt.datetime | None]] = []

    def before_commit(stream: str) -> None:
        # What this commit makes durable: the cursor and the orders written so far.
        cur, _ = orders_cursor(db.session, seller)
        updates = stored_updates(db.session, seller)
        if "backfill_next" in cur:
            nxt = dt.datetime.fromisoformat(cur["backfill_next"])
            assert all(t < nxt for t in updates), "an order of a later window was written early"
            seen.append((cur["backfill_next"], len(updates), max(updates, default=None)))

    run(live_app, seller, "orders", before_commit=before_commit)
    db.session.expire_all()
    cur, state = orders_cursor(db.session, seller)
    assert state.backfill_done and "backfill_next" not in cur
    # The backfill starts at the marketplace's local midnight of its first day (app.localtime).
    start = _local_midnight(db.session, seller, cur["history_start"])
    ends = [dt.datetime.fromisoformat(n) for n, _, _ in seen]
    # One commit per window, in window order, each cursor exactly the end of its window.
    assert len(ends) == 7
    assert ends[:-1] == [start + WINDOW * (i + 1) for i in range(6)]
    assert ends[-1] == _utc(state.watermark)
    # Each commit holds exactly the orders last updated before its cursor: none lost, none
    # left for later (every order is in one window's report).
    final = stored_updates(db.session, seller)
    for nxt, count, _ in seen:
        bound = dt.datetime.fromisoformat(nxt)
        assert count == sum(1 for t in final if t < bound)
    assert [c for _, c, _ in seen] == sorted(c for _, c, _ in seen)


def test_a_failure_in_window_k_resumes_from_k(live_app, sim, monkeypatch) -> None:
    from app.extensions import db
    from app.models import SyncRun
    from integrations.amazon.client import SpApiClient
    from integrations.amazon.errors import PermanentError
    from integrations.amazon.results import ReportStatus

    live_app.config.update(SPAPI_RATE_SCALE=1000)
    clean = sim_seller(db.session, sim, "clean").id
    broken = sim_seller(db.session, sim, "broken").id
    run(live_app, clean, "orders")

    k = 3
    real_create, real_get = SpApiClient.create_report, SpApiClient.get_report
    doomed: set[str] = set()
    starts: list[dt.datetime] = []

    def create(self: Any, kind: str, start: Any = None, end: Any = None, options: Any = None):
        report_id = real_create(self, kind, start, end, options)
        starts.append(start)
        if len(starts) == k + 1:
            doomed.add(report_id)  # Amazon gives up on window k
        return report_id

    def get(self: Any, report_id: str) -> ReportStatus:
        status = real_get(self, report_id)
        if report_id in doomed:
            return ReportStatus(report_id, status.report_type, "FATAL", None, None)
        return status

    with monkeypatch.context() as m:
        m.setattr(SpApiClient, "create_report", create)
        m.setattr(SpApiClient, "get_report", get)
        with pytest.raises(PermanentError, match="FATAL"):
            run(live_app, broken, "orders")
    db.session.expire_all()
    cur, state = orders_cursor(db.session, broken)
    history_start = _local_midnight(db.session, broken, cur["history_start"])
    window_k = history_start + k * WINDOW
    assert dt.datetime.fromisoformat(cur["backfill_next"]) == window_k
    assert not state.backfill_done and state.watermark is None
    # Windows 0..k-1 are stored, exactly: the clean run's orders last updated before window k.
    clean_updates = stored_updates(db.session, clean)
    assert sorted(stored_updates(db.session, broken)) == sorted(
        t for t in clean_updates if t < window_k
    )
    failed = db.session.scalars(select(SyncRun).where(SyncRun.seller_account_id == broken)).one()
    assert failed.status == "failed" and "FATAL" in (failed.error or "")

    # The next run starts at window k (nothing before it is requested again) and converges.
    with monkeypatch.context() as m:
        starts.clear()
        m.setattr(SpApiClient, "create_report", create)
        run(live_app, broken, "orders")
    assert _utc(starts[0]) == window_k and len(starts) == 7 - k
    db.session.expire_all()
    want = table_digests(db.session, clean, with_timestamps=False)
    got = table_digests(db.session, broken, with_timestamps=False)
    for table in ("orders", "order_items", "products"):
        assert got[table] == want[table], table


def test_no_transaction_is_open_while_the_api_is_waited_on(live_app, sim, monkeypatch) -> None:
    """On SQLite a job's transaction holds the one write lock: every stream commits before it
    calls the API, so pages and other jobs never wait on Amazon."""
    from app.extensions import db
    from integrations.amazon.client import SpApiClient

    live_app.config.update(SPAPI_RATE_SCALE=1000)
    seller = sim_seller(db.session, sim, "unlocked").id
    real = SpApiClient.call
    open_during: list[str] = []

    def call(self: Any, operation: str, fn: Any) -> Any:
        if db.session.in_transaction():
            open_during.append(operation)
        return real(self, operation, fn)

    monkeypatch.setattr(SpApiClient, "call", call)
    for stream in ("orders", "inventory", "inbound", "reports", "fees", "awd"):
        assert run(live_app, seller, stream).status == "succeeded"
    assert open_during == []


# -- simulated time: Amazon's delays at rate scale 1, none of them waited for really ----------


@pytest.fixture(scope="module")
def slow_sim() -> Iterator[tuple[Any, Any]]:
    """The simulator at Amazon's own speed (rate scale 1, two minutes a report) on a clock
    whose sleeps take no time."""
    from simulator.testing import SkipClock, running_simulator

    clock = SkipClock()
    with running_simulator(
        seed=5, skus=10, history_days=HISTORY, today=TODAY, rate_scale=1, clock=clock.now
    ) as running:
        yield running, clock


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_report_windows_wait_side_by_side_not_one_after_another(live_app, slow_sim) -> None:
    from app.extensions import db
    from app.models import SellerAccount
    from app.sync.clients import client_for
    from simulator.marketplace import REPORT_SECONDS

    sim, clock = slow_sim
    live_app.config.update(SPAPI_RATE_SCALE=1.0)
    took: dict[tuple[str, int | None], float] = {}
    for name, ahead in (("pipelined", None), ("one-by-one", 1)):
        seller = sim_seller(db.session, sim, name).id
        for stream in ("orders", "inventory"):
            account = db.session.get(SellerAccount, seller)
            client = client_for(account, live_app.config, clock=clock.now, sleep=clock.sleep)
            started = clock.now()
            run(live_app, seller, stream, client=client, reports_ahead=ahead)
            took[(stream, ahead)] = clock.now() - started
    for stream in ("orders", "inventory"):
        # Seven windows: together about one processing time (plus a poll interval), alone
        # at least seven.
        assert took[(stream, None)] < 2 * REPORT_SECONDS, took
        assert took[(stream, 1)] > 7 * REPORT_SECONDS, took


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
def test_streams_side_by_side_store_what_streams_in_order_store(live_app, sim) -> None:
    """The demo's first sync (runner.run_together) on SQLite's one writer: same rows as the
    streams run one after another, every run succeeded."""
    from app.extensions import db
    from app.models import SyncRun
    from app.sync.runner import run_together
    from app.sync.streams import RUN_ORDER

    live_app.config.update(SPAPI_RATE_SCALE=1000)
    in_order = sim_seller(db.session, sim, "in-order").id
    together = sim_seller(db.session, sim, "together").id
    for stream in RUN_ORDER:
        run(live_app, in_order, stream)

    def one(stream: Any) -> str:
        with live_app.app_context():
            return run(live_app, together, stream.value).status

    outcome = run_together(RUN_ORDER, one)
    assert outcome == dict.fromkeys(RUN_ORDER, "succeeded")
    db.session.expire_all()
    statuses = db.session.scalars(
        select(SyncRun.status).where(SyncRun.seller_account_id == together)
    ).all()
    assert statuses == ["succeeded"] * len(RUN_ORDER)
    assert table_digests(db.session, together, with_timestamps=False) == table_digests(
        db.session, in_order, with_timestamps=False
    )
