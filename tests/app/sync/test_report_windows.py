"""Pipelined reports against a scripted Amazon on a virtual clock: requested up to the burst
ahead, polled together, handed over in request order, never waiting on createReport's rate
limit while there is polling to do, failures handed over in their place."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from app.sync.report_windows import ReportRequest, fetch_reports, fetch_windows
from integrations.amazon.errors import PermanentError
from integrations.amazon.limits import OPERATION_LIMITS, LocalBuckets, Pacer
from integrations.amazon.results import ReportStatus

DAY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
BURST = OPERATION_LIMITS["createReport"].burst
MINUTE = 1 / OPERATION_LIMITS["createReport"].rate  # ~60 s between createReport tokens


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.t += seconds


class ScriptedAmazon:
    """Reports that take `processing[n]` seconds (default `seconds`) on a virtual clock, behind
    the documented token buckets; records every call with its time."""

    def __init__(
        self,
        seconds: float = 120.0,
        processing: dict[int, float] | None = None,
        fatal: set[int] | None = None,
    ) -> None:
        self.clock = Clock()
        self.pacer = Pacer("scripted", buckets=LocalBuckets(self.clock), sleep=self.clock.sleep)
        self.report_poll = 15.0
        self.report_timeout = 3600.0
        self.seconds = seconds
        self.processing = processing or {}
        self.fatal = fatal or set()
        self.created: dict[str, tuple[int, float]] = {}
        self.log: list[tuple[str, int, float]] = []

    def pause(self, seconds: float) -> None:
        self.clock.sleep(seconds)

    def _call(self, op: str, n: int) -> None:
        self.pacer.wait(op)
        self.log.append((op, n, self.clock.t))

    def create_report(self, kind: str, start: Any, end: Any, options: Any) -> str:
        n = (start - DAY).days
        self._call("createReport", n)
        self.created[f"r{n}"] = (n, self.clock.t)
        return f"r{n}"

    def get_report(self, report_id: str) -> ReportStatus:
        n, at = self.created[report_id]
        self._call("getReport", n)
        if self.clock.t - at < self.processing.get(n, self.seconds):
            status = "IN_PROGRESS"
        else:
            status = "FATAL" if n in self.fatal else "DONE"
        return ReportStatus(
            report_id=report_id,
            report_type="T",
            status=status,
            document_id=f"d{n}" if status == "DONE" else None,
            created_time=None,
        )

    def download_report(self, document_id: str) -> str:
        n = int(document_id[1:])
        self._call("getReportDocument", n)
        return f"text of {n}"

    def times(self, op: str) -> dict[int, float]:
        return {n: t for o, n, t in self.log if o == op}


def requests(n: int) -> list[ReportRequest]:
    return [
        ReportRequest("T", DAY + dt.timedelta(days=i), DAY + dt.timedelta(days=i + 1))
        for i in range(n)
    ]


def drain(amazon: ScriptedAmazon, n: int, ahead: int | None = None) -> list[tuple[int, float]]:
    """Hand-over order and times, with 'writing' each taking 2 s of local work."""
    out = []
    for fetched in fetch_reports(amazon, requests(n), ahead):  # type: ignore[arg-type]
        assert fetched.text == f"text of {(fetched.request.start - DAY).days}"
        out.append(((fetched.request.start - DAY).days, amazon.clock.t))
        amazon.clock.t += 2.0
    return out


def test_reports_are_waited_for_together_not_one_after_another() -> None:
    pipelined = ScriptedAmazon()
    got = drain(pipelined, 6)
    assert [n for n, _ in got] == list(range(6))
    # All six requested at once (within the burst), processed side by side: the last one is
    # handed over about one processing time (+ a poll interval, + the writes) after the start.
    assert set(pipelined.times("createReport").values()) == {0.0}
    assert got[-1][1] <= 120 + 15 + 6 * 2

    one_by_one = ScriptedAmazon()
    got = drain(one_by_one, 6, ahead=1)
    assert [n for n, _ in got] == list(range(6))
    assert got[-1][1] >= 6 * 120  # the sequential path waits once per report


def test_hand_over_is_in_request_order_even_when_later_reports_finish_first() -> None:
    amazon = ScriptedAmazon(processing={0: 600.0, 1: 300.0})
    got = drain(amazon, 5)
    assert [n for n, _ in got] == list(range(5))
    downloads = amazon.times("getReportDocument")
    # Reports 2-4 were downloaded as they finished, long before 0 was done ...
    assert max(downloads[n] for n in (2, 3, 4)) < 200 < downloads[0]
    # ... and handed over only after it.
    assert got[0][1] >= 600


def test_no_more_than_ahead_reports_are_outstanding() -> None:
    amazon = ScriptedAmazon(seconds=30.0)
    drain(amazon, 12, ahead=4)
    created = amazon.times("createReport")
    events = sorted(
        [(t, 0, n) for n, t in created.items()]
        + [(t, 1, n) for n, t in amazon.times("getReportDocument").items()]
    )
    live = peak = 0
    for _, kind, _n in events:
        live += 1 if kind == 0 else -1
        peak = max(peak, live)
    assert peak == 4
    assert created[4] >= amazon.times("getReportDocument")[0]


def test_beyond_the_burst_new_reports_wait_for_tokens_while_the_others_are_polled() -> None:
    n = BURST + 5
    amazon = ScriptedAmazon(seconds=120.0)
    got = drain(amazon, n, ahead=n)
    created = amazon.times("createReport")
    assert all(created[i] == 0.0 for i in range(BURST))
    # Then one a minute, as createReport's bucket refills ...
    for i in range(BURST, n):
        assert created[i] == pytest.approx((i - BURST + 1) * MINUTE, abs=1.0)
    # ... and the first reports were polled, downloaded and handed over in the meantime.
    assert got[0][1] < created[BURST + 2]
    polls = [t for op, _n, t in amazon.log if op == "getReport"]
    assert any(created[BURST] < t < created[BURST + 1] for t in polls)
    # The whole run: the rate-limit floor (last createReport) plus about one processing time.
    assert got[-1][1] <= created[n - 1] + 120 + 15 + 2 * n


def test_a_failed_report_is_handed_over_in_its_place() -> None:
    amazon = ScriptedAmazon(fatal={2})
    outcomes = list(fetch_reports(amazon, requests(5)))  # type: ignore[arg-type]
    assert [o.text for o in outcomes] == ["text of 0", "text of 1", None, "text of 3", "text of 4"]
    assert isinstance(outcomes[2].error, PermanentError)
    with pytest.raises(PermanentError):
        outcomes[2].result()


def test_windows_stop_at_the_failed_one_after_every_earlier_one() -> None:
    amazon = ScriptedAmazon(fatal={2})
    ctx = SimpleNamespace(client=amazon, reports_ahead=None)
    windows = [(r.start, r.end) for r in requests(24)]
    written = []
    with pytest.raises(PermanentError):
        for window, _text in fetch_windows(ctx, "T", windows):  # type: ignore[arg-type]
            written.append((window[0] - DAY).days)
    assert written == [0, 1]  # nothing after the failed window, nothing out of order
    # Requested ahead up to the burst, and one more for each window handed over.
    assert sorted(amazon.times("createReport")) == list(range(BURST + 2))


def test_a_report_that_cannot_be_requested_fails_in_its_turn() -> None:
    amazon = ScriptedAmazon()
    real = amazon.create_report

    def refuse_third(kind: str, start: Any, end: Any, options: Any) -> str:
        if (start - DAY).days == 2:
            raise PermanentError("InvalidInput")
        return real(kind, start, end, options)

    amazon.create_report = refuse_third  # type: ignore[method-assign]
    outcomes = list(fetch_reports(amazon, requests(4)))  # type: ignore[arg-type]
    assert [o.error is None for o in outcomes] == [True, True, False, True]
