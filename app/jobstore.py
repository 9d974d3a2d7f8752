"""The job store the jobs layer is handed (jobs.host.JobStore): JobRecord rows in our database.

Every write is a session and commit of its own: the worker (another process) must see a new
record, progress must be visible before the job commits its own work, and the caller's
transaction may still roll back without taking the job's record with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Engine, delete, update

from app.extensions import db
from app.models import JobRecord, SellerAccount
from jobs.tasks import Owner

BEST_EFFORT_WAIT_MS = 200  # SQLite: how long a progress update waits for the write lock
BUSY_TIMEOUT_MS = 30000  # SQLite: the connections' usual wait (app.extensions)


class SqlJobStore:
    """JobRecord persistence for jobs.host (inside an app context)."""

    def create(
        self, kind: str, tenant_id: int, seller_account_id: int | None, job_id: str | None
    ) -> int:
        """Store a new "queued" record; its id."""
        db.end_read()  # SQLite: the caller's read must not hold the lock this write needs
        session = db.new_session()
        try:
            record = JobRecord(
                kind=kind[:40],
                tenant_id=tenant_id,
                seller_account_id=seller_account_id,
                rq_job_id=job_id,
            )
            session.add(record)
            session.commit()
            return record.id
        finally:
            session.close()

    def delete(self, record_id: int) -> None:
        """Remove a record that was never queued."""
        session = db.new_session()
        try:
            session.execute(delete(JobRecord).where(JobRecord.id == record_id))
            session.commit()
        finally:
            session.close()

    def update(self, record_id: int, fields: Mapping[str, Any], best_effort: bool = False) -> None:
        """One UPDATE and no read first: on SQLite a transaction that read before writing fails
        at once (not after the busy timeout) when another connection wrote in between. A
        deleted record is simply not updated."""
        session = db.new_session()
        try:
            sqlite = best_effort and session.get_bind().dialect.name == "sqlite"
            if sqlite:
                session.connection().exec_driver_sql(f"PRAGMA busy_timeout={BEST_EFFORT_WAIT_MS}")
            try:
                session.execute(
                    update(JobRecord).where(JobRecord.id == record_id).values(**fields)
                )
                session.commit()
            finally:
                if sqlite:
                    session.rollback()
                    session.connection().exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                    session.rollback()
        finally:
            session.close()

    def status_of(self, record_id: int) -> str | None:
        """The record's status (None if it is gone)."""
        session = db.new_session()
        try:
            record = session.get(JobRecord, record_id)
            return None if record is None else record.status
        finally:
            session.close()

    def rollback(self) -> None:
        """Roll back the job's session (the app context's) after a failed attempt."""
        db.session.rollback()

    def engine(self) -> Engine:
        """The current app's engine."""
        return db.engine

    def after_fork(self) -> None:
        """Sockets inherited through fork() belong to the parent; close=False leaves them to it."""
        db.engine.dispose(close=False)


def seller_owner(seller_account_id: int, *_args: Any, **_kwargs: Any) -> Owner:
    """The owner of a job about one seller account: its tenant and itself (LookupError if gone)."""
    session = db.new_session()
    try:
        account = session.get(SellerAccount, seller_account_id)
        if account is None:
            raise LookupError(f"seller account {seller_account_id} not found")
        return Owner(account.tenant_id, account.id)
    finally:
        session.close()
