"""Run one stream for one seller: a SyncRun record, the stream, and failure bookkeeping."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from app.models import SellerAccount, SyncRun
from app.sync import fees, inventory, orders, reports
from app.sync.context import DEFAULT_BACKFILL_DAYS, SyncContext
from app.sync.state import finish_run, start_run
from integrations.amazon.client import SpApiClient

log = logging.getLogger(__name__)
STREAMS: dict[str, Callable[[SyncContext], None]] = {
    "orders": orders.run,
    "inventory": inventory.run,
    "fees": fees.run,
    "reports": reports.run,
}


def run_stream(
    session: Session,
    account: SellerAccount,
    stream: str,
    client: SpApiClient,
    job_record_id: int | None = None,
    backfill_days: int | None = None,
    on_progress: Callable[[float, str], None] | None = None,
    before_commit: Callable[[str], None] | None = None,
) -> SyncRun:
    """Run `stream`; every page commits on its own. Failures are recorded, then re-raised."""
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r} (one of {', '.join(STREAMS)})")
    run = start_run(session, account, stream, job_record_id)
    session.commit()
    ctx = SyncContext(
        session=session,
        account=account,
        client=client,
        run=run,
        backfill_days=backfill_days or DEFAULT_BACKFILL_DAYS,
        on_progress=on_progress,
        before_commit=before_commit,
    )
    try:
        STREAMS[stream](ctx)
    except BaseException as exc:
        session.rollback()
        run = session.get(SyncRun, run.id) or run
        run.api_calls = client.total_calls
        finish_run(run, "failed", f"{type(exc).__name__}: {exc}")
        session.commit()
        log.warning("sync %s for seller %s failed: %s", stream, account.id, type(exc).__name__)
        raise
    run.api_calls = client.total_calls
    finish_run(run, "succeeded")
    session.commit()
    return run


def summary(run: SyncRun) -> dict[str, Any]:
    """Plain values describing a finished run (what a job returns)."""
    return {
        "sync_run_id": run.id,
        "stream": run.stream,
        "status": run.status,
        "pages": run.pages,
        "rows_written": run.rows_written,
        "api_calls": run.api_calls,
    }
