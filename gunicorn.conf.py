"""gunicorn's settings, read from ./gunicorn.conf.py by `gunicorn wsgi:app` (the Dockerfile, units).

Without REDIS_URL the web process is the whole product: its in-process runner holds the job
queue, the schedule's thread and the SP-API pacing buckets (jobs/inline.py). Two web processes
would each run the schedule and each pace Amazon's limits as if alone, so more than one worker
is refused at start-up. With REDIS_URL, jobs and the schedule live in Redis and the RQ workers,
and any number of web workers is safe.
"""

from __future__ import annotations

import os
from typing import Any

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or (2 if os.environ.get("REDIS_URL") else 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
accesslog = "-"
# The reverse proxy's X-Forwarded-* headers are handled by the app (TRUSTED_PROXIES).
forwarded_allow_ips = "127.0.0.1,::1"


class EmbeddedModeError(RuntimeError):
    """More than one web process without Redis."""


def check_workers(count: int, redis_url: str | None) -> None:
    """Refuse a multi-process web server in the embedded (no Redis) mode."""
    if count > 1 and not redis_url:
        raise EmbeddedModeError(
            f"{count} gunicorn workers without REDIS_URL: each would run its own schedule and "
            "its own SP-API pacing. Run one worker (-w 1, with --threads for concurrency), or set "
            "REDIS_URL and run `flask --app wsgi worker` and `flask --app wsgi scheduler`."
        )


def on_starting(server: Any) -> None:
    """gunicorn's hook in the master, before any worker forks."""
    check_workers(server.cfg.workers, os.environ.get("REDIS_URL"))


def nworkers_changed(server: Any, new_value: int, old_value: int | None) -> None:
    """TTIN can add workers to a running master; it cannot be refused there, only reported."""
    if old_value is not None:
        try:
            check_workers(new_value, os.environ.get("REDIS_URL"))
        except EmbeddedModeError as exc:
            server.log.error("%s (send TTOU to go back to one)", exc)
