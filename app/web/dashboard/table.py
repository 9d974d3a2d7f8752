"""The dashboard's SKU table and headline numbers, each in a few set-based queries.

Per request: the seller's newest snapshot day and model (two indexed lookups), a count, one query
that picks the page's product ids (joining only what the sort and filters need), one that loads
those ≤200 rows (newest snapshot per SKU by an index probe, current recommendation), and one for
their 30-day forecast. Nothing runs per row in Python. The headline numbers need 90 days of
forecast for every SKU; they change only when a new model, recommendation run or snapshot day
arrives, so they are cached per process on those keys.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from app import queries
from app.models import Forecast, InventorySnapshot, Product, Recommendation, SellerAccount, risk

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
        return (self.as_of or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1)

    @property
    def reorder_due(self) -> dt.date:
        """A supplier order is "to reorder" when its order-by date is on or before this day:
        within the seller's review period from the newest inventory day (or already past)."""
        return (self.as_of or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=self.review_days)


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


def risk_group(status_col: Any) -> Any:
    """SQL: the dashboard group of a recommendation's status word (NULL: no status yet)."""
    return case(
        *((status_col.in_(words), literal(group)) for group, words in GROUPS.items()),
        else_=literal(None),
    )


def status_filter(status_col: Any, value: str) -> Any:
    """SQL: the rows one filter value keeps (a group: any of its words; a word: that word)."""
    if value in GROUPS:
        return status_col.in_(GROUPS[value])
    return status_col == value


class _Snap:
    """Columns of each product's newest snapshot, joined by primary key."""

    def __init__(self) -> None:
        self.alias = aliased(InventorySnapshot, name="snap")
        a = self.alias
        inbound = a.inbound_working + a.inbound_shipped + a.inbound_receiving
        self.c = SimpleNamespace(
            fulfillable=a.fulfillable,
            reserved=a.reserved,
            inbound=inbound,
            snapshot_date=a.date,
        )

    def join(self, stmt: Select[Any]) -> Select[Any]:
        """LEFT JOIN the newest snapshot of each product.

        A correlated probe of the unique (tenant, seller, sku, date) index per product, then a
        primary-key lookup: the cost grows with the number of SKUs, never with their history,
        and no planner estimate (stale statistics right after a big sync) can turn it into a
        scan of the whole history per row.
        """
        return stmt.outerjoin(self.alias, self.alias.id == queries.latest_snapshot_id_of_product())

    def join_day(self, stmt: Select[Any], day: dt.date | None) -> Select[Any]:
        """LEFT JOIN the snapshots of the seller's newest day (a hash join for whole-table work:
        sorting by stock, the headline totals). A SKU Amazon no longer reported that day counts
        as having no stock there."""
        if day is None:
            return self.join(stmt)
        a, p = self.alias, Product
        return stmt.outerjoin(
            a,
            and_(
                a.tenant_id == p.tenant_id,
                a.seller_account_id == p.seller_account_id,
                a.sku == p.sku,
                a.date == day,
            ),
        )


def _join_current_recommendation(stmt: Select[Any], r: Any, scope: Scope) -> Select[Any]:
    """LEFT JOIN each product's current recommendation (the one rule of app.queries)."""
    return queries.join_current_recommendation(stmt, r, scope.tenant_id, scope.seller_id)


def _forecast_sums(scope: Scope, days: tuple[int, ...], skus: list[str] | None = None) -> Any:
    """Per SKU: the sum of the mean forecast over the next d days, for each d in `days`."""
    f = Forecast
    start = scope.forecast_start
    end = start + dt.timedelta(days=max(days))
    cols = [
        func.sum(case((f.date < start + dt.timedelta(days=d), f.mean), else_=0.0)).label(f"fc{d}")
        for d in days
    ]
    stmt = (
        select(f.sku, *cols)
        .where(
            f.tenant_id == scope.tenant_id,
            f.seller_account_id == scope.seller_id,
            f.model_version_id == scope.model_version_id,
            f.date >= start,
            f.date < end,
        )
        .group_by(f.sku)
    )
    if skus is not None:
        stmt = stmt.where(f.sku.in_(skus))
    return stmt


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


def reorder_filter(r: Any, scope: Scope) -> Any:
    """SQL: the current recommendations whose supplier order is due (order-by date within the
    review period, or past)."""
    return r.reorder_by <= scope.reorder_due


def table_rows(
    session: Session, scope: Scope, tq: TableQuery, offset: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the SKU table and the number of rows matching the filters."""
    p = Product
    r = aliased(Recommendation, name="rec")
    snap = _Snap()
    group = risk_group(r.status).label("risk_group")
    filters: list[Any] = [
        p.tenant_id == scope.tenant_id,
        p.seller_account_id == scope.seller_id,
        p.active.is_(True),
    ]
    if tq.q:
        needle = "%" + tq.q.lower().replace("\\", "").replace("%", "").replace("_", "") + "%"
        filters.append(or_(func.lower(p.sku).like(needle), func.lower(p.title).like(needle)))
    if tq.risk != "all":
        filters.append(status_filter(r.status, tq.risk))
    if tq.reorder:
        filters.append(reorder_filter(r, scope))
    # The count needs the recommendation only when filtering on it, never the snapshots.
    counted = select(func.count()).select_from(p)
    if tq.risk != "all" or tq.reorder:
        counted = _join_current_recommendation(counted, r, scope)
    total = session.scalar(counted.where(*filters)) or 0
    # Step 1 picks the page's product ids, joining only what the sort and filters need, so the
    # usual views never touch snapshots of 5,000 SKUs; step 2 loads full rows for those ids.
    pick: Select[Any] = _join_current_recommendation(select(p.id).select_from(p), r, scope)
    if tq.sort in ("on_hand", "inbound"):
        pick = snap.join_day(pick, scope.as_of)
    pick = pick.where(*filters)
    fc_col: Any = None
    if tq.sort == "forecast" and scope.model_version_id is not None:
        fc = _forecast_sums(scope, (30,)).subquery("fc")
        pick = pick.outerjoin(fc, fc.c.sku == p.sku)
        fc_col = fc.c.fc30
    # Most urgent first: the status words in PlanStatus's order (out of stock first).
    rank = case(
        *((r.status == w, i) for i, w in enumerate(risk.STATUSES)), else_=len(risk.STATUSES)
    )
    keys: dict[str, Any] = {
        "sku": p.sku,
        "on_hand": snap.c.fulfillable,
        "inbound": snap.c.inbound,
        "runs_out": r.runs_out_on,
        "forecast": fc_col if fc_col is not None else p.sku,
        "qty": r.quantity,
        "ship_by": r.ship_by,
        "reorder_by": r.reorder_by,
        "risk": rank,
    }
    key = keys.get(tq.sort, rank)
    order = [key.desc().nulls_last() if tq.desc else key.asc().nulls_last()]
    if tq.sort == "risk":
        # Within a status, the most urgent first.
        order += [
            r.runs_out_on.asc().nulls_last(),
            r.ship_by.asc().nulls_last(),
            r.stockout_probability.desc().nulls_last(),
        ]
    order.append(p.sku)
    ids = list(session.scalars(pick.order_by(*order).offset(offset).limit(limit)))
    if not ids:
        return [], total
    full: Select[Any] = select(
        p.id,
        p.sku,
        p.title,
        p.unit_cost,
        p.price,
        snap.c.fulfillable,
        snap.c.inbound.label("inbound"),
        snap.c.snapshot_date.label("snapshot_date"),
        r.quantity.label("rec_qty"),
        r.ship_by,
        r.runs_out_on,
        r.stockout_probability,
        r.status,
        r.reorder_by,
        r.reorder_quantity,
        group,
        # The excess block's two headline numbers, read from the stored timeline's JSON.
        r.timeline["excess"]["units"].as_integer().label("excess_units"),
        r.timeline["excess"]["monthly_cost"].as_float().label("excess_monthly"),
    ).select_from(p)
    full = _join_current_recommendation(snap.join(full), r, scope).where(p.id.in_(ids))
    by_id = {m["id"]: dict(m) for m in session.execute(full).mappings()}
    rows = [by_id[i] for i in ids if i in by_id]
    if rows and scope.model_version_id is not None:
        sums = {
            s.sku: s.fc30
            for s in session.execute(_forecast_sums(scope, (30,), [r["sku"] for r in rows]))
        }
        for row in rows:
            row["fc30"] = sums.get(row["sku"])
    for row in rows:
        row.setdefault("fc30", None)
        row["badge"] = status_badge(row["status"])
    return rows, total


_cache: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 128


def headline(session: Session, scope: Scope) -> dict[str, Any]:
    """Counts at risk, dollars at risk in 30 and 90 days, and inventory value at cost."""
    r = Recommendation
    rec_mark = session.execute(
        select(func.max(r.computed_at), func.count()).where(
            r.tenant_id == scope.tenant_id,
            r.seller_account_id == scope.seller_id,
            r.is_current.is_(True),
        )
    ).one()
    # Settings edits (unit cost) in any process move the inventory value: key on them too.
    edited = session.scalar(
        select(func.max(Product.updated_at)).where(
            Product.tenant_id == scope.tenant_id, Product.seller_account_id == scope.seller_id
        )
    )
    key = (scope, rec_mark[0], rec_mark[1], edited)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    result = _compute_headline(session, scope)
    with _cache_lock:
        _cache[key] = result
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return result


def clear_cache() -> None:
    """Forget cached headline numbers (tests; settings changes that move unit costs)."""
    with _cache_lock:
        _cache.clear()


def _compute_headline(session: Session, scope: Scope) -> dict[str, Any]:
    p, r = Product, Recommendation
    counts: dict[str, int] = {}
    current = queries.current_recommendation_ids(scope.tenant_id, scope.seller_id)
    by_status = session.execute(
        select(r.status, func.count())
        .where(
            r.tenant_id == scope.tenant_id,
            r.id.in_(select(current.c.rec_id)),
        )
        .group_by(r.status)
    ).all()
    for word, n in by_status:
        group = risk.group_of(word)
        if group is not None:  # no status yet: in no group
            counts[group] = counts.get(group, 0) + n
    reorder = session.scalar(
        select(func.count()).where(
            r.tenant_id == scope.tenant_id,
            r.id.in_(select(current.c.rec_id)),
            reorder_filter(r, scope),
        )
    )
    snap = _Snap()
    have_fc = scope.model_version_id is not None
    fc = _forecast_sums(scope, (30, 90)).subquery("fc") if have_fc else None
    available = func.coalesce(snap.c.fulfillable, 0) + func.coalesce(snap.c.inbound, 0)
    cols: list[Any] = [
        func.sum(
            (
                func.coalesce(snap.c.fulfillable, 0)
                + func.coalesce(snap.c.reserved, 0)
                + func.coalesce(snap.c.inbound, 0)
            )
            * func.coalesce(p.unit_cost, 0)
        ).label("value"),
        func.sum(case((p.unit_cost.is_(None), 1), else_=0)).label("missing_cost"),
    ]
    stmt = (
        select(*cols)
        .select_from(p)
        .where(
            p.tenant_id == scope.tenant_id,
            p.seller_account_id == scope.seller_id,
            p.active.is_(True),
        )
    )
    stmt = snap.join_day(stmt, scope.as_of)
    if fc is not None:
        price = func.coalesce(p.price, 0)
        for d in (30, 90):
            short = getattr(fc.c, f"fc{d}") - available
            stmt = stmt.add_columns(
                func.sum(case((short > 0, short * price), else_=0.0)).label(f"risk{d}")
            )
        stmt = stmt.outerjoin(fc, fc.c.sku == p.sku)
    row = session.execute(stmt).mappings().one()
    return {
        "stockout": counts.get(risk.STOCKOUT, 0),
        "ship": counts.get(risk.SHIP, 0),
        "excess": counts.get(risk.EXCESS, 0),
        "reorder": int(reorder or 0),
        "value": float(row["value"] or 0),
        "missing_cost": int(row["missing_cost"] or 0),
        "risk30": float(row.get("risk30") or 0) if fc is not None else None,
        "risk90": float(row.get("risk90") or 0) if fc is not None else None,
    }
