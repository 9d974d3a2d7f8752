"""No secret or token in logs or queued jobs: a full sync against the simulator, logged at DEBUG,
then the same streams queued on RQ and drained by a worker process logging at DEBUG; every log
line, every Redis value and every job record is scanned for every credential and token."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.redis, pytest.mark.parametrize("db_engine", ["postgresql"],
                                                         indirect=True)]


def _redis_dump(conn: Any) -> list[str]:
    """Every key and value in the Redis database, as text."""
    out: list[str] = []
    for key in conn.scan_iter(count=500):
        kind = conn.type(key).decode()
        out.append(key.decode(errors="replace"))
        if kind == "string":
            values = [conn.get(key)]
        elif kind == "hash":
            values = [x for kv in conn.hgetall(key).items() for x in kv]
        elif kind == "list":
            values = conn.lrange(key, 0, -1)
        elif kind == "set":
            values = list(conn.smembers(key))
        elif kind == "zset":
            values = [m for m, _s in conn.zrange(key, 0, -1, withscores=True)]
        else:
            values = []
        out.extend(v.decode(errors="replace") if isinstance(v, bytes) else str(v)
                   for v in values)
    return out


def _leaks(texts: list[str], secrets: dict[str, str]) -> list[str]:
    """(secret name, where) for every text containing a secret or its first 16 characters."""
    found = []
    for name, value in secrets.items():
        probes = {value, value[:16]}
        for i, text in enumerate(texts):
            if any(p in text for p in probes):
                found.append(f"{name} in #{i}: {text[:200]!r}")
    return found


@pytest.mark.timeout(150)
def test_no_credential_or_token_in_logs_queued_jobs_or_records(
    live_app: Any, redis_url: str, redis_conn: Any, caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    from app.extensions import db
    from app.models import JobRecord, SellerAccount, SyncRun, WebhookEvent
    from app.tasks import enqueue_sync
    from app.web.webhooks.signature import sign
    from simulator.testing import running_simulator

    caplog.set_level(logging.DEBUG)  # the root logger and every library under it
    issued: list[str] = []
    live_app.config.update(SPAPI_RATE_SCALE=1000.0, SPAPI_BACKOFF_BASE=0.02,
                           SPAPI_REPORT_POLL=2.0)
    import datetime as dt

    with running_simulator(seed=11, skus=12, history_days=120, today=dt.date(2026, 11, 26),
                           rate_scale=1000.0, fault_rate=0.05,
                           SIM_FAULT_SLOW_SECONDS=0.1) as sim:
        # Record every access token the simulator hands out.
        inner = sim.app.wsgi_app

        def capture(environ: dict, start_response: Any) -> Any:
            body = b"".join(inner(environ, start_response))
            if environ.get("PATH_INFO") == "/auth/o2/token":
                with contextlib.suppress(ValueError, KeyError):
                    issued.append(json.loads(body)["access_token"])
            return [body]

        sim.app.wsgi_app = capture  # type: ignore[method-assign]
        creds = sim.sellers[0]
        account = SellerAccount(tenant_id=_tenant(), name="scan", endpoint=sim.base_url,
                                token_url=sim.token_url, lwa_client_id=creds["client_id"],
                                lwa_client_secret=creds["client_secret"],
                                refresh_token=creds["refresh_token"])
        db.session.add(account)
        db.session.commit()
        seller, public_id, webhook_secret = account.id, account.public_id, account.webhook_secret

        # 1. A full sync in this process, every stream, with faults, logged at DEBUG.
        from app.tasks import run_sync

        for stream in ("orders", "inventory", "fees", "reports"):
            with live_app.app_context():
                run_sync(seller, stream, backfill_days=120)
        # A webhook delivery and a refused one (the refusal is logged).
        client = live_app.test_client()
        body = json.dumps(_order_change(sim)).encode()
        stamp = str(int(time.time()))
        ok = client.post(f"/webhooks/sp-api/{public_id}", data=body, headers={
            "X-Webhook-Timestamp": stamp,
            "X-Webhook-Signature": sign(webhook_secret, stamp, body),
            "Content-Type": "application/json"})
        bad = client.post(f"/webhooks/sp-api/{public_id}", data=body, headers={
            "X-Webhook-Timestamp": stamp, "X-Webhook-Signature": "v1=" + "0" * 64})
        assert ok.status_code == 202 and bad.status_code == 401

        # 2. The same streams queued on RQ: inspect the payloads before a worker drains them.
        sim.advance(days=1)
        live_app.config["REDIS_URL"] = redis_url
        with live_app.app_context():
            for stream in ("orders", "inventory", "fees", "reports"):
                enqueue_sync(seller, stream)
        queued = _redis_dump(redis_conn)
        assert any("app.tasks.run_sync" in v for v in queued), "no job payload found in Redis"
        env = {**os.environ, "DATABASE_URL": live_app.config["DATABASE_URL"],
               "ENCRYPTION_KEYS": ",".join(live_app.config["ENCRYPTION_KEYS"]),
               "SECRET_KEY": "test-secret-key", "REDIS_URL": redis_url,
               "INSTANCE_PATH": live_app.instance_path, "LOG_LEVEL": "DEBUG",
               "SPAPI_RATE_SCALE": "1000", "SPAPI_BACKOFF_BASE": "0.02",
               "SPAPI_REPORT_POLL": "2"}
        worker = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst",
             "--no-schedule"],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
        )
        assert worker.returncode == 0, worker.stderr[-2000:]
        after = _redis_dump(redis_conn)

    with live_app.app_context():
        records = db.session.scalars(select(JobRecord)).all()
        assert len(records) >= 5 and all(r.status == "succeeded" for r in records
                                         if r.kind.startswith("sync:")), \
            [(r.kind, r.status, r.error) for r in records]
        rows = [f"{r.kind} {r.message} {r.error}" for r in records]
        rows += [f"{r.stream} {r.error}" for r in db.session.scalars(select(SyncRun))]
        rows += [json.dumps(e.payload) for e in db.session.scalars(select(WebhookEvent))]

    assert issued, "the simulator issued no access token?"
    secrets = {"client_secret": creds["client_secret"], "refresh_token": creds["refresh_token"],
               "webhook_secret": webhook_secret}
    secrets.update({f"access_token_{i}": t for i, t in enumerate(set(issued))})
    log_lines = [r.getMessage() for r in caplog.records]
    log_lines += [str(r.args) for r in caplog.records if r.args]
    log_lines += [caplog.text]
    worker_lines = (worker.stdout + worker.stderr).splitlines()
    assert any("DEBUG" in line for line in worker_lines), "the worker did not log at DEBUG"
    assert len(log_lines) > 100 and len(worker_lines) > 20
    # The scanner itself works: a line carrying a secret is found.
    assert _leaks([f"token={issued[0]}&x"], secrets) and _leaks([creds["refresh_token"]], secrets)
    assert _leaks(log_lines, secrets) == []
    assert _leaks(worker_lines, secrets) == []
    assert _leaks(queued + after, secrets) == []
    assert _leaks(rows, secrets) == []
    print(f"scanned {len(log_lines)} in-process log lines, {len(worker_lines)} worker lines, "
          f"{len(queued) + len(after)} Redis values, {len(rows)} records for "
          f"{len(secrets)} secrets ({len(set(issued))} access tokens)")


def _tenant() -> int:
    from app.extensions import db
    from app.models import Tenant

    tenant = Tenant(name="scan-tenant")
    db.session.add(tenant)
    db.session.commit()
    return tenant.id


def _order_change(sim: Any) -> dict[str, Any]:
    """The simulator's own ORDER_CHANGE body for its latest order event."""
    from simulator.notify import order_change

    seller = sim.marketplace.sellers[0]
    book = seller.world.orders
    return order_change(seller, int(book.ev_order[-1]), int(book.ev_ts[-1]), sim.now)
