"""Sync jobs: thin wrappers that load the seller, run a stream page by page, and report.

Each page commits on its own (rows and cursor together), so a job killed anywhere and run again
continues where it stopped and writes the same rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

STREAMS = ("orders", "inventory", "fees", "reports")


def _progress(job_record_id: int | None) -> Callable[[float, str], None] | None:
    if job_record_id is None:
        return None
    from jobs.progress import report

    return lambda fraction, message: report(job_record_id, fraction, message)


def run_sync(
    seller_account_id: int,
    stream: str,
    job_record_id: int | None = None,
    backfill_days: int | None = None,
) -> dict[str, Any]:
    """Sync one stream ("orders", "inventory", "fees", "reports") of one seller account."""
    from flask import current_app

    from app.extensions import db
    from app.models import SellerAccount
    from app.sync.clients import client_for
    from app.sync.runner import run_stream, summary

    session = db.session
    account = session.get(SellerAccount, seller_account_id)
    if account is None or not account.active:
        return {"skipped": "seller account gone or inactive"}
    client = client_for(account, current_app.config)
    try:
        run = run_stream(
            session,
            account,
            stream,
            client,
            job_record_id=job_record_id,
            backfill_days=backfill_days,
            on_progress=_progress(job_record_id),
        )
    finally:
        client.close()
    follow_up(account.id, account.tenant_id, stream)
    return summary(run)


def follow_up(seller_account_id: int, tenant_id: int, stream: str) -> None:
    """Planning that a finished sync makes due: a first model once orders are in, fresh
    recommendations after each inventory pass. Never fails the sync it follows."""
    from flask import current_app

    from app.extensions import db
    from app.models import SellerAccount
    from app.planning.recommend import latest_model
    from jobs.dispatch import enqueue

    # Off under TESTING unless a test asks: background training would race the test's own writes.
    if not current_app.config.get("PLANNING_AFTER_SYNC", not current_app.testing):
        return
    try:
        account = db.session.get(SellerAccount, seller_account_id)
        if account is None:
            return
        has_model = latest_model(db.session, account) is not None
        if stream == "orders" and not has_model:
            enqueue(
                "jobs.forecast.retrain_seller",
                seller_account_id,
                job_id=f"train:{seller_account_id}",
                kind="train",
                tenant_id=tenant_id,
                seller_account_id=seller_account_id,
                queue="low",
            )
        elif stream == "inventory" and has_model:
            enqueue(
                "jobs.recommend.recommend_for_seller",
                seller_account_id,
                job_id=f"recommend:{seller_account_id}",
                kind="recommend",
                tenant_id=tenant_id,
                seller_account_id=seller_account_id,
                queue="low",
            )
    except Exception:  # noqa: BLE001 - the sync itself succeeded; the schedule retries planning
        logging.getLogger(__name__).exception("could not queue planning after %s sync", stream)


def fetch_report(
    seller_account_id: int,
    report_id: str,
    report_type: str | None = None,
    job_record_id: int | None = None,
) -> dict[str, Any]:
    """Download and store one finished report (REPORT_PROCESSING_FINISHED notifications)."""
    from flask import current_app

    from app.extensions import db
    from app.models import SellerAccount
    from app.sync.clients import client_for
    from app.sync.context import SyncContext
    from app.sync.reports import process_report
    from app.sync.state import finish_run, start_run

    session = db.session
    account = session.get(SellerAccount, seller_account_id)
    if account is None or not account.active:
        return {"skipped": "seller account gone or inactive"}
    client = client_for(account, current_app.config)
    run = start_run(session, account, "reports", job_record_id)
    session.commit()
    ctx = SyncContext(
        session=session,
        account=account,
        client=client,
        run=run,
        on_progress=_progress(job_record_id),
    )
    try:
        written = process_report(ctx, report_id, report_type)
    except BaseException as exc:
        session.rollback()
        finish_run(run, "failed", f"{type(exc).__name__}: {exc}")
        run.api_calls = client.total_calls
        session.commit()
        raise
    finally:
        client.close()
    run.api_calls = client.total_calls
    finish_run(run, "succeeded")
    session.commit()
    return {"report_id": report_id, "rows_written": written, "sync_run_id": run.id}
