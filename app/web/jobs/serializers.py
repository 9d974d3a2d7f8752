"""A background job as JSON: one shape for the API (/api/v1/jobs) and the jobs page's poller."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.models import JobRecord

# A job in one of these states may still change: the jobs page keeps polling it.
ACTIVE = ("queued", "running", "retrying")


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def job(record: JobRecord) -> dict[str, Any]:
    """A background job's kind, owner, status, progress (0..1), last message and error."""
    return {
        "id": record.id,
        "kind": record.kind,
        "seller_account_id": record.seller_account_id,
        "status": record.status,
        "active": record.status in ACTIVE,
        "progress": round(float(record.progress or 0.0), 4),
        "message": record.message,
        "error": record.error,
        "created_at": _iso(record.created_at),
        "started_at": _iso(record.started_at),
        "ended_at": _iso(record.ended_at),
    }
