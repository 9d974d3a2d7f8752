"""Stream cursors (SyncState) and run records (SyncRun)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import SellerAccount, SyncRun, SyncState, utcnow
from app.sync.upsert import upsert


def find_state(session: Session, account: SellerAccount, stream: str) -> SyncState | None:
    """The stream's cursor row, None when the stream never ran."""
    return session.scalars(
        select(SyncState).where(
            SyncState.tenant_id == account.tenant_id,
            SyncState.seller_account_id == account.id,
            SyncState.stream == stream,
        )
    ).one_or_none()


def load_state(session: Session, account: SellerAccount, stream: str) -> SyncState:
    """The stream's cursor row, created (and flushed) the first time."""
    state = find_state(session, account, stream)
    if state is None:
        # Two workers may create it at once: the upsert makes the loser a no-op.
        upsert(
            session,
            SyncState,
            [
                {
                    "tenant_id": account.tenant_id,
                    "seller_account_id": account.id,
                    "stream": stream,
                    "backfill_done": False,
                    "updated_at": utcnow(),
                }
            ],
            keys=["tenant_id", "seller_account_id", "stream"],
            update=[],
        )
        return load_state(session, account, stream)
    return state


def cursor_of(state: SyncState) -> dict[str, Any]:
    """The stream's JSON cursor (empty when none)."""
    if not state.cursor:
        return {}
    try:
        value = json.loads(state.cursor)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def set_cursor(
    state: SyncState,
    cursor: dict[str, Any] | None,
    watermark: dt.datetime | None = None,
    backfill_done: bool | None = None,
) -> None:
    """Advance a stream's cursor in the caller's transaction (committed with the page)."""
    state.cursor = json.dumps(cursor, sort_keys=True) if cursor else None
    if watermark is not None:
        state.watermark = watermark
    if backfill_done is not None:
        state.backfill_done = backfill_done
    state.updated_at = utcnow()


def start_run(
    session: Session, account: SellerAccount, stream: str, job_record_id: int | None
) -> SyncRun:
    """Record a run as started (the caller commits)."""
    run = SyncRun(
        tenant_id=account.tenant_id,
        seller_account_id=account.id,
        stream=stream,
        status="running",
        job_record_id=job_record_id,
    )
    session.add(run)
    session.flush()
    return run


def finish_run(run: SyncRun, status: str, error: str | None = None) -> None:
    """Stamp the run's end (the caller commits)."""
    run.status = status
    run.error = error[:2000] if error else None
    run.ended_at = utcnow()
