"""Upstream supply: suppliers and their terms, locations and their stock, purchase orders.

The status words and the allowed purchase-order transitions live here, once; `app.supply`
enforces them and the pages, API and exports read them from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import SKU, Base, SellerOwnedMixin, TenantMixin, TimestampMixin, utcnow
from app.models.catalog import Money

LOCATION_KINDS = ("fba", "awd", "warehouse")
TERM_ROLES = ("primary", "backup")
FREIGHT_MODES = ("sea", "air", "rail", "truck", "express")
PO_STATUSES = ("draft", "sent", "in_production", "shipped", "received", "cancelled")
# Each status and the statuses it may move to. Receipts move `shipped` to `received` themselves
# when the last unit arrives; a PO can be cancelled until it has shipped.
PO_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("sent", "cancelled"),
    "sent": ("in_production", "cancelled"),
    "in_production": ("shipped", "cancelled"),
    "shipped": ("received",),
    "received": (),
    "cancelled": (),
}
# Statuses whose outstanding units are on their way (counted as on order upstream).
PO_OPEN_STATUSES = ("sent", "in_production", "shipped")
# An exchange rate: units of the seller's currency per unit of the PO's currency.
Rate = Numeric(18, 8, asdecimal=False)


class Supplier(TimestampMixin, TenantMixin, Base):
    """A manufacturer or vendor the tenant buys from, in its own currency."""

    __tablename__ = "suppliers"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    contact: Mapped[str | None] = mapped_column(Text)
    production_lead_days: Mapped[int] = mapped_column(default=30)
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    lanes: Mapped[list[FreightLane]] = relationship(
        back_populates="supplier",
        cascade="all, delete-orphan",
        order_by="(FreightLane.destination_location_id, FreightLane.transit_days)",
    )


class FreightLane(TenantMixin, Base):
    """One way of moving goods from a supplier to a destination: mode, days and cost.

    Costs are in the supplier's currency: per unit, per cubic foot, or both (they add up).
    """

    __tablename__ = "freight_lanes"
    __table_args__ = (
        UniqueConstraint("tenant_id", "supplier_id", "destination_location_id", "mode"),
        CheckConstraint("transit_days >= 0", name="transit_days_non_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    destination_location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="CASCADE")
    )
    mode: Mapped[str] = mapped_column(String(20), default="sea")
    transit_days: Mapped[int] = mapped_column(default=30)
    cost_per_unit: Mapped[float] = mapped_column(Money, default=0.0)
    cost_per_cuft: Mapped[float] = mapped_column(Money, default=0.0)
    supplier: Mapped[Supplier] = relationship(back_populates="lanes")
    destination: Mapped[Location] = relationship()


class SupplierSku(TimestampMixin, SellerOwnedMixin, Base):
    """A supplier's terms for one SKU of a seller account: cost, case pack, MOQ, price breaks.

    `price_breaks` is a list of {"min_qty": int, "unit_cost": float} in the supplier's currency;
    the unit cost of an order is the one of the largest break it reaches, else `unit_cost`.
    A SKU has at most one primary supplier (checked by app.supply.terms).
    """

    __tablename__ = "supplier_skus"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seller_account_id", "sku", "supplier_id"),
        Index("ix_supplier_skus_supplier", "tenant_id", "supplier_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(SKU)
    unit_cost: Mapped[float] = mapped_column(Money)
    case_pack: Mapped[int] = mapped_column(default=1)
    moq: Mapped[int] = mapped_column(default=0)
    price_breaks: Mapped[list[Any]] = mapped_column(default=list)
    role: Mapped[str] = mapped_column(String(10), default="primary")
    supplier: Mapped[Supplier] = relationship()


class Location(TimestampMixin, SellerOwnedMixin, Base):
    """Somewhere a seller's stock sits: FBA, AWD, or the seller's own warehouse or 3PL.

    FBA stock itself stays in inventory_snapshots; an `fba` row stands for it as a destination.
    """

    __tablename__ = "locations"
    __table_args__ = (UniqueConstraint("tenant_id", "seller_account_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="warehouse")
    name: Mapped[str] = mapped_column(String(200))
    holding_cost_per_cuft_month: Mapped[float] = mapped_column(Money, default=0.0)
    capacity_cuft: Mapped[float | None]
    address: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)


class LocationStock(SellerOwnedMixin, Base):
    """Units of one SKU on hand at one location (the seller's import or edit, or the AWD sync)."""

    __tablename__ = "location_stock"
    __table_args__ = (
        UniqueConstraint("tenant_id", "location_id", "sku"),
        CheckConstraint("quantity >= 0", name="quantity_non_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(SKU)
    quantity: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Where the number came from: "import", "edit", "receipt", "awd".
    source: Mapped[str | None] = mapped_column(String(20))
    location: Mapped[Location] = relationship()


class LocationInbound(SellerOwnedMixin, Base):
    """Units of a SKU on their way into a location other than through a PO of ours.

    For example an AWD inbound shipment (written by the AWD sync, `reference` its shipment id)
    or a transfer between warehouses. Counted as on order until `received_on` is set.
    """

    __tablename__ = "location_inbound"
    __table_args__ = (
        UniqueConstraint("tenant_id", "location_id", "reference", "sku"),
        CheckConstraint("quantity >= 0", name="quantity_non_negative"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    reference: Mapped[str] = mapped_column(String(100))
    sku: Mapped[str] = mapped_column(SKU)
    quantity: Mapped[int] = mapped_column(default=0)
    status: Mapped[str | None] = mapped_column(String(40))
    expected_on: Mapped[dt.date | None]
    received_on: Mapped[dt.date | None]
    source: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    location: Mapped[Location] = relationship()


class PurchaseOrder(TimestampMixin, SellerOwnedMixin, Base):
    """An order to a supplier, delivered to one location, in the supplier's currency.

    `fx_rate` converts its money to the seller's currency (seller units per PO unit); it is
    required whenever the two currencies differ, and never guessed (app.supply.currency).
    """

    __tablename__ = "purchase_orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seller_account_id", "number"),
        Index("ix_purchase_orders_status", "tenant_id", "seller_account_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id", ondelete="RESTRICT"))
    destination_location_id: Mapped[int] = mapped_column(
        ForeignKey("locations.id", ondelete="RESTRICT")
    )
    freight_lane_id: Mapped[int | None] = mapped_column(
        ForeignKey("freight_lanes.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(20), default="draft")
    currency: Mapped[str] = mapped_column(String(3))
    fx_rate: Mapped[float | None] = mapped_column(Rate)
    ordered_on: Mapped[dt.date | None]
    expected_ship_on: Mapped[dt.date | None]
    expected_arrival_on: Mapped[dt.date | None]
    sent_on: Mapped[dt.date | None]
    shipped_on: Mapped[dt.date | None]
    received_on: Mapped[dt.date | None]
    notes: Mapped[str | None] = mapped_column(Text)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    supplier: Mapped[Supplier] = relationship()
    destination: Mapped[Location] = relationship()
    freight_lane: Mapped[FreightLane | None] = relationship()
    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        back_populates="purchase_order",
        cascade="all, delete-orphan",
        order_by="PurchaseOrderLine.sku",
    )


class PurchaseOrderLine(SellerOwnedMixin, Base):
    """One SKU of a purchase order: units ordered at a unit cost, and units received so far."""

    __tablename__ = "purchase_order_lines"
    __table_args__ = (
        UniqueConstraint("tenant_id", "purchase_order_id", "sku"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= quantity", name="received_in_range"
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE")
    )
    sku: Mapped[str] = mapped_column(SKU)
    quantity: Mapped[int]
    unit_cost: Mapped[float] = mapped_column(Money)
    received_quantity: Mapped[int] = mapped_column(default=0)
    recommended_quantity: Mapped[int | None]
    purchase_order: Mapped[PurchaseOrder] = relationship(back_populates="lines")

    @property
    def outstanding(self) -> int:
        """Units ordered and not received yet."""
        return max(0, self.quantity - self.received_quantity)


class PurchaseOrderReceipt(SellerOwnedMixin, Base):
    """One receipt of units of a PO line at the destination (a partial receipt is one row)."""

    __tablename__ = "purchase_order_receipts"
    __table_args__ = (
        Index("ix_purchase_order_receipts_po", "tenant_id", "purchase_order_id"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_order_id: Mapped[int] = mapped_column(
        ForeignKey("purchase_orders.id", ondelete="CASCADE")
    )
    line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_lines.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(SKU)
    quantity: Mapped[int]
    received_on: Mapped[dt.date]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
