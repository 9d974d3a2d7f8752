"""The marketplace's local day: sales count on the day they were bought in its time zone.

A US seller's day runs midnight to midnight Pacific, a UK seller's London time, so a sale at
23:30 London time on 31 March counts on 31 March (22:30 UTC), and the day the clocks change has
23 or 25 hours. Timestamps are stored in UTC; these helpers turn them into local days, in Python
(zoneinfo, with the pinned tzdata) and in SQL: PostgreSQL's `timezone(zone, ts)` on its own
IANA database, and on SQLite the `fba_local_date(text, zone)` function registered on every
connection (app.extensions) with this module's `local_date_text`.
"""

from __future__ import annotations

import datetime as dt
from functools import cache, lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Date, cast, func
from sqlalchemy.orm import Session

SQLITE_FUNCTION = "fba_local_date"


@cache
def zone(name: str) -> ZoneInfo:
    """The IANA zone (KeyError-like ZoneInfoNotFoundError when unknown)."""
    return ZoneInfo(name)


def local_date(when: dt.datetime, zone_name: str) -> dt.date:
    """The local calendar day of an aware instant."""
    if when.tzinfo is None:
        raise ValueError("naive datetime: local_date needs an aware instant")
    return when.astimezone(zone(zone_name)).date()


def today(zone_name: str, now: dt.datetime | None = None) -> dt.date:
    """Today in the zone (its day still running)."""
    return local_date(now or dt.datetime.now(dt.UTC), zone_name)


def day_start(day: dt.date, zone_name: str) -> dt.datetime:
    """The UTC instant the local day begins (local midnight; the zone's rules for the day)."""
    return dt.datetime.combine(day, dt.time(), zone(zone_name)).astimezone(dt.UTC)


def day_bounds(first: dt.date, last: dt.date, zone_name: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC of the local days first..last."""
    return day_start(first, zone_name), day_start(last + dt.timedelta(days=1), zone_name)


def day_hours(day: dt.date, zone_name: str) -> float:
    """How long the local day is: 24, or 23 and 25 on the days the clocks change."""
    start, end = day_bounds(day, day, zone_name)
    return (end - start).total_seconds() / 3600


@lru_cache(maxsize=1 << 16)
def _local_minute(minute: str, zone_name: str) -> str:
    naive = dt.datetime.fromisoformat(minute)
    return naive.replace(tzinfo=dt.UTC).astimezone(zone(zone_name)).date().isoformat()


def local_date_text(text: str | None, zone_name: str | None) -> str | None:
    """SQLite's fba_local_date: a stored UTC timestamp text ('2026-03-31 22:30:00.000000') as
    its local day ('2026-03-31'). Cached per minute: every zone's offset is whole minutes."""
    if text is None or zone_name is None:
        return None
    return _local_minute(str(text)[:16], zone_name)


def day_sql(session: Session | Connection, column: Any, zone_name: str) -> Any:
    """SQL: the local calendar day of a UTC timestamp column, on either database."""
    bind = session if isinstance(session, Connection) else session.get_bind()
    if bind.dialect.name == "postgresql":
        return cast(func.timezone(zone_name, column), Date)
    return getattr(func, SQLITE_FUNCTION)(column, zone_name)


def as_date(value: Any) -> dt.date:
    """A day from SQL (a date on PostgreSQL, ISO text on SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def label(when: dt.datetime | None, zone_name: str, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as local time with its zone named: '2026-03-31 23:30 BST'."""
    if when is None:
        return "—"
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone(zone(zone_name))
    return f"{local.strftime(fmt)} {local.tzname()}"
