"""Typed results of the connectors: what the rest of the product may rely on."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Order:
    """One order header (Orders v0)."""

    amazon_order_id: str
    purchase_date: dt.datetime
    last_update_date: dt.datetime
    status: str
    fulfillment_channel: str | None = None
    marketplace_id: str | None = None


@dataclass(frozen=True)
class OrdersPage:
    """One page of getOrders; `last_updated_before` is the server's cut-off for this query."""

    orders: list[Order]
    next_token: str | None
    last_updated_before: dt.datetime | None


@dataclass(frozen=True)
class OrderItem:
    """One order line (getOrderItems, or a line of the all-orders report)."""

    amazon_order_id: str
    order_item_id: str
    sku: str
    asin: str | None
    quantity_ordered: int
    quantity_shipped: int = 0
    title: str | None = None
    item_price: float | None = None
    promotion_discount: float | None = None
    currency: str | None = None


@dataclass(frozen=True)
class OrderItemsPage:
    """One page of getOrderItems."""

    items: list[OrderItem]
    next_token: str | None


@dataclass(frozen=True)
class InventorySummary:
    """FBA quantities of one SKU (getInventorySummaries with details=true)."""

    sku: str
    asin: str | None
    fnsku: str | None
    product_name: str | None
    fulfillable: int
    inbound_working: int
    inbound_shipped: int
    inbound_receiving: int
    reserved: int
    unfulfillable: int
    researching: int
    total: int
    last_updated: dt.datetime | None = None


@dataclass(frozen=True)
class InventoryPage:
    """One page of getInventorySummaries."""

    summaries: list[InventorySummary]
    next_token: str | None


@dataclass(frozen=True)
class FeeLine:
    """One fee, charge adjustment or refund on one order line (Finances v0)."""

    kind: str  # 'fee' (ItemFeeList), 'refund' (charge adjustment), 'refund_fee' (fee adjustment)
    amazon_order_id: str | None
    order_item_id: str | None
    sku: str | None
    fee_type: str
    amount: float
    currency: str
    posted_date: dt.datetime
    occurrence: int = 0
    # The event's MarketplaceName (Amazon.com, Amazon.ca): a selling partner's financial events
    # span its marketplaces. Not part of the identity.
    marketplace_name: str | None = None

    @property
    def key(self) -> str:
        """Deterministic identity digest, so a page fetched twice upserts instead of doubling."""
        parts = [
            self.kind,
            self.amazon_order_id or "",
            self.order_item_id or "",
            self.sku or "",
            self.fee_type,
            self.posted_date.astimezone(dt.UTC).isoformat(),
            str(self.occurrence),
        ]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class FinancesPage:
    """One page of listFinancialEvents (may be empty and still carry a NextToken)."""

    lines: list[FeeLine]
    next_token: str | None


@dataclass(frozen=True)
class FeeEstimate:
    """getMyFeesEstimateForSKU's answer for one SKU at one price."""

    sku: str
    price: float
    currency: str
    total_fees: float | None
    fulfillment_fee: float | None
    referral_fee: float | None
    detail: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportStatus:
    """getReport: where a report is in its processing."""

    report_id: str
    report_type: str
    status: str
    document_id: str | None
    created_time: dt.datetime | None
    data_start: dt.datetime | None = None
    data_end: dt.datetime | None = None
    marketplace_ids: tuple[str, ...] = ()  # the marketplaces the report was requested for


@dataclass(frozen=True)
class ReportDocument:
    """getReportDocument: a short-lived URL and its compression."""

    document_id: str
    url: str
    compression: str | None


@dataclass(frozen=True)
class AllOrdersRow:
    """One line of GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL."""

    amazon_order_id: str
    purchase_date: dt.datetime
    last_update_date: dt.datetime
    status: str
    fulfillment_channel: str | None
    sku: str
    asin: str | None
    product_name: str | None
    item_status: str | None
    quantity: int
    currency: str | None
    item_price: float | None
    promotion_discount: float | None


@dataclass(frozen=True)
class LedgerRow:
    """One day of GET_LEDGER_SUMMARY_VIEW_DATA for one SKU and disposition."""

    date: dt.date
    sku: str
    fnsku: str | None
    asin: str | None
    title: str | None
    disposition: str
    ending_balance: int


@dataclass(frozen=True)
class StorageFeeRow:
    """One SKU-month of GET_FBA_STORAGE_FEE_CHARGES_DATA."""

    sku: str
    month: str
    asin: str | None
    fnsku: str | None
    average_quantity_on_hand: float | None
    item_volume: float | None
    product_size_tier: str | None
    estimated_monthly_storage_fee: float | None
    currency: str | None


@dataclass(frozen=True)
class EstimatedFeeRow:
    """One SKU of GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA: dimensions, size tier and fees."""

    sku: str
    asin: str | None
    fnsku: str | None
    product_name: str | None
    length_in: float | None
    width_in: float | None
    height_in: float | None
    weight_lb: float | None
    size_tier: str | None
    price: float | None
    currency: str | None
    fulfillment_fee: float | None
    referral_fee: float | None
    total_fees: float | None


@dataclass(frozen=True)
class RestockRow:
    """One SKU of GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT."""

    sku: str
    asin: str | None
    fnsku: str | None
    recommended_quantity: int | None
    recommended_ship_date: dt.date | None
    alert: str | None
    days_of_supply: float | None
    raw: dict[str, Any] = field(default_factory=dict)


# -- Fulfillment Inbound ------------------------------------------------------------------
# v0 shipment statuses; a shipment in one of CLOSED_INBOUND_STATUSES adds nothing inbound.
INBOUND_STATUSES = (
    "WORKING",
    "READY_TO_SHIP",
    "SHIPPED",
    "IN_TRANSIT",
    "DELIVERED",
    "CHECKED_IN",
    "RECEIVING",
    "CLOSED",
    "CANCELLED",
    "DELETED",
    "ERROR",
)
CLOSED_INBOUND_STATUSES = frozenset({"CLOSED", "CANCELLED", "DELETED", "ERROR"})
OPEN_INBOUND_STATUSES = tuple(s for s in INBOUND_STATUSES if s not in CLOSED_INBOUND_STATUSES)


@dataclass(frozen=True)
class InboundShipment:
    """One FBA inbound shipment as Fulfillment Inbound v0 getShipments lists it.

    `shipment_id` is Amazon's shipment id (e.g. FBA15DJCQ1ZF), the one on the box labels; the
    2024-03-20 API calls it `shipmentConfirmationId` (`PlanShipment.confirmation_id`), which is
    how a v0 shipment is joined to its plan and its delivery window. v0 carries no arrival
    date: `confirmed_need_by` is only set for pre-orders.
    """

    shipment_id: str
    status: str
    name: str | None
    destination_fc: str | None
    label_prep_type: str | None
    are_cases_required: bool
    box_contents_source: str | None = None
    confirmed_need_by: dt.date | None = None

    @property
    def is_open(self) -> bool:
        """Units still to arrive (not CLOSED, CANCELLED, DELETED or ERROR)."""
        return self.status not in CLOSED_INBOUND_STATUSES


@dataclass(frozen=True)
class InboundShipmentsPage:
    """One page of getShipments."""

    shipments: list[InboundShipment]
    next_token: str | None


@dataclass(frozen=True)
class InboundShipmentItem:
    """One SKU of an inbound shipment (v0): units shipped and received so far."""

    shipment_id: str
    sku: str
    fnsku: str | None
    quantity_shipped: int
    quantity_received: int
    quantity_in_case: int | None = None

    @property
    def outstanding(self) -> int:
        """Units not received yet (never negative: Amazon may receive more than shipped)."""
        return max(0, self.quantity_shipped - self.quantity_received)


@dataclass(frozen=True)
class InboundShipmentItemsPage:
    """One page of getShipmentItems (or the items of one shipment)."""

    items: list[InboundShipmentItem]
    next_token: str | None


@dataclass(frozen=True)
class InboundPlanSummary:
    """One 2024-03-20 inbound plan (listInboundPlans): ACTIVE, SHIPPED, VOIDED or ERRORED."""

    plan_id: str
    name: str
    status: str
    created_at: dt.datetime
    last_updated_at: dt.datetime
    marketplace_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class InboundPlansPage:
    """One page of listInboundPlans."""

    plans: list[InboundPlanSummary]
    next_token: str | None


@dataclass(frozen=True)
class PlanShipmentRef:
    """A shipment of a plan as getInboundPlan lists it (2024-03-20 shipmentId and status)."""

    shipment_id: str
    status: str


@dataclass(frozen=True)
class InboundPlan:
    """getInboundPlan: the plan and its shipments."""

    summary: InboundPlanSummary
    shipments: tuple[PlanShipmentRef, ...]


@dataclass(frozen=True)
class PlanShipment:
    """One shipment of a 2024-03-20 plan (getShipment), with Amazon's own dates.

    `delivery_window_start`/`delivery_window_end` are the selected delivery window: Amazon's
    date for the carrier's delivery at the fulfillment center (None when the seller chose
    none). Units become sellable only after check-in and receiving, which take days more.
    `ready_to_ship_start`/`_end` are when the seller said it would ship.
    `confirmation_id` is the v0 ShipmentId (join key with `InboundShipment.shipment_id`).
    """

    plan_id: str
    shipment_id: str
    confirmation_id: str | None
    status: str | None
    name: str | None
    warehouse_id: str | None
    ready_to_ship_start: dt.datetime | None
    ready_to_ship_end: dt.datetime | None
    delivery_window_start: dt.datetime | None
    delivery_window_end: dt.datetime | None

    @property
    def has_amazon_date(self) -> bool:
        """Amazon gave a delivery window for this shipment."""
        return self.delivery_window_end is not None


@dataclass(frozen=True)
class PlanShipmentItem:
    """One item of a 2024-03-20 shipment (listShipmentItems): what was planned, not received."""

    msku: str
    asin: str | None
    fnsku: str | None
    quantity: int


# -- Amazon Warehousing and Distribution (AWD 2024-05-09) ---------------------------------
AWD_SHIPMENT_STATUSES = (
    "CREATED",
    "SHIPPED",
    "IN_TRANSIT",
    "RECEIVING",
    "DELIVERED",
    "CLOSED",
    "CANCELLED",
)
# Final states: nothing more will be received (CLOSED: what came is in AWD's on-hand).
AWD_FINAL_STATUSES = frozenset({"CLOSED", "CANCELLED"})


@dataclass(frozen=True)
class AwdInventory:
    """One SKU of AWD listInventory (details=SHOW gives the three detail quantities).

    `total_onhand` is every unit in AWD's distribution centres, reserved ones included;
    `available` the part free for replenishment to FBA, `reserved` the part already promised to
    a replenishment order being prepared, `replenishment` units on their way from AWD to FBA
    (no longer on hand), `total_inbound` units shipped by the seller, not received yet.
    """

    sku: str
    total_onhand: int
    total_inbound: int
    available: int | None = None
    reserved: int | None = None
    replenishment: int | None = None

    @property
    def distributable(self) -> int:
        """Units AWD can still send to FBA: available, else on hand less reserved."""
        if self.available is not None:
            return self.available
        return max(0, self.total_onhand - (self.reserved or 0))


@dataclass(frozen=True)
class AwdInventoryPage:
    """One page of listInventory (may be empty and still carry a token)."""

    items: list[AwdInventory]
    next_token: str | None


@dataclass(frozen=True)
class AwdShipmentSummary:
    """One AWD inbound shipment as listInboundShipments lists it."""

    shipment_id: str
    order_id: str
    status: str
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    external_reference_id: str | None = None

    @property
    def is_final(self) -> bool:
        """CLOSED or CANCELLED: nothing more to receive."""
        return self.status in AWD_FINAL_STATUSES


@dataclass(frozen=True)
class AwdShipmentsPage:
    """One page of listInboundShipments (may be empty and still carry a token)."""

    shipments: list[AwdShipmentSummary]
    next_token: str | None


@dataclass(frozen=True)
class AwdSkuQuantity:
    """A SKU of an AWD inbound shipment in product units (cases and pallets converted)."""

    sku: str
    expected: int
    received: int | None  # None when the answer did not say

    @property
    def outstanding(self) -> int:
        """Units still to be received (never negative)."""
        return max(0, self.expected - (self.received or 0))


@dataclass(frozen=True)
class AwdShipment:
    """getInboundShipment: status, dates and the SKUs with expected and received units.

    The model gives no arrival date: `ship_by` (when the seller ships) and `updated_at` (the
    latest status change) are what there is.
    """

    shipment_id: str
    order_id: str
    status: str
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    ship_by: dt.datetime | None
    destination_region: str | None
    received_units: int | None
    skus: tuple[AwdSkuQuantity, ...]

    @property
    def is_final(self) -> bool:
        """CLOSED or CANCELLED: nothing more to receive."""
        return self.status in AWD_FINAL_STATUSES
