"""What the jobs layer is handed by the application at start-up: its factory and its job store.

jobs/ never imports the application. The application implements `JobStore` (the JobRecord
table, the database engine the locks live in) and calls `configure` from its factory; the worker
command then runs jobs on the app it was started with, and a bare RQ work horse builds one with
the factory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from flask import Flask
from sqlalchemy import Engine


class JobStore(Protocol):
    """The persistence of job records (each call in a session and commit of its own)."""

    def create(
        self, kind: str, tenant_id: int, seller_account_id: int | None, job_id: str | None
    ) -> int:
        """Store a new "queued" record; its id."""

    def delete(self, record_id: int) -> None:
        """Remove a record (one that was never queued: its job id was in flight)."""

    def update(self, record_id: int, fields: Mapping[str, Any], best_effort: bool = False) -> None:
        """Set columns of a record; a gone record is not an error. `best_effort`: do not wait
        long for a busy database (raises sqlalchemy's OperationalError instead)."""

    def status_of(self, record_id: int) -> str | None:
        """The record's status (None if it is gone)."""

    def rollback(self) -> None:
        """Roll back the job's own session after a failed attempt (inside an app context)."""

    def engine(self) -> Engine:
        """The engine of the current app's database (inside an app context): locks live there."""

    def after_fork(self) -> None:
        """In a forked process: drop the pooled connections inherited from the parent."""


@dataclass(frozen=True)
class Host:
    """The application as the jobs layer sees it."""

    factory: Callable[[], Flask]  # builds the app a bare work horse runs jobs in
    store: JobStore
    tick: Callable[[], Any] | None = None  # the schedule's tick (inside an app context)


_host: Host | None = None


def configure(host: Host) -> None:
    """Hand the jobs layer its application (the app factory does, every time it builds one)."""
    global _host
    _host = host


def current() -> Host:
    """The configured host; refuses to run jobs before the application configured one."""
    if _host is None:
        raise RuntimeError("the jobs layer is not configured: build the app first (create_app)")
    return _host


def store() -> JobStore:
    """The configured job store."""
    return current().store
