"""The purchase order builder's lines: a supplier's SKUs, prefilled and checked.

Prefill: the two-stage planner's supplier order where it recommends ordering this SKU from this
supplier (queries.supplier_orders: its quantity, rounded up to whole cases and the MOQ as a
safeguard; ticked when it is due, i.e. "to reorder" on the dashboard); otherwise the smallest
order the terms allow, unticked. The FBA shipment's quantity is not a supplier order and is never
used here. Checks: the
case-pack/MOQ rule (app.planning.settings.pack_problem); the unit cost is the price break the
quantity reaches, and a line says how many more units would reach the next break.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from werkzeug.datastructures import MultiDict

from app.exports.plans import unit_cubic_feet
from app.models import Product, SellerAccount, Supplier
from app.planning.settings import pack_problem
from app.supply.purchase_orders import LineInput
from app.supply.read import Terms
from app.web.supply import queries
from app.web.supply.queries import OrderRec
from forecasting.policy import smallest_shipment


@dataclass
class BuilderLine:
    """One SKU offered by the supplier, as the builder shows it."""

    sku: str
    product: Product | None
    terms: Terms
    recommended: int | None
    quantity_text: str
    quantity: int | None
    picked: bool
    error: str | None
    unit_cost: float | None
    cost: float | None
    cubic_feet: float | None
    next_break: tuple[int, float] | None
    order: OrderRec | None = None  # the planner's supplier order from this supplier


def prefill(terms: Terms, recommended: int | None) -> int:
    """The quantity the builder starts from."""
    pack, moq = max(1, terms.case_pack), max(0, terms.moq)
    if recommended and recommended > 0:
        q = -(-recommended // pack) * pack
        return max(q, smallest_shipment(pack, moq))
    return smallest_shipment(pack, moq)


def _check(terms: Terms, text: str) -> tuple[int | None, str | None]:
    raw = text.strip().replace(",", "")
    if not raw.isdigit() or len(raw) > 8 or int(raw) <= 0:
        return None, "Enter a whole number of units above 0."
    q = int(raw)
    problem = pack_problem(q, terms.case_pack, terms.moq)
    if problem == "case_pack":
        return q, f"Order whole cases of {terms.case_pack}."
    if problem == "moq":
        return q, f"The supplier's minimum is {terms.moq:,} units."
    return q, None


def build_lines(
    seller: SellerAccount,
    supplier: Supplier,
    form: MultiDict[str, str] | None,
    orders: dict[tuple[str, int], OrderRec] | None = None,
) -> dict[str, Any]:
    """The lines, the picked LineInputs, errors, and totals (units, cost, cu ft)."""
    terms = queries.supplier_terms(seller, supplier.id)
    products = queries.products(seller)
    mine = {o.sku: o for o in (orders or {}).values() if o.supplier_id == supplier.id}
    lines: list[BuilderLine] = []
    picked: list[LineInput] = []
    errors = 0
    for sku in sorted(terms):
        t = terms[sku]
        order = mine.get(sku)
        rec = order.quantity if order else None
        if form is None:
            text, chosen = str(prefill(t, rec)), bool(order and order.due)
        else:
            text, chosen = form.get(f"qty-{sku}", ""), sku in form.getlist("pick")
        qty, error = _check(t, text)
        if not chosen:
            error = None
        unit = t.unit_cost_for(qty) if qty else None
        product = products.get(sku)
        upcoming = [b for b in t.price_breaks if qty is not None and b[0] > qty]
        line = BuilderLine(
            sku,
            product,
            t,
            rec,
            text,
            qty,
            chosen,
            error,
            unit,
            round(unit * qty, 2) if unit is not None and qty else None,
            unit_cubic_feet(product) * qty if product and qty else None,
            upcoming[0] if upcoming else None,
            order,
        )
        lines.append(line)
        if chosen and error:
            errors += 1
        elif chosen and qty and unit is not None:
            picked.append(LineInput(sku, qty, unit, rec))
    chosen_lines = [ln for ln in lines if ln.picked and not ln.error]
    return {
        "lines": lines,
        "picked": picked,
        "errors": errors,
        "units": sum(ln.quantity or 0 for ln in chosen_lines),
        "cost": round(sum(ln.cost or 0 for ln in chosen_lines), 2),
        "cubic_feet": round(sum(ln.cubic_feet or 0 for ln in chosen_lines), 2),
    }
