"""Workers die and Redis restarts: SIGKILL of a worker and its work horse mid-sync, and a Redis
server (with AOF persistence) shut down and restarted with jobs queued."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.fault,
    pytest.mark.redis,
    pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True),
]
# Short liveness settings so a dead worker's job is noticed in seconds, not minutes.
FAST = ["--monitoring-interval", "1", "--heartbeat-grace", "2", "--maintenance-interval", "2",
        "--worker-ttl", "20"]


def worker_env(app: Any, redis_url: str) -> dict[str, str]:
    """Environment of a `flask --app wsgi worker` process on the test's database and Redis."""
    return {
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


def start_worker(app: Any, redis_url: str, *extra: str, log: Path) -> subprocess.Popen:
    """A real worker process (forking work horses), its output in `log`."""
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--no-schedule", *extra],
            cwd=REPO, env=worker_env(app, redis_url), stdout=out, stderr=subprocess.STDOUT,
        )


def children(pid: int) -> list[int]:
    """Direct children of a process (the work horse of an RQ worker)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text().split()
        found.extend(int(x) for x in text)
    return found


def wait_for(predicate: Any, timeout: float, what: str) -> float:
    """Poll until `predicate()` is true; seconds it took (fails after `timeout`)."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def _fresh(app: Any, model: Any, **where: Any) -> list[Any]:
    from app.extensions import db

    with app.app_context():
        session = db.new_session()
        try:
            stmt = select(model).filter_by(**where).order_by(model.id)
            return list(session.scalars(stmt))
        finally:
            session.close()


@pytest.mark.timeout(150)
def test_sigkill_of_worker_and_horse_mid_sync_is_retried_and_converges(
    simulator, harness, redis_url, tmp_path
) -> None:
    from app.models import JobRecord, SellerAccount, SyncRun
    from app.tasks import SYNC, sync_job_id
    from jobs.tasks import enqueue

    # Reports take a second to process (10 s / rate scale 10), not Amazon's two minutes / 10.
    with simulator(rate_scale=10.0, report_seconds=10.0) as (sim, _log):
        h = harness(sim)
        # Slower report polling (about a second per 30-day window) so there is a "mid".
        h.app.config.update(SPAPI_RATE_SCALE=10.0, SPAPI_REPORT_POLL=15.0, REDIS_URL=redis_url)
        seller = h.seller()
        with h.app.app_context():
            # enqueue_sync's job, with a 120-day backfill instead of the default two years.
            record_id = enqueue(SYNC, seller, "orders", backfill_days=120,
                                job_id=sync_job_id(seller, "orders"), kind="sync:orders",
                                tenant_id=_fresh(h.app, SellerAccount, id=seller)[0].tenant_id,
                                seller_account_id=seller)
        first = start_worker(h.app, redis_url, *FAST, log=tmp_path / "worker1.log")
        try:
            wait_for(lambda: any(r.pages >= 1 for r in _fresh(h.app, SyncRun)), 60,
                     "the first page to be committed")
            horses = children(first.pid)
            assert horses, "no work horse running"
            for pid in horses:
                os.kill(pid, signal.SIGKILL)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            killed_at = time.monotonic()
            run = _fresh(h.app, SyncRun)[0]
            assert run.status == "running" and run.ended_at is None  # it really died mid-way
        finally:
            if first.poll() is None:
                first.kill()
        second = start_worker(h.app, redis_url, *FAST, log=tmp_path / "worker2.log")
        try:
            wait_for(lambda: _fresh(h.app, JobRecord, id=record_id)[0].status == "succeeded",
                     90, "the retried job to succeed")
            recovered = time.monotonic() - killed_at
        finally:
            second.send_signal(signal.SIGTERM)
            try:
                second.wait(20)
            except subprocess.TimeoutExpired:
                second.kill()
        # The whole recovery (notice the dead worker, requeue, rerun the rest) is bounded.
        assert recovered < 60, recovered
        runs = _fresh(h.app, SyncRun)
        assert runs[-1].status == "succeeded" and len(runs) == 2
        h.sync(seller, ("inventory",))
        h.settle(seller)
        assert h.mismatches(seller) == []
        print(f"SIGKILL recovery: job succeeded {recovered:.1f}s after the kill")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[Any]:
    """A private redis-server with AOF on a free loopback port; `.restart()` stops and starts it."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server unavailable: binary not installed"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message + " (REQUIRE_SERVICES=1)")
        pytest.skip(message)

    class Server:
        port = _free_port()
        url = f"redis://127.0.0.1:{port}/0"
        proc: subprocess.Popen | None = None

        def start(self) -> None:
            self.proc = subprocess.Popen(
                [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--appendonly", "yes",
                 "--appendfsync", "always", "--dir", str(tmp_path), "--save", ""],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            import redis

            conn = redis.Redis(port=self.port)
            wait_for(lambda: _pings(conn), 10, "redis-server to start")

        def stop(self) -> None:
            import redis

            # SHUTDOWN flushes the AOF, then exits (closing our connection as it goes).
            with contextlib.suppress(redis.exceptions.ConnectionError):
                redis.Redis(port=self.port).shutdown()
            assert self.proc is not None
            self.proc.wait(10)

        def restart(self) -> None:
            self.stop()
            self.start()

    server = Server()
    server.start()
    yield server
    if server.proc is not None and server.proc.poll() is None:
        server.proc.kill()
        server.proc.wait(5)


def _pings(conn: Any) -> bool:
    try:
        return bool(conn.ping())
    except Exception:  # noqa: BLE001 - not up yet
        return False


@pytest.mark.timeout(90)
def test_jobs_queued_before_a_redis_restart_all_complete(live_app, own_redis, tmp_path) -> None:
    from rq import Queue
    from rq.serializers import JSONSerializer

    from app.extensions import db
    from app.models import JobRecord, Tenant
    from jobs.dispatch import redis_connection
    from jobs.tasks import enqueue
    from tests.support import jobs as testjobs
    from tests.support.jobs import lines

    live_app.config["REDIS_URL"] = own_redis.url
    tenant = Tenant(name="t")
    db.session.add(tenant)
    db.session.commit()
    out = str(tmp_path / "out")
    ids = [
        enqueue(testjobs.APPEND, out, f"job{i}", job_id=f"restart:{i}", kind="test",
                tenant_id=tenant.id, queue=("high", "default", "low")[i % 3])
        for i in range(12)
    ]
    own_redis.restart()
    live_app.extensions.pop("fba_redis", None)  # the old pool's sockets died with the server
    with live_app.app_context():
        conn = redis_connection()
        queued = sum(len(Queue(q, connection=conn, serializer=JSONSerializer)) for q in
                     ("high", "default", "low"))
    assert queued == 12
    # The deterministic-id claims survived too: queuing again returns the same records.
    assert enqueue(testjobs.APPEND, out, "dup", job_id="restart:0", kind="test",
                   tenant_id=tenant.id) == ids[0]
    proc = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst", "--no-schedule"],
        cwd=REPO, env={**worker_env_basic(live_app), "REDIS_URL": own_redis.url},
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(lines(out)) == sorted(f"job{i} {rid}" for i, rid in enumerate(ids))
    records = _fresh(live_app, JobRecord)
    assert [r.status for r in records] == ["succeeded"] * 12


def worker_env_basic(app: Any) -> dict[str, str]:
    """Worker environment without the simulator settings."""
    return {
        **os.environ,
        "DATABASE_URL": app.config["DATABASE_URL"],
        "ENCRYPTION_KEYS": ",".join(app.config["ENCRYPTION_KEYS"]),
        "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": app.instance_path,
        "LOG_LEVEL": "WARNING",
    }
