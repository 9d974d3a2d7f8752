"""Job records as the UI sees them: status, progress and the last error, each in its own commit."""

from __future__ import annotations

from typing import Any

from app.extensions import db
from app.models import JobRecord, utcnow

MAX_ERROR = 4000


def report(job_record_id: int, progress: float, message: str) -> None:
    """Record live progress (0..1) and a short message, committed at once so the UI sees it."""
    _update(job_record_id, progress=min(max(float(progress), 0.0), 1.0), message=message[:1000])


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


def _update(job_record_id: int, **fields: Any) -> None:
    # A session of its own: the job's session may be mid-transaction, and progress must be
    # visible before the job commits its own work.
    session = db.new_session()
    try:
        record = session.get(JobRecord, job_record_id)
        if record is None:
            return  # the record (or its tenant) was deleted: the job carries on regardless
        for name, value in fields.items():
            setattr(record, name, value)
        session.commit()
    finally:
        session.close()
