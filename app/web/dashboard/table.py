"""The dashboard's SKU table and headline numbers, read from the summaries (app.summaries).

Per request: the seller's summary state with the live marks of its sources (one statement; a
seller whose sources moved is rebuilt first), a count when filtering, and one page of summary
rows in the order of an index (PostgreSQL: one per sort key and direction), so a page reads its
rows and stops however many SKUs there are. The headline is the state's totals. Nothing runs
per row in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from app import queries, summaries
from app.models import SellerAccount, SkuSummary, SummaryState, risk
from app.models.summary import RISK_ORDER, SORT_COLUMNS

# The status words the planner writes (forecasting.status via app.models.risk, the one list),
# their dashboard groups, and the filter values: every group and every word, nothing else.
GROUPS = risk.status_groups()
RISK_FILTERS = tuple(dict.fromkeys(("all", *GROUPS, *risk.STATUSES)))
# How a status word reads on a badge (its tone: the CSS badge class).
STATUS_LABELS = {
    "out_of_stock": ("Out of stock", "danger"),
    "stockout_before_arrival": ("Runs out before arrival", "danger"),
    "ship_now": ("Ship now", "warn"),
    "ship_by": ("Ship by", "info"),
    "excess": ("Excess", "warn"),
    "healthy": ("Healthy", "ok"),
}
GROUP_LABELS = {
    risk.STOCKOUT: "Out of stock or running out",
    risk.SHIP: "Ship now or by a date",
    risk.EXCESS: "Excess",
    risk.HEALTHY: "Healthy",
}


def status_badge(word: str | None) -> dict[str, str] | None:
    """A status word as its badge: the word, its plain label and tone (None: no status yet)."""
    if word is None:
        return None
    text, tone = STATUS_LABELS.get(word, (word.replace("_", " ").capitalize(), "ok"))
    return {"word": word, "label": text, "tone": tone}


class TableRow:
    """One row of the table: its values as attributes, and by key. Jinja reads `r.sku` as an
    attribute first; on a dict that lookup fails and raises before the key is tried, which on a
    50-row page cost more than the rest of the cells."""

    __slots__ = ("__dict__",)

    if TYPE_CHECKING:  # the columns are instance attributes

        def __getattr__(self, name: str) -> Any: ...

    def __init__(self, values: Mapping[Any, Any]):
        self.__dict__.update(values)

    def __getitem__(self, key: str) -> Any:
        return self.__dict__[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.__dict__[key] = value

    def __contains__(self, key: str) -> bool:
        return key in self.__dict__

    def keys(self) -> Any:
        """The column names (so dict(row) works)."""
        return self.__dict__.keys()


def filter_options() -> list[tuple[str, str]]:
    """The status filter's (value, label): all, then each group followed by its words."""
    out = [("all", "All SKUs")]
    for group, words in GROUPS.items():
        if len(words) > 1 or words[0] != group:
            out.append((group, GROUP_LABELS.get(group, group)))
        for word in words:
            badge = status_badge(word)
            out.append((word, ("— " if len(words) > 1 else "") + (badge or {}).get("label", word)))
    return out


@dataclass(frozen=True)
class Scope:
    """Which seller, as of which data."""

    tenant_id: int
    seller_id: int
    as_of: dt.date | None
    model_version_id: int | None
    review_days: int = 7

    @property
    def forecast_start(self) -> dt.date:
        """First forecast day counted in "next 30 days": the day after the newest inventory."""
        return summaries.forecast_start(self.as_of)

    @property
    def reorder_due(self) -> dt.date:
        """A supplier order is "to reorder" when its order-by date is on or before this day:
        within the seller's review period from the newest inventory day (or already past)."""
        return (self.as_of or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=self.review_days)

    @classmethod
    def of_state(cls, state: SummaryState, review_days: int | None = None) -> Scope:
        """The scope a seller's summaries were built for (equal to scope_for's once ensured)."""
        return cls(
            state.tenant_id,
            state.seller_account_id,
            state.as_of,
            state.model_version_id,
            int(review_days or 7),
        )


def scope_for(session: Session, tenant_id: int, seller_id: int) -> Scope:
    """Find the newest snapshot day and the newest ready model of a seller."""
    review = session.scalar(
        select(SellerAccount.review_days).where(
            SellerAccount.tenant_id == tenant_id, SellerAccount.id == seller_id
        )
    )
    return Scope(
        tenant_id,
        seller_id,
        queries.latest_snapshot_day(session, tenant_id, seller_id),
        queries.latest_model_id(session, tenant_id, seller_id),
        int(review or 7),
    )


def status_ranks(value: str) -> tuple[int, int]:
    """The status ranks one filter value keeps, as a range (every group's words are adjacent
    in PlanStatus order, so the risk-sort index serves filter and order together); (-1, -1)
    keeps nothing."""
    words = GROUPS.get(value) or (value,)
    ranks = sorted(risk.STATUSES.index(w) for w in words if w in risk.STATUSES)
    if not ranks:
        return -1, -1
    if ranks != list(range(ranks[0], ranks[-1] + 1)):
        raise ValueError(f"filter {value!r}: its status words are not adjacent in PlanStatus")
    return ranks[0], ranks[-1]


def _rank_filter(value: str) -> Any:
    """SQL: the rows one filter value keeps."""
    low, high = status_ranks(value)
    return SkuSummary.status_rank.between(low, high)


@dataclass
class TableQuery:
    """The table's controls as the query string gives them."""

    sort: str = "risk"
    desc: bool = False
    risk: str = "all"
    q: str = ""
    reorder: bool = False  # only SKUs to reorder from a supplier (Scope.reorder_due)


SORT_KEYS = (
    "sku", "on_hand", "inbound", "runs_out", "forecast", "qty", "ship_by", "reorder_by", "risk"
)  # fmt: skip


def _order(tq: TableQuery) -> list[Any]:
    """ORDER BY of a sort, exactly as its PostgreSQL index reads (migration 0012): the key with
    NULLs last in either direction, then the SKU. The risk sort is status rank (either way),
    soonest run-out, soonest ship-by, likeliest stockout."""
    s = SkuSummary
    if tq.sort == "sku":
        # Never NULL: a plain scan of the unique key, forwards or backwards.
        return [s.sku.desc() if tq.desc else s.sku.asc()]
    if tq.sort in SORT_COLUMNS:
        key = s.__table__.c[SORT_COLUMNS[tq.sort]]
        return [(key.desc() if tq.desc else key.asc()).nulls_last(), s.sku.asc()]
    rank, runs_out, ship_by, probability = (s.__table__.c[c] for c in RISK_ORDER)
    return [
        (rank.desc() if tq.desc else rank.asc()).nulls_last(),
        runs_out.asc().nulls_last(),
        ship_by.asc().nulls_last(),
        probability.desc().nulls_last(),
        s.sku.asc(),
    ]


PAGE_COLUMNS = (
    "sku",
    "title",
    "unit_cost",
    "price",
    "fulfillable",
    "inbound",
    "snapshot_date",
    "rec_qty",
    "ship_by",
    "runs_out_on",
    "stockout_probability",
    "status",
    "excess_units",
    "excess_monthly",
    "fc30",
    "reorder_by",
    "reorder_quantity",
)
# Statements by (sort, direction, search?, status filter?, reorder filter?), built once:
# building a SELECT costs about as much CPU as running it. Values are bound at execution.
_statements: dict[tuple[str, bool, bool, bool, bool], tuple[Any, Any]] = {}


def _statements_for(tq: TableQuery) -> tuple[Any, Any]:
    """(count, page) statements for the table's controls, with bound parameters."""
    key = (
        tq.sort if tq.sort in SORT_KEYS else "risk",
        tq.desc,
        bool(tq.q),
        tq.risk != "all",
        tq.reorder,
    )
    found = _statements.get(key)
    if found is not None:
        return found
    s = SkuSummary
    filters: list[Any] = [
        s.tenant_id == bindparam("tenant_id"),
        s.seller_account_id == bindparam("seller_id"),
    ]
    if key[2]:
        needle: Any = bindparam("needle")
        filters.append(or_(func.lower(s.sku).like(needle), func.lower(s.title).like(needle)))
    if key[3]:
        filters.append(s.status_rank.between(bindparam("low"), bindparam("high")))
    if key[4]:
        filters.append(s.reorder_by <= bindparam("reorder_due"))
    count = select(func.count()).select_from(s).where(*filters)
    page = (
        select(s.product_id.label("id"), *(s.__table__.c[c] for c in PAGE_COLUMNS))
        .where(*filters)
        .order_by(*_order(TableQuery(sort=key[0], desc=tq.desc)))
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
    )
    _statements[key] = (count, page)
    return count, page


def table_rows(
    session: Session,
    state: SummaryState,
    tq: TableQuery,
    offset: int,
    limit: int,
    scope: Scope | None = None,
) -> tuple[list[TableRow], int]:
    """One page of the SKU table and the number of rows matching the filters (`state` from
    app.summaries.ensure: its rows are current; `scope` gives the reorder filter's day)."""
    count, page = _statements_for(tq)
    params: dict[str, Any] = {
        "tenant_id": state.tenant_id,
        "seller_id": state.seller_account_id,
        "offset": offset,
        "limit": limit,
    }
    if tq.q:
        params["needle"] = (
            "%" + tq.q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        )
    if tq.risk != "all":
        params["low"], params["high"] = status_ranks(tq.risk)
    if tq.reorder:
        params["reorder_due"] = (scope or Scope.of_state(state)).reorder_due
    # Core execution: these statements carry their tenant filter, and the ORM's per-statement
    # work (entity compile, the tenant-scoping event) cost more CPU than running them.
    conn = session.connection()
    if not tq.q and tq.risk == "all" and not tq.reorder:
        total = state.sku_count
    else:
        total = conn.execute(count, params).scalar() or 0
    if total == 0 or offset >= total:
        return [], total
    rows = [TableRow(m) for m in conn.execute(page, params).mappings()]
    for row in rows:
        row["risk_group"] = risk.group_of(row["status"])
        row["badge"] = status_badge(row["status"])
    return rows, total


_reorder_count = (
    select(func.count())
    .select_from(SkuSummary)
    .where(
        SkuSummary.tenant_id == bindparam("tenant_id"),
        SkuSummary.seller_account_id == bindparam("seller_id"),
        SkuSummary.reorder_by <= bindparam("reorder_due"),
    )
)


def headline(session: Session, state: SummaryState, scope: Scope) -> dict[str, Any]:
    """Counts at risk and to reorder, dollars at risk in 30 and 90 days, and inventory value at
    cost (the state's totals; the reorder count depends on the review period, so it is counted
    here, by the reorder_by index)."""
    reorder = session.connection().execute(
        _reorder_count,
        {
            "tenant_id": state.tenant_id,
            "seller_id": state.seller_account_id,
            "reorder_due": scope.reorder_due,
        },
    ).scalar()
    return {
        "stockout": state.stockout,
        "ship": state.ship,
        "excess": state.excess,
        "reorder": int(reorder or 0),
        "value": float(state.value or 0),
        "missing_cost": int(state.missing_cost or 0),
        "risk30": state.risk30,
        "risk90": state.risk90,
    }
