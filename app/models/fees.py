"""Fee events from the Finances API, one row per fee per order line."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import SKU, Base, SellerOwnedMixin
from app.models.catalog import Money


class FeeEvent(SellerOwnedMixin, Base):
    """A fee or refund charged on an order line.

    `event_key` is a deterministic digest of the event's identity (kind, order, item, fee type,
    posted date), so a page fetched twice upserts instead of doubling.
    """

    __tablename__ = "fee_events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seller_account_id", "event_key"),
        Index("ix_fee_events_sku", "tenant_id", "seller_account_id", "sku", "posted_date"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(String(64))
    event_kind: Mapped[str] = mapped_column(String(20))
    amazon_order_id: Mapped[str | None] = mapped_column(String(40))
    order_item_id: Mapped[str | None] = mapped_column(String(40))
    sku: Mapped[str | None] = mapped_column(SKU)
    fee_type: Mapped[str] = mapped_column(String(80))
    amount: Mapped[float] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    posted_date: Mapped[dt.datetime]
