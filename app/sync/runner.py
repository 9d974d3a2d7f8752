"""Run one stream (or fetch one report) for one seller: a SyncRun record and its bookkeeping."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from app.models import SellerAccount, SyncRun
from app.sync import awd, fees, inbound, inventory, orders, reports
from app.sync.context import DEFAULT_BACKFILL_DAYS, SyncContext
from app.sync.state import finish_run, start_run
from app.sync.streams import NEEDS, Stream, in_run_order, parse_stream
from integrations.amazon.client import SpApiClient

log = logging.getLogger(__name__)
T = TypeVar("T")
Progress = Callable[[float, str], None]
RUNS: dict[Stream, Callable[[SyncContext], None]] = {
    Stream.ORDERS: orders.run,
    Stream.INVENTORY: inventory.run,
    Stream.INBOUND: inbound.run,
    Stream.AWD: awd.run,
    Stream.REPORTS: reports.run,
    Stream.FEES: fees.run,
}
assert set(RUNS) == set(Stream), "every stream has a run function"


@contextmanager
def recorded_run(
    session: Session,
    account: SellerAccount,
    stream: Stream,
    client: SpApiClient,
    job_record_id: int | None = None,
) -> Iterator[SyncRun]:
    """A SyncRun around the block: committed as running first, then succeeded, or failed (after
    a rollback of the block's open transaction) with the error, and the error re-raised."""
    run = start_run(session, account, stream.value, job_record_id)
    session.commit()
    try:
        yield run
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


def run_stream(
    session: Session,
    account: SellerAccount,
    stream: str,
    client: SpApiClient,
    job_record_id: int | None = None,
    backfill_days: int | None = None,
    on_progress: Progress | None = None,
    before_commit: Callable[[str], None] | None = None,
    reports_ahead: int | None = None,
) -> SyncRun:
    """Run `stream`; every page commits on its own. Failures are recorded, then re-raised.

    `reports_ahead`: reports requested side by side (default createReport's burst; 1 is the
    one-at-a-time path benchmarks compare against)."""
    which = parse_stream(stream)
    with recorded_run(session, account, which, client, job_record_id) as run:
        RUNS[which](
            SyncContext(
                session=session,
                account=account,
                client=client,
                run=run,
                backfill_days=backfill_days or DEFAULT_BACKFILL_DAYS,
                on_progress=on_progress,
                before_commit=before_commit,
                reports_ahead=reports_ahead,
            )
        )
    return run


def fetch_report(
    session: Session,
    account: SellerAccount,
    report_id: str,
    report_type: str | None,
    client: SpApiClient,
    job_record_id: int | None = None,
    on_progress: Progress | None = None,
    hand_off: Callable[[int, str, str | None], object] | None = None,
) -> tuple[SyncRun, int]:
    """Download and store one finished report, as a run of the reports stream; rows written.
    A report of another marketplace of the connection goes to `hand_off` instead."""
    with recorded_run(session, account, Stream.REPORTS, client, job_record_id) as run:
        ctx = SyncContext(
            session=session, account=account, client=client, run=run,
            on_progress=on_progress, hand_off=hand_off,
        )  # fmt: skip
        written = reports.process_report(ctx, report_id, report_type)
    return run, written


def run_together(
    streams: Iterable[str], run_one: Callable[[Stream], T], workers: int = 3
) -> dict[Stream, T | Exception]:
    """Run `streams` side by side, each in a thread of its own as soon as the streams it NEEDS
    (among those given) have finished; the result of each, or the exception it raised.

    A first sync then waits on createReport's rate limit (orders, inventory) while the
    financial events and inbound shipments are read. `run_one` runs in a worker thread: it
    opens its own app context, session and client (pacing is shared per seller, in process or
    through Redis). A stream runs even when one it needs failed (as it would in RUN_ORDER):
    it falls back on what is stored, and its own run record says how it went.
    """
    todo = in_run_order(streams)
    chosen = set(todo)
    results: dict[Stream, T | Exception] = {}
    running: dict[Future[T], Stream] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sync") as pool:
        while todo or running:
            for stream in [s for s in todo if not (NEEDS[s] & chosen) - set(results)]:
                todo.remove(stream)
                running[pool.submit(run_one, stream)] = stream
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                stream = running.pop(future)
                error = future.exception()
                if error is not None and not isinstance(error, Exception):
                    raise error  # KeyboardInterrupt, SystemExit: stop
                results[stream] = error if error is not None else future.result()
    return results


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
