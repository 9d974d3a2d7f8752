"""A purchase order as rows, for the CSV and XLSX the seller sends to the supplier."""

from __future__ import annotations

from typing import Any

from app.exports.plans import unit_cubic_feet
from app.models import Product, PurchaseOrder

PO_HEADER = ["SKU", "Title", "Quantity", "Units per case", "Cases", "Unit cost", "Line cost",
             "Currency", "Cubic feet", "Received"]  # fmt: skip


def po_rows(
    po: PurchaseOrder, products: dict[str, Product], case_packs: dict[str, int]
) -> list[list[Any]]:
    """One row per line (cost in the PO's currency), then a total row."""
    rows: list[list[Any]] = []
    for line in po.lines:
        product = products.get(line.sku)
        pack = case_packs.get(line.sku, 1)
        cuft = unit_cubic_feet(product) * line.quantity if product else None
        rows.append([
            line.sku, product.title if product else None, line.quantity, pack,
            line.quantity // pack if pack > 1 else None, float(line.unit_cost),
            round(line.quantity * float(line.unit_cost), 2), po.currency,
            round(cuft, 2) if cuft is not None else None, line.received_quantity,
        ])  # fmt: skip
    rows.append(["Total", None, sum(ln.quantity for ln in po.lines), None, None, None,
                 round(sum(ln.quantity * float(ln.unit_cost) for ln in po.lines), 2),
                 po.currency, None, sum(ln.received_quantity for ln in po.lines)])  # fmt: skip
    return rows


def po_meta(po: PurchaseOrder) -> list[list[Any]]:
    """The order's header facts as label/value rows (the XLSX's first sheet)."""
    return [
        ["Purchase order", po.number],
        ["Supplier", po.supplier.name],
        ["Supplier contact", po.supplier.contact],
        ["Deliver to", po.destination.name],
        ["Deliver to address", po.destination.address],
        ["Status", po.status],
        ["Currency", po.currency],
        ["Ordered on", po.ordered_on.isoformat() if po.ordered_on else None],
        ["Expected ship", po.expected_ship_on.isoformat() if po.expected_ship_on else None],
        [
            "Expected arrival",
            po.expected_arrival_on.isoformat() if po.expected_arrival_on else None,
        ],
        ["Freight", po.freight_lane.mode if po.freight_lane else None],
        ["Notes", po.notes],
    ]
