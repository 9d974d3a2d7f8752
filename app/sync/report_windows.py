"""Reports fetched side by side: requested up to createReport's burst ahead, polled together,
each downloaded as soon as it is done, handed to the caller in request order.

Amazon takes minutes to build a report. Asked one at a time, a two-year backfill in 30-day
windows waits that long once per window; asked together it waits about once, and the sync is
then bound by createReport's rate limit (one a minute after a burst of 15), not by processing.

The caller writes and commits each report before asking for the next, so a stored cursor still
names the first window not yet written: a failure in window k leaves windows before k committed
and k onwards to be fetched again on the next run (reports requested ahead are abandoned). No
database work happens in here: the caller's session must have no transaction open while this
waits on the API (on SQLite a job's transaction holds the one write lock).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from app.sync.context import SyncContext
from integrations.amazon.client import SpApiClient
from integrations.amazon.errors import MalformedPayload, PermanentError, TransientError
from integrations.amazon.limits import OPERATION_LIMITS

Window = tuple[dt.datetime, dt.datetime]
CREATE = "createReport"
DOCUMENT = "getReportDocument"
# A token or a poll this close counts as now (a clock may not move by less).
SOON = 1e-3


@dataclass(frozen=True)
class ReportRequest:
    """One createReport: a report type, its data range (ranged reports) and options."""

    report_type: str
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    options: dict[str, str] | None = None


@dataclass
class Fetched:
    """A requested report's text, or the error that ended it (FATAL, refused, unreachable)."""

    request: ReportRequest
    text: str | None = None
    error: Exception | None = None

    def result(self) -> str:
        """The text; the report's error raised otherwise."""
        if self.error is not None:
            raise self.error
        assert self.text is not None
        return self.text


@dataclass
class _Flight:
    """A report between createReport and being handed over."""

    request: ReportRequest
    created_at: float
    next_poll: float
    delay: float
    report_id: str | None = None
    document_id: str | None = None
    text: str | None = None
    error: Exception | None = None
    done: bool = field(default=False)

    @property
    def finished(self) -> bool:
        return self.text is not None or self.error is not None

    @property
    def polling(self) -> bool:
        return not self.finished and not self.done

    @property
    def downloadable(self) -> bool:
        return not self.finished and self.done


def fetch_reports(
    client: SpApiClient, requests: Sequence[ReportRequest], ahead: int | None = None
) -> Iterator[Fetched]:
    """Each request's report, in request order, the later ones requested and processed while
    the earlier ones are waited for, downloaded and written.

    At most `ahead` reports are requested and not yet handed over (default: createReport's
    burst, so none waits on its rate limit at the start; `ahead=1` is the one-at-a-time path).
    A report is requested as soon as createReport's bucket has a token (never sleeping on it
    while other reports can be polled or downloaded), polled with the client's backoff
    (report_poll / 8, doubling up to report_poll) and downloaded, earliest first, when done
    and getReportDocument has a token. A report's own failure is handed over in its place;
    the caller decides whether the rest still matter.
    """
    ahead = max(1, ahead or OPERATION_LIMITS[CREATE].burst)
    todo = deque(requests)
    flights: deque[_Flight] = deque()
    while todo or flights:
        # Request more while there is room; wait for createReport only with nothing to poll.
        while todo and len(flights) < ahead and (not flights or client.pacer.due(CREATE) < SOON):
            flights.append(_create(client, todo.popleft()))
        for flight in flights:
            if flight.polling and flight.next_poll < client.clock() + SOON:
                _poll(client, flight)
        for flight in flights:
            if flight.downloadable and client.pacer.due(DOCUMENT) < SOON:
                _download(client, flight)
        if flights and flights[0].finished:
            done = flights.popleft()
            yield Fetched(done.request, done.text, done.error)
            continue
        client.pause(_idle(client, flights, bool(todo) and len(flights) < ahead))


def _idle(client: SpApiClient, flights: deque[_Flight], can_create: bool) -> float:
    """Seconds until there is something to do: a poll due, or a token to request or download."""
    now = client.clock()
    wake = [f.next_poll - now for f in flights if f.polling]
    if can_create:
        wake.append(client.pacer.due(CREATE))
    if any(f.downloadable for f in flights):
        wake.append(client.pacer.due(DOCUMENT))
    return max(0.0, min(wake, default=0.0))


def _create(client: SpApiClient, request: ReportRequest) -> _Flight:
    now = client.clock()
    first = client.report_poll / 8
    flight = _Flight(request, created_at=now, next_poll=now + first, delay=first)
    try:
        flight.report_id = client.create_report(
            request.report_type, request.start, request.end, request.options
        )
    except Exception as exc:  # noqa: BLE001 - handed over in the report's place
        flight.error = exc
    return flight


def _poll(client: SpApiClient, flight: _Flight) -> None:
    assert flight.report_id is not None
    try:
        status = client.get_report(flight.report_id)
        if status.status == "DONE":
            if not status.document_id:
                raise MalformedPayload("body.reportDocumentId", "missing on a DONE report")
            flight.document_id = status.document_id
            flight.done = True
            return
        if status.status in ("CANCELLED", "FATAL"):
            raise PermanentError(f"report {status.report_type} ended {status.status}")
        if client.clock() - flight.created_at > client.report_timeout:
            raise TransientError(f"report {status.report_type} still {status.status}")
    except Exception as exc:  # noqa: BLE001 - handed over in the report's place
        flight.error = exc
        return
    flight.delay = min(client.report_poll, flight.delay * 2)
    flight.next_poll = client.clock() + flight.delay


def _download(client: SpApiClient, flight: _Flight) -> None:
    assert flight.document_id is not None
    try:
        flight.text = client.download_report(flight.document_id)
    except Exception as exc:  # noqa: BLE001 - handed over in the report's place
        flight.error = exc


def fetch_windows(
    ctx: SyncContext,
    report_type: str,
    windows: Sequence[Window],
    options: dict[str, str] | None = None,
    ahead: int | None = None,
) -> Iterator[tuple[Window, str]]:
    """Each window's report text, in window order (fetch_reports); a window's failure is
    raised when its turn comes, after every earlier window was handed over.

    `ahead` defaults to the context's `reports_ahead` (None: createReport's burst).
    """
    requests = [ReportRequest(report_type, start, end, options) for start, end in windows]
    for window, fetched in zip(
        windows, fetch_reports(ctx.client, requests, ahead or ctx.reports_ahead), strict=True
    ):
        yield window, fetched.result()
