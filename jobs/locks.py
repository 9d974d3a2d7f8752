"""Mutual exclusion of job bodies across threads, processes and machines.

PostgreSQL: a session advisory lock on a connection held for the job's duration. It lives in the
database the job writes to, so it covers every process that can write (workers on any machine,
the CLI's foreground sync), and it is released by the server the moment the holder's connection
drops: a SIGKILLed worker frees it at once, with no TTL to tune, no refresher thread, and no
window where a paused holder's lock expires under it (the weakness of a Redis TTL lock).
SQLite: an flock on a file beside the instance; SQLite is a single-machine database, and flock is
likewise released by the kernel when the holder dies, and conflicts between threads too.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from flask import current_app
from sqlalchemy import Engine, text

from jobs import host
from jobs.queues import LOCK_POLL, LOCK_WAIT


class LockBusy(TimeoutError):
    """Another run holds the lock and did not finish within the wait (retryable)."""


def lock_id(key: str) -> int:
    """A stable signed 64-bit id for `key` (advisory locks take a bigint)."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@contextmanager
def job_lock(
    engine: Engine,
    key: str,
    wait: float = LOCK_WAIT,
    lock_dir: str | os.PathLike[str] | None = None,
) -> Iterator[None]:
    """Hold the lock named `key` for the block; wait up to `wait` seconds, then raise LockBusy."""
    if engine.dialect.name == "postgresql":
        with _pg_lock(engine, key, wait):
            yield
    else:
        with _file_lock(Path(lock_dir or _default_lock_dir(engine)), key, wait):
            yield


@contextmanager
def _pg_lock(engine: Engine, key: str, wait: float) -> Iterator[None]:
    ident = lock_id(key)
    deadline = time.monotonic() + wait
    # A connection of its own, outside any transaction the job opens and commits.
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        while not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ident}).scalar():
            if time.monotonic() >= deadline:
                raise LockBusy(f"{key} is held by another run")
            time.sleep(LOCK_POLL)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ident})
    finally:
        conn.close()


def _default_lock_dir(engine: Engine) -> Path:
    database = engine.url.database
    if database and database != ":memory:":
        return Path(database).resolve().parent / "locks"
    return Path("/tmp") / f"fba-locks-{os.getuid()}"  # noqa: S108 - in-memory DBs are per-process


@contextmanager
def _file_lock(directory: Path, key: str, wait: float) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{lock_id(key) & 0xFFFFFFFFFFFFFFFF:016x}.lock"
    deadline = time.monotonic() + wait
    # Each open() is its own open file description, so two threads of one process conflict too.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(f"{key} is held by another run") from None
                time.sleep(LOCK_POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def app_lock(key: str, wait: float | None = None) -> AbstractContextManager[None]:
    """`job_lock` on the current app's database (inside an app context); JOBS_LOCK_WAIT applies."""
    if wait is None:
        wait = float(current_app.config.get("JOBS_LOCK_WAIT") or LOCK_WAIT)
    lock_dir = os.path.join(current_app.instance_path, "locks")
    return job_lock(host.store().engine(), key, wait=wait, lock_dir=lock_dir)
