"""Ranged reports in windows, pipelined: later windows are requested while earlier ones are
polled, downloaded and written, so a backfill waits for Amazon's processing about once, not once
per window."""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterator, Sequence

from app.sync.context import SyncContext
from integrations.amazon.limits import OPERATION_LIMITS

Window = tuple[dt.datetime, dt.datetime]


def fetch_windows(
    ctx: SyncContext,
    report_type: str,
    windows: Sequence[Window],
    options: dict[str, str] | None = None,
    ahead: int | None = None,
) -> Iterator[tuple[Window, str]]:
    """Each window's report text, in window order, with the later windows' reports requested
    ahead so that Amazon processes them while the earlier ones are polled, downloaded and
    written.

    Up to `ahead` reports are in flight (default: createReport's burst, so the ones beyond it
    are requested as the rate limit allows, not refused). The caller writes and commits each
    window before asking for the next, so a stored cursor still names the first window not yet
    written; reports requested ahead of a failure are simply abandoned.
    """
    ahead = max(1, ahead or OPERATION_LIMITS["createReport"].burst)
    requested: deque[tuple[Window, str]] = deque()
    nxt = 0
    while nxt < len(windows) or requested:
        while nxt < len(windows) and len(requested) < ahead:
            start, end = windows[nxt]
            report_id = ctx.client.create_report(report_type, start, end, options)
            requested.append((windows[nxt], report_id))
            nxt += 1
        window, report_id = requested.popleft()
        status = ctx.client.wait_report(report_id)
        assert status.document_id is not None
        yield window, ctx.client.download_report(status.document_id)
