"""The schedule: which syncs and retrainings are due, decided by a pure function, queued by a tick.

Orders every 15 minutes, inventory hourly, fees and reports daily, retraining nightly, for every
active seller account. The tick runs as an RQ job queued by whichever worker first claims the
minute's slot in Redis (see jobs.worker), or on a thread of the in-process runner without Redis.
Every job it queues has a deterministic id, so overlapping ticks cannot multiply work.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One recurring job per seller: every `every`, or once a day from `daily_at` (UTC)."""

    name: str  # a sync stream, or "train"
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None
    requires: str | None = None  # only once this entry has run for the seller


SCHEDULE: tuple[Entry, ...] = (
    Entry("orders", every=dt.timedelta(minutes=15)),
    Entry("inventory", every=dt.timedelta(hours=1)),
    Entry("fees", every=dt.timedelta(days=1)),
    Entry("reports", every=dt.timedelta(days=1)),
    # Nightly, after the day's fees and reports have had a chance to land; a seller that has never
    # synced has nothing to train on.
    Entry("train", daily_at=dt.time(3, 0), requires="orders"),
)
# A tick lands up to one tick late; without slack, a 15-minute job would drift to every 16.
SLACK = dt.timedelta(seconds=30)
LOOKBACK = dt.timedelta(days=2)


def latest_slot(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The most recent daily start time at or before `now`."""
    slot = dt.datetime.combine(now.date(), at, tzinfo=dt.UTC)
    return slot if slot <= now else slot - dt.timedelta(days=1)


def is_due(entry: Entry, now: dt.datetime, last: dt.datetime | None) -> bool:
    """Whether `entry` should run at `now`, given when it last ran (None: never)."""
    if entry.every is not None:
        return last is None or now - last >= entry.every - SLACK
    assert entry.daily_at is not None
    return last is None or last < latest_slot(now, entry.daily_at)


def due_jobs(
    now: dt.datetime,
    seller_ids: Iterable[int],
    last_runs: Mapping[tuple[int, str], dt.datetime],
    schedule: Iterable[Entry] = SCHEDULE,
    succeeded: Collection[tuple[int, str]] | None = None,
) -> list[tuple[int, str]]:
    """The (seller, name) pairs due at `now`.

    `last_runs` maps (seller, name) to when it was last queued; `succeeded` holds the pairs that
    ever succeeded (for `requires`; default: every pair in `last_runs`).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    entries = list(schedule)
    done = set(last_runs) if succeeded is None else set(succeeded)
    due = []
    for seller in seller_ids:
        for entry in entries:
            if entry.requires is not None and (seller, entry.requires) not in done:
                continue
            if is_due(entry, now, last_runs.get((seller, entry.name))):
                due.append((seller, entry.name))
    return due


def kind_of(name: str) -> str:
    """The JobRecord kind of a schedule entry ("sync:orders", ..., "train")."""
    return name if name == "train" else f"sync:{name}"


def tick(now: dt.datetime | None = None) -> list[int]:
    """Queue every due job for every active seller (inside an app context); returns record ids."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import JobRecord, SellerAccount
    from jobs.dispatch import enqueue, enqueue_sync

    now = now or dt.datetime.now(dt.UTC)
    session = db.new_session()
    try:
        sellers = dict(
            session.execute(
                select(SellerAccount.id, SellerAccount.tenant_id).where(SellerAccount.active)
            ).all()
        )
        kinds = {kind_of(e.name): e.name for e in SCHEDULE}
        # Every entry recurs at least daily, so older records cannot change a decision; the
        # window keeps this query small however long the job history grows.
        since = now - LOOKBACK
        rows = session.execute(
            select(JobRecord.seller_account_id, JobRecord.kind, func.max(JobRecord.created_at))
            .where(
                JobRecord.kind.in_(kinds),
                JobRecord.seller_account_id.is_not(None),
                JobRecord.created_at >= since,
            )
            .group_by(JobRecord.seller_account_id, JobRecord.kind)
        ).all()
        succeeded = session.execute(
            select(JobRecord.seller_account_id, JobRecord.kind)
            .where(
                JobRecord.kind.in_(kinds),
                JobRecord.status == "succeeded",
                JobRecord.created_at >= since,
            )
            .distinct()
        ).all()
    finally:
        session.close()
    last_runs = {(seller, kinds[kind]): _aware(at) for seller, kind, at in rows}
    ok = {(seller, kinds[kind]) for seller, kind in succeeded}
    can_train = importlib.util.find_spec("jobs.forecast") is not None
    queued = []
    for seller, name in due_jobs(now, sellers, last_runs, succeeded=ok):
        try:
            if name == "train":
                if not can_train:
                    continue
                queued.append(
                    enqueue(
                        "jobs.forecast.retrain_seller",
                        seller,
                        job_id=f"train:{seller}",
                        kind="train",
                        tenant_id=sellers[seller],
                        seller_account_id=seller,
                        queue="low",
                    )
                )
            else:
                queued.append(enqueue_sync(seller, name))
        except Exception:  # noqa: BLE001 - one seller's failure must not starve the others
            log.exception("schedule could not queue %s for seller %s", name, seller)
    return queued


def _aware(value: dt.datetime) -> dt.datetime:
    # SQL's max() bypasses the column type, so SQLite hands back a naive (UTC) value.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
