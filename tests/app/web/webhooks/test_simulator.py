"""End to end: the simulator's signed notifications reach the webhook, which queues syncs that a
real RQ worker then runs against the simulator."""

from __future__ import annotations

import datetime as dt
import signal
import threading
from typing import Any

import pytest

from tests.support.sync import sim_seller

SECRET = "simulated-forwarder-secret"


@pytest.mark.slow
@pytest.mark.redis
@pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True)
def test_simulator_notifications_drive_syncs(live_app: Any, redis_url: str) -> None:
    from rq import Queue
    from rq.serializers import JSONSerializer
    from sqlalchemy import func, select
    from werkzeug.serving import make_server

    from app.extensions import db
    from app.models import JobRecord, Order, WebhookEvent
    from jobs.dispatch import redis_connection
    from jobs.worker import run_worker
    from simulator.testing import running_simulator

    live_app.config.update(
        REDIS_URL=redis_url, SPAPI_RATE_SCALE=1000, SPAPI_BACKOFF_BASE=0.02, SPAPI_TIMEOUT=10
    )
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with running_simulator(
            seed=7, skus=5, history_days=30, today=dt.date(2026, 11, 20), rate_scale=1000
        ) as sim:
            account = sim_seller(db.session, sim, "sim", webhook_secret=SECRET)
            url = f"http://127.0.0.1:{server.server_port}/webhooks/sp-api/{account.public_id}"
            sim.configure_webhook(0, url, SECRET)

            sim.advance(hours=12)
            notifier = sim.app.config["SIM_NOTIFIER"]
            assert notifier.wait_idle(60)
            sent = notifier.sent_log()
            assert sent and all(e["delivered"] and e["status"] in (200, 202) for e in sent)
            kinds = {e["type"] for e in sent}
            assert {"ORDER_CHANGE", "FBA_INVENTORY_AVAILABILITY_CHANGES"} <= kinds

            session = db.new_session()
            try:
                # At least once, possibly twice: one event per NotificationId.
                events = session.scalar(select(func.count()).select_from(WebhookEvent))
                assert events == len({e["notification_id"] for e in sent})
                kinds_queued = set(session.scalars(select(JobRecord.kind)))
                assert kinds_queued == {"sync:orders", "sync:inventory"}
                assert session.scalar(select(func.count()).select_from(JobRecord)) == 2
            finally:
                session.close()
            queue = Queue("high", connection=redis_connection(), serializer=JSONSerializer)
            assert sorted(queue.get_job_ids()) == [
                f"sync-{account.id}-inventory",
                f"sync-{account.id}-orders",
            ]

            # The backfill requests dozens of reports; their notifications would each queue a
            # fetch (covered in test_webhooks): keep this run to the two syncs.
            sim.configure_webhook(0, None, None)
            saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
            try:
                run_worker(live_app, burst=True, schedule=False)
            finally:
                for sig, handler in saved.items():
                    signal.signal(sig, handler)
    finally:
        server.shutdown()
        thread.join()
        server.server_close()

    session = db.new_session()
    try:
        records = session.scalars(select(JobRecord)).all()
        assert all(r.status == "succeeded" for r in records), [
            (r.kind, r.status, r.error) for r in records
        ]
        assert sorted(r.kind for r in records) == ["sync:inventory", "sync:orders"]
        assert session.scalar(select(func.count()).select_from(Order)) > 0
    finally:
        session.close()
