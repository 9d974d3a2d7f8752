"""Model versions, forecasts, recommendations and shipment plans."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from app.models.base import SKU, Base, SellerOwnedMixin, TimestampMixin, utcnow


class ModelVersion(SellerOwnedMixin, Base):
    """One trained forecaster for one seller, with its backtest metrics and artifact."""

    __tablename__ = "model_versions"
    id: Mapped[int] = mapped_column(primary_key=True)
    trained_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    cutoff: Mapped[dt.date | None]
    params: Mapped[dict[str, Any] | None]
    metrics: Mapped[dict[str, Any] | None]
    artifact_path: Mapped[str | None] = mapped_column(String(500))
    # The model itself lives in the database so a worker on any machine can load it.
    artifact: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    status: Mapped[str] = mapped_column(String(20), default="ready")


class Forecast(SellerOwnedMixin, Base):
    """Daily demand forecast for one SKU and date from one model version."""

    __tablename__ = "forecasts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seller_account_id", "model_version_id", "sku", "date"),
        # The dashboard sums the next 30/90 days of one model for every SKU.
        Index(
            "ix_forecasts_model_date", "tenant_id", "seller_account_id", "model_version_id", "date"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    model_version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE")
    )
    sku: Mapped[str] = mapped_column(SKU)
    date: Mapped[dt.date]
    mean: Mapped[float]
    p10: Mapped[float]
    p50: Mapped[float]
    p90: Mapped[float]


class Recommendation(SellerOwnedMixin, Base):
    """How many units of a SKU to ship now and by when, with its costs and explanation."""

    __tablename__ = "recommendations"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seller_account_id", "sku", "computed_at"),
        # The current rows of a seller, and the highest id among them (one lookup).
        Index("ix_recommendations_latest", "tenant_id", "seller_account_id", "is_current", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(SKU)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    is_current: Mapped[bool] = mapped_column(default=True)
    model_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="SET NULL")
    )
    quantity: Mapped[int] = mapped_column(default=0)
    ship_by: Mapped[dt.date | None]
    days_of_cover_without: Mapped[float | None]
    days_of_cover_with: Mapped[float | None]
    stockout_probability: Mapped[float | None]
    # A forecasting.status.PlanStatus value, decided from the timeline (app.models.risk groups).
    status: Mapped[str | None] = mapped_column(String(32))
    runs_out_on: Mapped[dt.date | None]
    cost_breakdown: Mapped[dict[str, Any] | None]
    explanation: Mapped[str | None] = mapped_column(Text)
    # forecasting.timeline.Timeline.to_dict(columns=True) plus the app's `notes`: every number
    # above is copied from it (app.queries.current_timeline serves it expanded).
    timeline: Mapped[dict[str, Any] | None] = mapped_column(deferred=True)
    # The supplier order of a two-stage SKU (issue 16), copied from the timeline's
    # recommendation.supplier_order for the dashboard's "to reorder", the PO builder and alerts:
    # order `reorder_quantity` from `reorder_supplier_id` by `reorder_by` (all NULL: none).
    reorder_by: Mapped[dt.date | None]
    reorder_quantity: Mapped[int | None]
    reorder_supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("suppliers.id", ondelete="SET NULL")
    )
    # The old name of `status` (the column was `risk`), kept while readers move over.
    risk = synonym("status")


class ShipmentPlan(TimestampMixin, SellerOwnedMixin, Base):
    """A shipment to FBA the seller is building or has sent."""

    __tablename__ = "shipment_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    inbound_plan_id: Mapped[str | None] = mapped_column(String(100))
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    lines: Mapped[list[ShipmentPlanLine]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="ShipmentPlanLine.sku"
    )


class ShipmentPlanLine(SellerOwnedMixin, Base):
    """One SKU and quantity in a shipment plan."""

    __tablename__ = "shipment_plan_lines"
    __table_args__ = (UniqueConstraint("tenant_id", "plan_id", "sku"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("shipment_plans.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(SKU)
    quantity: Mapped[int]
    recommended_quantity: Mapped[int | None]
    plan: Mapped[ShipmentPlan] = relationship(back_populates="lines")
