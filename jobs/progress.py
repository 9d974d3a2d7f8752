"""Job records as the UI sees them: status, progress and the last error, each in its own commit."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import OperationalError

from app.extensions import db
from app.models import JobRecord, utcnow

MAX_ERROR = 4000
BEST_EFFORT_WAIT_MS = 200  # SQLite: how long a progress update waits for the write lock
log = logging.getLogger(__name__)


def report(job_record_id: int, progress: float, message: str) -> None:
    """Record live progress (0..1) and a short message, committed at once so the UI sees it."""
    fields = {"progress": min(max(float(progress), 0.0), 1.0), "message": message[:1000]}
    try:
        _update(job_record_id, best_effort=True, **fields)
    except OperationalError:
        # SQLite has one writer: while the job itself holds a write transaction, progress waits
        # for nobody and is skipped (the next report, or the final status, will land).
        log.debug("progress of job record %s skipped: database busy", job_record_id)


def mark_running(job_record_id: int) -> None:
    """The job's body starts (again, on a retry)."""
    _update(job_record_id, status="running", started_at=utcnow(), ended_at=None)


def finish(
    job_record_id: int, status: str, error: str | None = None, message: str | None = None
) -> None:
    """Record the end of an attempt: succeeded, failed, or retrying (with the error)."""
    fields: dict[str, Any] = {"status": status}
    if status == "succeeded":
        fields.update(progress=1.0, ended_at=utcnow())
    elif status == "failed":
        fields["ended_at"] = utcnow()
    if error is not None:
        fields["error"] = error[:MAX_ERROR]
    if message is not None:
        fields["message"] = message[:1000]
    _update(job_record_id, **fields)


def status_of(job_record_id: int) -> str | None:
    """The record's current status (None if it is gone)."""
    session = db.new_session()
    try:
        record = session.get(JobRecord, job_record_id)
        return None if record is None else record.status
    finally:
        session.close()


def _update(job_record_id: int, best_effort: bool = False, **fields: Any) -> None:
    # A session of its own: the job's session may be mid-transaction, and progress must be
    # visible before the job commits its own work. One UPDATE and no read first: on SQLite a
    # transaction that read before writing fails at once (not after the busy timeout) when
    # another connection wrote in between. A deleted record is simply not updated.
    session = db.new_session()
    try:
        sqlite = best_effort and session.get_bind().dialect.name == "sqlite"
        if sqlite:
            session.connection().exec_driver_sql(f"PRAGMA busy_timeout={BEST_EFFORT_WAIT_MS}")
        try:
            session.execute(update(JobRecord).where(JobRecord.id == job_record_id).values(**fields))
            session.commit()
        finally:
            if sqlite:
                session.rollback()
                session.connection().exec_driver_sql("PRAGMA busy_timeout=30000")
                session.rollback()
    finally:
        session.close()
