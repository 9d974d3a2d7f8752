"""The entry point every job runs through: an app context, its record, its lock, its retries."""

from __future__ import annotations

import json
import logging
import os
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from rq import get_current_job

from jobs import host, progress, registry
from jobs.locks import app_lock
from jobs.queues import is_retryable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobSpec:
    """One job as the backends run it: its body's path and arguments, and how to run it."""

    func_path: str
    args: list[Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    queue: str = "default"
    job_id: str | None = None
    lock_key: str | None = None
    retries: int = 0
    retry_intervals: tuple[int, ...] = (0,)
    record_id: int = 0  # set once the record exists
    # A job in flight with the same id that has already started read its inputs before this
    # request's cause (a new model, new stock): queue one more run behind it instead of merging
    # (under `<job_id>:again`, itself merged while it waits). See jobs.dispatch.submit.
    rerun_if_started: bool = False
    attempt: int = 0  # the in-process runner's count


_app: Flask | None = None
_app_pid: int | None = None


def set_app(app: Flask) -> None:
    """Use `app` for jobs run in this process (the worker command passes its own)."""
    global _app, _app_pid
    _app, _app_pid = app, os.getpid()


def get_app() -> Flask:
    """The process's app, built once; a forked work horse drops the parent's pooled connections."""
    global _app_pid
    if _app is None:
        set_app(host.current().factory())
    elif _app_pid != os.getpid():
        # Sockets inherited through fork() belong to the parent; close=False leaves them to it.
        with _app.app_context():
            host.store().after_fork()
        _app_pid = os.getpid()
    assert _app is not None
    return _app


def execute(
    func_path: str,
    args: list[Any],
    kwargs: dict[str, Any],
    job_record_id: int,
    lock_key: str | None = None,
) -> Any:
    """RQ's job function: run the real job inside an app context and keep its record current."""
    job = get_current_job()
    with get_app().app_context():
        try:
            return run_recorded(
                func_path,
                args,
                kwargs,
                job_record_id,
                lock_key,
                retries_left=(job.retries_left or 0) if job is not None else 0,
            )
        except Exception as exc:
            if job is not None and not is_retryable(exc):
                job.retries_left = 0  # RQ reads this when it decides whether to retry
            raise


def run_recorded(
    func_path: str,
    args: list[Any],
    kwargs: dict[str, Any],
    job_record_id: int,
    lock_key: str | None,
    retries_left: int,
) -> Any:
    """Run one attempt (inside an app context): mark running, hold the lock, record the outcome."""
    progress.mark_running(job_record_id)
    try:
        func = registry.resolve(func_path)
        with _lock(lock_key):
            result = func(*args, **kwargs, job_record_id=job_record_id)
    except Exception as exc:
        host.store().rollback()
        will_retry = retries_left > 0 and is_retryable(exc)
        # Type and message only: tracebacks go to the log, not to a page tenants can read.
        error = f"{type(exc).__name__}: {exc}"
        progress.finish(job_record_id, "retrying" if will_retry else "failed", error=error)
        log.warning(
            "job %s (record %s) failed%s: %s",
            func_path,
            job_record_id,
            ", will retry" if will_retry else "",
            type(exc).__name__,
        )
        raise
    progress.finish(job_record_id, "succeeded")
    return jsonable(result)


def _lock(lock_key: str | None) -> AbstractContextManager[Any]:
    return nullcontext() if lock_key is None else app_lock(lock_key)


def jsonable(value: Any) -> Any:
    """The job's result as plain JSON values (RQ's JSON serializer stores it)."""
    return json.loads(json.dumps(value, default=str))


def on_failure(job: Any, connection: Any, exc_type: Any, exc_value: Any, tb: Any) -> None:
    """RQ failure callback; records the jobs whose worker died (the body could not record it)."""
    record_id = job.args[3] if job.args and len(job.args) > 3 else None
    if record_id is None:
        return
    with get_app().app_context():
        if progress.status_of(record_id) != "running":
            return  # the body already recorded its own failure
        will_retry = bool(job.retries_left and job.retries_left > 0)
        progress.finish(
            record_id,
            "retrying" if will_retry else "failed",
            error=f"{getattr(exc_type, '__name__', exc_type)}: the worker running it died",
        )


def tick() -> Any:
    """RQ's schedule-tick job: the host's schedule tick inside an app context (unrecorded)."""
    schedule_tick = host.current().tick
    if schedule_tick is None:
        return None
    with get_app().app_context():
        return jsonable(schedule_tick())
