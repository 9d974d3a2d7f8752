"""Seller accounts, background jobs, and starting a sync."""

from __future__ import annotations

import logging
from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app import tasks
from app.extensions import db
from app.models import JobRecord, SellerAccount
from app.models.base import MAX_ID
from app.models.events import JOB_STATUSES
from app.sync.streams import NAMES as STREAMS
from app.tenancy import owned_or_404
from app.web.api.auth import current
from app.web.api.blueprint import bp
from app.web.api.errors import ApiError
from app.web.api.queries import count
from app.web.api.serializers import page, seller
from app.web.api.validation import (
    invalid,
    json_body,
    page_params,
    query_choice,
    query_int,
    query_str,
)
from app.web.jobs.serializers import job

log = logging.getLogger(__name__)


@bp.get("/sellers")
def list_sellers() -> ResponseReturnValue:
    """The tenant's seller accounts (never their credentials)."""
    tenant_id = current().tenant_id
    limit, offset = page_params()
    stmt = select(SellerAccount).where(SellerAccount.tenant_id == tenant_id)
    session = db.session
    total = count(session, stmt)
    rows = session.scalars(stmt.order_by(SellerAccount.id).limit(limit).offset(offset)).all()
    return jsonify(page([seller(s) for s in rows], total, limit, offset))


@bp.get("/sellers/<id:seller_id>")
def get_seller(seller_id: int) -> ResponseReturnValue:
    """One seller account."""
    row = owned_or_404(db.session, SellerAccount, seller_id, current().tenant_id, "seller account")
    return jsonify(seller(row))


def _streams(body: Any) -> list[str]:
    if not isinstance(body, dict):
        raise invalid({"body": "must be a JSON object"})
    unknown = {str(k): "unknown field" for k in body if k != "streams"}
    if unknown:
        raise invalid(unknown)
    streams = body.get("streams", list(STREAMS))
    if (
        not isinstance(streams, list)
        or not streams
        or not all(isinstance(s, str) and s in STREAMS for s in streams)
    ):
        raise invalid({"streams": "must be a non-empty list of: " + ", ".join(STREAMS)})
    # Keep the caller's order, once each.
    return list(dict.fromkeys(streams))


@bp.post("/sellers/<id:seller_id>/sync")
def sync_seller(seller_id: int) -> ResponseReturnValue:
    """Queue a sync of the seller's streams (all by default); 202 with the job ids."""
    account = owned_or_404(
        db.session, SellerAccount, seller_id, current().tenant_id, "seller account"
    )
    streams = _streams(json_body(required=False))
    if not account.active:
        raise ApiError(409, "conflict", "the seller account is inactive", {"seller_id": "inactive"})
    queued: list[dict[str, Any]] = []
    for stream in streams:
        try:
            job_id = tasks.enqueue_sync(account.id, stream)
        except Exception:
            # Redis down or refusing: say so plainly; streams queued before this one stay queued.
            log.exception("could not queue sync %s of seller %s", stream, account.id)
            raise ApiError(
                503,
                "queue_unavailable",
                f"could not queue the {stream} sync; the job queue is unavailable, retry later",
                {"queued": ", ".join(q["stream"] for q in queued)},
            ) from None
        queued.append({"stream": stream, "job_id": job_id})
    return jsonify(seller_account_id=account.id, jobs=queued), 202


@bp.get("/jobs")
def list_jobs() -> ResponseReturnValue:
    """The tenant's background jobs, newest first."""
    tenant_id = current().tenant_id
    limit, offset = page_params()
    seller_id = query_int("seller", None, 1, MAX_ID)
    status = query_choice("status", JOB_STATUSES)
    kind = query_str("kind", 40)
    stmt = select(JobRecord).where(JobRecord.tenant_id == tenant_id)
    if seller_id is not None:
        stmt = stmt.where(JobRecord.seller_account_id == seller_id)
    if status is not None:
        stmt = stmt.where(JobRecord.status == status)
    if kind is not None:
        stmt = stmt.where(JobRecord.kind == kind)
    session = db.session
    total = count(session, stmt)
    rows = session.scalars(
        stmt.order_by(JobRecord.created_at.desc(), JobRecord.id.desc()).limit(limit).offset(offset)
    ).all()
    return jsonify(page([job(r) for r in rows], total, limit, offset))


@bp.get("/jobs/<id:job_id>")
def get_job(job_id: int) -> ResponseReturnValue:
    """One job's status, progress and error."""
    row = owned_or_404(db.session, JobRecord, job_id, current().tenant_id, "job")
    return jsonify(job(row))
