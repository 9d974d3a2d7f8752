"""The SP-API webhook: signatures, timestamps, schemas, dedupe, and what gets queued."""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from app.models import utcnow
from app.web.webhooks.schemas import FILES, PACKAGED
from app.web.webhooks.signature import MAX_SKEW, sign
from tests.support.web import problem

SECRET = "current-webhook-secret-value"
OLD_SECRET = "previous-webhook-secret-value"


def _schema(kind: str) -> dict[str, Any]:
    return json.loads((PACKAGED / FILES[kind]).read_text())


def order_change(notification_id: str | None = None) -> dict[str, Any]:
    """The official ORDER_CHANGE example, with a fresh NotificationId."""
    body = copy.deepcopy(_schema("ORDER_CHANGE")["examples"][0])
    body["NotificationMetadata"]["NotificationId"] = notification_id or str(uuid.uuid4())
    return body


def inventory_change() -> dict[str, Any]:
    """FBA_INVENTORY_AVAILABILITY_CHANGES built from the schema's own examples."""
    props = _schema("FBA_INVENTORY_AVAILABILITY_CHANGES")["properties"]
    # This schema leaves the metadata open; Amazon sends the same block as ORDER_CHANGE.
    meta = copy.deepcopy(order_change()["NotificationMetadata"])
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "FBA_INVENTORY_AVAILABILITY_CHANGES",
        "PayloadVersion": "1.0",
        "EventTime": "2026-03-01T10:00:00Z",
        "Payload": copy.deepcopy(props["Payload"]["examples"][0]),
        "NotificationMetadata": meta,
    }


def report_finished(status: str = "DONE") -> dict[str, Any]:
    """The official REPORT_PROCESSING_FINISHED example (camelCase), with a fresh id."""
    body = copy.deepcopy(_schema("REPORT_PROCESSING_FINISHED")["examples"][0])
    body["notificationMetadata"]["notificationId"] = str(uuid.uuid4())
    body["payload"]["reportProcessingFinishedNotification"]["processingStatus"] = status
    return body


def signed(
    body: Any, secret: str = SECRET, at: float | None = None, raw: bytes | None = None
) -> tuple[bytes, dict[str, str]]:
    """A raw body and the forwarder's headers for it."""
    raw = raw if raw is not None else json.dumps(body, separators=(",", ":")).encode()
    stamp = str(int(at if at is not None else time.time()))
    return raw, {
        "Content-Type": "application/json",
        "X-Webhook-Timestamp": stamp,
        "X-Webhook-Signature": sign(secret, stamp, raw),
    }


@pytest.fixture
def seller(factory: Any, db_session: Any) -> Any:
    tenant = factory.tenant()
    account = factory.seller(tenant, webhook_secret=SECRET, previous_webhook_secret=None)
    db_session.commit()
    return account


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """Records what the webhook queues instead of queuing it."""
    import app.tasks as dispatch

    calls: list[tuple[Any, ...]] = []

    def sync(seller_account_id: int, stream: str, queue: str = "default") -> int:
        calls.append(("sync", seller_account_id, stream))
        return 1000 + len(calls)

    def report(seller_account_id: int, report_id: str, report_type: str | None) -> int:
        calls.append(("report", seller_account_id, report_id, report_type))
        return 1000 + len(calls)

    monkeypatch.setattr(dispatch, "enqueue_sync", sync)
    monkeypatch.setattr(dispatch, "enqueue_report", report)
    return calls


def _events(db_session: Any) -> list[Any]:
    from sqlalchemy import select

    from app.models import WebhookEvent

    db_session.expire_all()
    return list(db_session.scalars(select(WebhookEvent)))


def _post(client: Any, seller: Any, raw: bytes, headers: dict[str, str]) -> Any:
    return client.post(f"/webhooks/sp-api/{seller.public_id}", data=raw, headers=headers)


def test_order_change_is_stored_once_and_queues_an_orders_sync(
    client: Any, seller: Any, enqueued: list, db_session: Any
) -> None:
    body = order_change()
    resp = _post(client, seller, *signed(body))
    assert resp.status_code == 202, resp.get_json()
    assert resp.get_json()["status"] == "accepted"
    assert enqueued == [("sync", seller.id, "orders")]
    (event,) = _events(db_session)
    assert event.notification_id == body["NotificationMetadata"]["NotificationId"]
    assert (event.notification_type, event.seller_account_id) == ("ORDER_CHANGE", seller.id)
    assert event.payload == body and event.processed_at is not None
    assert event.job_id == "1001"
    assert event.event_time.isoformat().startswith("2020-01-11T00:09:53")

    # SQS redelivers: a re-signed copy of the same notification is acknowledged, not processed.
    resp = _post(client, seller, *signed(body))
    assert resp.status_code == 200 and resp.get_json()["status"] == "duplicate"
    assert len(enqueued) == 1 and len(_events(db_session)) == 1


def test_inventory_and_report_notifications_queue_their_jobs(
    client: Any, seller: Any, enqueued: list, db_session: Any
) -> None:
    assert _post(client, seller, *signed(inventory_change())).status_code == 202
    done = report_finished("DONE")
    assert _post(client, seller, *signed(done)).status_code == 202
    inner = done["payload"]["reportProcessingFinishedNotification"]
    cancelled = report_finished("CANCELLED")
    assert _post(client, seller, *signed(cancelled)).status_code == 202
    assert enqueued == [
        ("sync", seller.id, "inventory"),
        ("report", seller.id, inner["reportId"], inner["reportType"]),
    ]  # a cancelled report has nothing to fetch, but its event is kept
    assert len(_events(db_session)) == 3


def test_an_inventory_change_of_a_seller_with_awd_also_syncs_awd(
    client: Any, seller: Any, enqueued: list, db_session: Any
) -> None:
    """AWD has no notification: FBA stock changing (an AWD replenishment landing) syncs AWD
    too, for a seller whose last AWD run found AWD it may read, and not for one without."""
    from app.models import SellerAccount
    from app.sync.state import load_state, set_cursor

    account = db_session.get(SellerAccount, seller.id)
    state = load_state(db_session, account, "awd")
    set_cursor(state, {"enrolled": False}, backfill_done=True)
    db_session.commit()
    assert _post(client, seller, *signed(inventory_change())).status_code == 202
    assert enqueued == [("sync", seller.id, "inventory")]
    set_cursor(state, {"enrolled": True, "authorized": True}, backfill_done=True)
    db_session.commit()
    assert _post(client, seller, *signed(inventory_change())).status_code == 202
    assert enqueued[1:] == [("sync", seller.id, "inventory"), ("sync", seller.id, "awd")]
    set_cursor(state, {"enrolled": True, "authorized": False}, backfill_done=True)
    db_session.commit()
    assert _post(client, seller, *signed(inventory_change())).status_code == 202
    assert enqueued[3:] == [("sync", seller.id, "inventory")]


@pytest.mark.parametrize(
    "tamper",
    [
        "missing signature",
        "missing timestamp",
        "wrong secret",
        "other body",
        "stale",
        "future",
        "not hex",
        "unknown seller",
        "inactive seller",
        "no v1",
    ],
)
def test_refused_deliveries_store_and_queue_nothing(
    client: Any, seller: Any, enqueued: list, db_session: Any, tamper: str
) -> None:
    raw, headers = signed(order_change())
    url_id = seller.public_id
    if tamper == "missing signature":
        del headers["X-Webhook-Signature"]
    elif tamper == "missing timestamp":
        del headers["X-Webhook-Timestamp"]
    elif tamper == "wrong secret":
        raw, headers = signed(None, secret="guessed", raw=raw)
    elif tamper == "other body":
        raw = raw.replace(b"903-8868176-2219830", b"903-0000000-0000000")
    elif tamper == "stale":
        raw, headers = signed(None, at=time.time() - MAX_SKEW - 60, raw=raw)
    elif tamper == "future":
        raw, headers = signed(None, at=time.time() + MAX_SKEW + 60, raw=raw)
    elif tamper == "not hex":
        headers["X-Webhook-Signature"] = "v1=zz" + headers["X-Webhook-Signature"][5:]
    elif tamper == "unknown seller":
        url_id = "nobody-" + seller.public_id[:10]
    elif tamper == "inactive seller":
        seller.active = False
        db_session.commit()
    elif tamper == "no v1":
        headers["X-Webhook-Signature"] = headers["X-Webhook-Signature"].replace("v1=", "v0=")
    resp = client.post(f"/webhooks/sp-api/{url_id}", data=raw, headers=headers)
    problem(resp, 401, "unauthorized")
    assert _events(db_session) == [] and enqueued == []


def test_a_captured_delivery_replayed_later_is_refused(
    client: Any, seller: Any, enqueued: list, db_session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, headers = signed(order_change(), at=time.time() - 10)
    first_seen = time.time()
    # The attacker replays the exact request six minutes later.
    monkeypatch.setattr(time, "time", lambda: first_seen + 360)
    resp = _post(client, seller, raw, headers)
    assert resp.status_code == 401
    assert _events(db_session) == [] and enqueued == []


def test_an_exact_replay_within_the_window_is_acknowledged_but_not_processed(
    client: Any, seller: Any, enqueued: list, db_session: Any
) -> None:
    raw, headers = signed(order_change())
    assert _post(client, seller, raw, headers).status_code == 202
    resp = _post(client, seller, raw, headers)
    assert resp.status_code == 200 and resp.get_json()["status"] == "duplicate"
    assert len(_events(db_session)) == 1 and len(enqueued) == 1


def test_the_previous_secret_is_accepted_during_a_rotation(
    client: Any, seller: Any, enqueued: list, db_session: Any
) -> None:
    raw, headers = signed(order_change(), secret=OLD_SECRET)
    assert _post(client, seller, raw, headers).status_code == 401  # no rotation under way
    seller.previous_webhook_secret = OLD_SECRET
    seller.webhook_secret_rotated_at = utcnow()
    db_session.commit()
    assert _post(client, seller, raw, headers).status_code == 202
    # A forwarder mid-rotation may send both signatures; either matching is enough.
    raw, headers = signed(order_change(), secret="retired-long-ago")
    _, current = signed(None, raw=raw, at=int(headers["X-Webhook-Timestamp"]))
    headers["X-Webhook-Signature"] += ", " + current["X-Webhook-Signature"]
    assert _post(client, seller, raw, headers).status_code == 202
    assert len(_events(db_session)) == 2 and len(enqueued) == 2


def test_the_previous_secret_dies_after_the_grace_period(
    app: Any, client: Any, seller: Any, enqueued: list, db_session: Any
) -> None:
    """Finding 7: after one rotation the old secret verified forever."""
    import datetime as dt

    assert app.config["WEBHOOK_SECRET_GRACE"] == dt.timedelta(hours=24)
    seller.previous_webhook_secret = OLD_SECRET
    seller.webhook_secret_rotated_at = utcnow() - dt.timedelta(hours=24, minutes=1)
    db_session.commit()
    raw, headers = signed(order_change(), secret=OLD_SECRET)
    assert _post(client, seller, raw, headers).status_code == 401
    app.config["WEBHOOK_SECRET_GRACE"] = dt.timedelta(hours=48)  # configurable
    assert _post(client, seller, raw, headers).status_code == 202
    # The current secret is never subject to the grace period.
    assert _post(client, seller, *signed(order_change())).status_code == 202


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"[1, 2]", b"\xff\xfe", b"null"],
)
def test_bad_json_is_refused(
    client: Any, seller: Any, enqueued: list, db_session: Any, raw: bytes
) -> None:
    resp = _post(client, seller, *signed(None, raw=raw))
    problem(resp, 400, "bad_json")
    assert _events(db_session) == [] and enqueued == []


def _drop(body: dict[str, Any], *path: str) -> dict[str, Any]:
    node = body
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return body


@pytest.mark.parametrize(
    "make",
    [
        lambda: _drop(order_change(), "Payload"),
        lambda: {**order_change(), "EventTime": 20200111},
        lambda: _drop(inventory_change(), "Payload", "SKU"),
        lambda: _drop(report_finished(), "payload", "reportProcessingFinishedNotification"),
        lambda: {**order_change(), "NotificationType": "ANY_OFFER_CHANGED"},
        lambda: _drop(inventory_change(), "NotificationMetadata"),  # the schema allows; we don't
    ],
)
def test_payloads_that_do_not_match_the_schema_are_refused(
    client: Any, seller: Any, enqueued: list, db_session: Any, make: Any
) -> None:
    resp = _post(client, seller, *signed(make()))
    body = problem(resp, 400)
    assert body["code"] in ("invalid_notification", "unsupported_notification"), body
    assert _events(db_session) == [] and enqueued == []


def test_only_post_is_routed(client: Any, seller: Any) -> None:
    problem(client.get(f"/webhooks/sp-api/{seller.public_id}"), 405, "method_not_allowed")


def test_oversized_bodies_are_refused(client: Any, seller: Any, db_session: Any) -> None:
    body = order_change()
    body["padding"] = "x" * 300_000
    assert _post(client, seller, *signed(body)).status_code == 413
    assert _events(db_session) == []


def test_without_schemas_deliveries_are_refused_not_accepted_unvalidated(
    db_engine: Any, tmp_path: Path
) -> None:
    from app import create_app

    connection = db_engine.connect()
    outer = connection.begin()
    config = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "ENV": {"SECRET_KEY": "k", "ENCRYPTION_KEYS": _key(), "DATABASE_URL": "sqlite://"},
        "DB_BIND": connection,
        "WEBHOOK_SCHEMA_DIR": str(tmp_path / "nowhere"),
    }
    try:
        flask_app = create_app(config)
        raw, headers = signed(order_change())
        resp = flask_app.test_client().post("/webhooks/sp-api/whatever", data=raw, headers=headers)
        assert resp.status_code == 503
    finally:
        outer.rollback()
        connection.close()


def _key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def test_packaged_schemas_are_the_official_ones(shared_dir: Path) -> None:
    official = shared_dir / "spapi-models" / "notifications"
    for name in FILES.values():
        assert (PACKAGED / name).read_bytes() == (official / name).read_bytes()
    assert (PACKAGED / "LICENSE").read_bytes() == (shared_dir / "spapi-models/LICENSE").read_bytes()
    assert (PACKAGED / "NOTICE").is_file()


def test_signatures_match_the_simulators_forwarder() -> None:
    from simulator.notify import sign as simulator_sign

    raw = b'{"a":1}'
    assert sign("s3cret", "1700000000", raw) == simulator_sign("s3cret", "1700000000", raw)


def test_secrets_and_signatures_never_reach_the_log(
    client: Any, seller: Any, enqueued: list, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    raw, headers = signed(order_change())
    assert _post(client, seller, raw, headers).status_code == 202
    _, bad = signed(None, secret="guessed", raw=raw)
    assert _post(client, seller, raw, bad).status_code == 401
    for value in (SECRET, headers["X-Webhook-Signature"][3:], bad["X-Webhook-Signature"][3:]):
        assert value not in caplog.text
    assert "bad signature" in caplog.text


@pytest.mark.redis
def test_twenty_concurrent_deliveries_give_one_event_and_one_job(
    live_app: Any, redis_url: str
) -> None:
    import requests
    from rq import Queue
    from rq.serializers import JSONSerializer
    from sqlalchemy import func, select
    from werkzeug.serving import make_server

    from app.extensions import db
    from app.models import JobRecord, SellerAccount, Tenant, WebhookEvent
    from jobs.dispatch import redis_connection

    live_app.config["REDIS_URL"] = redis_url
    tenant = Tenant(name="t")
    db.session.add(tenant)
    db.session.flush()
    account = SellerAccount(
        tenant_id=tenant.id, name="s", lwa_client_id="c", lwa_client_secret="x",
        refresh_token="r", webhook_secret=SECRET,
    )  # fmt: skip
    db.session.add(account)
    db.session.commit()

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/webhooks/sp-api/{account.public_id}"
    raw, headers = signed(order_change())
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    failures: list[str] = []

    def deliver() -> None:
        barrier.wait()
        resp = requests.post(url, data=raw, headers=headers, timeout=60)
        statuses.append(resp.status_code)
        if resp.status_code not in (200, 202):
            failures.append(resp.text[:500])

    try:
        workers = [threading.Thread(target=deliver) for _ in range(20)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    finally:
        server.shutdown()
        thread.join()
        server.server_close()

    assert sorted(statuses) == [200] * 19 + [202], failures
    session = db.new_session()
    try:
        assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
        assert session.scalar(select(func.count()).select_from(JobRecord)) == 1
    finally:
        session.close()
    queue = Queue("high", connection=redis_connection(), serializer=JSONSerializer)
    assert queue.get_job_ids() == [f"sync-{account.id}-orders"]
