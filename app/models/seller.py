"""Seller connections (LWA credentials, encrypted), the seller accounts they hold (one per
marketplace), and their sync state and runs.

A connection is what Amazon authorises: one selling partner in one region, with one refresh
token, and one set of rate limits (Amazon meters per selling partner and region, so the API
pacing buckets are the connection's, app.sync.clients). A seller account is the planning unit:
one marketplace of the connection, with its own catalogue, inventory, forecasts,
recommendations, plans and money in its currency. A seller in US and CA has one connection and
two accounts; every row that belongs to a seller belongs to one of the accounts.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class SellerConnection(TimestampMixin, TenantMixin, Base):
    """One selling partner's authorisation in one region: LWA credentials and endpoints.

    Stored once however many marketplaces it sells in; its accounts read them through."""

    __tablename__ = "seller_connections"
    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(32), default="us-east-1")
    endpoint: Mapped[str] = mapped_column(String(500), default=AMAZON_NA_ENDPOINT)
    token_url: Mapped[str] = mapped_column(String(500), default=AMAZON_TOKEN_URL)
    lwa_client_id: Mapped[str] = mapped_column(String(300))
    lwa_client_secret: Mapped[str] = mapped_column(EncryptedText)
    refresh_token: Mapped[str] = mapped_column(EncryptedText)
    accounts: Mapped[list[SellerAccount]] = relationship(
        back_populates="connection", order_by="SellerAccount.id"
    )

    @property
    def pacing_key(self) -> str:
        """The key of the connection's API pacing buckets (shared by its marketplaces)."""
        return f"connection-{self.id}"

    def __repr__(self) -> str:
        return f"<SellerConnection {self.id} {self.region} tenant={self.tenant_id}>"


def _through(field: str) -> property:
    """An account attribute kept on its connection (a new account gets a new connection)."""

    def get(self: SellerAccount) -> Any:
        return None if self.connection is None else getattr(self.connection, field)

    def put(self: SellerAccount, value: Any) -> None:
        if self.connection is None:
            self.connection = SellerConnection(tenant_id=self.tenant_id)
        setattr(self.connection, field, value)

    return property(get, put, doc=f"The connection's {field}.")


class SellerAccount(TimestampMixin, TenantMixin, Base):
    """One marketplace of a seller connection: the unit everything is planned for."""

    __tablename__ = "seller_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        UniqueConstraint("public_id"),
        UniqueConstraint("connection_id", "marketplace"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    connection_id: Mapped[int] = mapped_column(
        ForeignKey("seller_connections.id", ondelete="CASCADE"), index=True
    )
    connection: Mapped[SellerConnection] = relationship(back_populates="accounts")
    public_id: Mapped[str] = mapped_column(String(32), default=new_public_id)
    name: Mapped[str] = mapped_column(String(200))
    marketplace: Mapped[str] = mapped_column(String(8), default="US")
    marketplace_id: Mapped[str] = mapped_column(String(32), default="ATVPDKIKX0DER")
    region: Mapped[str] = mapped_column(String(32), default="us-east-1")
    seller_id: Mapped[str | None] = mapped_column(String(64))
    # The credentials and where they are sent: the connection's, one copy for all marketplaces.
    endpoint = _through("endpoint")
    token_url = _through("token_url")
    lwa_client_id = _through("lwa_client_id")
    lwa_client_secret = _through("lwa_client_secret")
    refresh_token = _through("refresh_token")
    # Deferred: decrypted only where a secret is used (webhooks, rotation, the CLI), not on
    # every page that lists the tenant's accounts in its header.
    webhook_secret: Mapped[str] = mapped_column(
        EncryptedText, default=new_webhook_secret, deferred=True
    )
    # Kept during a rotation so the forwarder's old secret still verifies for a while: until
    # webhook_secret_rotated_at + WEBHOOK_SECRET_GRACE (see previous_secret_valid).
    previous_webhook_secret: Mapped[str | None] = mapped_column(EncryptedText, deferred=True)
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
    def pacing_key(self) -> str:
        """The API pacing buckets' key: the connection's, so its marketplaces share a budget."""
        if self.connection_id is None and self.connection is not None:
            return self.connection.pacing_key
        return f"connection-{self.connection_id}"

    def siblings(self) -> list[SellerAccount]:
        """The other marketplaces of the same connection."""
        if self.connection is None:
            return []
        return [a for a in self.connection.accounts if a is not self]

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


def _region_of(account: SellerAccount) -> str:
    # The account's region before its column defaults apply (its marketplace's, US by default).
    if account.region:
        return account.region
    return marketplaces.get(account.marketplace or "US").region


@event.listens_for(SellerConnection, "before_insert")
def _connection_of_account(mapper: Any, connection: Any, target: SellerConnection) -> None:
    # A connection made by setting an account's credentials takes the account's tenant and
    # region (set on the account in any order before the flush).
    if target.accounts:
        first = target.accounts[0]
        if target.tenant_id is None:
            target.tenant_id = first.tenant_id
        target.region = _region_of(first)
    if target.region is None:
        target.region = "us-east-1"


@event.listens_for(SellerAccount, "before_insert")
@event.listens_for(SellerAccount, "before_update")
def _same_tenant_and_region(mapper: Any, connection: Any, target: SellerAccount) -> None:
    # Never an account on another tenant's connection, nor a marketplace of another region on
    # it (the refresh token and rate limits are one region's).
    owner = target.connection
    if owner is None:
        return
    target.region = _region_of(target)
    if owner.tenant_id is not None and owner.tenant_id != target.tenant_id:
        raise ValueError("a seller account and its connection must belong to one tenant")
    if owner.region != target.region:
        raise ValueError(
            f"marketplace {target.marketplace} is in {target.region}, its connection in "
            f"{owner.region}: one connection holds the marketplaces of one region"
        )


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
