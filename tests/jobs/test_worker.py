"""The worker: bounded dead-worker requeue, one tick per schedule slot, cross-process locks."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import jobs as testjobs
from tests.support.jobs import job_record, lines, new_tenant

REPO = Path(__file__).resolve().parents[2]
FAST = [
    "--no-schedule",
    "--monitoring-interval", "1",
    "--heartbeat-grace", "2",
    "--maintenance-interval", "1",
    "--worker-ttl", "16",
]  # fmt: skip


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


@pytest.fixture
def spawn() -> Iterator[Any]:
    """Start processes in their own sessions; whatever is left is killed with its group after."""
    procs: list[subprocess.Popen[str]] = []

    def start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            args,
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # also the orphans of a killed worker
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _group(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(stat.parent.name))
    return members


def _wait_for(predicate: Any, timeout: float, what: str) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)
    return time.monotonic() - start


def test_heartbeat_ttl_is_bounded_by_the_grace_not_rqs_minute() -> None:
    from types import SimpleNamespace

    from jobs.worker import FbaWorker

    worker = FbaWorker.__new__(FbaWorker)
    worker.job_monitoring_interval = 10
    worker.heartbeat_grace = 20
    assert worker.get_heartbeat_ttl(SimpleNamespace(timeout=3600)) == 30
    assert worker.get_heartbeat_ttl(SimpleNamespace(timeout=3600), working_time=3595) == 25
    assert worker.get_heartbeat_ttl(SimpleNamespace(timeout=None)) == 30


@pytest.mark.redis
def test_one_schedule_tick_per_slot_whatever_the_number_of_workers(redis_conn: Any) -> None:
    from rq import Queue
    from rq.serializers import JSONSerializer

    from jobs.worker import enqueue_tick

    now = 1_800_000_000.0
    assert [enqueue_tick(redis_conn, 60, now + i) for i in range(5)] == [True] + [False] * 4
    assert enqueue_tick(redis_conn, 60, now + 60) is True  # the next minute
    queue = Queue("high", connection=redis_conn, serializer=JSONSerializer)
    job_ids = queue.get_job_ids()
    assert len(job_ids) == 2 and all(j.startswith("schedule-tick-") for j in job_ids)
    job = queue.fetch_job(job_ids[0])
    assert (job.func_name, job.args) == ("jobs.runner.tick", [])


def test_worker_command_without_redis_says_so(app: Any) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 2
    assert "REDIS_URL is not set" in result.output


def test_lock_is_refused_while_held_and_freed_when_the_holder_is_killed(
    db_engine: Any, tmp_path: Path, spawn: Any
) -> None:
    from jobs.locks import LockBusy, job_lock

    url = db_engine.url.render_as_string(hide_password=False)
    code = textwrap.dedent(f"""
        import time
        from app.extensions import make_engine
        from jobs.locks import job_lock
        with job_lock(make_engine({url!r}), "stream:1:orders", lock_dir={str(tmp_path)!r}):
            print("locked", flush=True)
            time.sleep(60)
    """)
    holder = spawn([sys.executable, "-c", code])
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(LockBusy), job_lock(db_engine, "stream:1:orders", 0.3, tmp_path):
        pass
    with job_lock(db_engine, "stream:1:inventory", 0.3, tmp_path):
        pass  # another stream is free
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=10)
    # The server (or the kernel) dropped the dead holder's lock: no TTL to wait out.
    with job_lock(db_engine, "stream:1:orders", 5, tmp_path):
        pass


@pytest.mark.redis
@pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True)
def test_two_workers_never_overlap_on_one_stream(
    live_app: Any, redis_url: str, tmp_path: Path, spawn: Any
) -> None:
    from jobs.tasks import enqueue

    live_app.config["REDIS_URL"] = redis_url
    tenant = new_tenant()
    out = str(tmp_path / "spans")
    for tag in ("a", "b"):  # two job ids, one stream: only the lock keeps them apart
        enqueue(
            testjobs.HOLD, out, tag, 1.5,
            job_id=f"sync:1:orders:{tag}", lock_key="stream:1:orders",
            kind="test", tenant_id=tenant,
        )  # fmt: skip
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst", "--max-jobs", "1"]
    workers = [spawn(cmd + FAST, worker_env(live_app, redis_url)) for _ in range(2)]
    for w in workers:
        assert w.wait(timeout=120) == 0, w.stdout.read()  # type: ignore[union-attr]
    spans: dict[str, dict[str, float]] = {}
    parents = set()
    for line in lines(out):
        event, tag, at, parent = line.split()
        spans.setdefault(tag, {})[event] = float(at)
        parents.add(int(parent))
    assert parents == {w.pid for w in workers}  # each worker ran one of them
    a, b = spans["a"], spans["b"]
    first, second = sorted((a, b), key=lambda s: s["start"])
    assert second["start"] >= first["end"]


@pytest.mark.fault
@pytest.mark.redis
@pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True)
def test_a_job_whose_worker_is_sigkilled_is_run_again(
    live_app: Any, redis_url: str, tmp_path: Path, spawn: Any
) -> None:
    from jobs.tasks import enqueue

    live_app.config["REDIS_URL"] = redis_url
    env = worker_env(live_app, redis_url)
    cmd = [sys.executable, "-m", "flask", "--app", "wsgi", "worker"] + FAST
    first = spawn(cmd, env)  # alone: it takes the scheduler lock and the job
    out = str(tmp_path / "runs")
    rid = enqueue(
        testjobs.BLOCK_FIRST_ATTEMPT, out,
        job_id="sync:9:orders", kind="sync:orders", tenant_id=new_tenant(),
    )  # fmt: skip
    _wait_for(lambda: lines(out), 60, "the first attempt to start")
    horse, victim = (int(x) for x in lines(out)[0].split()[1:])
    assert victim == first.pid
    assert job_record(rid).status == "running"
    _wait_for(lambda: len(_group(victim)) == 2, 10, "the worker's scheduler process")
    second = spawn(cmd, env)

    os.kill(victim, signal.SIGKILL)  # the worker only: its work horse must not run on unseen
    _wait_for(lambda: not _alive(horse), 5, "the orphaned work horse to die")
    # Nor its RQ scheduler process, which would hold the scheduler locks as an orphan.
    _wait_for(lambda: _group(victim) == [], 5, "the killed worker's scheduler to die")
    took = _wait_for(lambda: any(x.startswith("done") for x in lines(out)), 40, "the rerun")
    print(f"job rerun {took:.1f} s after its worker was SIGKILLed")
    # The second worker's start-up, heartbeat grace (3 s), a maintenance pass (1 s), and slack
    # for a loaded machine.
    assert took < 40
    runs = lines(out)
    assert [x.split()[0] for x in runs] == ["started", "started", "done"]
    rerun_by = int(runs[1].split()[2])
    assert rerun_by == second.pid
    _wait_for(lambda: job_record(rid).status == "succeeded", 10, "the record to say succeeded")
    assert "AbandonedJobError" in (job_record(rid).error or "")


@pytest.mark.redis
def test_a_worker_queues_and_runs_the_schedule_tick(live_app: Any, redis_url: str) -> None:
    from rq import Queue
    from rq.registry import FinishedJobRegistry
    from rq.serializers import JSONSerializer

    from app.extensions import db
    from app.models import JobRecord, SellerAccount
    from jobs.dispatch import redis_connection
    from jobs.worker import run_worker

    live_app.config["REDIS_URL"] = redis_url
    account = SellerAccount(
        tenant_id=new_tenant(), name="idle", lwa_client_id="c", lwa_client_secret="x",
        refresh_token="r", active=False,
    )  # fmt: skip
    db.session.add(account)
    db.session.commit()
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        run_worker(live_app, burst=True, schedule=True)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
    queue = Queue("high", connection=redis_connection(), serializer=JSONSerializer)
    (tick_id,) = FinishedJobRegistry(queue=queue).get_job_ids()
    assert tick_id.startswith("schedule-tick-")
    assert queue.fetch_job(tick_id).return_value() == []  # ran, in an app context: nothing due
    from sqlalchemy import func, select

    assert db.session.scalar(select(func.count()).select_from(JobRecord)) == 0
