"""The read side's shared answers: the newest model, the current recommendation, the latest stock.

Each rule is written once here and used by the pages, the API and the planner:
- the newest model is the seller's newest `ready` version by `trained_at`, then id;
- a SKU's current recommendation is its `is_current` row with the newest `computed_at`, then id
  (the planner keeps one per SKU; the rule decides if a race ever left two);
- a SKU's latest snapshot is the one of its newest date (one per SKU and day).
Every function takes the tenant id: nothing here serves a row of another business.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, undefer

from app.models import InventorySnapshot, ModelVersion, Product, Recommendation
from forecasting.timeline import days_from_columns

# Any SELECT: the join keeps the statement's own row type.
S = TypeVar("S", bound=Select)


def latest_model_select(tenant_id: int, seller_account_id: int) -> Select[ModelVersion]:
    """SELECT of the seller's newest model version that finished training (at most one row)."""
    return (
        select(ModelVersion)
        .where(
            ModelVersion.tenant_id == tenant_id,
            ModelVersion.seller_account_id == seller_account_id,
            ModelVersion.status == "ready",
        )
        .order_by(ModelVersion.trained_at.desc(), ModelVersion.id.desc())
        .limit(1)
    )


def latest_model(session: Session, tenant_id: int, seller_account_id: int) -> ModelVersion | None:
    """The seller's newest model version that finished training."""
    return session.scalars(latest_model_select(tenant_id, seller_account_id)).first()


def latest_model_id(session: Session, tenant_id: int, seller_account_id: int) -> int | None:
    """Id of the seller's newest ready model (without loading the row)."""
    stmt = latest_model_select(tenant_id, seller_account_id).with_only_columns(ModelVersion.id)
    return session.scalar(stmt)


def _recommendation_order() -> tuple[Any, Any]:
    return Recommendation.computed_at.desc(), Recommendation.id.desc()


def current_recommendation_ids(
    tenant_id: int, seller_account_id: int | None = None, name: str = "current_rec"
) -> Any:
    """Subquery (rec_id, seller_account_id, sku): each SKU's current recommendation."""
    r = Recommendation
    ranked = select(
        r.id.label("rec_id"),
        r.seller_account_id.label("seller_account_id"),
        r.sku.label("sku"),
        func.row_number()
        .over(partition_by=(r.seller_account_id, r.sku), order_by=_recommendation_order())
        .label("rank"),
    ).where(r.tenant_id == tenant_id, r.is_current.is_(True))
    if seller_account_id is not None:
        ranked = ranked.where(r.seller_account_id == seller_account_id)
    sub = ranked.subquery(name + "_ranked")
    return (
        select(sub.c.rec_id, sub.c.seller_account_id, sub.c.sku)
        .where(sub.c.rank == 1)
        .subquery(name)
    )


def join_current_recommendation(
    stmt: S, rec: Any, tenant_id: int, seller_account_id: int | None = None
) -> S:
    """LEFT JOIN `rec` (Recommendation or an alias of it) as each Product's current one."""
    cur = current_recommendation_ids(tenant_id, seller_account_id)
    p = Product
    return stmt.outerjoin(
        cur, (cur.c.seller_account_id == p.seller_account_id) & (cur.c.sku == p.sku)
    ).outerjoin(rec, rec.id == cur.c.rec_id)


def current_recommendation(
    session: Session,
    tenant_id: int,
    seller_account_id: int,
    sku: str,
    with_timeline: bool = False,
) -> Recommendation | None:
    """One SKU's current recommendation, if any (`with_timeline`: its stored timeline loaded in
    the same statement, not on first access)."""
    stmt = select(Recommendation)
    if with_timeline:
        stmt = stmt.options(undefer(Recommendation.timeline))
    return session.scalars(
        stmt.where(
            Recommendation.tenant_id == tenant_id,
            Recommendation.seller_account_id == seller_account_id,
            Recommendation.sku == sku,
            Recommendation.is_current.is_(True),
        )
        .order_by(*_recommendation_order())
        .limit(1)
    ).first()


def timeline_of(rec: Recommendation | None) -> dict[str, Any] | None:
    """A stored timeline in the API's shape: `days` as one object per day (stored as columns)."""
    if rec is None or rec.timeline is None:
        return None
    out = dict(rec.timeline)
    days = out.get("days")
    if isinstance(days, dict):
        out["days"] = days_from_columns(days)
    # stored before the two-stage plan (issue 16): no upstream, no supplier order
    out.setdefault("upstream", None)
    if isinstance(out.get("recommendation"), dict):
        out["recommendation"] = {"supplier_order": None, **out["recommendation"]}
    return out


def current_timeline(session: Session, product: Product) -> dict[str, Any] | None:
    """The product's current projected inventory timeline (GET /api/v1/skus/{id}/timeline), or
    None before the planner has run for it."""
    rec = current_recommendation(
        session, product.tenant_id, product.seller_account_id, product.sku, with_timeline=True
    )
    return timeline_of(rec)


def latest_snapshot(
    session: Session, tenant_id: int, seller_account_id: int, sku: str
) -> InventorySnapshot | None:
    """One SKU's newest inventory snapshot."""
    return session.scalars(
        select(InventorySnapshot)
        .where(
            InventorySnapshot.tenant_id == tenant_id,
            InventorySnapshot.seller_account_id == seller_account_id,
            InventorySnapshot.sku == sku,
        )
        .order_by(InventorySnapshot.date.desc())
        .limit(1)
    ).first()


def latest_snapshot_id_of_product() -> Any:
    """Scalar subquery correlated to Product: the id of that product's newest snapshot.

    An index probe of the unique (tenant, seller, sku, date) key per product: the cost grows with
    the number of SKUs, never with their history.
    """
    s, p = InventorySnapshot, Product
    return (
        select(s.id)
        .where(
            s.tenant_id == p.tenant_id,
            s.seller_account_id == p.seller_account_id,
            s.sku == p.sku,
        )
        .order_by(s.date.desc())
        .limit(1)
        .correlate(p)
        .scalar_subquery()
    )


def latest_snapshots_select(
    tenant_id: int, seller_account_id: int
) -> Select[InventorySnapshot]:
    """SELECT of every SKU's newest snapshot of one seller (one grouped, indexed query)."""
    s = InventorySnapshot
    newest = (
        select(s.sku, func.max(s.date).label("d"))
        .where(s.tenant_id == tenant_id, s.seller_account_id == seller_account_id)
        .group_by(s.sku)
        .subquery()
    )
    return (
        select(s)
        .join(newest, (s.sku == newest.c.sku) & (s.date == newest.c.d))
        .where(s.tenant_id == tenant_id, s.seller_account_id == seller_account_id)
    )


def latest_snapshot_day(session: Session, tenant_id: int, seller_account_id: int) -> Any:
    """The seller's newest snapshot date (None before the first inventory sync)."""
    s = InventorySnapshot
    return session.scalar(
        select(func.max(s.date)).where(
            s.tenant_id == tenant_id, s.seller_account_id == seller_account_id
        )
    )
