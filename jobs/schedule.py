"""Recurring jobs: which are due, decided by a pure function over when each last ran.

The application declares its schedule (app.tasks.SCHEDULE) and a tick that queues what is due;
the tick runs as an RQ job queued by whichever worker first claims the minute's slot in Redis
(see jobs.worker), or on a thread of the in-process runner without Redis. Every job it queues has
a deterministic id, so overlapping ticks cannot multiply work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Entry:
    """One recurring job per seller: every `every`, or once a day from `daily_at`, a time of
    day in the seller's time zone (its marketplace's; UTC when the tick gives none)."""

    name: str  # what to run (the application's names: a sync stream, "train")
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None
    requires: str | None = None  # only once this entry has run for the seller


# A tick lands up to one tick late; without slack, a 15-minute job would drift to every 16.
SLACK = dt.timedelta(seconds=30)
# Every entry recurs at least daily, so records older than this cannot change a decision.
LOOKBACK = dt.timedelta(days=2)


def latest_slot(now: dt.datetime, at: dt.time, zone: str = "UTC") -> dt.datetime:
    """The most recent daily start time at or before `now`: `at` on a local day of `zone`, as a
    UTC instant. Once per local day, also on the days the clocks change: a time the spring
    change skips is read with the offset before it (02:30 is 03:30 summer time), one the autumn
    change repeats is its first occurrence."""
    tz = ZoneInfo(zone)
    day = now.astimezone(tz).date()
    for back in (0, 1):
        local = dt.datetime.combine(day - dt.timedelta(days=back), at, tzinfo=tz)
        slot = local.astimezone(dt.UTC)
        if slot <= now:
            return slot
    return slot


def is_due(
    entry: Entry, now: dt.datetime, last: dt.datetime | None, zone: str = "UTC"
) -> bool:
    """Whether `entry` should run at `now`, given when it last ran (None: never); a daily entry
    at its time in `zone`."""
    if entry.every is not None:
        return last is None or now - last >= entry.every - SLACK
    assert entry.daily_at is not None
    return last is None or last < latest_slot(now, entry.daily_at, zone)


def due_jobs(
    now: dt.datetime,
    seller_ids: Iterable[int],
    last_runs: Mapping[tuple[int, str], dt.datetime],
    schedule: Iterable[Entry],
    succeeded: Collection[tuple[int, str]] | None = None,
    zones: Mapping[int, str] | None = None,
) -> list[tuple[int, str]]:
    """The (seller, name) pairs due at `now`.

    `last_runs` maps (seller, name) to when it was last queued; `succeeded` holds the pairs that
    ever succeeded (for `requires`; default: every pair in `last_runs`); `zones` each seller's
    time zone for daily entries (default UTC).
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
            zone = (zones or {}).get(seller, "UTC")
            if is_due(entry, now, last_runs.get((seller, entry.name)), zone):
                due.append((seller, entry.name))
    return due
