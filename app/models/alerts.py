"""Alerts: each user's channel and preferences, the state of every alert, and the outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, EncryptedText, TenantMixin, TimestampMixin, utcnow

DIGEST_MODES = ("off", "daily", "weekly")


class AlertSettings(TimestampMixin, TenantMixin, Base):
    """One user's alert preferences in one business: events, channel, quiet hours, digest."""

    __tablename__ = "alert_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # An Apprise URL (mailto://, slack://, json://...); it often carries a token, so encrypted.
    channel_url: Mapped[str | None] = mapped_column(EncryptedText)
    events: Mapped[list[Any]] = mapped_column(default=list)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    quiet_start: Mapped[dt.time | None]
    quiet_end: Mapped[dt.time | None]
    digest: Mapped[str] = mapped_column(String(10), default="off")
    digest_hour: Mapped[int] = mapped_column(default=8)  # local hour; weekly digests on Mondays
    ship_by_days: Mapped[int] = mapped_column(default=7)
    reorder_by_days: Mapped[int] = mapped_column(default=14)
    sync_failures: Mapped[int] = mapped_column(default=3)
    last_digest_at: Mapped[dt.datetime | None]


class AlertState(TenantMixin, Base):
    """Whether one alert (kind, subject) holds for one user now; announced once per entry."""

    __tablename__ = "alert_states"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id", "kind", "subject"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    seller_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("seller_accounts.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    entered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    left_at: Mapped[dt.datetime | None]


class AlertMessage(TenantMixin, Base):
    """One announcement to deliver: sent at once, or held for quiet hours or the digest."""

    __tablename__ = "alert_messages"
    __table_args__ = (Index("ix_alert_messages_pending", "tenant_id", "user_id", "sent_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    seller_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("seller_accounts.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(40))
    sku: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(300))
