"""FBA inbound shipments and their items: what is on its way to Amazon and when it should land."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import SKU, Base, SellerOwnedMixin, utcnow

ARRIVAL_SOURCES = ("amazon", "estimated")
# Where a row comes from: Amazon's own record (v0 getShipments, joined with its 2024-03-20
# plan shipment) or a plan the seller marked as sent here, until Amazon's record replaces it.
SHIPMENT_SOURCES = ("amazon", "local")


class InboundShipment(SellerOwnedMixin, Base):
    """One inbound shipment of a seller, with the dates Amazon has told us or we have observed.

    `status` is Amazon's word (WORKING .. CLOSED, CANCELLED). `last_updated_on` is the local day
    (the marketplace's) of the shipment's latest event; `created_on` .. `closed_on` the day each
    status was entered, as the sync saw it (None: not seen; `first_received_on` is exact while it
    runs at least daily).
    `shipped_on` is the planned ship day (2024-03-20 readyToShipWindow) until SHIPPED is seen.
    `delivery_window_start/_end` are Amazon's selected delivery window (2024-03-20 getShipment).
    `expected_arrival` is the day its units start to become sellable (app.planning.arrivals):
    Amazon's (`arrival_source` "amazon") or our estimate ("estimated").
    """

    __tablename__ = "inbound_shipments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seller_account_id", "shipment_id"),
        # The planner reads a seller's open shipments; the sync matches plans to shipments.
        Index("ix_inbound_shipments_status", "tenant_id", "seller_account_id", "status"),
        Index("ix_inbound_shipments_plan", "tenant_id", "seller_account_id", "inbound_plan_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(20), default="amazon")
    name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    destination_fc: Mapped[str | None] = mapped_column(String(20))
    inbound_plan_id: Mapped[str | None] = mapped_column(String(100))
    plan_shipment_id: Mapped[str | None] = mapped_column(String(100))
    shipment_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipment_plans.id", ondelete="SET NULL")
    )
    last_updated_on: Mapped[dt.date | None]
    # The day each status was entered, as far as known (see the class docstring).
    created_on: Mapped[dt.date | None]
    shipped_on: Mapped[dt.date | None]
    in_transit_on: Mapped[dt.date | None]
    delivered_on: Mapped[dt.date | None]
    checked_in_on: Mapped[dt.date | None]
    first_received_on: Mapped[dt.date | None]
    closed_on: Mapped[dt.date | None]
    delivery_window_start: Mapped[dt.date | None]
    delivery_window_end: Mapped[dt.date | None]
    expected_arrival: Mapped[dt.date | None]
    arrival_source: Mapped[str | None] = mapped_column(String(20))
    receiving_days: Mapped[int | None]
    synced_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class InboundShipmentItem(SellerOwnedMixin, Base):
    """One SKU of an inbound shipment: units shipped and received so far."""

    __tablename__ = "inbound_shipment_items"
    __table_args__ = (UniqueConstraint("tenant_id", "seller_account_id", "shipment_id", "sku"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(SKU)
    fnsku: Mapped[str | None] = mapped_column(String(20))
    quantity_shipped: Mapped[int] = mapped_column(default=0)
    quantity_received: Mapped[int] = mapped_column(default=0)
    quantity_in_case: Mapped[int | None]

    @property
    def outstanding(self) -> int:
        """Units not received yet (never negative: Amazon may receive more than shipped)."""
        return max(0, self.quantity_shipped - self.quantity_received)
