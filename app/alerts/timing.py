"""When a user may be told: quiet hours and digest slots, in the user's own time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    """The named IANA zone, UTC if it is unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def in_quiet_hours(
    now: dt.datetime, start: dt.time | None, end: dt.time | None, tz: str | None
) -> bool:
    """Whether `now` falls in [start, end) local time; the span may cross midnight."""
    if start is None or end is None or start == end:
        return False
    local = now.astimezone(zone(tz)).time().replace(tzinfo=None)
    if start < end:
        return start <= local < end
    return local >= start or local < end


def latest_digest_slot(now: dt.datetime, mode: str, hour: int, tz: str | None) -> dt.datetime:
    """The most recent digest time at or before `now` (daily at `hour`, weekly Mondays), UTC."""
    local_now = now.astimezone(zone(tz))
    slot = local_now.replace(hour=hour % 24, minute=0, second=0, microsecond=0)
    if slot > local_now:
        slot -= dt.timedelta(days=1)
    if mode == "weekly":
        slot -= dt.timedelta(days=slot.weekday())
    return slot.astimezone(dt.UTC)


def digest_due(
    now: dt.datetime, mode: str, hour: int, tz: str | None, last: dt.datetime | None
) -> bool:
    """Whether a digest (daily or weekly) is due at `now`, given when the last one went."""
    if mode not in ("daily", "weekly"):
        return False
    return last is None or last < latest_digest_slot(now, mode, hour, tz)
