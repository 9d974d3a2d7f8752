"""Jobs on RQ: queued with the JSON serializer, drained by a real burst worker, on both DBs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.support import jobs as testjobs
from tests.support.jobs import job_record, lines, new_tenant

pytestmark = pytest.mark.redis
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def rq_app(live_app: Any, redis_url: str) -> Any:
    """`live_app` (really commits) queuing on the test Redis."""
    live_app.config["REDIS_URL"] = redis_url
    return live_app


def _count_records() -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import JobRecord

    session = db.new_session()
    try:
        return session.scalar(select(func.count()).select_from(JobRecord))
    finally:
        session.close()


def _queue(name: str = "default") -> Any:
    from rq import Queue
    from rq.serializers import JSONSerializer

    from jobs.dispatch import redis_connection

    return Queue(name, connection=redis_connection(), serializer=JSONSerializer)


def drain(app: Any) -> None:
    """Run a real RQ worker (forking work horses) in burst mode in this process."""
    from jobs.worker import run_worker

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        run_worker(app, burst=True, schedule=False)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def worker_env(app: Any, redis_url: str) -> dict[str, str]:
    """Environment for `flask --app wsgi worker` in another process, on the test's database."""
    return {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "ENCRYPTION_KEYS": ",".join(app.config["ENCRYPTION_KEYS"]),
        "SECRET_KEY": "test-secret-key",
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": app.instance_path,
        "LOG_LEVEL": "WARNING",
    }


def test_queued_with_json_serializer_and_run_by_a_burst_worker(rq_app: Any, tmp_path: Path):
    from rq.job import Job
    from rq.serializers import JSONSerializer

    from jobs.dispatch import redis_connection
    from jobs.tasks import enqueue

    tenant = new_tenant()
    out = str(tmp_path / "out")
    rid = enqueue(testjobs.APPEND, out, "hello", job_id="t:1", kind="test", tenant_id=tenant)
    assert job_record(rid).status == "queued" and job_record(rid).rq_job_id == "t:1"
    job = Job.fetch("t-1", connection=redis_connection(), serializer=JSONSerializer)
    assert job.func_name == "jobs.runner.execute"
    assert job.args == ["tests.support.jobs.append", [out, "hello"], {}, rid, "t:1"]
    assert job.retries_left == 3 and job.timeout == 3 * 3600

    drain(rq_app)
    assert lines(out) == [f"hello {rid}"]
    record = job_record(rid)
    assert (record.status, record.progress, record.error) == ("succeeded", 1.0, None)
    assert record.started_at is not None and record.ended_at is not None
    job = Job.fetch("t-1", connection=redis_connection(), serializer=JSONSerializer)
    assert job.return_value()["text"] == "hello"
    assert job.return_value()["pid"] != os.getpid()  # ran in a forked work horse


def test_the_same_job_id_is_never_queued_twice(rq_app: Any, tmp_path: Path) -> None:
    from jobs.tasks import enqueue

    tenant = new_tenant()
    out = str(tmp_path / "out")
    results: list[int] = []

    def enqueue_in_thread() -> None:
        with rq_app.app_context():
            results.append(
                enqueue(testjobs.APPEND, out, "x", job_id="s:1", kind="t", tenant_id=tenant)
            )

    threads = [threading.Thread(target=enqueue_in_thread) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 10 and len(set(results)) == 1
    assert _queue().get_job_ids() == ["s-1"]
    assert _count_records() == 1

    drain(rq_app)
    assert len(lines(out)) == 1
    # Finished: the same id may run again, as a new record.
    again = enqueue(testjobs.APPEND, out, "y", job_id="s:1", kind="t", tenant_id=tenant)
    assert again != results[0]
    assert _queue().get_job_ids() == ["s-1"]
    drain(rq_app)
    assert lines(out) == [f"x {results[0]}", f"y {again}"]


def test_a_rerun_task_is_merged_while_queued_and_queued_once_more_once_started(
    rq_app: Any, tmp_path: Path
) -> None:
    from jobs import progress
    from jobs.tasks import enqueue

    tenant = new_tenant()
    out = str(tmp_path / "out")

    def ask(tag: str) -> int:
        return enqueue(
            testjobs.HOLD_RERUN, out, tag, 0, job_id="r:1", kind="t", tenant_id=tenant
        )

    first = ask("a")
    assert ask("b") == first  # not started: it will read the new inputs anyway
    progress.mark_running(first)  # a worker has taken it: it read the old ones
    again = ask("c")
    assert again != first and ask("d") == again
    assert _queue().get_job_ids() == ["r-1", "r-1-again"]
    assert _count_records() == 2
    drain(rq_app)
    assert [line.split()[:2] for line in lines(out)] == [
        ["start", "a"], ["end", "a"], ["start", "c"], ["end", "c"]
    ]


def test_transient_failure_is_retried_by_rq(rq_app: Any, tmp_path: Path) -> None:
    from jobs.tasks import enqueue

    tenant = new_tenant()
    out = str(tmp_path / "attempts")
    rid = enqueue(testjobs.FAIL_UNTIL, out, 1, kind="test", tenant_id=tenant)
    drain(rq_app)  # the first retry is immediate, so the same burst runs it
    assert lines(out) == ["attempt", "attempt"]
    record = job_record(rid)
    assert record.status == "succeeded"
    assert record.error == "TransientError: simulated outage 1"


def test_permanent_failure_is_recorded_and_not_retried(rq_app: Any, tmp_path: Path) -> None:
    from rq.registry import FailedJobRegistry

    from jobs.tasks import enqueue

    tenant = new_tenant()
    out = str(tmp_path / "attempts")
    rid = enqueue(testjobs.FAIL_PERMANENTLY, out, job_id="p:1", kind="t", tenant_id=tenant)
    drain(rq_app)
    assert lines(out) == ["attempt"]
    record = job_record(rid)
    assert (record.status, record.error) == ("failed", "AuthError: refresh token revoked")
    assert "p-1" in FailedJobRegistry(queue=_queue()).get_job_ids()


def test_progress_reported_by_the_job_is_kept(rq_app: Any) -> None:
    from jobs.tasks import enqueue

    rid = enqueue(testjobs.STEPS, 4, kind="test", tenant_id=new_tenant())
    drain(rq_app)
    record = job_record(rid)
    assert (record.status, record.message, record.progress) == ("succeeded", "step 4 of 4", 1.0)


def test_enqueue_sync_uses_the_sellers_tenant_and_a_deterministic_id(rq_app: Any) -> None:
    from app.extensions import db
    from app.models import SellerAccount
    from app.tasks import enqueue_sync

    tenant = new_tenant()
    account = SellerAccount(
        tenant_id=tenant, name="s", lwa_client_id="c", lwa_client_secret="x", refresh_token="r"
    )
    db.session.add(account)
    db.session.commit()
    rid = enqueue_sync(account.id, "orders")
    assert enqueue_sync(account.id, "orders") == rid
    record = job_record(rid)
    assert (record.kind, record.tenant_id, record.seller_account_id, record.rq_job_id) == (
        "sync:orders",
        tenant,
        account.id,
        f"sync:{account.id}:orders",
    )
    job = _queue().fetch_job(f"sync-{account.id}-orders")
    assert job.args == ["app.tasks.run_sync", [account.id, "orders"], {}, rid,
                        f"stream:{account.id}:orders"]  # fmt: skip
    with pytest.raises(ValueError):
        enqueue_sync(account.id, "nonsense")
    with pytest.raises(LookupError):
        enqueue_sync(account.id + 1000, "orders")


def test_a_job_that_cannot_be_queued_leaves_a_failed_record(live_app: Any) -> None:
    from redis.exceptions import ConnectionError as RedisConnectionError

    from jobs.tasks import enqueue

    live_app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    tenant = new_tenant()
    with pytest.raises(RedisConnectionError):
        enqueue(testjobs.STEPS, 1, job_id="x:1", kind="test", tenant_id=tenant)
    from sqlalchemy import select

    from app.extensions import db
    from app.models import JobRecord

    session = db.new_session()
    try:
        (record,) = session.scalars(select(JobRecord)).all()
    finally:
        session.close()
    assert record.status == "failed" and record.error.startswith("could not queue")


@pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True)  # one spawn is enough
def test_worker_command_drains_the_queues(rq_app: Any, redis_url: str, tmp_path: Path) -> None:
    from jobs.tasks import enqueue

    out = str(tmp_path / "out")
    rid = enqueue(testjobs.APPEND, out, "cli", kind="test", tenant_id=new_tenant(), queue="low")
    proc = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst", "--no-schedule"],
        cwd=REPO,
        env=worker_env(rq_app, redis_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert lines(out) == [f"cli {rid}"]
    assert job_record(rid).status == "succeeded"


def test_a_job_lost_by_redis_does_not_block_its_id_forever(rq_app: Any) -> None:
    import time

    from rq.job import Job
    from rq.serializers import JSONSerializer

    from jobs.dispatch import claim_key, redis_connection
    from jobs.tasks import enqueue

    tenant = new_tenant()
    rid = enqueue(testjobs.STEPS, 1, job_id="l:1", kind="test", tenant_id=tenant)
    conn = redis_connection()
    Job.fetch("l-1", connection=conn, serializer=JSONSerializer).delete()  # e.g. its TTL ran out
    # Just claimed and not on RQ yet looks like an enqueue in progress: still deduped.
    assert enqueue(testjobs.STEPS, 1, job_id="l:1", kind="test", tenant_id=tenant) == rid
    conn.set(claim_key("l:1"), f"{rid}:{time.time() - 60:.3f}")
    again = enqueue(testjobs.STEPS, 1, job_id="l:1", kind="test", tenant_id=tenant)
    assert again != rid
    assert job_record(rid).status == "failed" and job_record(rid).error.startswith("lost")
    assert _queue().get_job_ids() == ["l-1"]
