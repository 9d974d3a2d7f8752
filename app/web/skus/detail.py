"""What the SKU page shows besides its timeline: sales history with stockout days, the forecast
band, fees (the projection and every date are the stored timeline's: app.web.skus.timeline)."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from sqlalchemy import String, bindparam, func, literal, select, union_all
from sqlalchemy.orm import Session

from app import queries
from app.models import (
    AmazonRestockRecommendation,
    FeeEstimate,
    FeeEvent,
    Forecast,
    InventorySnapshot,
    ModelVersion,
    Product,
    SellerAccount,
)
from app.sync import daily
from app.web.dashboard.table import Scope

# The page's read-only statements run on the session's connection (Core): each carries its
# tenant filter, and the ORM's per-statement work cost more CPU than running them. They are
# built once with bound parameters (building a SELECT cost about as much CPU as running it).
HISTORY_DAYS = 180
FORECAST_DAYS = 120
# FeeEvent.event_kind of a refund's ItemChargeAdjustmentList (integrations.amazon.parse)
REFUND_CHARGE = "refund"


@functools.cache
def _scope_statement() -> Any:
    model = queries.latest_model_select(
        bindparam("tenant_id"),  # type: ignore[arg-type]
        bindparam("seller_id"),  # type: ignore[arg-type]
    ).with_only_columns(ModelVersion.id)
    newest_day = select(func.max(InventorySnapshot.date)).where(
        InventorySnapshot.tenant_id == bindparam("tenant_id"),
        InventorySnapshot.seller_account_id == bindparam("seller_id"),
    )
    return select(newest_day.scalar_subquery(), model.scalar_subquery())


def scope_of(session: Session, seller: SellerAccount) -> Scope:
    """The seller's newest snapshot day and newest ready model (one statement), as
    app.web.dashboard.table.scope_for finds them."""
    row = (
        session.connection()
        .execute(_scope_statement(), {"tenant_id": seller.tenant_id, "seller_id": seller.id})
        .one()
    )
    as_of = row[0]
    if as_of is not None and not isinstance(as_of, dt.date):
        as_of = dt.date.fromisoformat(str(as_of)[:10])  # SQLite's max() of a date is text
    return Scope(seller.tenant_id, seller.id, as_of, row[1], int(seller.review_days or 7))


_snapshot_days = select(InventorySnapshot.date, InventorySnapshot.fulfillable).where(
    InventorySnapshot.tenant_id == bindparam("tenant_id"),
    InventorySnapshot.seller_account_id == bindparam("seller_id"),
    InventorySnapshot.sku == bindparam("sku"),
    InventorySnapshot.date >= bindparam("start"),
    InventorySnapshot.date <= bindparam("end"),
)


def _of(product: Product, **more: Any) -> dict[str, Any]:
    """The bound parameters naming one SKU, and `more`."""
    return {
        "tenant_id": product.tenant_id,
        "seller_id": product.seller_account_id,
        "sku": product.sku,
        **more,
    }


def sales_history(session: Session, product: Product, end: dt.date) -> dict[str, list[Any]]:
    """Units ordered per local day of the seller's marketplace (the days the model learns from,
    app.sync.history, as the orders sync keeps them: app.sync.daily) and whether the SKU was out
    of stock that day."""
    start = end - dt.timedelta(days=HISTORY_DAYS - 1)
    units = daily.units_by_day(
        session, product.tenant_id, product.seller_account_id, product.sku, start, end
    )
    conn = session.connection()
    snaps = dict(conn.execute(_snapshot_days, _of(product, start=start, end=end)).all())
    dates = [start + dt.timedelta(days=i) for i in range(HISTORY_DAYS)]
    return {
        "dates": [d.isoformat() for d in dates],
        "units": [units.get(d, 0) for d in dates],
        # Unknown days (no snapshot) are not called stockouts.
        "stockout": [d in snaps and snaps[d] <= 0 for d in dates],
        "stock": [snaps.get(d) for d in dates],
    }


_forecast_days = (
    select(Forecast.date, Forecast.mean, Forecast.p10, Forecast.p50, Forecast.p90)
    .where(
        Forecast.tenant_id == bindparam("tenant_id"),
        Forecast.seller_account_id == bindparam("seller_id"),
        Forecast.model_version_id == bindparam("model_id"),
        Forecast.sku == bindparam("sku"),
        Forecast.date >= bindparam("start"),
        Forecast.date < bindparam("end"),
    )
    .order_by(Forecast.date)
)


def forecast_series(session: Session, product: Product, scope: Scope) -> dict[str, list[Any]]:
    """The latest model's daily forecast: mean, P10, P50, P90."""
    if scope.model_version_id is None:
        return {"dates": [], "mean": [], "p10": [], "p50": [], "p90": []}
    start = scope.forecast_start
    rows = (
        session.connection()
        .execute(
            _forecast_days,
            _of(
                product,
                model_id=scope.model_version_id,
                start=start,
                end=start + dt.timedelta(days=FORECAST_DAYS),
            ),
        )
        .all()
    )
    return {
        "dates": [r.date.isoformat() for r in rows],
        "mean": [round(r.mean, 3) for r in rows],
        "p10": [round(r.p10, 3) for r in rows],
        "p50": [round(r.p50, 3) for r in rows],
        "p90": [round(r.p90, 3) for r in rows],
    }


@functools.cache
def _one_of_sku(model: Any, newest: bool = False) -> Any:
    """SELECT of a SKU's row of a table keyed by (tenant, seller, sku) (`newest`: of its
    newest day)."""
    t = model.__table__
    stmt = select(*t.c).where(
        t.c.tenant_id == bindparam("tenant_id"),
        t.c.seller_account_id == bindparam("seller_id"),
        t.c.sku == bindparam("sku"),
    )
    return stmt.order_by(t.c.date.desc()).limit(1) if newest else stmt


def latest_snapshot(session: Session, product: Product) -> Any:
    """The SKU's newest inventory snapshot (a row of its columns; None: never reported)."""
    return session.connection().execute(_one_of_sku(InventorySnapshot, True), _of(product)).first()


def _fee_sums() -> Any:
    """The fees charged by type and the refunds' total since a day, in one statement. A refund's
    charge lines (Principal, Tax) are the sale price going back to the buyer, not fees."""
    of_sku = (
        FeeEvent.tenant_id == bindparam("tenant_id"),
        FeeEvent.seller_account_id == bindparam("seller_id"),
        FeeEvent.sku == bindparam("sku"),
        FeeEvent.posted_date >= bindparam("since"),
    )
    by_type = (
        select(FeeEvent.fee_type, func.sum(FeeEvent.amount).label("amount"), func.count())
        .where(*of_sku, FeeEvent.event_kind != REFUND_CHARGE)
        .group_by(FeeEvent.fee_type)
    )
    refunds = select(
        literal(None, String).label("fee_type"), func.sum(FeeEvent.amount), func.count()
    ).where(*of_sku, FeeEvent.event_kind == REFUND_CHARGE)
    return union_all(by_type, refunds)


_fee_sums_statement = _fee_sums()


def fees(session: Session, product: Product, end: dt.date) -> dict[str, Any]:
    """Amazon's fee estimate, fees actually charged in the last 90 days, and Amazon's restock."""
    conn = session.connection()
    estimate = conn.execute(_one_of_sku(FeeEstimate), _of(product)).first()
    since = dt.datetime.combine(end - dt.timedelta(days=90), dt.time(), dt.UTC)
    sums = conn.execute(_fee_sums_statement, _of(product, since=since)).all()
    charged = sorted(
        ((r[0], r[1], r[2]) for r in sums if r[0] is not None), key=lambda r: float(r[1] or 0)
    )
    refunded = next((r[1] for r in sums if r[0] is None), None)
    restock = conn.execute(_one_of_sku(AmazonRestockRecommendation), _of(product)).first()
    return {"estimate": estimate, "charged": charged, "refunded": refunded, "restock": restock}
