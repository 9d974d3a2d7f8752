"""Background jobs the seller started or the schedule ran: progress, results and errors."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import ColumnElement, select

from app.extensions import db
from app.models import JobRecord, SellerAccount, SyncRun
from app.models.base import MAX_ID
from app.tenancy import owned_or_404
from app.web.auth.session import login_required, tenant_id
from app.web.jobs.serializers import ACTIVE, job

bp = Blueprint("jobs_ui", __name__, url_prefix="/jobs")
KINDS = {"sync": "Syncs", "train": "Trainings", "recommend": "Recommendations"}


def _kind_filter(kind: str) -> ColumnElement[bool]:
    # Sync jobs are "sync:<stream>"; report polling jobs belong with them.
    if kind == "sync":
        return JobRecord.kind.like("sync%") | (JobRecord.kind == "report")
    return JobRecord.kind.like(f"{kind}%")


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """Recent jobs of the tenant by kind, and the latest sync runs."""
    tid = tenant_id()
    kind = request.args.get("kind", "")
    stmt = select(JobRecord).where(JobRecord.tenant_id == tid)
    if kind in KINDS:
        stmt = stmt.where(_kind_filter(kind))
    jobs = list(
        db.session.scalars(
            stmt.order_by(JobRecord.created_at.desc(), JobRecord.id.desc()).limit(100)
        )
    )
    names = dict(
        db.session.execute(
            select(SellerAccount.id, SellerAccount.name).where(SellerAccount.tenant_id == tid)
        ).all()
    )
    runs = db.session.scalars(
        select(SyncRun)
        .where(SyncRun.tenant_id == tid)
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(30)
    ).all()
    return render_template(
        "jobs/index.html", jobs=jobs, runs=runs, names=names, kind=kind, kinds=KINDS, active=ACTIVE
    )


@bp.get("/<id:job_id>.json")
@login_required
def job_status(job_id: int) -> ResponseReturnValue:
    """One job's progress (polled by jobs.js)."""
    return jsonify(job(owned_or_404(db.session, JobRecord, job_id, tenant_id())))


@bp.get("/status.json")
@login_required
def status_many() -> ResponseReturnValue:
    """Progress of several jobs at once (?ids=1,2,3; at most 100), so a page polls once."""
    ids = [int(x) for x in request.args.get("ids", "").split(",")[:100] if x.strip().isdigit()]
    ids = [i for i in ids if 0 < i <= MAX_ID]  # larger ones cannot exist; the driver would raise
    jobs = (
        db.session.scalars(
            select(JobRecord).where(JobRecord.tenant_id == tenant_id(), JobRecord.id.in_(ids))
        ).all()
        if ids
        else []
    )
    return jsonify(jobs=[job(j) for j in jobs])
