"""`POST /webhooks/sp-api/<public id>`: signed SP-API notifications from the seller's forwarder.

Authenticated by HMAC (no cookies, so CSRF-exempt), validated against the official schema,
stored once per NotificationId (SQS delivers at least once), and turned into a sync job after
the commit. Anything refused leaves no row and no job behind.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from typing import Any, cast

from flask import Blueprint, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from sqlalchemy import CursorResult, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import tasks
from app.extensions import db
from app.models import SellerAccount, WebhookEvent, utcnow
from app.sync.awd import uses_awd
from app.sync.streams import Stream
from app.web.errors import problem
from app.web.webhooks import schemas
from app.web.webhooks.signature import signature_ok, timestamp_ok

log = logging.getLogger(__name__)
bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
MAX_BODY = 256 * 1024  # notifications are a few kB; refuse to buffer more
EVENTS = cast(Table, WebhookEvent.__table__)  # Core statements on the event table
STREAM_OF = {"ORDER_CHANGE": Stream.ORDERS, "FBA_INVENTORY_AVAILABILITY_CHANGES": Stream.INVENTORY}
# AWD has no notification of its own. Units AWD sends to FBA change FBA's availability, so an
# inventory notification of a seller that uses AWD also syncs AWD (the hourly schedule is the
# backstop for the rest): stock that left AWD is not counted upstream and at FBA at once.
ALSO_AWD = "FBA_INVENTORY_AVAILABILITY_CHANGES"


@bp.record_once
def _load_schemas(state: BlueprintSetupState) -> None:
    # Once per app, at start-up: a missing schema is a deployment error to see at once, and
    # compiling per request would cost more than the rest of the request.
    state.app.extensions["fba_webhook_validators"] = schemas.load_validators(
        state.app.config.get("WEBHOOK_SCHEMA_DIR")
    )


def _error(status: int, code: str, message: str) -> Any:
    # The problem document the API answers with too (app.web.errors).
    return problem(status, message, code)


@bp.post("/sp-api/<public_id>")
def sp_api(public_id: str) -> ResponseReturnValue:
    """Receive one notification; 202 when queued, 200 for a duplicate, 4xx with nothing stored."""
    validators = current_app.extensions.get("fba_webhook_validators")
    if validators is None:
        return _error(503, "unavailable", "notification schemas are not installed")
    request.max_content_length = MAX_BODY
    account = None
    if len(public_id) <= 32:
        account = db.session.scalars(
            select(SellerAccount).where(SellerAccount.public_id == public_id)
        ).one_or_none()
    stamp = request.headers.get("X-Webhook-Timestamp")
    # One answer for unknown sellers and bad signatures: probing ids must reveal nothing.
    if account is None or not account.active:
        return _unauthorized("unknown seller", public_id)
    if not timestamp_ok(stamp, time.time()):
        return _unauthorized("missing or stale timestamp", public_id)
    raw = request.get_data(cache=True)
    assert stamp is not None
    # The previous secret only within the grace period after a rotation (then it is dead).
    secrets = account.webhook_secrets(current_app.config["WEBHOOK_SECRET_GRACE"])
    # End the read transaction now: on SQLite, a transaction that read and then writes fails at
    # once (no busy wait) if another delivery wrote in between; the insert below starts afresh.
    db.session.commit()
    if not signature_ok(request.headers.get("X-Webhook-Signature"), stamp, raw, secrets):
        return _unauthorized("bad signature", public_id)

    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "bad_json", "the body is not JSON")
    if not isinstance(body, dict):
        return _error(400, "bad_json", "the body is not a JSON object")
    kind = schemas.notification_type(body)
    validator = validators.get(kind or "")
    if validator is None:
        return _error(400, "unsupported_notification", "unsupported notification type")
    mismatch = next(iter(validator.iter_errors(body)), None)
    if mismatch is not None:
        path = "/".join(str(p) for p in mismatch.absolute_path) or "(root)"
        return _error(
            400, "invalid_notification", f"payload does not match the {kind} schema at {path}"
        )
    notification_id = schemas.notification_id(body)
    if notification_id is None:
        return _error(400, "invalid_notification", "NotificationMetadata.NotificationId is missing")

    assert kind is not None
    concerned = _marketplace_accounts(account, body)
    account = concerned[0]
    if not _store(account, notification_id, kind, body):
        log.info("webhook %s for seller %s: duplicate", kind, account.id)
        return jsonify(status="duplicate", notification_id=notification_id), 200
    try:
        job = _process(account, notification_id, kind, body, concerned[1:])
    except Exception:
        log.exception("webhook %s for seller %s: could not queue its job", kind, account.id)
        _release(account, notification_id)  # the forwarder's retry will process it
        return _error(503, "unavailable", "could not queue the sync; retry later")
    return jsonify(status="accepted", notification_id=notification_id, job_id=job), 202


def _marketplace_accounts(account: SellerAccount, body: dict[str, Any]) -> list[SellerAccount]:
    """The accounts of the marketplaces a notification names, among the receiving account's
    connection (one forwarder per selling partner and region posts every marketplace's
    notifications to one URL): the order's marketplace, or each marketplace an inventory
    change lists. The receiving account when it names none of them.

    A report notification names no marketplace: the report's own marketplaces decide when it
    is fetched (app.sync.reports.process_report)."""
    named = schemas.marketplace_ids(body)
    family = [account, *account.siblings()]
    found = [a for a in family if a.marketplace_id in named and a.active]
    if not found:
        return [account]
    found.sort(key=lambda a: a.id != account.id)  # the receiving account first, if named
    return found


def _unauthorized(reason: str, public_id: str) -> Any:
    # Never log the signature, the secret, or the body: only why, and a prefix of the URL id.
    log.warning("webhook refused for %s...: %s", public_id[:6], reason)
    return _error(401, "unauthorized", "missing, stale or invalid signature")


def _parse_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _store(account: SellerAccount, notification_id: str, kind: str, body: dict[str, Any]) -> bool:
    """Insert the event unless this NotificationId is known; True if this delivery claimed it.

    INSERT ... ON CONFLICT DO NOTHING, then an UPDATE that only one delivery can win: concurrent
    deliveries of one notification yield one row and one processing, and a delivery whose
    enqueue failed (released below) is processed by the next one.
    """
    session = db.session
    table = EVENTS
    insert = _dialect_insert(session)(table).values(
        tenant_id=account.tenant_id,
        seller_account_id=account.id,
        notification_id=notification_id,
        notification_type=kind[:60],
        event_time=_parse_time(schemas.event_time(body)),
        received_at=utcnow(),
        payload=body,
    )
    session.execute(
        insert.on_conflict_do_nothing(
            index_elements=["tenant_id", "seller_account_id", "notification_id"]
        )
    )
    claimed = cast(
        CursorResult[Any],
        session.execute(
            update(table)
            .where(
                table.c.tenant_id == account.tenant_id,
                table.c.seller_account_id == account.id,
                table.c.notification_id == notification_id,
                table.c.processed_at.is_(None),
            )
            .values(processed_at=utcnow())
        ),
    ).rowcount
    session.commit()
    return claimed == 1


def _release(account: SellerAccount, notification_id: str) -> None:
    table = EVENTS
    db.session.execute(
        update(table)
        .where(
            table.c.tenant_id == account.tenant_id,
            table.c.seller_account_id == account.id,
            table.c.notification_id == notification_id,
        )
        .values(processed_at=None)
    )
    db.session.commit()


def _process(
    account: SellerAccount,
    notification_id: str,
    kind: str,
    body: dict[str, Any],
    also: list[SellerAccount] | None = None,
) -> int | None:
    """Queue the job this notification calls for (after the event's commit); its record id.
    `also`: the connection's other accounts it concerns (their syncs are queued too)."""
    if kind in STREAM_OF:
        job: int | None = tasks.enqueue_sync(account.id, STREAM_OF[kind], queue="high")
        for other in also or []:
            tasks.enqueue_sync(other.id, STREAM_OF[kind], queue="high")
        if kind == ALSO_AWD:
            for one in (account, *(also or [])):
                if uses_awd(db.session, one):
                    tasks.enqueue_sync(one.id, Stream.AWD, queue="high")
    else:
        inner = body["payload"]["reportProcessingFinishedNotification"]
        if inner.get("processingStatus") != "DONE":
            job = None  # a cancelled or fatal report has no document to fetch
        else:
            job = tasks.enqueue_report(account.id, inner["reportId"], inner.get("reportType"))
    table = EVENTS
    db.session.execute(
        update(table)
        .where(
            table.c.tenant_id == account.tenant_id,
            table.c.seller_account_id == account.id,
            table.c.notification_id == notification_id,
        )
        .values(job_id=None if job is None else str(job))
    )
    db.session.commit()
    return job


def _dialect_insert(session: Session) -> Callable[[Table], postgresql.Insert | sqlite.Insert]:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
