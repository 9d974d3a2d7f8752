"""The RQ worker: forks a work horse per job, notices dead peers quickly, and ticks the schedule.

Any number of these, on any number of machines, share the queues through Redis; a job's lock
(jobs.locks) lives in the database, so they never overlap on one (seller, stream).
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import time
from collections.abc import Sequence
from multiprocessing import get_context
from typing import Any

from flask import Flask
from rq import Queue, Worker
from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT
from rq.scheduler import RQScheduler
from rq.scheduler import run as scheduler_run
from rq.serializers import JSONSerializer

from jobs import queues as settings
from jobs.dispatch import redis_connection
from jobs.runner import set_app

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
TICK = "jobs.runner.tick"  # the job that runs the application's schedule tick


def _die_with_parent() -> None:
    """Linux: the kernel SIGKILLs this process when its parent dies.

    A work horse is its parent's child, in its own process group: if the worker is SIGKILLed the
    horse would otherwise run on unsupervised (no heartbeats, so RQ requeues the job while the
    orphan still works on it, and its result is never recorded).
    """
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the job lock still prevents overlap
        pass


class FbaScheduler(RQScheduler):
    """RQ's scheduler process, which also dies with its worker.

    Otherwise a SIGKILLed worker leaves it running as an orphan that holds the queues'
    scheduler locks for as long as it lives.
    """

    def start(self) -> Any:
        """Fork the scheduler process (as RQ does) through a target that arms the signal."""
        self._status = self.Status.STARTED
        self._connection = None  # a Redis connection cannot cross the fork; RQ does the same
        process = get_context("fork").Process(
            target=_run_scheduler, args=(self, os.getpid()), name="Scheduler"
        )
        process.start()
        self._process = process  # type: ignore[assignment]  # RQ declares it None
        return process


def _run_scheduler(scheduler: RQScheduler, parent: int) -> None:
    _die_with_parent()
    if os.getppid() != parent:
        os._exit(1)
    scheduler_run(scheduler)


class FbaWorker(Worker):
    """RQ's forking worker with a bounded dead-worker delay and the schedule's tick."""

    heartbeat_grace = settings.HEARTBEAT_GRACE
    schedule_tick: float | None = settings.SCHEDULE_TICK

    def get_heartbeat_ttl(self, job: Any, working_time: float = 0.0) -> int:
        """How long a running job's started-registry entry outlives this heartbeat.

        RQ adds 60 s; the parent does nothing but wait on the horse and heartbeat, so a shorter
        grace is safe and lets another worker requeue a dead worker's job sooner.
        """
        interval = self.job_monitoring_interval
        if job.timeout and job.timeout > 0:
            interval = min(job.timeout - working_time, interval)
        return int(max(interval, 1)) + int(self.heartbeat_grace)

    def _start_scheduler(
        self,
        burst: bool = False,
        logging_level: str | None = "INFO",
        date_format: str = DEFAULT_LOGGING_DATE_FORMAT,
        log_format: str = DEFAULT_LOGGING_FORMAT,
    ) -> None:
        """RQ's own, with FbaScheduler (RQ builds its class by name, with no hook)."""
        self.scheduler = FbaScheduler(
            self.queues,
            connection=self.connection,
            logging_level=logging_level if logging_level is not None else self.log.level,
            date_format=date_format,
            log_format=log_format,
            serializer=self.serializer,
        )
        self.scheduler.acquire_locks()
        if self.scheduler.acquired_locks:
            if burst:
                try:
                    self.scheduler.register_birth()
                    self.scheduler.enqueue_scheduled_jobs()
                finally:
                    self.scheduler.release_locks()
                    self.scheduler.register_death()
            else:
                self.scheduler.start()

    def main_work_horse(self, job: Any, queue: Queue) -> None:
        """The horse dies with its worker (see _die_with_parent)."""
        parent = self.pid if hasattr(self, "pid") else None
        _die_with_parent()
        if parent is not None and os.getppid() != parent:
            os._exit(1)  # the parent died before the death signal was armed
        super().main_work_horse(job, queue)

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        """RQ's heartbeat, plus queuing the schedule tick when a new slot starts."""
        super().heartbeat(timeout, pipeline)
        if self.schedule_tick and not getattr(self, "_is_horse", False):
            try:
                enqueue_tick(self.connection, self.schedule_tick)
            except Exception:  # noqa: BLE001 - a missed tick is retried on the next heartbeat
                log.exception("could not queue the schedule tick")


def enqueue_tick(conn: Any, tick: float, now: float | None = None) -> bool:
    """Queue the schedule's tick for the current slot unless some worker already did."""
    slot = int((now if now is not None else time.time()) // tick)
    if not conn.set(f"{settings.KEY_PREFIX}:tick:{slot}", 1, nx=True, ex=int(tick * 3)):
        return False
    Queue("high", connection=conn, serializer=JSONSerializer).enqueue_call(
        TICK,
        args=[],
        job_id=f"schedule-tick-{slot}",
        timeout=int(max(tick * 5, 300)),
        ttl=int(tick * 2),  # a stale tick is worthless: the next one replaces it
        result_ttl=int(tick * 2),
        failure_ttl=86400,
        at_front=True,
    )
    return True


def run_worker(
    app: Flask,
    queue_names: Sequence[str] = settings.QUEUE_ORDER,
    burst: bool = False,
    name: str | None = None,
    schedule: bool = True,
    monitoring_interval: int = settings.MONITORING_INTERVAL,
    heartbeat_grace: int = settings.HEARTBEAT_GRACE,
    maintenance_interval: int = settings.MAINTENANCE_INTERVAL,
    worker_ttl: int = settings.WORKER_TTL,
    max_jobs: int | None = None,
) -> bool:
    """Work the queues (with RQ's scheduler) until stopped, or until empty with `burst`.

    `app` is the application the jobs run in (the worker command passes the one it was started
    with); forked work horses reuse it.
    """
    for queue_name in queue_names:
        settings.policy(queue_name)
    set_app(app)  # horses fork from here and reuse the app (rebuilding their own pools)
    with app.app_context():
        conn = redis_connection()
    worker = FbaWorker(
        [Queue(q, connection=conn, serializer=JSONSerializer) for q in queue_names],
        name=name,
        connection=conn,
        serializer=JSONSerializer,
        job_monitoring_interval=monitoring_interval,
        maintenance_interval=maintenance_interval,
        worker_ttl=worker_ttl,
    )
    worker.heartbeat_grace = heartbeat_grace
    tick = app.config.get("JOBS_SCHEDULE_TICK", settings.SCHEDULE_TICK)
    worker.schedule_tick = tick if schedule else None
    return worker.work(
        burst=burst,
        with_scheduler=True,
        max_jobs=max_jobs,
        logging_level=app.config.get("LOG_LEVEL"),
    )
