"""The two-stage plan (issue 16): upstream stock, purchase orders in flight and supplier terms,
read once per recommend run, turned into the FBA plan's upstream limit and each SKU's supplier
order (forecasting.supply.decide).

A SKU is two-stage when it has supplier terms or units upstream (at a warehouse, 3PL or AWD, on
hand or on order). For it:

- the FBA shipment comes out of the units upstream: `SkuPlanInput.upstream_on_hand` caps it and
  `upstream_arrivals` (purchase orders and other inbound movements, by the day they land) make
  the timeline's upstream position. A unit is counted once: on hand upstream, or on order until
  the day it lands (an overdue one lands today; one with no expected date is counted on the day
  its supplier's production and cheapest freight would bring it, and a note says so);
- the supplier order is decided from the same demand paths, FBA stock and inbound as the FBA
  plan, with the SKU's lead time as the days from upstream to sellable at FBA (the FBA plan's
  lead time, so both plans agree on when a shipment lands). Supplier money is converted to the
  seller's currency at the rate of the newest PO to that supplier (the seller's own figure); a
  supplier in another currency without one is left out and the notes say so, never guessed.
  Freight per unit is the lane's per-unit cost plus its per-cubic-foot cost times the SKU's
  cubic feet; of several lanes of one mode the cheapest is offered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Location, Product, SellerAccount
from app.supply.currency import seller_currency
from app.supply.read import (
    Lane,
    Terms,
    Upstream,
    supplier_rates,
    terms_for_seller,
    upstream_for_seller,
)
from forecasting.fees import FeeSchedule
from forecasting.inbound import arrivals_by_day
from forecasting.policy import SkuPlanInput
from forecasting.supply import (
    FreightOption,
    PriceBreak,
    SupplierOption,
    SupplyDecision,
    SupplyInput,
    decide,
)

DEFAULT_HOLDING = 0.5  # $/cu ft/month when no upstream location says


@dataclass
class SupplyBook:
    """What one recommend run reads about a seller's upstream, once."""

    currency: str
    terms: dict[str, list[Terms]]
    upstream: dict[str, Upstream]
    rates: dict[int, float]
    locations: dict[int, Location]

    def two_stage(self, sku: str) -> bool:
        """Whether the SKU has supplier terms or units upstream."""
        up = self.upstream.get(sku)
        return bool(self.terms.get(sku)) or (
            up is not None and (up.on_hand > 0 or bool(up.on_order))
        )

    def rate(self, t: Terms) -> float | None:
        """Seller money per unit of the supplier's (1 in the same currency; None: no rate)."""
        if t.currency == self.currency:
            return 1.0
        return self.rates.get(t.supplier_id)


@dataclass
class UpstreamPlan:
    """One two-stage SKU's upstream as the plans read it, with the page's detail."""

    on_hand: int
    arrivals: list[tuple[int, int]]  # (day index, units) for SkuPlanInput / SupplyInput
    detail: dict[str, Any]  # merged into the stored timeline's `upstream`
    notes: list[str]
    # What holding the units upstream costs per cu ft per month (the unit-weighted rate of the
    # locations holding them; None: nothing upstream). The FBA plan prices a shipment's FBA
    # storage net of it (SkuPlanInput.upstream_holding_per_cuft_month), as the replay's ours.
    holding_per_cuft_month: float | None = None


def load(session: Session, account: SellerAccount) -> SupplyBook:
    """Terms, upstream stock and POs in flight, rates and locations of one seller."""
    locations = {
        loc.id: loc
        for loc in session.scalars(
            select(Location).where(
                Location.tenant_id == account.tenant_id,
                Location.seller_account_id == account.id,
            )
        )
    }
    return SupplyBook(
        seller_currency(account),
        terms_for_seller(session, account),
        upstream_for_seller(session, account),
        supplier_rates(session, account),
        locations,
    )


def _primary(terms: list[Terms]) -> Terms | None:
    return next((t for t in terms if t.role == "primary"), None)


def _upstream_lanes(t: Terms) -> list[Lane]:
    return [ln for ln in t.lanes if ln.destination_kind != "fba"]


def _default_lead(terms: list[Terms], fallback: int) -> int:
    """Days an order placed today takes to land upstream: the primary's production plus its
    cheapest lane's transit (the fallback without one)."""
    p = _primary(terms)
    lanes = _upstream_lanes(p) if p else []
    if p is None or not lanes:
        return fallback
    cheapest = min(lanes, key=lambda ln: (ln.cost_per_unit + ln.cost_per_cuft, ln.transit_days))
    return p.production_lead_days + cheapest.transit_days


def upstream_plan(book: SupplyBook, product: Product, today: dt.date) -> UpstreamPlan:
    """The SKU's units upstream now and on order, each once, on the day it lands."""
    up = book.upstream.get(product.sku) or Upstream()
    notes: list[str] = []
    guess = _default_lead(book.terms.get(product.sku, []), max(1, product.lead_time_days))
    arrivals: list[tuple[int, int]] = []
    rows = []
    for o in up.on_order:
        undated = o.arrives_on is None
        estimated = undated or o.estimated
        lands = o.arrives_on or today + dt.timedelta(days=guess)
        if undated:
            notes.append(
                f"{o.reference}: no expected arrival; its {o.quantity:,} units are counted as "
                f"landing upstream on {lands.isoformat()}"
            )
        arrivals.append((max(0, (lands - today).days), o.quantity))
        loc = book.locations.get(o.location_id)
        rows.append(
            {
                "reference": o.reference,
                "quantity": o.quantity,
                "arrives_on": lands.isoformat(),
                "estimated": estimated,
                "overdue": lands < today,
                "location_id": o.location_id,
                "location": loc.name if loc else None,
                "kind": o.kind,
            }
        )
    locs = [
        {
            "location_id": lid,
            "name": book.locations[lid].name if lid in book.locations else None,
            "kind": book.locations[lid].kind if lid in book.locations else None,
            "quantity": qty,
        }
        for lid, qty in sorted(up.by_location.items())
    ]
    held = [(book.locations[lid], q) for lid, q in up.by_location.items()
            if lid in book.locations and q > 0]  # fmt: skip
    units = sum(q for _, q in held)
    rate = (sum(float(loc.holding_cost_per_cuft_month or 0.0) * q for loc, q in held) / units
            if units else None)  # fmt: skip
    return UpstreamPlan(up.on_hand, arrivals, {"locations": locs, "arrivals": rows}, notes,
                        rate)  # fmt: skip


@dataclass
class OrderContext:
    """A SupplyInput and how to read its answer back: the lane behind each option."""

    item: SupplyInput
    lanes: dict[tuple[int, str], Lane]
    terms: dict[int, Terms]
    rates: dict[int, float]


def supply_input(
    book: SupplyBook, product: Product, plan: SkuPlanInput, up: UpstreamPlan, today: dt.date
) -> tuple[OrderContext | None, list[str]]:
    """The SKU's supplier options in the seller's currency and the decision's input (None and
    the reason in the notes when no primary supplier can be priced)."""
    notes: list[str] = []
    terms = book.terms.get(product.sku) or []
    if not terms:
        return None, notes
    options: list[SupplierOption] = []
    lanes: dict[tuple[int, str], Lane] = {}
    by_id: dict[int, Terms] = {}
    rates: dict[int, float] = {}
    cuft = float(plan.cubic_feet)
    for t in terms:
        rate = book.rate(t)
        if rate is None:
            notes.append(
                f"{t.supplier_name} quotes in {t.currency}: no rate to {book.currency} yet (enter "
                "one on a purchase order to it), so it is not priced"
            )
            continue
        cheapest: dict[str, Lane] = {}
        for ln in _upstream_lanes(t):
            cost = ln.cost_per_unit + ln.cost_per_cuft * cuft
            best = cheapest.get(ln.mode)
            if best is None or (cost, ln.transit_days) < (
                best.cost_per_unit + best.cost_per_cuft * cuft,
                best.transit_days,
            ):
                cheapest[ln.mode] = ln
        if not cheapest:
            notes.append(f"{t.supplier_name} has no freight option to a warehouse or AWD")
            continue
        freight = [
            FreightOption(ln.mode, ln.transit_days, (ln.cost_per_unit + ln.cost_per_cuft * cuft)
                          * rate)
            for ln in cheapest.values()
        ]  # fmt: skip
        options.append(
            SupplierOption(
                t.supplier_id,
                t.supplier_name,
                t.role,
                t.production_lead_days,
                t.unit_cost * rate,
                freight,
                moq=max(0, t.moq),
                case_pack=max(1, t.case_pack),
                price_breaks=tuple(PriceBreak(q, c * rate) for q, c in t.price_breaks),
            )
        )
        lanes.update({(t.supplier_id, mode): ln for mode, ln in cheapest.items()})
        by_id[t.supplier_id] = t
        rates[t.supplier_id] = rate
    if not any(o.role == "primary" for o in options):
        if _primary(terms) is None:
            notes.append("no primary supplier: no supplier order")
        else:
            notes.append("the primary supplier cannot be priced: no supplier order")
        return None, notes
    L = max(1, int(plan.lead_time_days))
    margin = (plan.sale_price * (1 - plan.referral_rate) - plan.fulfillment_fee
              - plan.unit_cost)  # fmt: skip
    fba_arrivals = sorted(arrivals_by_day(plan.inbound, plan.reserved, L, today).items())
    holding = _holding(book, up, options, lanes)
    item = SupplyInput(
        sku=product.sku,
        demand_paths=plan.demand_paths,
        fba_on_hand=max(0, int(plan.on_hand)),
        upstream_on_hand=max(0, up.on_hand),
        transfer_days=L,
        suppliers=options,
        margin_per_unit=max(0.0, float(margin)),
        cubic_feet=cuft,
        size_tier=plan.size_tier,
        fba_arrivals=fba_arrivals,
        po_arrivals=list(up.arrivals),
        warehouse_per_cuft_month=holding,
        unit_value=float(plan.unit_cost),
        review_days=max(1, int(plan.review_days)),
        fba_case_pack=max(1, int(plan.case_pack)),
        stockout_cost_multiple=float(plan.stockout_cost_multiple),
    )
    return OrderContext(item, lanes, by_id, rates), notes


def _holding(
    book: SupplyBook, up: UpstreamPlan, options: list[SupplierOption],
    lanes: dict[tuple[int, str], Lane],
) -> float:  # fmt: skip
    """Holding cost per cu ft per month where an order lands: the destination of the primary's
    cheapest freight, else the location holding most of the SKU's stock upstream."""
    prim = next(o for o in options if o.role == "primary")
    f = min(prim.freight, key=lambda x: x.cost_per_unit)
    lane = lanes.get((prim.supplier_id, f.mode))
    loc = book.locations.get(lane.destination_location_id) if lane else None
    if loc is None and up.detail["locations"]:
        top = max(up.detail["locations"], key=lambda r: r["quantity"])
        loc = book.locations.get(top["location_id"])
    if loc is None:
        return DEFAULT_HOLDING
    return float(loc.holding_cost_per_cuft_month or 0.0)


def decide_order(
    ctx: OrderContext,
    today: dt.date,
    fees: FeeSchedule,
    currency: str,
    money: Callable[[float], str] | None = None,
) -> tuple[SupplyDecision, dict[str, Any] | None]:
    """The decision, and the stored `recommendation.supplier_order` (None: order nothing).

    `money` writes the explanation's amounts (the seller's currency, whole units)."""
    decision = decide(ctx.item, today, fees, money)
    order = decision.order
    if order is None:
        return decision, None
    out = order.to_dict()
    regular = decision.regular_order
    if regular is not None:
        # A backup or faster freight is a contingency on top of the primary's regular order,
        # which is still to be placed: both are stored, and the words say both.
        out["regular_order"] = regular.to_dict()
        regular_lane = ctx.lanes.get((regular.supplier_id, regular.freight))
        out["regular_order"]["lane_id"] = regular_lane.id if regular_lane else None
        out["regular_order"]["destination_location_id"] = (
            regular_lane.destination_location_id if regular_lane else None
        )
        out["explanation"] = f"{out['explanation']} {regular.explanation}"
    lane = ctx.lanes.get((order.supplier_id, order.freight))
    terms = ctx.terms[order.supplier_id]
    rate = ctx.rates[order.supplier_id]
    out.update(
        {
            "currency": currency,
            "lane_id": lane.id if lane else None,
            "destination_location_id": lane.destination_location_id if lane else None,
            "transit_days": lane.transit_days if lane else None,
            "production_days": terms.production_lead_days,
            "supplier_currency": terms.currency,
            "supplier_unit_cost": terms.unit_cost_for(order.quantity),
            "fx_rate": None if terms.currency == currency else rate,
            "case_pack": terms.case_pack,
            "moq": terms.moq,
        }
    )
    return decision, out
