"""Webhook deliveries received and background job records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TenantMixin, utcnow


class WebhookEvent(TenantMixin, Base):
    """One notification; NotificationId is unique per seller so a redelivery is not processed."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("tenant_id", "seller_account_id", "notification_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seller_account_id: Mapped[int] = mapped_column(
        ForeignKey("seller_accounts.id", ondelete="CASCADE")
    )
    notification_id: Mapped[str] = mapped_column(String(100))
    notification_type: Mapped[str] = mapped_column(String(60))
    event_time: Mapped[dt.datetime | None]
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]]
    processed_at: Mapped[dt.datetime | None]
    job_id: Mapped[str | None] = mapped_column(String(200))


JOB_STATUSES = ("queued", "running", "succeeded", "failed", "retrying")


class JobRecord(TenantMixin, Base):
    """What the UI shows about a background job: kind, progress and the last error."""

    __tablename__ = "job_records"
    __table_args__ = (Index("ix_job_records_recent", "tenant_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    rq_job_id: Mapped[str | None] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    seller_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("seller_accounts.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
