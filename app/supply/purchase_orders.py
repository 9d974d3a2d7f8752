"""Purchase orders: create, move through their statuses, and receive units into stock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import (
    FreightLane,
    Location,
    LocationStock,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderReceipt,
    SellerAccount,
    Supplier,
)
from app.models.supply import PO_STATUSES, PO_TRANSITIONS
from app.supply.currency import check_currency, check_rate, seller_currency
from app.supply.errors import SupplyError

MAX_PO_QUANTITY = 10_000_000


@dataclass(frozen=True)
class LineInput:
    """A line as the builder, the API or the demo gives it."""

    sku: str
    quantity: int
    unit_cost: float
    recommended_quantity: int | None = None


def next_number(session: Session, account: SellerAccount) -> str:
    """The next PO number of a seller: PO-0001, PO-0002, ..."""
    count = session.scalar(
        select(func.count(PurchaseOrder.id)).where(
            PurchaseOrder.tenant_id == account.tenant_id,
            PurchaseOrder.seller_account_id == account.id,
        )
    )
    return f"PO-{(count or 0) + 1:04d}"


def create(
    session: Session,
    account: SellerAccount,
    supplier: Supplier,
    destination: Location,
    lines: Sequence[LineInput],
    *,
    currency: str | None = None,
    fx_rate: float | None = None,
    freight_lane: FreightLane | None = None,
    ordered_on: dt.date | None = None,
    expected_ship_on: dt.date | None = None,
    expected_arrival_on: dt.date | None = None,
    notes: str | None = None,
    user_id: int | None = None,
    number: str | None = None,
) -> PurchaseOrder:
    """A draft PO; refused (SupplyError) on a foreign row, a bad line or a missing rate."""
    tenant = account.tenant_id
    if supplier.tenant_id != tenant:
        raise SupplyError("Unknown supplier.", "supplier_id")
    if destination.tenant_id != tenant or destination.seller_account_id != account.id:
        raise SupplyError("Unknown destination.", "destination_location_id")
    if freight_lane is not None and (
        freight_lane.supplier_id != supplier.id
        or freight_lane.destination_location_id != destination.id
    ):
        raise SupplyError("That freight option is not this supplier's to this destination.",
                          "freight_lane_id")  # fmt: skip
    code = check_currency(currency or supplier.currency)
    rate = check_rate(code, seller_currency(account), fx_rate)
    if not lines:
        raise SupplyError("A purchase order needs at least one line.", "lines")
    seen: set[str] = set()
    for i, line in enumerate(lines, start=1):
        if line.sku in seen:
            raise SupplyError(f"Line {i}: {line.sku} is on the order twice.", f"lines[{i}]")
        seen.add(line.sku)
        if not 0 < line.quantity <= MAX_PO_QUANTITY:
            raise SupplyError(f"Line {i} ({line.sku}): quantity must be at least 1.",
                              f"lines[{i}].quantity")  # fmt: skip
        if not 0 <= line.unit_cost <= 1_000_000:
            raise SupplyError(f"Line {i} ({line.sku}): unit cost must be 0 or more.",
                              f"lines[{i}].unit_cost")  # fmt: skip
    if expected_arrival_on is None and freight_lane is not None:
        start = expected_ship_on or (ordered_on or dt.date.today()) + dt.timedelta(
            days=supplier.production_lead_days
        )
        expected_ship_on = expected_ship_on or start
        expected_arrival_on = start + dt.timedelta(days=freight_lane.transit_days)
    po = PurchaseOrder(
        tenant_id=tenant,
        seller_account_id=account.id,
        number=number or next_number(session, account),
        supplier_id=supplier.id,
        destination_location_id=destination.id,
        freight_lane_id=freight_lane.id if freight_lane else None,
        status="draft",
        currency=code,
        fx_rate=rate,
        ordered_on=ordered_on,
        expected_ship_on=expected_ship_on,
        expected_arrival_on=expected_arrival_on,
        notes=notes,
        created_by_user_id=user_id,
    )
    po.lines = [
        PurchaseOrderLine(
            tenant_id=tenant,
            seller_account_id=account.id,
            sku=line.sku,
            quantity=line.quantity,
            unit_cost=line.unit_cost,
            recommended_quantity=line.recommended_quantity,
            received_quantity=0,
        )
        for line in lines
    ]
    session.add(po)
    session.flush()
    return po


def transition(po: PurchaseOrder, status: str, on: dt.date | None = None) -> None:
    """Move a PO to `status` if its current status allows it, dating the step."""
    if status not in PO_STATUSES:
        raise SupplyError(f"Unknown status {status!r}.", "status")
    if status not in PO_TRANSITIONS[po.status]:
        allowed = ", ".join(PO_TRANSITIONS[po.status]) or "none"
        raise SupplyError(
            f"{po.number} is {po.status}: it cannot become {status} (allowed: {allowed}).",
            "status",
        )
    if status == "received" and any(line.outstanding for line in po.lines):
        raise SupplyError(f"{po.number} still has units to receive: record a receipt.", "status")
    day = on or dt.date.today()
    po.status = status
    if status == "sent":
        po.sent_on = day
        po.ordered_on = po.ordered_on or day
    elif status == "shipped":
        po.shipped_on = day
    elif status == "received":
        po.received_on = day


def receive(
    session: Session,
    po: PurchaseOrder,
    quantities: Mapping[int, int],
    on: dt.date | None = None,
    user_id: int | None = None,
) -> list[PurchaseOrderReceipt]:
    """Receive units of a shipped PO's lines into the destination's stock.

    `quantities` maps line id to units received now. All of it or nothing: a negative number,
    an unknown line or more than a line has outstanding refuses the whole receipt.
    """
    if po.status != "shipped":
        raise SupplyError(f"{po.number} is {po.status}: only a shipped PO can be received.",
                          "status")  # fmt: skip
    by_id = {line.id: line for line in po.lines}
    for line_id, qty in quantities.items():
        line = by_id.get(line_id)
        if line is None:
            raise SupplyError(f"Line {line_id} is not on {po.number}.", "lines")
        if not isinstance(qty, int) or qty < 0:
            raise SupplyError(f"{line.sku}: received units must be a whole number, 0 or more.",
                              f"received[{line_id}]")  # fmt: skip
        if qty > line.outstanding:
            raise SupplyError(
                f"{line.sku}: {qty:,} received but only {line.outstanding:,} of "
                f"{line.quantity:,} are outstanding.",
                f"received[{line_id}]",
            )
    if not any(quantities.values()):
        raise SupplyError("Enter the units received on at least one line.", "lines")
    day = on or dt.date.today()
    receipts = []
    for line_id, qty in quantities.items():
        if not qty:
            continue
        line = by_id[line_id]
        line.received_quantity += qty
        _add_stock(session, po, line.sku, qty)
        receipt = PurchaseOrderReceipt(
            tenant_id=po.tenant_id,
            seller_account_id=po.seller_account_id,
            purchase_order_id=po.id,
            line_id=line.id,
            sku=line.sku,
            quantity=qty,
            received_on=day,
            created_by_user_id=user_id,
        )
        session.add(receipt)
        receipts.append(receipt)
    if not any(line.outstanding for line in po.lines):
        po.status = "received"
        po.received_on = day
    session.flush()
    return receipts


def _add_stock(session: Session, po: PurchaseOrder, sku: str, qty: int) -> None:
    row = session.scalar(
        select(LocationStock).where(
            LocationStock.tenant_id == po.tenant_id,
            LocationStock.location_id == po.destination_location_id,
            LocationStock.sku == sku,
        )
    )
    if row is None:
        row = LocationStock(
            tenant_id=po.tenant_id,
            seller_account_id=po.seller_account_id,
            location_id=po.destination_location_id,
            sku=sku,
            quantity=0,
        )
        session.add(row)
    row.quantity = (row.quantity or 0) + qty
    row.source = "receipt"


def totals(po: PurchaseOrder) -> dict[str, float | int]:
    """Units, cost in the PO's currency, and units received of a PO."""
    return {
        "units": sum(line.quantity for line in po.lines),
        "received_units": sum(line.received_quantity for line in po.lines),
        "total_cost": round(sum(line.quantity * float(line.unit_cost) for line in po.lines), 2),
    }
