"""`flask --app wsgi worker`: an RQ worker (with RQ's scheduler and our schedule's tick)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask import current_app
from flask.cli import with_appcontext

from jobs import queues as settings
from jobs.worker import run_worker

F = TypeVar("F", bound=Callable[..., Any])


def _seconds(flag: str, default: int, help_text: str) -> Callable[[F], F]:
    """A whole-seconds option of the worker, defaulting to the jobs layer's setting."""
    return click.option(flag, type=int, default=default, show_default=True, help=help_text)


@click.command("worker")
@click.option(
    "--queues",
    "queue_names",
    default=",".join(settings.QUEUE_ORDER),
    show_default=True,
    help="Comma-separated queues, highest priority first.",
)
@click.option("--burst", is_flag=True, help="Quit once the queues are empty.")
@click.option("--name", default=None, help="Worker name (default: RQ's host.pid name).")
@click.option(
    "--schedule/--no-schedule",
    default=True,
    show_default=True,
    help="Queue the periodic syncs (safe on every worker: one tick per slot).",
)
@_seconds(
    "--monitoring-interval",
    settings.MONITORING_INTERVAL,
    "Seconds between a running job's heartbeats.",
)
@_seconds(
    "--heartbeat-grace",
    settings.HEARTBEAT_GRACE,
    "Seconds a job outlives its last heartbeat before requeue.",
)
@_seconds(
    "--maintenance-interval",
    settings.MAINTENANCE_INTERVAL,
    "Seconds between looks for jobs of dead workers.",
)
@_seconds(
    "--worker-ttl",
    settings.WORKER_TTL,
    "Seconds a silent worker stays registered (an idle one wakes every TTL-15 s).",
)
@click.option("--max-jobs", type=int, default=None, help="Quit after this many jobs.")
@with_appcontext
def worker_command(
    queue_names: str,
    burst: bool,
    name: str | None,
    schedule: bool,
    monitoring_interval: int,
    heartbeat_grace: int,
    maintenance_interval: int,
    worker_ttl: int,
    max_jobs: int | None,
) -> None:
    """Run background jobs from Redis (needs REDIS_URL)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config.get("REDIS_URL"):
        click.echo(
            "REDIS_URL is not set: without Redis, jobs run inside the web process; "
            "no worker is needed.",
            err=True,
        )
        sys.exit(2)
    names = [q.strip() for q in queue_names.split(",") if q.strip()]
    try:
        for q in names:
            settings.policy(q)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--queues") from None
    run_worker(
        app,
        names,
        burst=burst,
        name=name,
        schedule=schedule,
        monitoring_interval=monitoring_interval,
        heartbeat_grace=heartbeat_grace,
        maintenance_interval=maintenance_interval,
        worker_ttl=worker_ttl,
        max_jobs=max_jobs,
    )
