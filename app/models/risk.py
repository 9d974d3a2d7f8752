"""The risk words the planner writes into Recommendation.risk and the pages filter on.

One list for both sides: the planner (app.planning.recommend) writes only these words, and the
dashboard's filters and cards group by `GROUP_OF`. The status vocabulary of forecasting.status
(out_of_stock, stockout_before_arrival, ship_now, ship_by, healthy, excess) will replace these
words; switching is then a change of this module (new words, each mapped to its group).
"""

from __future__ import annotations

STOCKOUT = "stockout"
OVERSTOCK = "overstock"
OK = "ok"

# Every word the planner may write -> the dashboard group it is shown and filtered under.
GROUP_OF: dict[str, str] = {STOCKOUT: STOCKOUT, OVERSTOCK: OVERSTOCK, OK: OK}
RISKS = tuple(GROUP_OF)
GROUPS = (STOCKOUT, OVERSTOCK, OK)  # in order of urgency


def words_in(group: str) -> tuple[str, ...]:
    """The risk words shown under one dashboard group."""
    return tuple(word for word, g in GROUP_OF.items() if g == group)
