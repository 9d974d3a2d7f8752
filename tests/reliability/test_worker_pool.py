"""Three RQ workers syncing ten simulated sellers at once on PostgreSQL and Redis: every seller's
data equals its truth, and no (seller, stream) ever ran twice at the same time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

REPO = Path(__file__).resolve().parents[2]
SELLERS = 10
WORKERS = 3
BACKFILL_DAYS = 60
pytestmark = [
    pytest.mark.fault,
    pytest.mark.redis,
    pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True),
]


def _worker(app: Any, redis_url: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "ENCRYPTION_KEYS": ",".join(app.config["ENCRYPTION_KEYS"]),
        "SECRET_KEY": "test-secret-key",
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": app.instance_path,
        "LOG_LEVEL": "WARNING",
        "SPAPI_RATE_SCALE": str(app.config["SPAPI_RATE_SCALE"]),
        "SPAPI_BACKOFF_BASE": "0.02",
        "SPAPI_REPORT_POLL": str(app.config["SPAPI_REPORT_POLL"]),
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--no-schedule"],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _rows(app: Any, model: Any) -> list[Any]:
    from app.extensions import db

    with app.app_context():
        session = db.new_session()
        try:
            return list(session.scalars(select(model).order_by(model.id)))
        finally:
            session.close()


@pytest.mark.timeout(240)
def test_three_workers_ten_sellers_exact_and_never_overlapping(
    simulator, harness, redis_url, tmp_path
) -> None:
    from app.models import JobRecord, SyncRun
    from app.tasks import SYNC, sync_job_id
    from jobs.tasks import enqueue

    with simulator(sellers=SELLERS, skus=8, history_days=BACKFILL_DAYS) as (sim, _log):
        h = harness(sim)
        h.app.config.update(REDIS_URL=redis_url)
        sellers = [h.seller(f"seller-{i}", index=i) for i in range(SELLERS)]
        records = set()
        with h.app.app_context():
            from app.extensions import db
            from app.models import SellerAccount

            for sid in sellers:
                tenant = db.session.get(SellerAccount, sid).tenant_id
                for stream in ("orders", "inventory"):
                    # Queued twice: the deterministic id must keep it to one job.
                    for _ in range(2):
                        records.add(
                            enqueue(
                                SYNC,
                                sid,
                                stream,
                                backfill_days=BACKFILL_DAYS,
                                job_id=sync_job_id(sid, stream),
                                kind=f"sync:{stream}",
                                tenant_id=tenant,
                                seller_account_id=sid,
                            )
                        )
        assert len(records) == SELLERS * 2
        workers = [_worker(h.app, redis_url, tmp_path / f"w{i}.log") for i in range(WORKERS)]
        try:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                states = {r.id: r.status for r in _rows(h.app, JobRecord) if r.id in records}
                if all(s in ("succeeded", "failed") for s in states.values()):
                    break
                time.sleep(0.5)
            assert all(s == "succeeded" for s in states.values()), states
        finally:
            for w in workers:
                w.send_signal(signal.SIGTERM)
            for w in workers:
                try:
                    w.wait(20)
                except subprocess.TimeoutExpired:
                    w.kill()
        logs = "".join((tmp_path / f"w{i}.log").read_text() for i in range(WORKERS))
        # The work was shared, not done by one worker while the others idled.
        runs = _rows(h.app, SyncRun)
        assert len(runs) == SELLERS * 2, [(r.seller_account_id, r.stream) for r in runs]
        by_key: dict[tuple[int, str], list[Any]] = {}
        for run in runs:
            by_key.setdefault((run.seller_account_id, run.stream), []).append(run)
        for key, group in by_key.items():
            group.sort(key=lambda r: r.started_at)
            for a, b in zip(group, group[1:], strict=False):
                assert a.ended_at is not None and a.ended_at <= b.started_at, key
        sim.advance(hours=0.1)  # past the API's two-minute blind spot, as in RELIABILITY.md
        for sid in sellers:
            h.sync(sid, ("orders",))
        problems = {i: h.mismatches(sid, index=i) for i, sid in enumerate(sellers)}
        assert all(not found for found in problems.values()), {
            i: found[:3] for i, found in problems.items() if found
        }
        assert "Traceback" not in logs, logs[-3000:]
