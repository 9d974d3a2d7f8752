"""The inbound stream under the same misbehaving marketplace as the other streams: 5xx,
timeouts and dropped connections, throttling, a crash mid-stream. It converges to
inbound_shipments.csv exactly, and a second run writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.support.inbound import mismatches, server_clock, truth_shipments

pytestmark = [
    pytest.mark.fault,
    pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True),
]


def _mismatches(h, seller: int) -> list[str]:
    from app.extensions import db

    with h.app.app_context():
        return mismatches(db.session, seller, truth_shipments(h.sim), h.first_clock)


@pytest.mark.timeout(180)
def test_inbound_with_5xx_timeouts_and_drops_converges_to_the_truth(simulator, harness) -> None:
    with simulator(fault_rate=0.1, SIM_FAULT_SLOW_SECONDS=1.0) as (sim, log):
        h = harness(sim)
        h.app.config.update(SPAPI_TIMEOUT=0.5, SPAPI_RETRIES=10)
        seller = h.seller()
        h.first_clock = server_clock(sim)
        h.sync(seller, ("inbound",))
        kinds = {f["kind"] for f in sim.marketplace.fault_log}
        assert {"500", "503", "drop"} <= kinds, sim.marketplace.fault_log
        assert (
            log.count("/fba/inbound/v0/", status=500)
            + log.count("/inbound/fba/2024-03-20/", status=500)
            > 0
        )
        assert _mismatches(h, seller) == []
        # A day later, still faulty: the incremental run converges too.
        sim.advance(days=1)
        h.sync(seller, ("inbound",))
        assert _mismatches(h, seller) == []


@pytest.mark.timeout(180)
def test_inbound_throttled_by_a_tight_quota_converges_and_reruns_write_nothing(
    simulator, harness
) -> None:
    # The client paces five times faster than the server allows: it meets 429s and waits.
    with simulator(rate_scale=20.0) as (sim, log):
        h = harness(sim)
        h.app.config.update(SPAPI_RATE_SCALE=100.0, SPAPI_RETRIES=15)
        seller = h.seller()
        h.first_clock = server_clock(sim)
        h.sync(seller, ("inbound",))
        assert log.count("/", status=429) > 0, log.statuses()
        assert _mismatches(h, seller) == []
        before = h.table_counts()
        from app.extensions import db
        from app.models import SyncRun

        h.sync(seller, ("inbound",))
        with h.app.app_context():
            last = db.session.scalars(
                select(SyncRun).where(SyncRun.stream == "inbound").order_by(SyncRun.id.desc())
            ).first()
            assert last.status == "succeeded"
        after = h.table_counts()
        assert {k: v for k, v in after.items() if k != "sync_runs"} == {
            k: v for k, v in before.items() if k != "sync_runs"
        }


@pytest.mark.timeout(180)
def test_inbound_killed_mid_backfill_resumes_from_its_cursor(simulator, harness) -> None:
    from app.extensions import db
    from app.models import SellerAccount
    from app.sync.clients import client_for
    from app.sync.runner import run_stream

    with simulator() as (sim, log):
        h = harness(sim)
        seller = h.seller()
        h.first_clock = server_clock(sim)
        with h.app.app_context():
            account = db.session.get(SellerAccount, seller)
            pages = {"n": 0}

            def die(stream: str) -> None:
                pages["n"] += 1
                if pages["n"] == 10:
                    raise KeyboardInterrupt  # what a killed worker looks like from inside

            client = client_for(account, h.app.config)
            with pytest.raises(KeyboardInterrupt):
                run_stream(db.session, account, "inbound", client, before_commit=die)
            client.close()
        log.clear()
        h.sync(seller, ("inbound",))
        # Resumed: the 2024-03-20 plans are read, but only the v0 days after the cursor.
        day_queries = log.count("/fba/inbound/v0/shipments")
        assert 0 < day_queries < 180 - 9 * 7 + 10, day_queries
        assert _mismatches(h, seller) == []
