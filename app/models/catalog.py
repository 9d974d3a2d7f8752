"""Products (SKUs) with the settings the planner needs, and Amazon's fee estimates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Index, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import SKU, Base, SellerOwnedMixin, TimestampMixin, utcnow

OWNERS = ("AMAZON", "SELLER", "NONE")
Money = Numeric(14, 4, asdecimal=False)


class Product(TimestampMixin, SellerOwnedMixin, Base):
    """One seller SKU and its planning settings."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("tenant_id", "seller_account_id", "sku"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(SKU)
    asin: Mapped[str | None] = mapped_column(String(20))
    fnsku: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(100))
    length_in: Mapped[float | None]
    width_in: Mapped[float | None]
    height_in: Mapped[float | None]
    weight_lb: Mapped[float | None]
    cubic_feet: Mapped[float | None]
    size_tier: Mapped[str | None] = mapped_column(String(30))
    unit_cost: Mapped[float | None] = mapped_column(Money)
    price: Mapped[float | None] = mapped_column(Money)
    # Defaults (35 days in all) until the seller types their own: a common sea-freight-free
    # import rhythm; the SKU page flags products still on defaults.
    lead_time_production_days: Mapped[int] = mapped_column(default=14)
    lead_time_transit_days: Mapped[int] = mapped_column(default=14)
    lead_time_receiving_days: Mapped[int] = mapped_column(default=7)
    lead_time_spread_days: Mapped[int] = mapped_column(default=0)
    case_pack: Mapped[int] = mapped_column(default=1)
    moq: Mapped[int] = mapped_column(default=0)
    # the seller's stockout settings for this SKU (app.planning.settings; empty: the account's)
    in_stock_target_pct: Mapped[int | None]
    stockout_cost_multiple: Mapped[int | None]
    prep_owner: Mapped[str] = mapped_column(String(10), default="SELLER")
    label_owner: Mapped[str] = mapped_column(String(10), default="SELLER")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def lead_time_days(self) -> int:
        """Total days from the ship decision to units sellable at FBA."""
        return max(
            1,
            self.lead_time_production_days
            + self.lead_time_transit_days
            + self.lead_time_receiving_days,
        )


class FeeEstimate(SellerOwnedMixin, Base):
    """Amazon's latest fee estimate for one SKU at a price (getMyFeesEstimateForSKU or report)."""

    __tablename__ = "fee_estimates"
    __table_args__ = (UniqueConstraint("tenant_id", "seller_account_id", "sku"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(SKU)
    price: Mapped[float | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    fulfillment_fee: Mapped[float | None] = mapped_column(Money)
    referral_fee: Mapped[float | None] = mapped_column(Money)
    total_fees: Mapped[float | None] = mapped_column(Money)
    size_tier: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict[str, Any] | None]
    fetched_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StorageFeeCharge(SellerOwnedMixin, Base):
    """A row of the monthly storage fee report (volume, tier, charge) per SKU and month."""

    __tablename__ = "storage_fee_charges"
    __table_args__ = (UniqueConstraint("tenant_id", "seller_account_id", "sku", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(SKU)
    month: Mapped[str] = mapped_column(String(7))
    average_quantity_on_hand: Mapped[float | None]
    item_volume: Mapped[float | None]
    product_size_tier: Mapped[str | None] = mapped_column(String(40))
    estimated_monthly_storage_fee: Mapped[float | None] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")


class AmazonRestockRecommendation(SellerOwnedMixin, Base):
    """Amazon's own restock suggestion per SKU (restock report), shown beside ours."""

    __tablename__ = "amazon_restock_recommendations"
    __table_args__ = (UniqueConstraint("tenant_id", "seller_account_id", "sku"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(SKU)
    recommended_quantity: Mapped[int | None]
    recommended_ship_date: Mapped[dt.date | None]
    alert: Mapped[str | None] = mapped_column(String(100))
    days_of_supply: Mapped[float | None]
    raw: Mapped[dict[str, Any] | None]
    fetched_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


Index("ix_products_tenant_active", Product.tenant_id, Product.seller_account_id, Product.active)
# The newest change of a seller's products: one lookup (app.summaries checks it per page view).
Index("ix_products_changed", Product.tenant_id, Product.seller_account_id, Product.updated_at)
