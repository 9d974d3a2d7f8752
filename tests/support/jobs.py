"""Tiny job bodies for the jobs layer's own tests, registered as tasks only by the tests.

Workers import them by dotted path (`tests.support.jobs.append`, ...), so threads, forked work
horses and worker processes started from the repository all run them. They record what happened
in a file, so every kind of runner can be observed the same way.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from integrations.amazon.errors import AuthError, TransientError
from jobs.progress import report
from jobs.tasks import Task


def _append(path: str, line: str) -> None:
    # O_APPEND writes of one short line are atomic, so concurrent runs never interleave.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def lines(path: str) -> list[str]:
    """The lines a test job wrote so far."""
    p = Path(path)
    return p.read_text().splitlines() if p.exists() else []


def new_tenant(name: str = "t") -> int:
    """A committed tenant on the app in context; its id."""
    from app.extensions import db
    from app.models import Tenant

    tenant = Tenant(name=name)
    db.session.add(tenant)
    db.session.commit()
    return tenant.id


def job_record(record_id: int) -> Any:
    """The job record as committed now (read in a session of its own); None if gone."""
    from app.extensions import db
    from app.models import JobRecord

    session = db.new_session()
    try:
        return session.get(JobRecord, record_id)
    finally:
        session.close()


def append(path: str, text: str, job_record_id: int | None = None) -> dict[str, Any]:
    """Write `text` and the record id; returns them."""
    _append(path, f"{text} {job_record_id}")
    return {"text": text, "job_record_id": job_record_id, "pid": os.getpid()}


def hold(path: str, tag: str, seconds: float, job_record_id: int | None = None) -> str:
    """Write start/end lines with timestamps around a sleep (overlap checks)."""
    # The parent's pid: under RQ, the worker that forked this work horse.
    _append(path, f"start {tag} {time.time():.6f} {os.getppid()}")
    time.sleep(seconds)
    _append(path, f"end {tag} {time.time():.6f} {os.getppid()}")
    return tag


def fail_until(path: str, failures: int, job_record_id: int | None = None) -> int:
    """Raise a transient error on the first `failures` attempts, then succeed."""
    _append(path, "attempt")
    attempts = lines(path).count("attempt")
    if attempts <= failures:
        raise TransientError(f"simulated outage {attempts}")
    return attempts


def fail_permanently(path: str, job_record_id: int | None = None) -> None:
    """Raise an error no retry can fix (a refused credential)."""
    _append(path, "attempt")
    raise AuthError("refresh token revoked")


def steps(n: int, job_record_id: int | None = None) -> int:
    """Report progress n times."""
    for i in range(n):
        if job_record_id is not None:
            report(job_record_id, (i + 1) / n, f"step {i + 1} of {n}")
    return n


def block_first_attempt(path: str, job_record_id: int | None = None) -> int:
    """The first attempt writes "started <pid> <parent>" and hangs (to be killed); later ones
    finish."""
    _append(path, f"started {os.getpid()} {os.getppid()}")
    starts = sum(1 for line in lines(path) if line.startswith("started"))
    if starts == 1:
        time.sleep(120)
    _append(path, f"done {os.getpid()} {os.getppid()}")
    return starts


# On the "default" queue unless a test says otherwise; queued with jobs.tasks.enqueue.
APPEND = Task(append)
HOLD = Task(hold)
# A request for a run already going queues one more behind it (recommend's rule).
HOLD_RERUN = Task(hold, rerun_if_started=True)
FAIL_UNTIL = Task(fail_until)
FAIL_PERMANENTLY = Task(fail_permanently)
STEPS = Task(steps)
BLOCK_FIRST_ATTEMPT = Task(block_first_attempt)
