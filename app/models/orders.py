"""Orders and order items as the Orders API and the all-orders report describe them, and the
units they add up to per SKU and local day (`SkuDailyUnits`, written by app.sync.daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, PrimaryKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import SKU, Base, SellerOwnedMixin, utcnow
from app.models.catalog import Money


class Order(SellerOwnedMixin, Base):
    """One Amazon order; its status and last-update date move as Amazon updates it."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seller_account_id", "amazon_order_id"),
        Index("ix_orders_purchase", "tenant_id", "seller_account_id", "purchase_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    amazon_order_id: Mapped[str] = mapped_column(String(40))
    purchase_date: Mapped[dt.datetime]
    last_update_date: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(40))
    fulfillment_channel: Mapped[str | None] = mapped_column(String(10))
    marketplace_id: Mapped[str | None] = mapped_column(String(32))
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# What counts as cancelled: the Orders API (and our rows, see app.sync.orders) say "Canceled";
# flat files spell it the British way, so both are refused wherever orders are counted.
CANCELED = "Canceled"
CANCELED_STATUSES = (CANCELED, "Cancelled")


def not_cancelled() -> Any:
    """SQL condition: the order counts as a sale (every query that counts orders uses it)."""
    return Order.status.not_in(CANCELED_STATUSES)


class OrderItem(SellerOwnedMixin, Base):
    """One line of an order."""

    __tablename__ = "order_items"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seller_account_id", "amazon_order_id", "order_item_id"),
        ForeignKeyConstraint(
            ["tenant_id", "seller_account_id", "amazon_order_id"],
            ["orders.tenant_id", "orders.seller_account_id", "orders.amazon_order_id"],
            ondelete="CASCADE",
        ),
        # The order id too: the SKU page joins its lines to orders by it (migration 0007).
        Index(
            "ix_order_items_sku_order", "tenant_id", "seller_account_id", "sku", "amazon_order_id"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    amazon_order_id: Mapped[str] = mapped_column(String(40))
    order_item_id: Mapped[str] = mapped_column(String(40))
    sku: Mapped[str] = mapped_column(SKU)
    asin: Mapped[str | None] = mapped_column(String(20))
    quantity_ordered: Mapped[int] = mapped_column(default=0)
    quantity_shipped: Mapped[int] = mapped_column(default=0)
    item_price: Mapped[float | None] = mapped_column(Money)
    promotion_discount: Mapped[float | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))


def item_order() -> Any:
    """The join of an order item to its order, on the composite key they share (tenant, seller
    account, Amazon order id): `select(...).join(Order, item_order())`."""
    return (
        (Order.tenant_id == OrderItem.tenant_id)
        & (Order.seller_account_id == OrderItem.seller_account_id)
        & (Order.amazon_order_id == OrderItem.amazon_order_id)
    )


class SkuDailyUnits(SellerOwnedMixin, Base):
    """Units ordered of one SKU on one local day of the seller's marketplace (its time zone,
    app.localtime), in orders that count as sales (`not_cancelled`).

    Derived data, written only by app.sync.daily in the transaction that writes the orders; the
    SKU page and the forecaster's history read it instead of adding up order lines. `lines` is
    how many lines the day counts (a row exists while it counts one): a day with lines of no
    units (quantity 0) has a row of 0 units, as the sum over its lines had.
    """

    __tablename__ = "sku_daily_units"
    __table_args__ = (PrimaryKeyConstraint("tenant_id", "seller_account_id", "sku", "date"),)
    sku: Mapped[str] = mapped_column(SKU)
    date: Mapped[dt.date]
    units: Mapped[int]
    lines: Mapped[int]
