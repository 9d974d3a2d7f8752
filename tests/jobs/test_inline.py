"""The in-process runner (no REDIS_URL): same records, dedupe, retries and locks as on RQ."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import jobs as testjobs
from tests.support.jobs import job_record, lines, new_tenant


def _runner(live_app: Any) -> Any:
    from jobs.inline import runner_for

    return runner_for(live_app)


def test_job_function_called_directly_with_its_record(live_app: Any, tmp_path: Path) -> None:
    from tests.support.jobs import append

    out = tmp_path / "out"
    assert append(str(out), "direct")["text"] == "direct"
    assert lines(str(out)) == ["direct None"]


def test_enqueue_runs_in_process_and_records_success(live_app: Any, tmp_path: Path) -> None:
    from jobs.tasks import enqueue

    assert not live_app.config.get("REDIS_URL")
    tenant = new_tenant()
    out = str(tmp_path / "out")
    rid = enqueue(testjobs.APPEND, out, "hello", kind="test", tenant_id=tenant)
    assert _runner(live_app).wait_idle(20)
    assert lines(out) == [f"hello {rid}"]
    record = job_record(rid)
    assert record.status == "succeeded" and record.progress == 1.0
    assert record.started_at is not None and record.ended_at >= record.started_at
    assert record.error is None


def test_same_job_id_is_not_queued_twice_while_in_flight(live_app: Any, tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import JobRecord
    from jobs.tasks import enqueue

    tenant = new_tenant()
    out = str(tmp_path / "out")
    ids = [
        enqueue(testjobs.HOLD, out, "x", 0.5, job_id="t:1", kind="test", tenant_id=tenant)
        for _ in range(3)
    ]
    assert len(set(ids)) == 1
    assert _runner(live_app).wait_idle(20)
    assert [line.split()[0] for line in lines(out)] == ["start", "end"]
    assert db.session.scalar(select(func.count()).select_from(JobRecord)) == 1
    # Once it is done, the same id queues a new run.
    again = enqueue(testjobs.HOLD, out, "y", 0, job_id="t:1", kind="test", tenant_id=tenant)
    assert again != ids[0]
    assert _runner(live_app).wait_idle(20)


def test_a_rerun_task_asked_while_its_run_goes_on_runs_once_more_after_it(
    live_app: Any, tmp_path: Path
) -> None:
    """A recommend asked for by a retrain that finished while a recommend ran: the running one
    read the old model, so the request is not merged into it but queued once behind it."""
    import time

    from jobs.tasks import enqueue

    tenant = new_tenant()
    out = str(tmp_path / "out")

    def ask(tag: str) -> int:
        return enqueue(
            testjobs.HOLD_RERUN, out, tag, 1.0, job_id="r:1", kind="test", tenant_id=tenant
        )

    first = ask("a")
    deadline = time.monotonic() + 20
    while job_record(first).status != "running" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert job_record(first).status == "running"
    second, third = ask("b"), ask("c")  # both while "a" runs: one more run, not two
    assert second != first and third == second
    assert _runner(live_app).wait_idle(30)
    got = [line.split() for line in lines(out)]
    # "b" ran after "a" had ended (the job id's lock), and "c" was merged into "b".
    assert [(kind, tag) for kind, tag, *_ in got] == [
        ("start", "a"), ("end", "a"), ("start", "b"), ("end", "b")
    ]
    assert job_record(first).status == job_record(second).status == "succeeded"
    # Without the rule (HOLD), the same requests merge into the running one.
    plain = [
        enqueue(testjobs.HOLD, out, t, 0.5, job_id="p:1", kind="test", tenant_id=tenant)
        for t in ("x", "y")
    ]
    assert plain[0] == plain[1]
    assert _runner(live_app).wait_idle(30)


def test_transient_failures_are_retried_then_succeed(live_app: Any, tmp_path: Path) -> None:
    from jobs.tasks import enqueue

    live_app.config["JOBS_RETRY_INTERVALS"] = [0, 0, 0]
    tenant = new_tenant()
    out = str(tmp_path / "attempts")
    rid = enqueue(testjobs.FAIL_UNTIL, out, 2, kind="test", tenant_id=tenant)
    assert _runner(live_app).wait_idle(20)
    assert lines(out).count("attempt") == 3
    record = job_record(rid)
    assert record.status == "succeeded"
    assert record.error == "TransientError: simulated outage 2"  # the last error is kept


def test_retries_run_out_and_the_failure_is_recorded(live_app: Any, tmp_path: Path) -> None:
    from jobs.queues import policy
    from jobs.tasks import enqueue

    live_app.config["JOBS_RETRY_INTERVALS"] = [0]
    tenant = new_tenant()
    out = str(tmp_path / "attempts")
    rid = enqueue(testjobs.FAIL_UNTIL, out, 99, kind="test", tenant_id=tenant)
    assert _runner(live_app).wait_idle(20)
    assert lines(out).count("attempt") == policy("default").retries + 1
    record = job_record(rid)
    assert record.status == "failed" and record.ended_at is not None
    assert record.error.startswith("TransientError: simulated outage")


def test_permanent_errors_are_not_retried(live_app: Any, tmp_path: Path) -> None:
    from jobs.tasks import enqueue

    live_app.config["JOBS_RETRY_INTERVALS"] = [0]
    tenant = new_tenant()
    out = str(tmp_path / "attempts")
    rid = enqueue(testjobs.FAIL_PERMANENTLY, out, kind="test", tenant_id=tenant)
    assert _runner(live_app).wait_idle(20)
    assert lines(out) == ["attempt"]
    record = job_record(rid)
    assert (record.status, record.error) == ("failed", "AuthError: refresh token revoked")


def test_progress_is_visible_before_the_job_commits(live_app: Any) -> None:
    from app.extensions import db
    from app.models import JobRecord
    from jobs.progress import report

    tenant = new_tenant()
    record = JobRecord(tenant_id=tenant, kind="test", status="running")
    db.session.add(record)
    db.session.commit()
    report(record.id, 0.25, "page 1 of 4")
    seen = job_record(record.id)
    assert (seen.progress, seen.message) == (0.25, "page 1 of 4")
    report(record.id, 7, "clamped")
    assert job_record(record.id).progress == 1.0

    # The job's own transaction is open (rows written, not committed).
    db.session.add(JobRecord(tenant_id=tenant, kind="uncommitted"))
    db.session.flush()
    report(record.id, 0.5, "page 2 of 4")  # never raises, never waits for the job
    seen = job_record(record.id)
    if db.engine.dialect.name == "postgresql":
        assert (seen.progress, seen.message) == (0.5, "page 2 of 4")
    else:  # SQLite has a single writer, the job: progress is skipped, not blocked on
        assert seen.message == "clamped"
    db.session.rollback()


@pytest.mark.parametrize("lock_key", ["stream:1:orders", None])
def test_the_lock_keeps_two_runs_of_one_stream_apart(
    live_app: Any, tmp_path: Path, lock_key: str | None
) -> None:
    from jobs.tasks import enqueue

    tenant = new_tenant()
    out = str(tmp_path / "spans")
    for tag in ("a", "b"):  # different job ids: dedupe alone would let both run
        enqueue(
            testjobs.HOLD, out, tag, 0.6,
            job_id=f"t:{tag}", lock_key=lock_key, kind="test", tenant_id=tenant,
        )  # fmt: skip
    assert _runner(live_app).wait_idle(20)
    spans = {}
    for line in lines(out):
        event, tag, at, _ = line.split()
        spans.setdefault(tag, {})[event] = float(at)
    (a, b) = spans.values()
    overlap = min(a["end"], b["end"]) > max(a["start"], b["start"])
    # Without a lock the two runner threads run both at once: the check can fail.
    assert overlap is (lock_key is None)


def test_the_sync_lock_is_per_seller_and_stream_whatever_the_job_id(live_app: Any) -> None:
    from app.tasks import SYNC
    from jobs import tasks

    captured = []
    runner = _runner(live_app)
    original = runner.submit
    runner.submit = lambda spec: captured.append(spec)  # type: ignore[method-assign]
    try:
        tenant = new_tenant()
        tasks.enqueue(SYNC, 5, "orders", job_id="backfill", kind="sync:orders",
                         tenant_id=tenant)  # fmt: skip
    finally:
        runner.submit = original  # type: ignore[method-assign]
    assert captured[0].lock_key == "stream:5:orders"
    assert captured[0].args == [5, "orders"]


def test_jobs_inline_runs_to_the_end_in_the_callers_thread(app: Any, tmp_path: Path) -> None:
    from app.extensions import db
    from app.models import JobRecord, Tenant
    from jobs.tasks import enqueue

    app.config["JOBS_INLINE"] = True  # the test's transaction is shared: no background thread
    tenant = Tenant(name="t")
    db.session.add(tenant)
    db.session.flush()
    out = str(tmp_path / "attempts")
    rid = enqueue(testjobs.FAIL_UNTIL, out, 1, job_id="i:1", kind="test", tenant_id=tenant.id)
    assert lines(out) == ["attempt", "attempt"]
    record = db.session.get(JobRecord, rid)
    db.session.refresh(record)
    assert record.status == "succeeded"
    assert "fba_inline" not in app.extensions


def test_stream_lock_is_the_lock_sync_jobs_hold(live_app: Any) -> None:
    from app.tasks import SYNC, stream_lock
    from jobs.locks import LockBusy
    from jobs.tasks import enqueue

    live_app.config.update(JOBS_LOCK_WAIT=0.2, JOBS_RETRY_INTERVALS=[0])
    with stream_lock(3, "orders"):  # e.g. the CLI's foreground sync of that stream
        rid = enqueue(SYNC, 3, "orders", kind="sync:orders", tenant_id=new_tenant())
        assert _runner(live_app).wait_idle(20)
        with pytest.raises(LockBusy), stream_lock(3, "orders", wait=0.1):
            pass
    # Every attempt of the job found the (seller, stream) lock taken, so its body never ran.
    record = job_record(rid)
    assert (record.status, record.error) == (
        "failed",
        "LockBusy: stream:3:orders is held by another run",
    )
