"""Tenant-scoped lookups shared by the API views: every one takes the caller's tenant id."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.models import InventorySnapshot, ModelVersion, Recommendation
from app.tenancy import get_owned
from app.web.api.errors import not_found

T = TypeVar("T")
MAX_ID = 2**31 - 1


def owned_or_404(session: Session, model: type[T], ident: int, tenant_id: int, what: str) -> T:
    """The tenant's row with this id, or 404 (another tenant's id looks like a missing one)."""
    # Ids beyond a 32-bit integer cannot exist, and PostgreSQL would raise on them rather than
    # find nothing.
    row = get_owned(session, model, ident, tenant_id) if 0 < ident <= MAX_ID else None
    if row is None:
        raise not_found(what)
    return row


def current_recommendation_ids(tenant_id: int) -> Any:
    """Subquery: the newest current recommendation id per (seller, sku)."""
    return (
        select(
            func.max(Recommendation.id).label("rec_id"),
            Recommendation.seller_account_id.label("seller_account_id"),
            Recommendation.sku.label("sku"),
        )
        .where(Recommendation.tenant_id == tenant_id, Recommendation.is_current.is_(True))
        .group_by(Recommendation.seller_account_id, Recommendation.sku)
        .subquery()
    )


def current_recommendation(
    session: Session, tenant_id: int, seller_account_id: int, sku: str
) -> Recommendation | None:
    """The current recommendation for one SKU, if any."""
    return session.scalars(
        select(Recommendation)
        .where(
            Recommendation.tenant_id == tenant_id,
            Recommendation.seller_account_id == seller_account_id,
            Recommendation.sku == sku,
            Recommendation.is_current.is_(True),
        )
        .order_by(Recommendation.id.desc())
        .limit(1)
    ).first()


def latest_snapshot(
    session: Session, tenant_id: int, seller_account_id: int, sku: str
) -> InventorySnapshot | None:
    """The most recent inventory snapshot of one SKU."""
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


def latest_model_version(
    session: Session, tenant_id: int, seller_account_id: int
) -> ModelVersion | None:
    """The seller's newest model version that finished training."""
    return session.scalars(
        select(ModelVersion)
        .where(
            ModelVersion.tenant_id == tenant_id,
            ModelVersion.seller_account_id == seller_account_id,
            ModelVersion.status == "ready",
        )
        .order_by(ModelVersion.trained_at.desc(), ModelVersion.id.desc())
        .limit(1)
    ).first()


def count(session: Session, stmt: Select[Any]) -> int:
    """Number of rows `stmt` would return (ignoring its ordering and paging)."""
    sub = stmt.order_by(None).limit(None).offset(None).subquery()
    return int(session.scalar(select(func.count()).select_from(sub)) or 0)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
