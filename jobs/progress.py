"""Job records as the UI sees them: status, progress and the last error, each in its own commit.

The records live in the application's database; the configured job store (jobs.host) writes them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import OperationalError

from jobs import host

MAX_ERROR = 4000
MAX_MESSAGE = 1000
log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def report(job_record_id: int, progress: float, message: str) -> None:
    """Record live progress (0..1) and a short message, committed at once so the UI sees it."""
    fields = {"progress": min(max(float(progress), 0.0), 1.0), "message": message[:MAX_MESSAGE]}
    try:
        host.store().update(job_record_id, fields, best_effort=True)
    except OperationalError:
        # SQLite has one writer: while the job itself holds a write transaction, progress waits
        # for nobody and is skipped (the next report, or the final status, will land).
        log.debug("progress of job record %s skipped: database busy", job_record_id)


def reporter(job_record_id: int | None) -> Callable[[float, str], None] | None:
    """`report` bound to one record, as an on_progress callback (None without a record)."""
    if job_record_id is None:
        return None
    record_id = job_record_id

    def on_progress(fraction: float, message: str) -> None:
        report(record_id, fraction, message)

    return on_progress


def mark_running(job_record_id: int) -> None:
    """The job's body starts (again, on a retry)."""
    host.store().update(
        job_record_id, {"status": "running", "started_at": _now(), "ended_at": None}
    )


def finish(
    job_record_id: int, status: str, error: str | None = None, message: str | None = None
) -> None:
    """Record the end of an attempt: succeeded, failed, or retrying (with the error)."""
    fields: dict[str, Any] = {"status": status}
    if status == "succeeded":
        fields.update(progress=1.0, ended_at=_now())
    elif status == "failed":
        fields["ended_at"] = _now()
    if error is not None:
        fields["error"] = error[:MAX_ERROR]
    if message is not None:
        fields["message"] = message[:MAX_MESSAGE]
    host.store().update(job_record_id, fields)


def status_of(job_record_id: int) -> str | None:
    """The record's current status (None if it is gone)."""
    return host.store().status_of(job_record_id)
