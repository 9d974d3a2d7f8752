"""Client-side pacing: token buckets at the documented rate and burst, in-process or in Redis."""

from __future__ import annotations

import pytest

from integrations.amazon.limits import OPERATION_LIMITS, LocalBuckets, Pacer, RedisBuckets


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_local_bucket_gives_the_burst_then_paces_at_the_rate() -> None:
    clock = FakeClock()
    buckets = LocalBuckets(clock)
    waits = [buckets.reserve("s:getOrders", 0.5, 3) for _ in range(5)]
    # Three at once, then a slot every 2 s (reservations queue up behind each other).
    assert waits[:3] == [0, 0, 0]
    assert waits[3] == pytest.approx(2.0)
    assert waits[4] == pytest.approx(4.0)
    clock.now = 100.0
    assert buckets.reserve("s:getOrders", 0.5, 3) == 0


def test_buckets_are_per_key() -> None:
    buckets = LocalBuckets(FakeClock())
    assert buckets.reserve("a:op", 1.0, 1) == 0
    assert buckets.reserve("b:op", 1.0, 1) == 0
    assert buckets.reserve("a:op", 1.0, 1) > 0


def test_pacer_uses_documented_limits_scaled_and_sleeps() -> None:
    slept: list[float] = []
    pacer = Pacer("s1", buckets=LocalBuckets(FakeClock()), scale=10, sleep=slept.append)
    limit = OPERATION_LIMITS["getInventorySummaries"]
    assert pacer.limit("getInventorySummaries").rate == limit.rate * 10
    for _ in range(limit.burst + 2):
        pacer.wait("getInventorySummaries")
    assert slept == pytest.approx([1 / 20, 2 / 20])


def test_pacer_adopts_the_rate_the_server_announces() -> None:
    pacer = Pacer("s1", buckets=LocalBuckets(FakeClock()), scale=1000)
    pacer.observe("getOrders", "16.7")  # a server sped up 1000x says so: taken as is
    assert pacer.limit("getOrders").rate == pytest.approx(16.7)
    pacer.observe("getOrders", "0.0167")  # the documented rate: our scale applies
    assert pacer.limit("getOrders").rate == pytest.approx(16.7)
    pacer.observe("getOrders", "not a number")
    assert pacer.limit("getOrders").rate == pytest.approx(16.7)
    plain = Pacer("s2", buckets=LocalBuckets(FakeClock()))
    plain.observe("getOrderItems", "0.25")  # Amazon lowered this seller's rate
    assert plain.limit("getOrderItems").rate == 0.25


def test_throttled_drains_and_returns_one_interval() -> None:
    clock = FakeClock()
    buckets = LocalBuckets(clock)
    pacer = Pacer("s1", buckets=buckets, sleep=lambda s: None)
    assert pacer.throttled("getOrderItems") == pytest.approx(2.0)
    assert buckets.reserve("s1:getOrderItems", 0.5, 30) == pytest.approx(2.0)


@pytest.mark.redis
def test_redis_buckets_are_shared_between_clients(redis_conn) -> None:
    first, second = RedisBuckets(redis_conn), RedisBuckets(redis_conn)
    waits = [b.reserve("s:getReport", 1.0, 4) for b in (first, second, first, second, first)]
    assert waits[:4] == [0, 0, 0, 0]
    assert 0.5 < waits[4] <= 1.0
    first.drain("s:getReport", 1.0, 4)
    assert second.reserve("s:getReport", 1.0, 4) > 0.5


def test_due_tells_when_a_slot_is_free_without_taking_it() -> None:
    clock = FakeClock()
    pacer = Pacer("s1", buckets=LocalBuckets(clock), sleep=lambda s: None)
    limit = OPERATION_LIMITS["createReport"]
    assert pacer.due("createReport") == 0
    for _ in range(limit.burst):
        assert pacer.due("createReport") == 0  # asking takes nothing
        pacer.wait("createReport")
    assert pacer.due("createReport") == pytest.approx(1 / limit.rate)
    clock.now = 30.0
    assert pacer.due("createReport") == pytest.approx(1 / limit.rate - 30.0)
    clock.now = 1 / limit.rate
    assert pacer.due("createReport") == pytest.approx(0, abs=1e-9)


@pytest.mark.redis
def test_redis_peek_takes_no_slot(redis_conn) -> None:
    buckets = RedisBuckets(redis_conn)
    assert [buckets.peek("s:createReport", 1.0, 2) for _ in range(5)] == [0.0] * 5
    buckets.reserve("s:createReport", 1.0, 2)
    buckets.reserve("s:createReport", 1.0, 2)
    assert 0.5 < buckets.peek("s:createReport", 1.0, 2) <= 1.0
    assert 0.5 < buckets.peek("s:createReport", 1.0, 2) <= 1.0
