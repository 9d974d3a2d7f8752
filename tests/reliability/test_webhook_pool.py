"""Webhooks against the worker pool: the app served on loopback, two RQ worker processes, the
simulator's own forwarder (at-least-once, some duplicates, some out of order). Concurrent
duplicates give one event and one job, bad signatures nothing, and the pool ends at the truth."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

REPO = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.fault,
    pytest.mark.redis,
    pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True),
]
QUEUES = ("high", "default", "low")


def _count(app: Any, model: Any, *where: Any) -> int:
    from app.extensions import db

    with app.app_context():
        session = db.new_session()
        try:
            return session.scalar(select(func.count()).select_from(model).where(*where))
        finally:
            session.close()


def _queued(conn: Any) -> int:
    from rq import Queue
    from rq.serializers import JSONSerializer

    return sum(len(Queue(q, connection=conn, serializer=JSONSerializer)) for q in QUEUES)


def _signed(secret: str, body: bytes, stamp: int | None = None) -> dict[str, str]:
    from app.web.webhooks.signature import sign

    ts = str(stamp if stamp is not None else int(time.time()))
    return {"X-Webhook-Timestamp": ts, "X-Webhook-Signature": sign(secret, ts, body),
            "Content-Type": "application/json"}


@pytest.mark.timeout(150)
def test_webhooks_through_the_worker_pool(simulator, harness, redis_url, redis_conn,
                                          tmp_path) -> None:
    from app.extensions import db
    from app.models import JobRecord, SellerAccount, WebhookEvent
    from simulator.notify import order_change

    with simulator() as (sim, _log):
        h = harness(sim)
        seller = h.seller()
        h.sync(seller)  # the backfill; webhook-triggered syncs are then increments
        h.app.config["REDIS_URL"] = redis_url
        with h.app.app_context():
            account = db.session.get(SellerAccount, seller)
            public_id, secret = account.public_id, account.webhook_secret
        server = make_server("127.0.0.1", 0, h.app, threaded=True)
        serving = threading.Thread(target=server.serve_forever, daemon=True)
        serving.start()
        url = f"http://127.0.0.1:{server.server_port}/webhooks/sp-api/{public_id}"
        workers: list[subprocess.Popen] = []
        try:
            # 1. Twenty concurrent deliveries of one notification: one event, one job.
            sim_seller = sim.marketplace.sellers[0]
            book = sim_seller.world.orders
            body = json.dumps(order_change(sim_seller, int(book.ev_order[-1]),
                                           int(book.ev_ts[-1]), sim.now)).encode()
            barrier = threading.Barrier(20)
            answers: list[int] = []

            def deliver() -> None:
                barrier.wait()
                answers.append(requests.post(url, data=body, headers=_signed(secret, body),
                                             timeout=30).status_code)

            threads = [threading.Thread(target=deliver) for _ in range(20)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(answers) == [200] * 19 + [202], answers
            assert _count(h.app, WebhookEvent) == 1
            assert _count(h.app, JobRecord) == 1 and _queued(redis_conn) == 1

            # 2. Bad signatures on a new notification: refused, nothing stored or queued.
            from app.web.webhooks.schemas import notification_id

            nid = notification_id(json.loads(body))
            assert nid
            other = body.replace(nid.encode(), b"forged-" + nid.encode())
            stale = int(time.time()) - 3600
            bad = [
                {"Content-Type": "application/json"},
                {**_signed(secret, other), "X-Webhook-Signature": "v1=" + "0" * 64},
                _signed("not-the-secret", other),
                _signed(secret, other, stamp=stale),
                _signed(secret, body),  # a valid signature of another body
            ]
            for headers in bad:
                response = requests.post(url, data=other, headers=headers, timeout=30)
                assert response.status_code == 401, headers
            assert _count(h.app, WebhookEvent) == 1 and _queued(redis_conn) == 1

            # 3. The simulator's forwarder, six hours of notifications (orders moving from
            # Pending to Unshipped to Shipped, stock changes), two workers draining.
            env = {**os.environ, "DATABASE_URL": h.app.config["DATABASE_URL"],
                   "ENCRYPTION_KEYS": ",".join(h.app.config["ENCRYPTION_KEYS"]),
                   "SECRET_KEY": "test-secret-key", "REDIS_URL": redis_url,
                   "INSTANCE_PATH": h.app.instance_path, "LOG_LEVEL": "WARNING",
                   "SPAPI_RATE_SCALE": "1000", "SPAPI_BACKOFF_BASE": "0.02",
                   "SPAPI_REPORT_POLL": "2"}
            for i in range(2):
                with (tmp_path / f"worker{i}.log").open("ab") as out:
                    workers.append(subprocess.Popen(
                        [sys.executable, "-m", "flask", "--app", "wsgi", "worker",
                         "--no-schedule", "--name", f"pool-{i}"],
                        cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT))
            sim.configure_webhook(0, url, secret)
            sim.advance(hours=6)
            notifier = sim.app.config["SIM_NOTIFIER"]
            assert notifier.wait_idle(90)
            sent = notifier.sent_log()
            # Every delivery answered 2xx (202 new, 200 duplicate) on its last attempt.
            assert len(sent) > 20 and all(n["status"] in (200, 202) for n in sent), \
                [n["status"] for n in sent if n["status"] not in (200, 202)][:5]
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                open_records = _count(h.app, JobRecord,
                                      JobRecord.status.in_(("queued", "running", "retrying")))
                if open_records == 0 and _queued(redis_conn) == 0:
                    break
                time.sleep(0.2)
            else:
                pytest.fail("the pool did not drain the webhook-triggered jobs")
        finally:
            for proc in workers:
                proc.terminate()
            for proc in workers:
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
            server.shutdown()
            server.server_close()

        # Every distinct notification stored once, duplicates acknowledged and not reprocessed.
        distinct = {n["notification_id"] for n in sent}
        assert _count(h.app, WebhookEvent) == len(distinct) + 1
        assert _count(h.app, JobRecord, JobRecord.status == "failed") == 0
        jobs = _count(h.app, JobRecord)
        assert 1 < jobs < len(sent)  # deduplicated while queued: far fewer jobs than deliveries
        h.settle(seller)
        assert h.mismatches(seller) == []
        print(f"webhook pool: {len(sent)} deliveries, {len(distinct)} distinct, {jobs} jobs")


@pytest.mark.timeout(60)
def test_three_versions_of_an_order_out_of_order_newest_wins(simulator, harness) -> None:
    from app.extensions import db
    from app.models import Order, SellerAccount
    from app.sync.orders import write_orders
    from integrations.amazon.results import Order as ApiOrder

    with simulator() as (sim, _log):
        h = harness(sim)
        seller = h.seller()
        with h.app.app_context():
            account = db.session.get(SellerAccount, seller)
            owner = {"tenant_id": account.tenant_id, "seller_account_id": seller}
        t0 = dt.datetime(2026, 11, 26, 10, tzinfo=dt.UTC)
        versions = [
            ApiOrder(amazon_order_id="111-0000000-0000042", purchase_date=t0,
                     last_update_date=t0 + dt.timedelta(hours=k), status=status,
                     fulfillment_channel="AFN", marketplace_id="ATVPDKIKX0DER")
            for k, status in ((0, "Pending"), (2, "Unshipped"), (30, "Shipped"))
        ]

        def write(version: Any, barrier: threading.Barrier | None = None) -> None:
            with h.app.app_context():
                session = db.new_session()
                try:
                    if barrier is not None:
                        barrier.wait()
                    write_orders(session, owner, [version])
                    session.commit()
                finally:
                    session.close()

        def stored() -> tuple[str, dt.datetime]:
            with h.app.app_context():
                session = db.new_session()
                try:
                    row = session.scalars(select(Order)).one()
                    return row.status, row.last_update_date
                finally:
                    session.close()  # an open read would block the teardown's TRUNCATE

        # Sequential, newest first: the two older versions are ignored.
        for v in (versions[2], versions[0], versions[1]):
            write(v)
        assert stored() == ("Shipped", versions[2].last_update_date)
        with h.app.app_context():
            db.session.execute(Order.__table__.delete())
            db.session.commit()
        # Concurrent: three writers released at once, in reverse order of starting.
        barrier = threading.Barrier(3)
        threads = [threading.Thread(target=write, args=(v, barrier))
                   for v in reversed(versions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert stored() == ("Shipped", versions[2].last_update_date)
