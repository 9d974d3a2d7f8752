"""Recommendation endpoints: the current recommendations, and any one by id.

Every field is the planner's stored copy of the SKU's timeline (app.planning.recommend): the
same status, ship_by, runs_out_on and quantity as GET /api/v1/skus/{id}/timeline.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.extensions import db
from app.models import Recommendation, SellerAccount, risk
from app.queries import current_recommendation_ids
from app.tenancy import owned_or_404
from app.web.api.auth import current
from app.web.api.blueprint import bp
from app.web.api.filters import StatusFilters
from app.web.api.queries import count
from app.web.api.serializers import page, recommendation
from app.web.api.validation import page_params, query_choice, query_str

REC_SORTS = ("id", "sku", "ship_by", "runs_out_on", "quantity", "stockout_probability", "status")
REC_SORT_CHOICES = tuple(s for key in REC_SORTS for s in (key, "-" + key))


def _column(key: str) -> Any:
    if key == "status":  # by urgency, not alphabetically
        return risk.status_rank(Recommendation.status)
    return getattr(Recommendation, key)


@bp.get("/recommendations")
def list_recommendations() -> ResponseReturnValue:
    """The current recommendation of every SKU, filtered, sorted and paged."""
    tenant_id = current().tenant_id
    limit, offset = page_params()
    filters = StatusFilters.from_query()
    sku = query_str("sku", 64)
    sort = query_choice("sort", REC_SORT_CHOICES, "ship_by") or "ship_by"
    cur = current_recommendation_ids(tenant_id, filters.seller)
    stmt = filters.apply(
        select(Recommendation).where(
            Recommendation.tenant_id == tenant_id, Recommendation.id.in_(select(cur.c.rec_id))
        ),
        Recommendation.seller_account_id,
    )
    if sku is not None:
        stmt = stmt.where(Recommendation.sku == sku)
    column = _column(sort.lstrip("-"))
    order = column.desc() if sort.startswith("-") else column.asc()
    session = db.session
    total = count(session, stmt)
    rows = session.scalars(
        stmt.order_by(order.nulls_last(), Recommendation.id).limit(limit).offset(offset)
    ).all()
    accounts = _accounts(tenant_id, {r.seller_account_id for r in rows})
    items = [recommendation(r, accounts[r.seller_account_id]) for r in rows]
    return jsonify(page(items, total, limit, offset))


def _accounts(tenant_id: int, ids: set[int]) -> dict[int, SellerAccount]:
    """The tenant's seller accounts of these ids (one query for a page)."""
    if not ids:
        return {}
    found = db.session.scalars(
        select(SellerAccount).where(
            SellerAccount.tenant_id == tenant_id, SellerAccount.id.in_(ids)
        )
    )
    return {a.id: a for a in found}


@bp.get("/recommendations/<id:recommendation_id>")
def get_recommendation(recommendation_id: int) -> ResponseReturnValue:
    """One recommendation (current or past) with its cost breakdown and explanation."""
    row = owned_or_404(
        db.session, Recommendation, recommendation_id, current().tenant_id, "recommendation"
    )
    accounts = _accounts(current().tenant_id, {row.seller_account_id})
    return jsonify(recommendation(row, accounts[row.seller_account_id]))
