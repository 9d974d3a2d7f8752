"""The schedule's decisions (a pure function) and the tick that queues them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.tasks import SCHEDULE
from jobs.schedule import due_jobs, is_due, latest_slot

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
ENTRIES = {e.name: e for e in SCHEDULE}


def test_a_seller_that_never_synced_gets_every_sync_but_no_training() -> None:
    assert due_jobs(NOW, [7], {}, SCHEDULE) == [
        (7, "orders"),
        (7, "inventory"),
        (7, "inbound"),
        (7, "awd"),
        (7, "fees"),
        (7, "reports"),
    ]


def test_intervals_orders_15_minutes_inventory_hourly_fees_and_reports_daily() -> None:
    def due_after(name: str, elapsed: dt.timedelta) -> bool:
        return is_due(ENTRIES[name], NOW, NOW - elapsed)

    minutes = dt.timedelta(minutes=1)
    assert not due_after("orders", 10 * minutes)
    assert due_after("orders", 15 * minutes)
    assert due_after("orders", 14 * minutes + dt.timedelta(seconds=45))  # one tick of slack
    for hourly in ("inventory", "inbound", "awd"):
        assert not due_after(hourly, 50 * minutes)
        assert due_after(hourly, 60 * minutes)
    for daily in ("fees", "reports"):
        assert not due_after(daily, dt.timedelta(hours=23))
        assert due_after(daily, dt.timedelta(hours=24))


def test_training_runs_nightly_once_per_night_after_the_first_successful_orders_sync() -> None:
    train = ENTRIES["train"]
    night = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)
    assert latest_slot(night + dt.timedelta(minutes=1), train.daily_at) == night
    assert latest_slot(night - dt.timedelta(minutes=1), train.daily_at) == night - dt.timedelta(
        days=1
    )
    ran_last_night = night - dt.timedelta(days=1) + dt.timedelta(minutes=5)
    assert not is_due(train, night - dt.timedelta(minutes=1), ran_last_night)
    assert is_due(train, night + dt.timedelta(minutes=1), ran_last_night)
    assert not is_due(train, night + dt.timedelta(hours=5), night + dt.timedelta(minutes=2))

    recent = {
        (1, s): NOW
        for s in ("orders", "inventory", "inbound", "awd", "fees", "reports", "alerts")
    }
    # Queued but never succeeded: nothing to train on yet.
    assert due_jobs(NOW, [1], recent, SCHEDULE, succeeded=set()) == []
    assert due_jobs(NOW, [1], recent, SCHEDULE, succeeded={(1, "orders")}) == [(1, "train")]


def test_each_seller_is_decided_on_its_own_history() -> None:
    last = {
        (1, "orders"): NOW - dt.timedelta(minutes=5),
        (2, "orders"): NOW - dt.timedelta(hours=1),
    }
    due = due_jobs(NOW, [1, 2], last, schedule=[ENTRIES["orders"]])
    assert due == [(2, "orders")]


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        due_jobs(NOW.replace(tzinfo=None), [1], {}, SCHEDULE)


@pytest.mark.redis
def test_tick_queues_due_syncs_of_active_sellers_once(live_app: Any, redis_url: str) -> None:
    from rq import Queue
    from rq.serializers import JSONSerializer
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import JobRecord, SellerAccount, Tenant
    from app.tasks import tick
    from jobs.dispatch import redis_connection

    live_app.config["REDIS_URL"] = redis_url
    session = db.session
    tenant = Tenant(name="t")
    session.add(tenant)
    session.flush()
    fields = {"lwa_client_id": "c", "lwa_client_secret": "s", "refresh_token": "r"}
    active = SellerAccount(tenant_id=tenant.id, name="a", **fields)
    inactive = SellerAccount(tenant_id=tenant.id, name="b", active=False, **fields)
    session.add_all([active, inactive])
    session.commit()

    now = dt.datetime.now(dt.UTC)  # the records' created_at are real times
    first = tick(now)
    assert len(first) == 6
    queue = Queue("default", connection=redis_connection(), serializer=JSONSerializer)
    assert sorted(queue.get_job_ids()) == sorted(
        f"sync-{active.id}-{s}"
        for s in ("orders", "inventory", "inbound", "awd", "fees", "reports")
    )
    # A second tick (another worker, or the next minute) finds nothing new to queue.
    assert tick(now + dt.timedelta(minutes=1)) == []
    assert session.scalar(select(func.count()).select_from(JobRecord)) == 6
    assert set(session.scalars(select(JobRecord.seller_account_id))) == {active.id}
    # Fifteen minutes later only the orders sync is due; it is still queued, so it is not doubled.
    again = tick(now + dt.timedelta(minutes=16))
    assert len(again) == 1 and again[0] in first
    assert session.scalar(select(func.count()).select_from(JobRecord)) == 6
    assert len(queue.get_job_ids()) == 6


def test_alerts_pass_every_15_minutes_once_the_seller_has_synced_orders() -> None:
    alerts = [ENTRIES["alerts"]]
    assert due_jobs(NOW, [1], {}, alerts, succeeded=set()) == []
    assert due_jobs(NOW, [1], {}, alerts, succeeded={(1, "orders")}) == [(1, "alerts")]
    ran = {(1, "alerts"): NOW - dt.timedelta(minutes=10)}
    assert due_jobs(NOW, [1], ran, alerts, succeeded={(1, "orders")}) == []
    ran = {(1, "alerts"): NOW - dt.timedelta(minutes=15)}
    assert due_jobs(NOW, [1], ran, alerts, succeeded={(1, "orders")}) == [(1, "alerts")]




@pytest.mark.parametrize(
    ("zone", "day"),
    [
        ("America/Los_Angeles", dt.date(2026, 6, 10)),
        ("America/Los_Angeles", dt.date(2026, 3, 8)),  # 23 hours
        ("America/Los_Angeles", dt.date(2026, 11, 1)),  # 25 hours
        ("Europe/London", dt.date(2026, 3, 29)),
        ("Europe/London", dt.date(2026, 10, 25)),
        ("Asia/Tokyo", dt.date(2026, 3, 8)),
    ],
)
def test_training_runs_at_03_00_of_the_seller_s_day_once_a_day(zone, day) -> None:
    """The nightly slot is 03:00 local, after the seller's day has ended, once per local day,
    on the 23- and 25-hour days too (a run each 15 minutes across three days, as the tick)."""
    train = ENTRIES["train"]
    tz = ZoneInfo(zone)
    start = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
    last = start - dt.timedelta(hours=12)  # ran before the window
    runs = []
    now = start
    while now < start + dt.timedelta(days=3):
        if due_jobs(now, [1], {(1, "train"): last}, [train], succeeded={(1, "orders")},
                    zones={1: zone}):
            last = now
            runs.append(now.astimezone(tz))
        now += dt.timedelta(minutes=15)
    assert [r.date() for r in runs] == [day - dt.timedelta(days=1) + dt.timedelta(days=k)
                                        for k in range(3)]
    assert all(r.time() == dt.time(3, 0) for r in runs), runs


def test_a_seller_s_zone_moves_its_nightly_slot() -> None:
    at = ENTRIES["train"].daily_at
    now = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)  # 05:00 Pacific, 12:00 London
    assert latest_slot(now, at, "America/Los_Angeles") == dt.datetime(2026, 3, 10, 10, 0,
                                                                      tzinfo=dt.UTC)
    assert latest_slot(now, at, "Europe/London") == dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)
    assert latest_slot(now, at, "Asia/Tokyo") == dt.datetime(2026, 3, 9, 18, 0, tzinfo=dt.UTC)
    # Ran at 03:00 London; a Pacific seller with the same history is due once 03:00 PDT passes.
    ran = dt.datetime(2026, 3, 10, 3, 0, tzinfo=dt.UTC)
    history = {(1, "train"): ran, (2, "train"): ran}
    ok = {(1, "orders"), (2, "orders")}
    due = due_jobs(now, [1, 2], history, [ENTRIES["train"]], succeeded=ok,
                   zones={1: "Europe/London", 2: "America/Los_Angeles"})
    assert due == [(2, "train")]
