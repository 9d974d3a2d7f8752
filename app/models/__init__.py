"""All models, imported here so metadata is complete for Alembic and create_all."""

from app.models.alerts import AlertMessage, AlertSettings, AlertState
from app.models.base import Base, utcnow
from app.models.catalog import AmazonRestockRecommendation, FeeEstimate, Product, StorageFeeCharge
from app.models.events import JobRecord, WebhookEvent
from app.models.fees import FeeEvent
from app.models.fx import ExchangeRate
from app.models.inbound import InboundShipment, InboundShipmentItem
from app.models.inventory import InventorySnapshot
from app.models.orders import Order, OrderItem, SkuDailyUnits
from app.models.planning import (
    Forecast,
    ModelVersion,
    Recommendation,
    ShipmentPlan,
    ShipmentPlanLine,
)
from app.models.seller import SellerAccount, SellerConnection, SyncRun, SyncState
from app.models.summary import SkuSummary, SummaryState
from app.models.supply import (
    FreightLane,
    Location,
    LocationInbound,
    LocationStock,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderReceipt,
    Supplier,
    SupplierSku,
)
from app.models.tenancy import ApiToken, Membership, Tenant, User

__all__ = [
    "AlertMessage",
    "AlertSettings",
    "AlertState",
    "AmazonRestockRecommendation",
    "ApiToken",
    "Base",
    "FeeEstimate",
    "FeeEvent",
    "FreightLane",
    "Forecast",
    "InboundShipment",
    "InboundShipmentItem",
    "InventorySnapshot",
    "JobRecord",
    "Location",
    "LocationInbound",
    "LocationStock",
    "Membership",
    "ModelVersion",
    "Order",
    "OrderItem",
    "ExchangeRate",
    "Product",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "PurchaseOrderReceipt",
    "Recommendation",
    "SellerAccount",
    "SellerConnection",
    "ShipmentPlan",
    "ShipmentPlanLine",
    "SkuDailyUnits",
    "SkuSummary",
    "StorageFeeCharge",
    "Supplier",
    "SummaryState",
    "SupplierSku",
    "SyncRun",
    "SyncState",
    "Tenant",
    "User",
    "WebhookEvent",
    "utcnow",
]
