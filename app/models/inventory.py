"""Daily FBA inventory per SKU: history is kept because it is how stockout days are known."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import SKU, Base, SellerOwnedMixin, utcnow


class InventorySnapshot(SellerOwnedMixin, Base):
    """End-of-day (or latest-of-day) FBA quantities of one SKU.

    `source` says where the row came from: 'summaries' (getInventorySummaries, today's pass) or
    'ledger' (the daily ledger summary report, used to backfill past days).
    """

    __tablename__ = "inventory_snapshots"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seller_account_id", "sku", "date"),
        # The dashboard finds the seller's newest day and that day's rows for all SKUs.
        Index("ix_inventory_snapshots_day", "tenant_id", "seller_account_id", "date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(SKU)
    date: Mapped[dt.date]
    fulfillable: Mapped[int] = mapped_column(default=0)
    inbound_working: Mapped[int] = mapped_column(default=0)
    inbound_shipped: Mapped[int] = mapped_column(default=0)
    inbound_receiving: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    unfulfillable: Mapped[int] = mapped_column(default=0)
    researching: Mapped[int] = mapped_column(default=0)
    source: Mapped[str] = mapped_column(String(20), default="summaries")
    captured_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
