"""Reports take Amazon's processing time (divided by the rate scale) on the marketplace's running
clock, however often they are polled; rate limits refill on the same clock."""

from __future__ import annotations

from datetime import date

import pytest

from simulator.marketplace import REPORT_SECONDS, Marketplace
from simulator.testing import SkipClock, running_simulator

REPORTS = "/reports/2021-06-30/reports"
INVENTORY_REPORT = {
    "reportType": "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    "marketplaceIds": ["ATVPDKIKX0DER"],
}


class HandClock:
    """A running clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def hand() -> HandClock:
    return HandClock()


@pytest.fixture(scope="module")
def sim(hand: HandClock):
    with running_simulator(
        seed=3, skus=3, history_days=30, today=date(2026, 5, 1), rate_scale=10.0, clock=hand
    ) as s:
        yield s


def status(sim, report_id: str) -> str:
    resp = sim.get(f"{REPORTS}/{report_id}")
    assert resp.status_code == 200, resp.text
    return resp.json()["processingStatus"]


def test_default_processing_time_is_amazons_divided_by_the_rate_scale() -> None:
    assert REPORT_SECONDS == 120
    market = Marketplace(seed=1, skus=2, history_days=10, today=date(2026, 5, 1), rate_scale=50)
    assert market.report_processing_seconds() == pytest.approx(2.4)
    with pytest.raises(ValueError):
        Marketplace(seed=1, skus=2, history_days=10, report_seconds=-1)


def test_a_report_is_done_after_its_processing_time_not_after_polls(sim, hand) -> None:
    created = sim.post(REPORTS, INVENTORY_REPORT)
    assert created.status_code == 202
    report_id = created.json()["reportId"]
    # 120 s at rate scale 10: 12 s; queued for the first tenth of it.
    assert status(sim, report_id) == "IN_QUEUE"
    hand.t += 1.0
    assert status(sim, report_id) == "IN_QUEUE"
    hand.t += 0.3
    assert status(sim, report_id) == "IN_PROGRESS"
    # Polling does not hurry it (getReport: 2/s x 10, burst 15; the clock stands still, so
    # stay within the burst).
    assert {status(sim, report_id) for _ in range(12)} == {"IN_PROGRESS"}
    hand.t += 10.6  # 11.9 s after createReport
    assert status(sim, report_id) == "IN_PROGRESS"
    hand.t += 0.2
    assert status(sim, report_id) == "DONE"
    body = sim.get(f"{REPORTS}/{report_id}").json()
    assert body["reportDocumentId"]
    doc = sim.get(f"/reports/2021-06-30/documents/{body['reportDocumentId']}")
    assert doc.status_code == 200


def test_reports_process_side_by_side(sim, hand) -> None:
    hand.t += 100  # refill the buckets
    ids = [sim.post(REPORTS, INVENTORY_REPORT).json()["reportId"] for _ in range(5)]
    hand.t += 12.0
    # All five are done after one processing time, not five.
    assert [status(sim, i) for i in ids] == ["DONE"] * 5


def test_rate_limits_refill_on_the_same_clock(sim, hand) -> None:
    hand.t += 100
    # createReport: 0.0167/s x 10, burst 15: the sixteenth is refused until the clock moves.
    codes = [sim.post(REPORTS, INVENTORY_REPORT).status_code for _ in range(16)]
    assert codes == [202] * 15 + [429]
    hand.t += 6.0  # one token at 0.167/s
    assert sim.post(REPORTS, INVENTORY_REPORT).status_code == 202
    assert sim.post(REPORTS, INVENTORY_REPORT).status_code == 429


def test_skip_clock_sleeps_take_no_time() -> None:
    clock = SkipClock()
    start = clock.now()
    clock.sleep(3600)
    clock.sleep(-5)  # ignored
    assert 3600 <= clock.now() - start < 3601
    assert clock.skipped == 3600
