"""Alerts delivered for real to a loopback JSON receiver: once per state change, quiet hours,
digests, failing syncs, refused credentials, and a failing channel."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.alerts.service import ALL_EVENTS, run_for_seller
from app.models import AlertMessage, AlertSettings, Recommendation, SyncRun
from tests.support.receiver import json_receiver

NOON = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
def world(factory: Any, db_session: Any) -> dict[str, Any]:
    tenant = factory.tenant()
    user = factory.user(tenant)
    seller = factory.seller(tenant, name="acme-us")
    return {"tenant": tenant, "user": user, "seller": seller, "session": db_session}


def _settings(world: dict[str, Any], url: str, **kw: Any) -> AlertSettings:
    row = AlertSettings(
        tenant_id=world["tenant"].id, user_id=world["user"].id, channel_url=url,
        events=list(ALL_EVENTS), **kw,
    )  # fmt: skip
    world["session"].add(row)
    world["session"].flush()
    return row


def _recommend(world: dict[str, Any], statuses: dict[str, str], at: dt.datetime, **kw: Any) -> None:
    """A planner run: the previous recommendations stop being current."""
    session = world["session"]
    for old in session.query(Recommendation).filter_by(is_current=True):
        old.is_current = False
    for sku, status in statuses.items():
        session.add(
            Recommendation(
                tenant_id=world["tenant"].id, seller_account_id=world["seller"].id, sku=sku,
                computed_at=at, status=status, **kw,
            )
        )  # fmt: skip
    session.flush()


def _run(world: dict[str, Any], app: Any, now: dt.datetime) -> Any:
    return run_for_seller(world["session"], world["seller"], app.config, now)


def test_once_per_state_change(app: Any, world: dict[str, Any]) -> None:
    with json_receiver() as rx:
        _settings(world, rx.url)
        _recommend(world, {"MUG-1": "out_of_stock", "CUP-2": "healthy"}, NOON)
        assert _run(world, app, NOON).sent == 1
        [first] = rx.messages
        assert first["kind"] == "out_of_stock" and first["sku"] == "MUG-1"
        assert "MUG-1" in first["message"] and "out of stock" in first["message"]

        # A second run with the same status sends nothing.
        _recommend(
            world, {"MUG-1": "out_of_stock", "CUP-2": "healthy"}, NOON + dt.timedelta(hours=1)
        )
        assert _run(world, app, NOON + dt.timedelta(hours=1)).sent == 0
        assert len(rx.messages) == 1

        # Leaving the state, then re-entering it, announces it again.
        _recommend(world, {"MUG-1": "healthy"}, NOON + dt.timedelta(hours=2))
        assert _run(world, app, NOON + dt.timedelta(hours=2)).sent == 0
        _recommend(world, {"MUG-1": "out_of_stock"}, NOON + dt.timedelta(hours=3))
        assert _run(world, app, NOON + dt.timedelta(hours=3)).sent == 1
        assert [m["kind"] for m in rx.messages] == ["out_of_stock", "out_of_stock"]


def test_stockout_before_arrival_and_ship_by(app: Any, world: dict[str, Any]) -> None:
    with json_receiver() as rx:
        _settings(world, rx.url, ship_by_days=5)
        _recommend(world, {"A-1": "stockout_before_arrival"}, NOON)
        _recommend_extra = Recommendation(
            tenant_id=world["tenant"].id, seller_account_id=world["seller"].id, sku="B-2",
            computed_at=NOON, status="ship_by", quantity=24,
            ship_by=NOON.date() + dt.timedelta(days=3),
        )  # fmt: skip
        far = Recommendation(
            tenant_id=world["tenant"].id, seller_account_id=world["seller"].id, sku="C-3",
            computed_at=NOON, status="ship_by", quantity=24,
            ship_by=NOON.date() + dt.timedelta(days=30),
        )  # fmt: skip
        world["session"].add_all([_recommend_extra, far])
        world["session"].flush()
        assert _run(world, app, NOON).sent == 2
        kinds = {(m["kind"], m["sku"]) for m in rx.messages}
        assert kinds == {("stockout_before_arrival", "A-1"), ("ship_by_soon", "B-2")}
        ship = next(m for m in rx.messages if m["kind"] == "ship_by_soon")
        assert (
            "24 units" in ship["message"]
            and (NOON.date() + dt.timedelta(days=3)).isoformat() in ship["message"]
        )


def _excess(units: int, aged_from: dt.date | None, cost: float) -> dict[str, Any]:
    return {"excess": {"units": units, "aged_cost_12m": cost,
                       "aged_from": aged_from.isoformat() if aged_from else None}}


def test_excess_that_starts_paying_aged_surcharges_within_a_month(
    app: Any, world: dict[str, Any]
) -> None:
    today = NOON.date()
    soon, later = today + dt.timedelta(days=20), today + dt.timedelta(days=60)
    with json_receiver() as rx:
        _settings(world, rx.url)
        cases = {"SOON-1": _excess(140, soon, 212.5), "LATER-2": _excess(90, later, 80.0),
                 "CHEAP-3": _excess(3, soon, 0.4), "NONE-4": _excess(0, None, 0.0)}
        for sku, timeline in cases.items():
            world["session"].add(Recommendation(
                tenant_id=world["tenant"].id, seller_account_id=world["seller"].id, sku=sku,
                computed_at=NOON, status="excess", timeline=timeline,
            ))  # fmt: skip
        world["session"].flush()
        assert _run(world, app, NOON).sent == 1
        [msg] = rx.messages
        assert (msg["kind"], msg["sku"]) == ("aged_surcharge_soon", "SOON-1")
        assert "140 units" in msg["message"] and soon.isoformat() in msg["message"]
        assert "$212.50" in msg["message"]
        # The same date next run: nothing new. The later SKU's date comes within the month.
        assert _run(world, app, NOON + dt.timedelta(days=35)).sent == 1
        assert [m["sku"] for m in rx.messages] == ["SOON-1", "LATER-2"]


def test_quiet_hours_hold_and_then_one_message(app: Any, world: dict[str, Any]) -> None:
    with json_receiver() as rx:
        # 12:00 UTC is 13:00 in Berlin: quiet from 12:30 to 14:00 local.
        _settings(world, rx.url, time_zone="Europe/Berlin", quiet_start=dt.time(12, 30),
                  quiet_end=dt.time(14, 0))  # fmt: skip
        _recommend(world, {"MUG-1": "out_of_stock", "CUP-2": "out_of_stock"}, NOON)
        assert _run(world, app, NOON).sent == 0
        assert rx.messages == []
        later = NOON + dt.timedelta(hours=1, minutes=30)  # 14:30 Berlin
        assert _run(world, app, later).sent == 2
        [held] = rx.messages
        assert held["kind"] == "digest" and held["sku"] == "CUP-2,MUG-1"
        assert "MUG-1" in held["message"] and "CUP-2" in held["message"]
        assert "quiet hours" in held["title"]


def test_daily_digest(app: Any, world: dict[str, Any]) -> None:
    with json_receiver() as rx:
        row = _settings(world, rx.url, digest="daily", digest_hour=8, last_digest_at=NOON)
        _recommend(world, {"MUG-1": "out_of_stock"}, NOON)
        assert _run(world, app, NOON).sent == 0
        next_morning = dt.datetime(2026, 12, 8, 8, 5, tzinfo=dt.UTC)
        assert _run(world, app, next_morning).sent == 1
        [digest] = rx.messages
        assert "daily digest" in digest["title"] and "Out of stock now (1)" in digest["message"]
        assert row.last_digest_at == next_morning
        assert _run(world, app, next_morning + dt.timedelta(hours=1)).sent == 0


def _sync_run(
    world: dict[str, Any], status: str, at: dt.datetime, error: str | None = None
) -> None:
    world["session"].add(
        SyncRun(
            tenant_id=world["tenant"].id, seller_account_id=world["seller"].id, stream="orders",
            status=status, started_at=at, ended_at=at, error=error,
        )
    )  # fmt: skip
    world["session"].flush()


def test_sync_failing_n_times(app: Any, world: dict[str, Any]) -> None:
    with json_receiver() as rx:
        _settings(world, rx.url, sync_failures=3)
        for i in range(2):
            _sync_run(world, "failed", NOON + dt.timedelta(minutes=i), "TransientError: 503")
        assert _run(world, app, NOON + dt.timedelta(minutes=2)).sent == 0
        _sync_run(world, "failed", NOON + dt.timedelta(minutes=3), "TransientError: 503")
        assert _run(world, app, NOON + dt.timedelta(minutes=4)).sent == 1
        _sync_run(world, "failed", NOON + dt.timedelta(minutes=5), "TransientError: 503")
        assert _run(world, app, NOON + dt.timedelta(minutes=6)).sent == 0
        assert [m["kind"] for m in rx.messages] == ["sync_failing"]
        assert "failed 3 times" in rx.messages[0]["message"]


def test_credentials_refused(app: Any, world: dict[str, Any]) -> None:
    with json_receiver() as rx:
        _settings(world, rx.url)
        _sync_run(world, "failed", NOON, "AuthError: invalid_grant")
        assert _run(world, app, NOON).sent == 1
        assert rx.messages[0]["kind"] == "credentials_refused"
        _sync_run(world, "succeeded", NOON + dt.timedelta(minutes=5))
        _run(world, app, NOON + dt.timedelta(minutes=6))
        _sync_run(world, "failed", NOON + dt.timedelta(minutes=10), "AuthError: invalid_grant")
        assert _run(world, app, NOON + dt.timedelta(minutes=11)).sent == 1
        assert [m["kind"] for m in rx.messages] == ["credentials_refused"] * 2


def test_a_failing_channel_keeps_the_message_for_a_retry(app: Any, world: dict[str, Any]) -> None:
    with json_receiver() as rx:
        _settings(world, rx.url)
        _recommend(world, {"MUG-1": "out_of_stock"}, NOON)
        rx.status = 500
        result = _run(world, app, NOON)
        assert (result.sent, result.failed) == (0, 1)
        [pending] = world["session"].query(AlertMessage).all()
        assert pending.sent_at is None and pending.attempts == 1
        rx.status = 200
        assert _run(world, app, NOON + dt.timedelta(minutes=15)).sent == 1
        assert [m["sku"] for m in rx.messages] == ["MUG-1"]


def test_unsubscribed_events_are_not_sent(app: Any, world: dict[str, Any]) -> None:
    with json_receiver() as rx:
        row = _settings(world, rx.url)
        row.events = ["sync_failing"]
        _recommend(world, {"MUG-1": "out_of_stock"}, NOON)
        assert _run(world, app, NOON).sent == 0
        assert rx.messages == []
