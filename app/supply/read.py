"""What the planner reads about upstream supply: stock, units on order and supplier terms."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import (
    FreightLane,
    Location,
    LocationInbound,
    LocationStock,
    PurchaseOrder,
    PurchaseOrderLine,
    SellerAccount,
    Supplier,
    SupplierSku,
)
from app.models.supply import PO_OPEN_STATUSES

AWD_SOURCE = "awd"  # LocationInbound rows the AWD sync writes (app.sync.awd.SOURCE)


@dataclass(frozen=True)
class OnOrder:
    """Units of a SKU due to arrive upstream: from a PO or another inbound movement."""

    arrives_on: dt.date | None
    quantity: int
    location_id: int
    kind: str  # the destination's kind: "warehouse" or "awd"
    reference: str  # "PO-0001" or the inbound's reference
    # The date is the product's estimate, not one the seller or Amazon gave (the AWD API has no
    # arrival date: app.sync.awd estimates it).
    estimated: bool = False


@dataclass
class Upstream:
    """A SKU's stock upstream of FBA: units on hand and units on order."""

    on_hand: int = 0
    on_order: list[OnOrder] = field(default_factory=list)
    by_location: dict[int, int] = field(default_factory=dict)

    @property
    def on_order_total(self) -> int:
        """All units on order, whatever their date."""
        return sum(o.quantity for o in self.on_order)


@dataclass(frozen=True)
class Lane:
    """A freight option from a supplier to one destination."""

    id: int
    mode: str
    transit_days: int
    cost_per_unit: float
    cost_per_cuft: float
    destination_location_id: int
    destination_kind: str


@dataclass(frozen=True)
class Terms:
    """One supplier's terms for one SKU, with what the planner needs of the supplier."""

    supplier_id: int
    supplier_name: str
    role: str
    currency: str
    production_lead_days: int
    unit_cost: float
    case_pack: int
    moq: int
    price_breaks: tuple[tuple[int, float], ...]
    lanes: tuple[Lane, ...]

    def unit_cost_for(self, quantity: int) -> float:
        """The unit cost at `quantity`: the largest price break it reaches, else the base cost."""
        cost = self.unit_cost
        for min_qty, unit_cost in self.price_breaks:
            if quantity >= min_qty:
                cost = unit_cost
        return cost


def upstream_for_seller(
    session: Session, account: SellerAccount, skus: list[str] | None = None
) -> dict[str, Upstream]:
    """Each SKU's units at the seller's non-FBA locations and its units on order."""
    tenant, seller = account.tenant_id, account.id
    out: dict[str, Upstream] = defaultdict(Upstream)
    stock = session.execute(
        select(LocationStock.sku, LocationStock.location_id, LocationStock.quantity)
        .join(Location, Location.id == LocationStock.location_id)
        .where(
            LocationStock.tenant_id == tenant,
            LocationStock.seller_account_id == seller,
            Location.kind != "fba",
        )
    )
    for sku, location_id, quantity in stock:
        if quantity:
            out[sku].on_hand += quantity
            out[sku].by_location[location_id] = quantity
    lines = session.execute(
        select(PurchaseOrderLine, PurchaseOrder, Location.kind)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.purchase_order_id)
        .join(Location, Location.id == PurchaseOrder.destination_location_id)
        .where(
            PurchaseOrder.tenant_id == tenant,
            PurchaseOrder.seller_account_id == seller,
            PurchaseOrder.status.in_(PO_OPEN_STATUSES),
            Location.kind != "fba",
        )
    )
    for line, po, kind in lines:
        if line.outstanding:
            out[line.sku].on_order.append(
                OnOrder(
                    po.expected_arrival_on,
                    line.outstanding,
                    po.destination_location_id,
                    kind,
                    po.number,
                )
            )
    inbound = session.execute(
        select(LocationInbound, Location.kind)
        .join(Location, Location.id == LocationInbound.location_id)
        .where(
            LocationInbound.tenant_id == tenant,
            LocationInbound.seller_account_id == seller,
            LocationInbound.received_on.is_(None),
            LocationInbound.quantity > 0,
        )
    )
    for row, kind in inbound:
        out[row.sku].on_order.append(
            OnOrder(row.expected_on, row.quantity, row.location_id, kind, row.reference,
                    estimated=row.source == AWD_SOURCE)  # fmt: skip
        )
    for up in out.values():
        up.on_order.sort(key=lambda o: (o.arrives_on or dt.date.max, o.reference))
    result = dict(out)
    return {s: result[s] for s in skus if s in result} if skus is not None else result


def terms_for_seller(session: Session, account: SellerAccount) -> dict[str, list[Terms]]:
    """Each SKU's supplier terms, the primary supplier first, then backups by unit cost."""
    rows = session.scalars(
        select(SupplierSku)
        .where(
            SupplierSku.tenant_id == account.tenant_id,
            SupplierSku.seller_account_id == account.id,
        )
        .options(
            selectinload(SupplierSku.supplier)
            .selectinload(Supplier.lanes)
            .selectinload(FreightLane.destination)
        )
    )
    out: dict[str, list[Terms]] = defaultdict(list)
    for t in rows:
        supplier = t.supplier
        if not supplier.active:
            continue
        lanes = tuple(
            Lane(
                lane.id,
                lane.mode,
                lane.transit_days,
                float(lane.cost_per_unit or 0),
                float(lane.cost_per_cuft or 0),
                lane.destination_location_id,
                lane.destination.kind,
            )
            for lane in supplier.lanes
            if lane.destination.seller_account_id == account.id
        )
        breaks = tuple(
            sorted((int(b["min_qty"]), float(b["unit_cost"])) for b in (t.price_breaks or []))
        )
        out[t.sku].append(
            Terms(
                supplier.id,
                supplier.name,
                t.role,
                supplier.currency,
                supplier.production_lead_days,
                float(t.unit_cost),
                t.case_pack,
                t.moq,
                breaks,
                lanes,
            )
        )
    for terms in out.values():
        terms.sort(key=lambda x: (x.role != "primary", x.unit_cost, x.supplier_id))
    return dict(out)


def supplier_rates(session: Session, account: SellerAccount) -> dict[int, float]:
    """Each supplier's rate to the seller's currency (seller units per supplier unit) as the
    seller last entered it: the rate of the newest purchase order to that supplier that has one.
    A supplier in a foreign currency with no such PO has no rate: the planner does not guess."""
    rows = session.execute(
        select(PurchaseOrder.supplier_id, PurchaseOrder.fx_rate)
        .where(
            PurchaseOrder.tenant_id == account.tenant_id,
            PurchaseOrder.seller_account_id == account.id,
            PurchaseOrder.fx_rate.is_not(None),
        )
        .order_by(PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc())
    )
    out: dict[int, float] = {}
    for supplier_id, rate in rows:
        if rate and supplier_id not in out:
            out[int(supplier_id)] = float(rate)
    return out
