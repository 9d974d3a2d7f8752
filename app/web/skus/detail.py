"""What the SKU page shows besides its timeline: sales history with stockout days, the forecast
band, fees (the projection and every date are the stored timeline's: app.web.skus.timeline)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String, func, literal, select, union_all
from sqlalchemy.orm import Session

from app import localtime, queries
from app.models import (
    AmazonRestockRecommendation,
    FeeEstimate,
    FeeEvent,
    Forecast,
    InventorySnapshot,
    ModelVersion,
    Order,
    OrderItem,
    Product,
    SellerAccount,
)
from app.models.orders import item_order, not_cancelled
from app.web.dashboard.table import Scope

# The page's read-only statements run on the session's connection (Core): each carries its
# tenant filter, and the ORM's per-statement work cost more CPU than running them.
HISTORY_DAYS = 180
FORECAST_DAYS = 120
# FeeEvent.event_kind of a refund's ItemChargeAdjustmentList (integrations.amazon.parse)
REFUND_CHARGE = "refund"


def scope_of(session: Session, seller: SellerAccount) -> Scope:
    """The seller's newest snapshot day and newest ready model (one statement), as
    app.web.dashboard.table.scope_for finds them."""
    model = queries.latest_model_select(seller.tenant_id, seller.id).with_only_columns(
        ModelVersion.id
    )
    newest_day = select(func.max(InventorySnapshot.date)).where(
        InventorySnapshot.tenant_id == seller.tenant_id,
        InventorySnapshot.seller_account_id == seller.id,
    )
    row = session.connection().execute(
        select(newest_day.scalar_subquery(), model.scalar_subquery())
    ).one()
    as_of = row[0]
    if as_of is not None and not isinstance(as_of, dt.date):
        as_of = dt.date.fromisoformat(str(as_of)[:10])  # SQLite's max() of a date is text
    return Scope(seller.tenant_id, seller.id, as_of, row[1], int(seller.review_days or 7))


def sales_history(
    session: Session, product: Product, end: dt.date, zone: str | None = None
) -> dict[str, list[Any]]:
    """Units ordered per local day of the marketplace (`zone`, by default the seller's: the days
    the model learns from, app.sync.history) and whether the SKU was out of stock that day."""
    if zone is None:
        account = session.get(SellerAccount, product.seller_account_id)
        assert account is not None and account.tenant_id == product.tenant_id
        zone = account.time_zone
    start = end - dt.timedelta(days=HISTORY_DAYS - 1)
    start_ts, end_ts = localtime.day_bounds(start, end, zone)
    day = localtime.day_sql(session, Order.purchase_date, zone)
    conn = session.connection()
    units = {
        localtime.as_date(d): int(n or 0)
        for d, n in conn.execute(
            select(day, func.sum(OrderItem.quantity_ordered))
            .join(Order, item_order())
            .where(
                OrderItem.tenant_id == product.tenant_id,
                OrderItem.seller_account_id == product.seller_account_id,
                OrderItem.sku == product.sku,
                Order.purchase_date >= start_ts,
                Order.purchase_date < end_ts,
                not_cancelled(),
            )
            .group_by(day)
        )
    }
    snaps = dict(
        conn.execute(
            select(InventorySnapshot.date, InventorySnapshot.fulfillable).where(
                InventorySnapshot.tenant_id == product.tenant_id,
                InventorySnapshot.seller_account_id == product.seller_account_id,
                InventorySnapshot.sku == product.sku,
                InventorySnapshot.date >= start,
                InventorySnapshot.date <= end,
            )
        ).all()
    )
    dates = [start + dt.timedelta(days=i) for i in range(HISTORY_DAYS)]
    return {
        "dates": [d.isoformat() for d in dates],
        "units": [units.get(d, 0) for d in dates],
        # Unknown days (no snapshot) are not called stockouts.
        "stockout": [d in snaps and snaps[d] <= 0 for d in dates],
        "stock": [snaps.get(d) for d in dates],
    }


def forecast_series(session: Session, product: Product, scope: Scope) -> dict[str, list[Any]]:
    """The latest model's daily forecast: mean, P10, P50, P90."""
    if scope.model_version_id is None:
        return {"dates": [], "mean": [], "p10": [], "p50": [], "p90": []}
    start = scope.forecast_start
    rows = session.connection().execute(
        select(Forecast.date, Forecast.mean, Forecast.p10, Forecast.p50, Forecast.p90)
        .where(
            Forecast.tenant_id == product.tenant_id,
            Forecast.seller_account_id == product.seller_account_id,
            Forecast.model_version_id == scope.model_version_id,
            Forecast.sku == product.sku,
            Forecast.date >= start,
            Forecast.date < start + dt.timedelta(days=FORECAST_DAYS),
        )
        .order_by(Forecast.date)
    ).all()
    return {
        "dates": [r.date.isoformat() for r in rows],
        "mean": [round(r.mean, 3) for r in rows],
        "p10": [round(r.p10, 3) for r in rows],
        "p50": [round(r.p50, 3) for r in rows],
        "p90": [round(r.p90, 3) for r in rows],
    }


def latest_snapshot(session: Session, product: Product) -> Any:
    """The SKU's newest inventory snapshot (a row of its columns; None: never reported)."""
    s = InventorySnapshot.__table__
    return (
        session.connection()
        .execute(
            select(*s.c)
            .where(
                s.c.tenant_id == product.tenant_id,
                s.c.seller_account_id == product.seller_account_id,
                s.c.sku == product.sku,
            )
            .order_by(s.c.date.desc())
            .limit(1)
        )
        .first()
    )


def fees(session: Session, product: Product, end: dt.date) -> dict[str, Any]:
    """Amazon's fee estimate, fees actually charged in the last 90 days, and Amazon's restock."""
    conn = session.connection()

    def one_of_sku(model: Any) -> Any:
        """The SKU's row of a table keyed by (tenant, seller, sku), as a row of its columns."""
        t = model.__table__
        return conn.execute(
            select(*t.c).where(
                t.c.tenant_id == product.tenant_id,
                t.c.seller_account_id == product.seller_account_id,
                t.c.sku == product.sku,
            )
        ).first()

    estimate = one_of_sku(FeeEstimate)
    since = dt.datetime.combine(end - dt.timedelta(days=90), dt.time(), dt.UTC)
    # The fees charged by type and the refunds' total, in one statement. A refund's charge
    # lines (Principal, Tax) are the sale price going back to the buyer, not fees: shown apart.
    of_sku = (
        FeeEvent.tenant_id == product.tenant_id,
        FeeEvent.seller_account_id == product.seller_account_id,
        FeeEvent.sku == product.sku,
        FeeEvent.posted_date >= since,
    )
    by_type = (
        select(FeeEvent.fee_type, func.sum(FeeEvent.amount).label("amount"), func.count())
        .where(*of_sku, FeeEvent.event_kind != REFUND_CHARGE)
        .group_by(FeeEvent.fee_type)
    )
    refunds = select(
        literal(None, String).label("fee_type"), func.sum(FeeEvent.amount), func.count()
    ).where(*of_sku, FeeEvent.event_kind == REFUND_CHARGE)
    sums = conn.execute(union_all(by_type, refunds)).all()
    charged = sorted(
        ((r[0], r[1], r[2]) for r in sums if r[0] is not None), key=lambda r: float(r[1] or 0)
    )
    refunded = next((r[1] for r in sums if r[0] is None), None)
    restock = one_of_sku(AmazonRestockRecommendation)
    return {"estimate": estimate, "charged": charged, "refunded": refunded, "restock": restock}
