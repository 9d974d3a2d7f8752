"""The status words the planner writes into Recommendation.status, and the groups pages show.

The words are forecasting.status.PlanStatus (decided from each SKU's timeline); this module only
groups them for the dashboard's filters and cards, so the planner and the pages share one list.
`status_groups()` is the one mapping both sides read: group -> the statuses shown under it, most
urgent group first. STOCKOUT / OVERSTOCK / OK are the group names the dashboard used before the
status words existed; OVERSTOCK and OK are now the `excess` and `healthy` groups.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case

from forecasting.status import PlanStatus

STOCKOUT = "stockout"  # out of stock now, or runs out before a shipment sent today lands
SHIP = "ship"  # a shipment is needed: now, or by its ship-by date
EXCESS = "excess"
HEALTHY = "healthy"
OVERSTOCK = EXCESS
OK = HEALTHY

_GROUPS: dict[str, tuple[PlanStatus, ...]] = {
    STOCKOUT: (PlanStatus.OUT_OF_STOCK, PlanStatus.STOCKOUT_BEFORE_ARRIVAL),
    SHIP: (PlanStatus.SHIP_NOW, PlanStatus.SHIP_BY),
    EXCESS: (PlanStatus.EXCESS,),
    HEALTHY: (PlanStatus.HEALTHY,),
}
GROUPS = tuple(_GROUPS)  # in order of urgency
# Every word the planner may write, most urgent first (PlanStatus's own order).
STATUSES: tuple[str, ...] = tuple(s.value for s in PlanStatus)
RISKS = STATUSES  # the old name
# Every status word -> the group it is shown and filtered under.
GROUP_OF: dict[str, str] = {s.value: g for g, members in _GROUPS.items() for s in members}


def status_groups() -> dict[str, tuple[str, ...]]:
    """Group name -> the status words shown under it, most urgent group first."""
    return {g: tuple(s.value for s in members) for g, members in _GROUPS.items()}


def describe_groups() -> str:
    """'group: status, status; ...' for documents and help texts."""
    return "; ".join(f"{g}: {', '.join(words)}" for g, words in status_groups().items())


def words_in(group: str) -> tuple[str, ...]:
    """The status words shown under one dashboard group (none for an unknown group)."""
    return status_groups().get(group, ())


def group_of(status: str | None) -> str | None:
    """The group of one status word (None when there is no status yet)."""
    return None if status is None else GROUP_OF.get(status)


def status_rank(column: Any) -> Any:
    """SQL: a status column as its urgency (0 = out_of_stock, ...; NULL stays NULL), to sort by."""
    return case(*((column == word, i) for i, word in enumerate(STATUSES)), else_=None)
