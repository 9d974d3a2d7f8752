"""The marketplace misbehaves: throttling, 5xx, timeouts, dropped connections, future cursors,
malformed pages. The sync still converges to the simulator's truth, or fails clearly."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import select

# PostgreSQL only (the production database); the fault scenarios are about its behaviour.
pytestmark = [
    pytest.mark.fault,
    pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True),
]


@pytest.mark.timeout(120)
def test_5xx_timeouts_and_drops_converge_to_the_truth(simulator, harness) -> None:
    # 10 % of requests fail: 500, 503, a slow answer longer than the client's timeout, or a
    # connection closed without an answer. The client's timeout (0.5 s) is below the slow
    # fault's 1 s, so "slow" is a real timeout here.
    with simulator(fault_rate=0.1, SIM_FAULT_SLOW_SECONDS=1.0) as (sim, log):
        h = harness(sim)
        h.app.config["SPAPI_TIMEOUT"] = 0.5
        seller = h.seller()
        h.sync(seller, ("orders", "inventory", "fees"))
        h.settle(seller)
        kinds = {f["kind"] for f in sim.marketplace.fault_log}
        assert kinds == {"500", "503", "slow", "drop"}, sim.marketplace.fault_log
        assert log.count(status=500) and log.count(status=503)
        assert h.mismatches(seller) == []


@pytest.mark.timeout(120)
def test_throttling_is_waited_out_and_converges(simulator, harness) -> None:
    # Another application spends the same seller's quotas while we sync (quotas are per seller
    # and operation): our paced client still meets 429s, backs off, and gets everything.
    # Reports take 2 s (not Amazon's two minutes / 2): this is about throttling.
    with simulator(rate_scale=2.0, report_seconds=4.0) as (sim, log):
        h = harness(sim)
        # More attempts than the default 6: the neighbour never backs off, so one call can meet
        # several 429s in a row (a job would also be retried by RQ; here the stream runs bare).
        h.app.config.update(SPAPI_RATE_SCALE=2.0, SPAPI_RETRIES=15)
        seller = h.seller()
        stop = threading.Event()
        token = sim.access_token(0)
        # Operations whose scaled rate (4/s) a neighbour can share without starving us.
        paths = [("/fba/inventory/v1/summaries", {"granularityType": "Marketplace",
                                                  "granularityId": "ATVPDKIKX0DER",
                                                  "marketplaceIds": "ATVPDKIKX0DER"}),
                 ("/reports/2021-06-30/reports/none", {})]

        theirs = {"calls": 0, "throttled": 0}

        def competitor() -> None:
            # Every half second it spends what is left of each quota (until its own 429), so
            # whatever our pacer assumed is there has been taken at least once in a while.
            while not stop.is_set():
                for path, params in paths:
                    for _ in range(10):
                        status = sim.get(path, params, token=token).status_code
                        theirs["calls"] += 1
                        if status == 429:
                            theirs["throttled"] += 1
                            break
                stop.wait(0.5)

        thread = threading.Thread(target=competitor, daemon=True)
        thread.start()
        try:
            h.sync(seller)
        finally:
            stop.set()
            thread.join(10)
        ours_throttled = log.count(status=429) - theirs["throttled"]
        h.settle(seller)
        # the 429s counted are the ones our client met, not the neighbour's own
        assert ours_throttled > 0, (log.statuses(), theirs)
        assert h.mismatches(seller) == []


@pytest.mark.timeout(60)
def test_a_cursor_far_in_the_future_makes_no_data_calls(simulator, harness) -> None:
    from app.extensions import db
    from app.models import Order, SyncRun, SyncState, utcnow
    from integrations.amazon.errors import PermanentError

    with simulator() as (sim, log):
        h = harness(sim)
        seller = h.seller()
        future = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
        with h.app.app_context():
            from app.models import SellerAccount

            account = db.session.get(SellerAccount, seller)
            for stream, cursor in (
                ("orders", {"history_start": "2099-12-01"}),
                ("inventory", {"ledger_through": "2099-12-31"}),
            ):
                db.session.add(SyncState(tenant_id=account.tenant_id, seller_account_id=seller,
                                         stream=stream, cursor=json.dumps(cursor),
                                         watermark=future, backfill_done=True,
                                         updated_at=utcnow()))
            db.session.commit()
        log.clear()
        # Orders: the one getOrders call is refused by the server (after > now - 2 min) and the
        # run fails at once, not retried (4xx), nothing written. The error names the call and
        # the status, never the server's body (the simulator is a custom endpoint).
        with pytest.raises(PermanentError, match=r"GET /orders/v0/orders: 400 Bad Request$"):
            h.sync(seller, ("orders",))
        assert log.count() - log.count("/auth/") == 1  # the LWA token aside, one call
        assert log.count("/orders/v0/orders", status=400) == 1
        with h.app.app_context():
            assert db.session.scalars(select(Order)).first() is None
            state = db.session.scalars(
                select(SyncState).where(SyncState.stream == "orders")
            ).one()
            assert state.watermark == future  # never moved backwards, no backfill restarted
            run = db.session.scalars(select(SyncRun).where(SyncRun.stream == "orders")).one()
            assert run.status == "failed" and run.error.endswith("400 Bad Request")
        # Inventory: no ledger report is requested for days past the cursor; only the daily
        # full summaries pass (by design: it is today's snapshot) reads data.
        log.clear()
        h.sync(seller, ("inventory",))
        assert log.count("/reports/") == 0
        assert log.count("/fba/inventory/v1/summaries") >= 1
        with h.app.app_context():
            state = db.session.scalars(
                select(SyncState).where(SyncState.stream == "inventory")
            ).one()
            assert json.loads(state.cursor)["ledger_through"] == "2099-12-31"


@pytest.mark.timeout(90)
def test_a_malformed_page_fails_the_job_clearly_and_writes_nothing_from_it(
    simulator, harness
) -> None:
    from app.extensions import db
    from app.models import JobRecord, Order, SyncState
    from app.tasks import enqueue_sync
    from jobs.inline import runner_for

    with simulator() as (sim, log):
        h = harness(sim)
        h.app.config["JOBS_RETRY_INTERVALS"] = (0, 0, 0)
        seller = h.seller()
        h.sync(seller, ("orders",))  # the backfill, clean
        sim.advance(days=1)
        with h.app.app_context():
            before_ids = set(db.session.scalars(select(Order.amazon_order_id)))
            before_watermark = db.session.scalars(
                select(SyncState.watermark).where(SyncState.stream == "orders")
            ).one()
        bad_ids: set[str] = set()

        def corrupt(method: str, path: str, body: bytes) -> bytes:
            if path != "/orders/v0/orders":
                return body
            doc = json.loads(body)
            orders = doc["payload"]["Orders"]
            if len(orders) > 2:  # a data page, not the one-order cut-off probe
                bad_ids.update(o["AmazonOrderId"] for o in orders)
                orders[len(orders) // 2]["PurchaseDate"] = "yesterday-ish"
            return json.dumps(doc).encode()

        log.rewrite = corrupt
        with h.app.app_context():
            record_id = enqueue_sync(seller, "orders")
            assert runner_for(h.app).wait_idle(60)
            record = db.session.get(JobRecord, record_id)
            assert record.status == "failed"
            assert "MalformedPayload" in record.error and "PurchaseDate" in record.error
            new_ids = set(db.session.scalars(select(Order.amazon_order_id))) - before_ids
            assert bad_ids and not (new_ids & bad_ids)
            assert db.session.scalars(
                select(SyncState.watermark).where(SyncState.stream == "orders")
            ).one() == before_watermark

        log.rewrite = None  # the API is well again: the next run converges
        h.sync(seller, ("orders", "inventory"))
        h.settle(seller)
        assert h.mismatches(seller) == []
