"""Pipelined report windows: requested ahead, written in order, never more in flight than asked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest

from app.sync.report_windows import fetch_windows
from integrations.amazon.errors import PermanentError
from integrations.amazon.results import ReportStatus

DAY = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass
class RecordingClient:
    """Answers reports at once and records the order of calls."""

    log: list[tuple[str, int]] = field(default_factory=list)
    fail_on: int | None = None

    def create_report(self, kind: str, start: dt.datetime, end: dt.datetime, _o: Any) -> str:
        n = (start - DAY).days
        self.log.append(("create", n))
        return f"r{n}"

    def wait_report(self, report_id: str) -> ReportStatus:
        n = int(report_id[1:])
        self.log.append(("wait", n))
        if n == self.fail_on:
            raise PermanentError("report ended FATAL")
        return ReportStatus(
            report_id=report_id,
            report_type="T",
            status="DONE",
            document_id=f"d{n}",
            created_time=None,
        )

    def download_report(self, document_id: str) -> str:
        n = int(document_id[1:])
        self.log.append(("download", n))
        return f"text of {n}"


def windows(n: int) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(DAY + dt.timedelta(days=i), DAY + dt.timedelta(days=i + 1)) for i in range(n)]


def in_flight_peak(log: list[tuple[str, int]]) -> int:
    peak = live = 0
    for op, _ in log:
        live += {"create": 1, "download": -1}.get(op, 0)
        peak = max(peak, live)
    return peak


def test_later_windows_are_requested_before_earlier_ones_are_downloaded() -> None:
    client = RecordingClient()
    ctx = SimpleNamespace(client=client)
    got = []
    for window, text in fetch_windows(ctx, "T", windows(6), ahead=4):  # type: ignore[arg-type]
        # The caller writes each window before the next is asked for.
        client.log.append(("write", (window[0] - DAY).days))
        got.append(text)
    assert got == [f"text of {i}" for i in range(6)]
    assert client.log[:4] == [("create", i) for i in range(4)]
    assert [n for op, n in client.log if op == "write"] == list(range(6))
    assert in_flight_peak(client.log) == 4
    # Window 4 is requested as soon as window 0 is written, before window 1 is polled.
    assert client.log.index(("create", 4)) < client.log.index(("wait", 1))


def test_default_in_flight_is_create_reports_burst_and_a_failure_stops_in_order() -> None:
    from integrations.amazon.limits import OPERATION_LIMITS

    client = RecordingClient(fail_on=2)
    ctx = SimpleNamespace(client=client)
    written = []
    with pytest.raises(PermanentError):
        for window, _ in fetch_windows(ctx, "T", windows(24)):  # type: ignore[arg-type]
            written.append((window[0] - DAY).days)
    assert written == [0, 1]  # nothing after the failed window, nothing out of order
    burst = OPERATION_LIMITS["createReport"].burst
    assert [n for op, n in client.log if op == "create"] == list(range(burst + 2))
