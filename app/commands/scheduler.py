"""`flask --app wsgi scheduler`: queue the schedule's tick from one small process (needs Redis).

Workers started with `--schedule` (their default) do the same from their heartbeats. Either way
the tick of a slot is queued once: the first process to SET NX the slot's key in Redis queues it
(jobs.worker.enqueue_tick), so a scheduler beside scheduling workers, or two schedulers after a
botched failover, never double the work. A dedicated scheduler lets every worker run
`--no-schedule` and keeps the schedule going while the workers are busy or scaled down.
"""

from __future__ import annotations

import logging
import sys
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from jobs import queues as settings
from jobs.dispatch import redis_connection
from jobs.worker import enqueue_tick

log = logging.getLogger(__name__)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Claim the current slot once and quit.")
@with_appcontext
def scheduler_command(once: bool) -> None:
    """Queue the periodic syncs and training on Redis, once per tick across every process."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        click.echo(
            "REDIS_URL is not set: without Redis, the web process runs the schedule itself "
            "(and must be a single process).",
            err=True,
        )
        sys.exit(2)
    tick = float(app.config.get("JOBS_SCHEDULE_TICK", settings.SCHEDULE_TICK))
    conn = redis_connection()
    stop = threading.Event()
    while True:
        try:
            queued = enqueue_tick(conn, tick)
            if once:
                click.echo("tick queued" if queued else "tick already queued for this slot")
        except Exception:  # noqa: BLE001 - Redis may be restarting: the next slot tries again
            log.exception("could not queue the schedule tick")
            if once:
                sys.exit(1)
        if once or stop.wait(tick / 4):
            return
