"""A shipment plan as rows: the plan sheet and Amazon's Send-to-Amazon upload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.models import Product, ShipmentPlan

PLAN_HEADER = [
    "SKU",
    "Title",
    "ASIN",
    "FNSKU",
    "Quantity",
    "Recommended",
    "Units per case",
    "Cases",
    "Unit cost",
    "Line cost",
    "Cubic feet",
    "Prep owner",
    "Label owner",
]
# Send to Amazon "Create workflow – template": the first four columns are Amazon's required ones;
# the box columns follow the newer template (units per box, number of boxes, box dimensions and
# weight). Box size and weight are not known to FBA Planner and are left blank for the seller.
STA_HEADER = [
    "Merchant SKU",
    "Quantity",
    "Prep owner",
    "Labeling owner",
    "Units per box",
    "Number of boxes",
    "Box length (in)",
    "Box width (in)",
    "Box height (in)",
    "Box weight (lb)",
]
# The template's owners are "Seller" or "Amazon"; "no prep needed" is entered as Seller.
STA_OWNER = {"AMAZON": "Amazon", "SELLER": "Seller", "NONE": "Seller"}


@dataclass(frozen=True)
class Line:
    """One plan line joined with its product (which may have been deleted since)."""

    sku: str
    quantity: int
    recommended: int | None
    product: Product | None

    @property
    def cubic_feet(self) -> float | None:
        """Volume of the line's units."""
        return None if self.product is None else unit_cubic_feet(self.product) * self.quantity

    @property
    def cost(self) -> float | None:
        """Units times unit cost."""
        if self.product is None or self.product.unit_cost is None:
            return None
        return round(self.product.unit_cost * self.quantity, 2)


def unit_cubic_feet(product: Product) -> float:
    """One unit's volume in cubic feet (0 when unknown)."""
    if product.cubic_feet:
        return float(product.cubic_feet)
    dims = (product.length_in, product.width_in, product.height_in)
    if all(dims):
        return float(dims[0] * dims[1] * dims[2]) / 1728.0  # type: ignore[operator]
    return 0.0


def is_bulky(product: Product) -> bool:
    """Oversize and bulky items count against a separate capacity limit."""
    tier = (product.size_tier or "").lower()
    return "bulky" in tier or "oversize" in tier


def plan_rows(lines: list[Line]) -> list[list[Any]]:
    """The plan sheet's data rows."""
    rows = []
    for line in lines:
        p = line.product
        pack = p.case_pack if p is not None else None
        rows.append(
            [
                line.sku,
                p.title if p is not None else None,
                p.asin if p is not None else None,
                p.fnsku if p is not None else None,
                line.quantity,
                line.recommended,
                pack,
                (line.quantity // pack) if pack and line.quantity % pack == 0 else None,
                p.unit_cost if p is not None else None,
                line.cost,
                round(line.cubic_feet, 3) if line.cubic_feet is not None else None,
                p.prep_owner if p is not None else None,
                p.label_owner if p is not None else None,
            ]
        )
    return rows


def send_to_amazon_rows(plan: ShipmentPlan, lines: list[Line]) -> list[list[Any]]:
    """The upload sheet: default owners on top, then one row per Merchant SKU."""
    prep = [ln.product.prep_owner for ln in lines if ln.product is not None]
    label = [ln.product.label_owner for ln in lines if ln.product is not None]
    default_prep = STA_OWNER.get(max(set(prep), key=prep.count) if prep else "SELLER", "Seller")
    default_label = STA_OWNER.get(max(set(label), key=label.count) if label else "SELLER", "Seller")
    rows: list[list[Any]] = [
        ["Default prep owner", default_prep],
        ["Default labeling owner", default_label],
        [],
        list(STA_HEADER),
    ]
    for line in lines:
        p = line.product
        pack = p.case_pack if p is not None else 1
        boxed = pack > 1 and line.quantity % pack == 0
        rows.append(
            [
                line.sku,
                line.quantity,
                STA_OWNER.get(p.prep_owner, "Seller") if p is not None else None,
                STA_OWNER.get(p.label_owner, "Seller") if p is not None else None,
                pack if boxed else None,
                line.quantity // pack if boxed else None,
                None,
                None,
                None,
                None,
            ]
        )
    return rows
