"""Seller accounts (marketplace credentials, encrypted) and their sync state and runs."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import (
    Base,
    EncryptedText,
    SellerOwnedMixin,
    TenantMixin,
    TimestampMixin,
    utcnow,
)
from integrations.amazon import marketplaces

AMAZON_NA_ENDPOINT = "https://sellingpartnerapi-na.amazon.com"
AMAZON_TOKEN_URL = "https://api.amazon.com/auth/o2/token"  # noqa: S105 - a URL, not a secret
# code: (marketplace id, region), from sp_api's table (integrations.amazon.marketplaces)
MARKETPLACES = {m.code: (m.marketplace_id, m.region) for m in marketplaces.table().values()}


def new_public_id() -> str:
    """An unguessable id for URLs that must not reveal row ids (webhooks)."""
    return secrets.token_urlsafe(12)


def new_webhook_secret() -> str:
    """A fresh shared secret for the webhook forwarder."""
    return secrets.token_urlsafe(32)


class SellerAccount(TimestampMixin, TenantMixin, Base):
    """One Selling Partner API account in one marketplace."""

    __tablename__ = "seller_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        UniqueConstraint("public_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), default=new_public_id)
    name: Mapped[str] = mapped_column(String(200))
    marketplace: Mapped[str] = mapped_column(String(8), default="US")
    marketplace_id: Mapped[str] = mapped_column(String(32), default="ATVPDKIKX0DER")
    region: Mapped[str] = mapped_column(String(32), default="us-east-1")
    seller_id: Mapped[str | None] = mapped_column(String(64))
    endpoint: Mapped[str] = mapped_column(String(500), default=AMAZON_NA_ENDPOINT)
    token_url: Mapped[str] = mapped_column(String(500), default=AMAZON_TOKEN_URL)
    lwa_client_id: Mapped[str] = mapped_column(String(300))
    lwa_client_secret: Mapped[str] = mapped_column(EncryptedText)
    refresh_token: Mapped[str] = mapped_column(EncryptedText)
    webhook_secret: Mapped[str] = mapped_column(EncryptedText, default=new_webhook_secret)
    # Kept during a rotation so the forwarder's old secret still verifies for a while: until
    # webhook_secret_rotated_at + WEBHOOK_SECRET_GRACE (see previous_secret_valid).
    previous_webhook_secret: Mapped[str | None] = mapped_column(EncryptedText)
    webhook_secret_rotated_at: Mapped[dt.datetime | None]
    review_days: Mapped[int] = mapped_column(default=7)
    capacity_standard_cuft: Mapped[float | None]
    capacity_bulky_cuft: Mapped[float | None]
    # every SKU's stockout settings unless the SKU has its own (app.planning.settings)
    in_stock_target_pct: Mapped[int | None]
    stockout_cost_multiple: Mapped[int | None]
    fee_overrides: Mapped[dict[str, Any] | None]
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def market(self) -> marketplaces.Marketplace:
        """The marketplace's facts: currency, locale, time zone, report date order."""
        return marketplaces.get(self.marketplace)

    @property
    def currency(self) -> str:
        """The currency the seller's money is kept and shown in: its marketplace's."""
        return self.market.currency

    @property
    def time_zone(self) -> str:
        """The IANA zone of the marketplace's business day (sales are counted in its days)."""
        return self.market.time_zone

    def rotate_webhook_secret(self, now: dt.datetime | None = None) -> None:
        """A new secret; the current one becomes the previous, valid for the grace period."""
        self.previous_webhook_secret = self.webhook_secret
        self.webhook_secret = new_webhook_secret()
        self.webhook_secret_rotated_at = now or utcnow()

    def webhook_secrets(self, grace: dt.timedelta, now: dt.datetime | None = None) -> list[str]:
        """The secrets a delivery may be signed with now: the current one, and the previous one
        until `grace` after the rotation."""
        valid = [self.webhook_secret]
        rotated = self.webhook_secret_rotated_at
        live = rotated is not None and (now or utcnow()) - rotated <= grace
        if self.previous_webhook_secret and live:
            valid.append(self.previous_webhook_secret)
        return valid

    def __repr__(self) -> str:
        # Never include credentials in a repr: reprs end up in logs and tracebacks.
        return f"<SellerAccount {self.id} {self.name!r} tenant={self.tenant_id}>"


class SyncState(SellerOwnedMixin, Base):
    """The cursor of one stream for one seller (e.g. the orders LastUpdatedAfter watermark)."""

    __tablename__ = "sync_states"
    __table_args__ = (UniqueConstraint("tenant_id", "seller_account_id", "stream"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    stream: Mapped[str] = mapped_column(String(40))
    cursor: Mapped[str | None] = mapped_column(Text)
    watermark: Mapped[dt.datetime | None]
    backfill_done: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SyncRun(SellerOwnedMixin, Base):
    """One run of one stream's sync, for the UI and for diagnosing failures."""

    __tablename__ = "sync_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    stream: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    pages: Mapped[int] = mapped_column(default=0)
    rows_written: Mapped[int] = mapped_column(default=0)
    api_calls: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    job_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_records.id", ondelete="SET NULL")
    )
