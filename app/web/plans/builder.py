"""The plan builder's rules: which lines, what quantities are allowed, what it adds up to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from app.exports.plans import Line, is_bulky, unit_cubic_feet
from app.models import Product, Recommendation, SellerAccount, ShipmentPlan, risk
from app.planning.settings import MAX_SHIP_QUANTITY, pack_problem
from app.queries import current_recommendation_ids


def urgency(status_col: Any) -> Any:
    """SQL: a status word's rank in PlanStatus's order (most urgent first; unknown last)."""
    ranks = [(status_col == word, i) for i, word in enumerate(risk.STATUSES)]
    return case(*ranks, else_=len(risk.STATUSES))


def candidates(session: Session, seller: SellerAccount) -> list[tuple[Product, Recommendation]]:
    """Active SKUs whose stored recommendation ships something, most urgent first: quantities and
    ship-by dates are the stored timeline's, never recomputed here."""
    r, p = Recommendation, Product
    cur = current_recommendation_ids(seller.tenant_id, seller.id)
    rows = session.execute(
        select(p, r)
        .join(cur, (cur.c.seller_account_id == p.seller_account_id) & (cur.c.sku == p.sku))
        .join(r, r.id == cur.c.rec_id)
        .where(
            p.tenant_id == seller.tenant_id,
            p.seller_account_id == seller.id,
            p.active.is_(True),
            r.quantity > 0,
        )
        # Most urgent first: the stored status in PlanStatus's order, then the stored ship-by.
        .order_by(urgency(r.status), r.ship_by.asc().nulls_last(), p.sku)
    ).all()
    return [(row[0], row[1]) for row in rows]


def quantity_error(product: Product, raw: Any) -> tuple[int | None, str | None]:
    """Parse a typed quantity and check it against case pack and MOQ (the planner's rule)."""
    text = str(raw or "").strip().replace(",", "")
    if not text.lstrip("-").isdigit():
        return None, "Enter a whole number of units."
    qty = int(text)
    if qty <= 0:
        return None, "Enter at least 1 unit (untick the line to leave it out)."
    if qty > MAX_SHIP_QUANTITY:
        return None, f"At most {MAX_SHIP_QUANTITY:,} units."
    broken = pack_problem(qty, product.case_pack, product.moq)
    if broken == "case_pack":
        pack = max(1, product.case_pack or 1)
        lower = qty // pack * pack
        hint = f"{lower:,} or {lower + pack:,}" if lower else f"{pack:,}"
        return None, f"Must be a multiple of the case pack ({pack:,} per case), e.g. {hint}."
    if broken == "moq":
        return None, f"Below the minimum order of {product.moq:,} units."
    return qty, None


@dataclass
class Totals:
    """What a set of lines adds up to, and how it compares with the capacity limits."""

    units: int = 0
    cost: float = 0.0
    missing_cost: int = 0
    standard_cuft: float = 0.0
    bulky_cuft: float = 0.0
    warnings: list[str] = field(default_factory=list)


def totals(lines: list[Line], seller: SellerAccount) -> Totals:
    """Units, cost and volume by storage type, with a warning for each limit passed."""
    t = Totals()
    for line in lines:
        t.units += line.quantity
        if line.cost is None:
            t.missing_cost += 1
        else:
            t.cost += line.cost
        if line.product is not None:
            volume = unit_cubic_feet(line.product) * line.quantity
            if is_bulky(line.product):
                t.bulky_cuft += volume
            else:
                t.standard_cuft += volume
    for label, used, limit in (
        ("standard-size", t.standard_cuft, seller.capacity_standard_cuft),
        ("oversize", t.bulky_cuft, seller.capacity_bulky_cuft),
    ):
        if limit is not None and used > limit:
            t.warnings.append(
                f"This plan needs {used:,.1f} cu ft of {label} space; your limit is {limit:,.1f}."
            )
    return t


def plan_lines(session: Session, plan: ShipmentPlan) -> list[Line]:
    """The plan's lines with their products (one query for all of them)."""
    skus = [ln.sku for ln in plan.lines]
    products = (
        {
            p.sku: p
            for p in session.scalars(
                select(Product).where(
                    Product.tenant_id == plan.tenant_id,
                    Product.seller_account_id == plan.seller_account_id,
                    Product.sku.in_(skus),
                )
            )
        }
        if skus
        else {}
    )
    return [
        Line(ln.sku, ln.quantity, ln.recommended_quantity, products.get(ln.sku))
        for ln in plan.lines
    ]
