"""The in-process runner used without Redis: a few daemon threads per app, same ids and retries.

Jobs queued here live only in this process: if it stops, queued work is lost, and the schedule
(which runs on a thread of its own here) queues it again on its next tick.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import replace

from flask import Flask

from jobs import host
from jobs.queues import INLINE_WORKERS, SCHEDULE_TICK, is_retryable
from jobs.runner import JobSpec, run_recorded

log = logging.getLogger(__name__)
_create_lock = threading.Lock()


class InlineRunner:
    """A bounded pool of daemon threads running jobs inside app contexts of one app."""

    def __init__(self, app: Flask, workers: int = INLINE_WORKERS) -> None:
        self.app = app
        self._tasks: queue.Queue[JobSpec] = queue.Queue()
        self._lock = threading.Lock()
        self._in_flight: dict[str, int] = {}  # deterministic job id -> record id
        self._pending = 0
        self._idle = threading.Condition(self._lock)
        self._threads = [
            threading.Thread(target=self._work, name=f"fba-jobs-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()
        self._schedule_thread: threading.Thread | None = None

    def submit(self, spec: JobSpec) -> int | None:
        """Queue `spec` unless its job id is in flight; returns the existing record id if so."""
        job_id = spec.job_id
        with self._lock:
            if job_id is not None:
                if job_id in self._in_flight:
                    return self._in_flight[job_id]
                self._in_flight[job_id] = spec.record_id
            self._pending += 1
        self._tasks.put(replace(spec, attempt=0))
        return None

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every submitted job (and its retries) is done; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _work(self) -> None:
        while True:
            spec = self._tasks.get()
            try:
                self._run(spec)
            except Exception:  # noqa: BLE001 - a runner thread must survive any job
                log.exception("in-process job %s crashed", spec.func_path)
                self._done(spec)

    def _run(self, spec: JobSpec) -> None:
        intervals = self.app.config.get("JOBS_RETRY_INTERVALS") or spec.retry_intervals
        attempt = spec.attempt
        try:
            with self.app.app_context():
                run_recorded(
                    spec.func_path,
                    spec.args,
                    spec.kwargs,
                    spec.record_id,
                    spec.lock_key,
                    retries_left=spec.retries - attempt,
                )
        except Exception as exc:  # noqa: BLE001 - recorded by run_recorded
            if attempt < spec.retries and is_retryable(exc):
                delay = intervals[min(attempt, len(intervals) - 1)]
                retry = replace(spec, attempt=attempt + 1)
                if delay:
                    timer = threading.Timer(delay, self._tasks.put, args=(retry,))
                    timer.daemon = True
                    timer.start()
                else:
                    self._tasks.put(retry)
                return
        self._done(spec)

    def _done(self, spec: JobSpec) -> None:
        with self._lock:
            if spec.job_id is not None:
                self._in_flight.pop(spec.job_id, None)
            self._pending -= 1
            self._idle.notify_all()

    def start_schedule(self, interval: float = SCHEDULE_TICK) -> None:
        """Evaluate the schedule every `interval` seconds on a daemon thread (once per runner)."""
        with self._lock:
            if self._schedule_thread is not None:
                return
            self._schedule_thread = threading.Thread(
                target=self._schedule_loop, args=(interval,), name="fba-schedule", daemon=True
            )
        self._schedule_thread.start()

    def _schedule_loop(self, interval: float) -> None:
        tick = host.current().tick
        if tick is None:
            return
        stop = threading.Event()
        while not stop.wait(interval):
            try:
                with self.app.app_context():
                    tick()
            except Exception:  # noqa: BLE001 - the next tick tries again
                log.exception("schedule tick failed")


def run_now(app: Flask, spec: JobSpec) -> None:
    """JOBS_INLINE: run the job to its end in the caller's thread, retries included (no waits).

    For tests on a shared test transaction, where a background thread would share the caller's
    connection. The outcome is in the job's record, as for a background job.
    """
    for attempt in range(spec.retries + 1):
        try:
            # A context of its own: the job's session must not be the caller's.
            with app.app_context():
                run_recorded(
                    spec.func_path, spec.args, spec.kwargs, spec.record_id, spec.lock_key,
                    retries_left=spec.retries - attempt,
                )  # fmt: skip
            return
        except Exception as exc:  # noqa: BLE001 - recorded by run_recorded
            if not is_retryable(exc):
                return


def runner_for(app: Flask) -> InlineRunner:
    """The app's in-process runner, created (with its threads) on first use."""
    with _create_lock:
        runner = app.extensions.get("fba_inline")
        if runner is None:
            runner = InlineRunner(app, int(app.config.get("JOBS_INLINE_WORKERS", INLINE_WORKERS)))
            app.extensions["fba_inline"] = runner
        return runner


def init_app(app: Flask) -> None:
    """Without Redis, the web process runs the schedule: started on its first request, so CLI
    commands and tests (which build apps without serving) never start a schedule thread."""
    if app.config.get("REDIS_URL") or app.testing or not app.config.get("JOBS_SCHEDULE", True):
        return

    @app.before_request
    def _start_schedule() -> None:
        runner_for(app).start_schedule()
