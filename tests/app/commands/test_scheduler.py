"""`flask --app wsgi scheduler`: the slot's tick is queued once, however many processes try."""

from __future__ import annotations

from typing import Any

from rq import Queue


def test_scheduler_queues_one_tick_per_slot(app: Any, redis_url: str, redis_conn: Any) -> None:
    app.config.update(REDIS_URL=redis_url, JOBS_SCHEDULE_TICK=3600)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["scheduler", "--once"])
    second = runner.invoke(args=["scheduler", "--once"])
    assert first.exit_code == 0 and first.output.strip() == "tick queued", first.output
    assert second.exit_code == 0 and "already queued" in second.output
    ids = Queue("high", connection=redis_conn).job_ids
    assert len([i for i in ids if i.startswith("schedule-tick-")]) == 1


def test_scheduler_needs_redis(app: Any) -> None:
    app.config["REDIS_URL"] = None
    result = app.test_cli_runner().invoke(args=["scheduler", "--once"])
    assert result.exit_code == 2 and "REDIS_URL is not set" in result.output
