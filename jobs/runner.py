"""The entry point every job runs through: an app context, its record, its lock, its retries."""

from __future__ import annotations

import json
import logging
import os
from contextlib import nullcontext
from typing import Any

from flask import Flask
from werkzeug.utils import import_string

from jobs import progress
from jobs.queues import is_retryable

log = logging.getLogger(__name__)
_app: Flask | None = None
_app_pid: int | None = None


def set_app(app: Flask) -> None:
    """Use `app` for jobs run in this process (the worker command passes its own)."""
    global _app, _app_pid
    _app, _app_pid = app, os.getpid()


def get_app() -> Flask:
    """The process's app, built once; a forked work horse drops the parent's pooled connections."""
    global _app, _app_pid
    if _app is None:
        from app import create_app

        set_app(create_app())
    elif _app_pid != os.getpid():
        # Sockets inherited through fork() belong to the parent; close=False leaves them to it.
        with _app.app_context():
            from app.extensions import db

            db.engine.dispose(close=False)
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
    from rq import get_current_job

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
    from app.extensions import db

    progress.mark_running(job_record_id)
    func = import_string(func_path)
    try:
        lock = _lock(lock_key)
        with lock:
            result = func(*args, **kwargs, job_record_id=job_record_id)
    except Exception as exc:
        db.session.rollback()
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


def _lock(lock_key: str | None) -> Any:
    if lock_key is None:
        return nullcontext()
    from jobs.locks import app_lock

    return app_lock(lock_key)


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


def in_app(func_path: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """Run an unrecorded housekeeping job (the schedule tick) inside an app context."""
    with get_app().app_context():
        return jsonable(import_string(func_path)(*args, **kwargs))
