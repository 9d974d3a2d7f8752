"""Frames the forecasting library needs, read from the database for one seller."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import FeeEstimate, Order, OrderItem, Product
from app.models.orders import item_order, not_cancelled
from app.queries import latest_snapshots_select
from app.sync.history import purchase_day, seller_zone


@dataclass
class LatestStock:
    """The newest inventory snapshot of one SKU."""

    date: dt.date
    fulfillable: int
    inbound_working: int
    inbound_shipped: int
    inbound_receiving: int
    reserved: int


def daily_prices(session: Session, tenant_id: int, seller_account_id: int) -> pd.DataFrame:
    """Average price paid per SKU per purchase day (the marketplace's local day, as the
    history's) from non-canceled order lines: ItemPrice less PromotionDiscount per unit.

    Amazon's ItemPrice is the list price times the quantity and a deal is reported apart, as
    PromotionDiscount; the list price alone never shows a deal, so the forecaster could not
    learn that a deal lifts sales (the benches feed it the price paid)."""
    day: Any = purchase_day(session, seller_zone(session, tenant_id, seller_account_id))
    rows = session.execute(
        select(
            OrderItem.sku,
            day.label("date"),
            func.sum(
                OrderItem.item_price - func.coalesce(OrderItem.promotion_discount, 0)
            ).label("revenue"),
            func.sum(OrderItem.quantity_ordered).label("units"),
        )
        .join(Order, item_order())
        .where(
            OrderItem.tenant_id == tenant_id,
            OrderItem.seller_account_id == seller_account_id,
            not_cancelled(),
            OrderItem.item_price.is_not(None),
            OrderItem.quantity_ordered > 0,
        )
        .group_by(OrderItem.sku, day)
    ).all()
    frame = pd.DataFrame(rows, columns=["sku", "date", "revenue", "units"])
    if frame.empty:
        return pd.DataFrame(columns=["sku", "date", "price"])
    frame["date"] = pd.to_datetime(frame["date"].astype(str))
    frame["price"] = frame["revenue"].astype(float) / frame["units"].astype(float)
    return frame[["sku", "date", "price"]]


def with_prices(history: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """History with a price column: the day's selling price, carried over days without sales."""
    if prices.empty:
        return history
    out = history.copy()
    out["date"] = pd.to_datetime(out["date"])
    out = out.merge(prices, on=["sku", "date"], how="left").sort_values(["sku", "date"])
    out["price"] = out.groupby("sku")["price"].transform(lambda s: s.ffill().bfill())
    return out.reset_index(drop=True)


def static_attributes(session: Session, tenant_id: int, seller_account_id: int) -> pd.DataFrame:
    """Per-SKU attributes the model uses (category, size tier)."""
    rows = session.execute(
        select(Product.sku, Product.category, Product.size_tier).where(
            Product.tenant_id == tenant_id, Product.seller_account_id == seller_account_id
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["sku", "category", "size_tier"])
    return frame.fillna("unknown")


def latest_stock(
    session: Session, tenant_id: int, seller_account_id: int
) -> dict[str, LatestStock]:
    """The newest snapshot per SKU (one indexed query, no per-SKU round trips)."""
    rows = session.scalars(latest_snapshots_select(tenant_id, seller_account_id)).all()
    return {
        r.sku: LatestStock(
            r.date,
            r.fulfillable,
            r.inbound_working,
            r.inbound_shipped,
            r.inbound_receiving,
            r.reserved,
        )
        for r in rows
    }


def fee_estimates(
    session: Session, tenant_id: int, seller_account_id: int
) -> dict[str, FeeEstimate]:
    """Amazon's latest fee estimate per SKU."""
    rows = session.scalars(
        select(FeeEstimate).where(
            FeeEstimate.tenant_id == tenant_id, FeeEstimate.seller_account_id == seller_account_id
        )
    ).all()
    return {r.sku: r for r in rows}
