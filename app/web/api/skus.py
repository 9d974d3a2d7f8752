"""SKU endpoints: list with filters, one SKU, its editable settings, and its forecast."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import or_, select

from app import summaries
from app.extensions import db
from app.models import Forecast, Product, Recommendation, SellerAccount, risk
from app.models.catalog import OWNERS
from app.planning import settings
from app.planning.settings import Setting
from app.queries import (
    current_recommendation,
    join_current_recommendation,
    latest_model,
    latest_snapshot,
    timeline_of,
)
from app.tenancy import owned_or_404
from app.web.api.auth import current
from app.web.api.blueprint import bp
from app.web.api.errors import ApiError
from app.web.api.filters import StatusFilters
from app.web.api.queries import count, like_pattern
from app.web.api.serializers import inventory, model_version, page, sku, timeline
from app.web.api.validation import (
    Field,
    invalid,
    json_body,
    page_params,
    query_choice,
    query_str,
    validate,
)


def _field(setting: Setting, nullable: bool = False) -> Field:
    decimals = settings.COST_DECIMALS if setting.kind == "number" else None
    return Field(
        setting.kind,
        setting.description,
        minimum=setting.minimum,
        maximum=setting.maximum,
        nullable=nullable,
        decimals=decimals,
    )


# What a seller may change about a SKU (limits: app.planning.settings); the rest is Amazon's.
SKU_SETTINGS = {
    **{
        name: _field(s, nullable=name in settings.NULLABLE)
        for name, s in settings.SETTINGS.items()
    },
    "prep_owner": Field("string", "who preps the units", choices=OWNERS),
    "label_owner": Field("string", "who labels the units", choices=OWNERS),
    "active": Field("boolean", "planned and synced"),
}
SKU_SORTS = (
    "id",
    "sku",
    "title",
    "unit_cost",
    "status",
    "ship_by",
    "runs_out_on",
    "recommended_quantity",
)
SKU_SORT_CHOICES = tuple(s for key in SKU_SORTS for s in (key, "-" + key))


def _sort_column(key: str) -> Any:
    return {
        "id": Product.id,
        "sku": Product.sku,
        "title": Product.title,
        "unit_cost": Product.unit_cost,
        "status": risk.status_rank(Recommendation.status),
        "ship_by": Recommendation.ship_by,
        "runs_out_on": Recommendation.runs_out_on,
        "recommended_quantity": Recommendation.quantity,
    }[key]


@bp.get("/skus")
def list_skus() -> ResponseReturnValue:
    """SKUs of the caller's tenant, filtered, sorted and paged."""
    tenant_id = current().tenant_id
    limit, offset = page_params()
    filters = StatusFilters.from_query()
    q = query_str("q", 100)
    active = query_choice("active", ("true", "false"))
    sort = query_choice("sort", SKU_SORT_CHOICES, "sku") or "sku"

    stmt = filters.apply(
        join_current_recommendation(
            select(Product, Recommendation), Recommendation, tenant_id, filters.seller
        ).where(Product.tenant_id == tenant_id),
        Product.seller_account_id,
    )
    if active is not None:
        stmt = stmt.where(Product.active.is_(active == "true"))
    if q is not None:
        pattern = like_pattern(q)
        stmt = stmt.where(
            or_(
                Product.sku.ilike(pattern, escape="\\"),
                Product.title.ilike(pattern, escape="\\"),
                Product.asin.ilike(pattern, escape="\\"),
            )
        )
    column = _sort_column(sort.lstrip("-"))
    order = column.desc() if sort.startswith("-") else column.asc()
    session = db.session
    total = count(session, stmt)
    rows = session.execute(
        stmt.order_by(order.nulls_last(), Product.id).limit(limit).offset(offset)
    ).all()
    return jsonify(page([sku(p, r) for p, r in rows], total, limit, offset))


def _sku_detail(product: Product, tenant_id: int) -> dict[str, Any]:
    session = db.session
    rec = current_recommendation(session, tenant_id, product.seller_account_id, product.sku)
    out = sku(product, rec)
    out["inventory"] = inventory(
        latest_snapshot(session, tenant_id, product.seller_account_id, product.sku)
    )
    return out


@bp.get("/skus/<id:sku_id>")
def get_sku(sku_id: int) -> ResponseReturnValue:
    """One SKU with its current recommendation and latest inventory."""
    tenant_id = current().tenant_id
    product = owned_or_404(db.session, Product, sku_id, tenant_id, "SKU")
    return jsonify(_sku_detail(product, tenant_id))


@bp.patch("/skus/<id:sku_id>")
def patch_sku(sku_id: int) -> ResponseReturnValue:
    """Change a SKU's settings: every field is checked before any is written."""
    tenant_id = current().tenant_id
    session = db.session
    product = owned_or_404(session, Product, sku_id, tenant_id, "SKU")
    changes = validate(json_body(), SKU_SETTINGS)
    parts = [changes.get(name, getattr(product, name)) for name in settings.LEAD_TIME_PARTS]
    error = settings.lead_time_error(parts)
    if error:
        named = [n for n in settings.LEAD_TIME_PARTS if n in changes] or settings.LEAD_TIME_PARTS
        raise invalid(dict.fromkeys(named, error))
    for name, value in changes.items():
        setattr(product, name, value)
    session.flush()
    account = session.get(SellerAccount, product.seller_account_id)
    if account is not None:
        summaries.refresh(session, account, [product.sku])
    session.commit()
    return jsonify(_sku_detail(product, tenant_id))


@bp.get("/skus/<id:sku_id>/forecast")
def get_sku_forecast(sku_id: int) -> ResponseReturnValue:
    """The daily forecast of the seller's newest trained model for this SKU."""
    tenant_id = current().tenant_id
    session = db.session
    product = owned_or_404(session, Product, sku_id, tenant_id, "SKU")
    mv = latest_model(session, tenant_id, product.seller_account_id)
    points: list[dict[str, Any]] = []
    if mv is not None:
        rows = session.scalars(
            select(Forecast)
            .where(
                Forecast.tenant_id == tenant_id,
                Forecast.model_version_id == mv.id,
                Forecast.seller_account_id == product.seller_account_id,
                Forecast.sku == product.sku,
            )
            .order_by(Forecast.date)
        )
        points = [
            {"date": f.date.isoformat(), "mean": f.mean, "p10": f.p10, "p50": f.p50, "p90": f.p90}
            for f in rows
        ]
    return jsonify(
        sku_id=product.id, sku=product.sku, model_version=model_version(mv), points=points
    )


@bp.get("/skus/<id:sku_id>/timeline")
def get_sku_timeline(sku_id: int) -> ResponseReturnValue:
    """The SKU's projected inventory timeline from the planner's current run: the same stored
    values as its recommendation, the SKU page and the dashboard."""
    tenant_id = current().tenant_id
    session = db.session
    product = owned_or_404(session, Product, sku_id, tenant_id, "SKU")
    rec = current_recommendation(session, tenant_id, product.seller_account_id, product.sku)
    stored = timeline_of(rec)
    if rec is None or stored is None:
        raise ApiError(404, "not_found", "no timeline yet: the planner has not run for this SKU")
    return jsonify(timeline(product, rec, stored))
