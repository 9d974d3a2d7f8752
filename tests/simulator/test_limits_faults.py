"""Token-bucket rate limits and deterministic fault injection."""

from __future__ import annotations

import time
from datetime import date

import pytest
import requests

from simulator.ratelimit import RateLimiter
from simulator.testing import running_simulator

INVENTORY = {"granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER"}
SUMMARIES = "/fba/inventory/v1/summaries"


@pytest.fixture(scope="module")
def slow_sim():
    with running_simulator(
        seed=5, skus=3, history_days=60, today=date(2026, 3, 1), rate_scale=10.0
    ) as s:
        yield s


def test_a_burst_past_the_bucket_gets_429s(slow_sim, models):
    statuses = []
    for _ in range(25):
        resp = slow_sim.get("/orders/v0/orders", {"CreatedAfter": "2026-02-01T00:00:00Z"})
        statuses.append(resp.status_code)
        assert resp.headers["x-amzn-RateLimit-Limit"] == "0.167"
        if resp.status_code == 429:
            models.validate("ordersV0", "getOrders", 429, resp.json())
            assert resp.json()["errors"][0]["code"] == "QuotaExceeded"
    # Burst 20 at 0.167/s: twenty pass (one more only if the machine took > 6 s), then 429s.
    assert statuses.count(200) in (20, 21) and statuses[:20] == [200] * 20
    assert statuses[-1] == 429


def test_bucket_arithmetic_with_a_fake_clock():
    now = [0.0]
    limiter = RateLimiter(scale=2.0, clock=lambda: now[0])
    # getInventorySummaries: 2/s x 2 = 4/s, burst 2.
    assert [limiter.try_acquire(0, "getInventorySummaries") for _ in range(3)] == [
        True,
        True,
        False,
    ]
    assert limiter.try_acquire(1, "getInventorySummaries"), "buckets are per seller"
    now[0] += 0.24
    assert not limiter.try_acquire(0, "getInventorySummaries")
    now[0] += 0.02
    assert limiter.try_acquire(0, "getInventorySummaries")
    now[0] += 100
    assert [limiter.try_acquire(0, "getInventorySummaries") for _ in range(3)] == [
        True,
        True,
        False,
    ], "a long pause refills only up to the burst"
    assert limiter.header("getOrders") == "0.0334"


def test_a_paced_client_is_never_throttled(slow_sim):
    token = slow_sim.access_token()
    time.sleep(0.2)  # let the bucket refill after other tests
    statuses = []
    for _ in range(20):
        t0 = time.monotonic()
        statuses.append(slow_sim.get(SUMMARIES, INVENTORY, token=token).status_code)
        # 20 requests/s is the scaled rate: a client keeping 1/12 s between requests stays
        # well inside it even when the server handles some requests late.
        time.sleep(max(0.0, 1 / 12 - (time.monotonic() - t0)))
    assert statuses == [200] * 20
    burst = [slow_sim.get(SUMMARIES, INVENTORY, token=token).status_code for _ in range(10)]
    assert 429 in burst


def test_sellers_have_separate_buckets_and_data():
    with running_simulator(
        seed=11, skus=3, history_days=30, today=date(2026, 3, 1), sellers=2, rate_scale=10.0
    ) as sim:
        a, b = sim.sellers
        assert a["refresh_token"] != b["refresh_token"] and a["seller_id"] != b["seller_id"]
        for _ in range(20):
            sim.get("/orders/v0/orders", {"CreatedAfter": "2026-02-20T00:00:00Z"}, seller=0)
        assert (
            sim.get(
                "/orders/v0/orders", {"CreatedAfter": "2026-02-20T00:00:00Z"}, seller=0
            ).status_code
            == 429
        )
        other = sim.get("/orders/v0/orders", {"CreatedAfter": "2026-02-20T00:00:00Z"}, seller=1)
        assert other.status_code == 200
        ids0 = {
            o["AmazonOrderId"][:3]
            for o in sim.get(
                "/orders/v0/orders", {"CreatedAfter": "2026-02-20T00:00:00Z"}, seller=1
            ).json()["payload"]["Orders"]
        }
        assert ids0 == {str(111 + 12)}


def _run_faults(seed: int) -> tuple[list, list]:
    outcomes = []
    with running_simulator(
        seed=seed,
        skus=3,
        history_days=30,
        today=date(2026, 3, 1),
        rate_scale=1e6,
        fault_rate=0.3,
        SIM_FAULT_SLOW_SECONDS=0.05,
    ) as sim:
        token = sim.access_token()  # the token endpoint is never faulted
        for _ in range(40):
            try:
                outcomes.append(sim.get(SUMMARIES, INVENTORY, token=token).status_code)
            except requests.ConnectionError:
                outcomes.append("dropped")
        assert requests.get(sim.base_url + "/_sim/clock", timeout=5).status_code == 200
        log = requests.get(sim.base_url + "/_sim/faults", timeout=5).json()
    return outcomes, log


@pytest.mark.fault
def test_faults_are_deterministic_and_varied(models):
    first, log = _run_faults(21)
    again, log2 = _run_faults(21)
    assert first == again and log == log2
    kinds = {x["kind"] for x in log}
    assert {"500", "503", "slow", "drop"} <= kinds
    assert first.count(200) >= 20 and "dropped" in first and 500 in first and 503 in first


@pytest.mark.fault
def test_token_endpoint_faults_only_when_asked():
    for flag in (False, True):
        with running_simulator(
            seed=3,
            skus=2,
            history_days=10,
            today=date(2026, 3, 1),
            fault_rate=1.0,
            fault_token_endpoint=flag,
            SIM_FAULT_SLOW_SECONDS=0.01,
        ) as sim:
            outcomes = []
            for _ in range(8):
                try:
                    c = sim.sellers[0]
                    outcomes.append(
                        requests.post(
                            sim.token_url,
                            timeout=5,
                            data={
                                "grant_type": "refresh_token",
                                "refresh_token": c["refresh_token"],
                                "client_id": c["client_id"],
                                "client_secret": c["client_secret"],
                            },
                        ).status_code
                    )
                except requests.ConnectionError:
                    outcomes.append("dropped")
            if flag:
                assert any(o != 200 for o in outcomes)
            else:
                assert outcomes == [200] * 8
