"""Two-stage supply decision for one SKU (#16): the FBA send now from upstream stock, and the
supplier order (quantity, supplier, freight, order-by date, arrival) with a priced breakdown.

Pure numpy. The demand paths are the single-stage policy's (P paths x days, day 0 = today).
Units are sold at FBA only; a unit upstream (warehouse/AWD) reaches FBA `transfer_days` after it
is sent. Sales that find FBA empty are lost (as in the single-stage replay).

FBA send: candidates are whole FBA cases from 0 up to what is upstream now; each is run forward
over `transfer_days + review_days` days (the units land at `transfer_days`) and priced: lost
margin at FBA, FBA storage of the units at FBA (FeeSchedule), warehouse storage of the units left
upstream and in transit, capital on both, and the FBA-over-warehouse storage premium of what is
left at FBA at the window's end until it sells at the mean rate. The send is the argmin.

Supplier order: every (supplier, freight) option and every allowed quantity (whole cases, at
least the MOQ, plus each price break rounded up to whole cases) is priced as an order placed
today. The order lands upstream after production + transit; it is sent to FBA at the first
review on or after that day (today is one, then every `review_days`) and sellable
`transfer_days` later; one window for all options runs to the slowest option's day at FBA plus
`review_days`. Every unit already upstream (in whole FBA cases: the rest cannot be sent) or on
a PO is counted once, at FBA on the first day it can be there (upstream now: day
`transfer_days`; a PO: the first review on or after its arrival day + `transfer_days`). Lines
(`ORDER_LINES`): purchase (price-break unit cost), freight, lost margin in the window, lost
ranking (the seller's stockout cost, as the FBA plan's: `stockout_cost_multiple` more margins
per unit lost), holding in the window (warehouse rate and capital on the units on hand), and
the holding of what is left at the window's end: each unit until it sells at the mean rate, a
year for each unit beyond a year of sales, but at most one review period for the units the
smallest allowed order leaves (an MOQ lot bigger than the window needs: the alternative is the
same lot a review later); `total` is exactly their sum. Options are compared on total less
the units at the primary's list price and its cheapest freight per unit (a unit that sells
later is no cost of the window, and every unit sold pays that freight whenever it is ordered;
a dearer price, dearer freight, lost margin and holding are). The primary's cheapest freight
is the regular order. Every other option (a backup supplier, faster freight) is priced as a
contingency on top of it, the regular order's units counted; the best one is placed when it
scores lower than the regular order alone, i.e. when the lost margin it saves before the
regular order can land is more than it costs and it cannot wait for the next review (its
order-by date, below, is before it: a later review knows more and can still order it), and
the regular order is then priced again with the contingency's units counted
(`SupplyDecision.regular_order`, None when it is no longer needed).
The order-by date is the last day the chosen option can still be ordered and land at FBA before
the first stockout it could prevent (one on or after the day an order placed today is at FBA) of
the 10th-percentile-fast path without the order (today when already late). A stockout before that
day is no reason to hurry: no order can reach FBA in time for it.

`SupplierOrder.to_dict()` is what the app stores and serves; its `explanation` (also
`SupplyDecision.order_text`) is built only from its own fields, and when a backup supplier or
faster freight is chosen its `contingency` holds the figures of the sentence: the regular
order it goes with (`instead_of`: the primary's order alone; `regular_quantity`: the regular
order placed with it), how many days earlier it lands, what the pair costs more than the
regular order alone (price above the primary's list price, and freight) and the lost margin it
saves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from forecasting.explain import fmt_date
from forecasting.fees import FeeSchedule
from forecasting.policy import DEFAULT_STOCKOUT_COST_MULTIPLE

__all__ = ["FBA_LINES", "ORDER_LINES", "FreightOption", "PriceBreak", "SupplierOption",
           "SupplyDecision", "SupplyInput", "SupplierOrder", "TwoStageCandidate",
           "allowed_quantities", "decide", "unit_cost_at"]

ORDER_LINES = ("purchase", "freight", "lost_margin", "lost_ranking", "holding",
               "leftover_holding")
FBA_LINES = ("lost_margin", "fba_storage", "warehouse_storage", "capital", "fba_premium_after")
MAX_CANDIDATES = 40
LEFTOVER_CAP_DAYS = 365


@dataclass(frozen=True)
class FreightOption:
    mode: str  # e.g. "sea", "air"
    transit_days: int
    cost_per_unit: float


@dataclass(frozen=True)
class PriceBreak:
    min_quantity: int
    unit_cost: float


@dataclass(frozen=True)
class SupplierOption:
    supplier_id: Any
    name: str
    role: str  # "primary" | "backup"
    production_days: int
    unit_cost: float
    freight: Sequence[FreightOption]
    moq: int = 0
    case_pack: int = 1
    price_breaks: Sequence[PriceBreak] = ()

    def __post_init__(self) -> None:
        if self.role not in ("primary", "backup"):
            raise ValueError(f"supplier {self.name!r}: role must be primary or backup, "
                             f"not {self.role!r}")
        if self.case_pack < 1 or self.moq < 0 or self.production_days < 0:
            raise ValueError(f"supplier {self.name!r}: case_pack >= 1, moq >= 0 and "
                             "production_days >= 0 are required")
        if not self.freight:
            raise ValueError(f"supplier {self.name!r}: at least one freight option is needed")
        for f in self.freight:
            if f.transit_days < 0 or f.cost_per_unit < 0:
                raise ValueError(f"supplier {self.name!r}, freight {f.mode!r}: transit_days "
                                 "and cost_per_unit must not be negative")


@dataclass
class SupplyInput:
    """One SKU. `fba_arrivals` / `po_arrivals`: (day offset from today, units); a PO's day is
    its arrival upstream. Costs in dollars; `margin_per_unit` is what a lost sale loses."""

    sku: str
    demand_paths: np.ndarray
    fba_on_hand: int
    upstream_on_hand: int
    transfer_days: int
    suppliers: Sequence[SupplierOption]
    margin_per_unit: float
    cubic_feet: float
    size_tier: str
    fba_arrivals: Sequence[tuple[int, int]] = ()
    po_arrivals: Sequence[tuple[int, int]] = ()
    warehouse_per_cuft_month: float = 0.5
    capital_rate_annual: float = 0.15
    unit_value: float = 0.0  # capital is charged on this (0: the primary's unit cost)
    review_days: int = 7
    fba_case_pack: int = 1
    # the seller's stockout cost, as the FBA plan's (forecasting.policy.SkuPlanInput): each
    # unit lost counted as this many more lost sales at its margin (line lost_ranking)
    stockout_cost_multiple: float = DEFAULT_STOCKOUT_COST_MULTIPLE


@dataclass
class TwoStageCandidate:
    """One priced choice: `total` is exactly the sum of `lines` (same discipline as
    forecasting.timeline.Candidate)."""

    quantity: int
    total: float
    lines: dict[str, float]
    supplier_id: Any = None
    freight: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"quantity": self.quantity, "total": self.total, "lines": dict(self.lines),
                "supplier_id": self.supplier_id, "freight": self.freight}


@dataclass
class SupplierOrder:
    supplier_id: Any
    supplier_name: str
    role: str
    freight: str
    quantity: int
    unit_cost: float
    order_by: dt.date
    arrives_on: dt.date  # upstream (warehouse)
    at_fba_on: dt.date
    cost: TwoStageCandidate
    backup: bool
    # when the choice is not the primary's cheapest freight: the figures of the sentence
    contingency: dict[str, Any] | None = None
    explanation: str = ""
    # upstream arrival of an order placed on `order_by` (None: the same day as `arrives_on`)
    arrives_if_ordered_by: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; `cost.total` is exactly the sum of `cost.lines`."""
        return {
            "supplier_id": self.supplier_id, "supplier_name": self.supplier_name,
            "role": self.role, "freight": self.freight, "quantity": self.quantity,
            "unit_cost": self.unit_cost, "order_by": self.order_by.isoformat(),
            "arrives_on": self.arrives_on.isoformat(), "at_fba_on": self.at_fba_on.isoformat(),
            "backup": self.backup, "cost": self.cost.to_dict(),
            "contingency": dict(self.contingency) if self.contingency is not None else None,
            "explanation": self.explanation,
            "arrives_if_ordered_by": (self.arrives_if_ordered_by.isoformat()
                                      if self.arrives_if_ordered_by else None),
        }


@dataclass
class SupplyDecision:
    sku: str
    send_to_fba: int
    send_cost: TwoStageCandidate
    order: SupplierOrder | None
    order_candidates: list[TwoStageCandidate] = field(default_factory=list, repr=False)
    explanation: str = ""
    # the supplier-order part of `explanation` alone (the send is the FBA plan's to word)
    order_text: str = ""
    # with a contingency `order` (a backup supplier or faster freight): the primary's regular
    # order placed the same day by its cheapest freight, when one is still needed; its
    # `explanation` is its own sentence ("With it, order ... as usual: lands ...")
    regular_order: SupplierOrder | None = None


def unit_cost_at(s: SupplierOption, q: int) -> float:
    """The unit cost of q units: the best price break whose minimum q reaches."""
    cost = s.unit_cost
    for b in sorted(s.price_breaks, key=lambda b: b.min_quantity):
        if q >= b.min_quantity:
            cost = b.unit_cost
    return cost


def _round_up(q: int, case_pack: int, moq: int) -> int:
    q = max(q, moq, 1)
    return -(-q // case_pack) * case_pack


def allowed_quantities(s: SupplierOption, upper: float) -> np.ndarray:
    """0, whole cases from the smallest allowed order up to `upper`, and every price break
    rounded up to whole cases (so that rounding to a break is priced)."""
    first = _round_up(0, s.case_pack, s.moq) // s.case_pack
    last = max(first, int(np.ceil(upper / s.case_pack)))
    if last - first + 1 <= MAX_CANDIDATES:
        cases = np.arange(first, last + 1)
    else:
        cases = np.unique(np.round(np.geomspace(first, last, MAX_CANDIDATES)).astype(int))
    breaks = [_round_up(b.min_quantity, s.case_pack, s.moq) for b in s.price_breaks]
    return np.unique(np.concatenate([[0], cases * s.case_pack, breaks])).astype(np.int64)


def _run(D: np.ndarray, base: np.ndarray, qs: np.ndarray, q_day: int
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Lost sales; per (candidate, path): lost units, unit-days on hand, units left at the end.
    `base[k]` units become sellable on day k; candidate q lands on day `q_day`."""
    P, H = D.shape
    stock = np.zeros((len(qs), P))
    lost = np.zeros_like(stock)
    held = np.zeros_like(stock)
    for k in range(H):
        stock += base[k]
        if k == q_day:
            stock += qs[:, None]
        lost += np.maximum(D[None, :, k] - stock, 0.0)
        stock = np.maximum(stock - D[None, :, k], 0.0)
        held += stock
    return lost, held, stock


def _base(item: SupplyInput, H: int, with_upstream: bool) -> np.ndarray:
    base = np.zeros(H)
    base[0] += item.fba_on_hand
    for day, units in item.fba_arrivals:
        if day < H:
            base[max(day, 0)] += units
    if with_upstream:
        if item.transfer_days < H:
            # only whole FBA cases of what is upstream now can be sent (the rest waits for
            # more to make a case)
            cp = max(1, item.fba_case_pack)
            base[item.transfer_days] += item.upstream_on_hand // cp * cp
        for day, units in item.po_arrivals:
            d = _at_fba(item, day)
            if d < H:
                base[d] += units
    return base


def _at_fba(item: SupplyInput, landed: int) -> int:
    """The day a unit landing upstream on day `landed` can be sold at FBA: it is sent at the
    first review on or after it (today is one, then every `review_days`), and sellable
    `transfer_days` later."""
    R = max(1, int(item.review_days))
    return -(-max(int(landed), 0) // R) * R + item.transfer_days


def _paths(item: SupplyInput, H: int) -> np.ndarray:
    D = np.asarray(item.demand_paths, dtype=float)
    if D.ndim != 2 or D.shape[1] == 0:
        raise ValueError(f"{item.sku}: demand_paths must be (paths, days)")
    if D.shape[1] < H:  # repeat the last week's mean to reach the window
        tail = D[:, -7:].mean(axis=1, keepdims=True)
        D = np.concatenate([D, np.repeat(tail, H - D.shape[1], axis=1)], axis=1)
    return D[:, :H]


def _primary(item: SupplyInput) -> SupplierOption:
    prim = [s for s in item.suppliers if s.role == "primary"]
    if not prim:
        raise ValueError(f"{item.sku}: no primary supplier")
    return prim[0]


def _fba_send(item: SupplyInput, fees: FeeSchedule, today: dt.date
              ) -> tuple[int, TwoStageCandidate]:
    H = item.transfer_days + item.review_days
    D = _paths(item, H)
    cp = max(1, item.fba_case_pack)
    qs = np.arange(0, item.upstream_on_hand // cp + 1, dtype=np.int64) * cp
    if len(qs) > MAX_CANDIDATES:
        qs = np.unique(np.concatenate([[0], np.round(np.linspace(
            0, item.upstream_on_hand // cp, MAX_CANDIDATES)).astype(np.int64) * cp]))
    lost, held, left = _run(D, _base(item, H, with_upstream=False), qs, item.transfer_days)
    fba_day = float(fees.storage_per_cuft(today, H, item.size_tier).mean()) * item.cubic_feet
    wh_day = item.warehouse_per_cuft_month / 30.0 * item.cubic_feet
    value = item.unit_value or _primary(item).unit_cost
    cap_day = item.capital_rate_annual / 365.0 * value
    # units left upstream all window, and units in transit, at the warehouse rate
    upstream_days = (item.upstream_on_hand - qs) * H + qs * min(item.transfer_days, H)
    mean_daily = max(float(D.mean()), 1e-9)
    left_days = np.minimum(left / mean_daily, LEFTOVER_CAP_DAYS)
    lines = {
        "lost_margin": lost.mean(axis=1) * item.margin_per_unit,
        "fba_storage": held.mean(axis=1) * fba_day,
        "warehouse_storage": upstream_days * wh_day,
        "capital": (held.mean(axis=1) + upstream_days) * cap_day,
        # what is at FBA at the window's end waits there, not upstream, until it sells
        "fba_premium_after": (left * left_days / 2.0).mean(axis=1) * max(fba_day - wh_day, 0.0),
    }
    total = sum(lines[k] for k in FBA_LINES)
    j = int(np.argmin(total))
    return int(qs[j]), TwoStageCandidate(int(qs[j]), float(total[j]),
                                         {k: float(lines[k][j]) for k in FBA_LINES})


def _window(item: SupplyInput) -> int:
    """One window for every option (so that their lost margin compares): to the slowest
    option's day at FBA plus the review period."""
    return max(_at_fba(item, s.production_days + f.transit_days) for s in item.suppliers
               for f in s.freight) + item.review_days + 1


def _leftover_unit_days(left: np.ndarray, forced: np.ndarray, mean_daily: float,
                        review_days: int) -> np.ndarray:
    """Days of holding charged for the units `left` at the window's end (per candidate and
    path), the k-th of them selling on day k / mean_daily after it: each unit until it sells,
    a year for each unit beyond a year of sales. Except the first `forced` of them (per path:
    what the smallest allowed order leaves, an MOQ or case bigger than the window needs): the
    alternative to that lot is the same lot at the next review, so each of its units costs at
    most `review_days` while it sells within a year. (Holding the whole lot until it sold made
    an order whose MOQ covers months look dearer than the window's stockouts at every review:
    the replay's two-stage mode, ELC-0007 lost 44 of 96 units; holding every leftover unit one
    review period at most overstocked the warehouse twofold: bench/RESULTS.md.)"""
    a = review_days * mean_daily          # units selling within a review period
    b = LEFTOVER_CAP_DAYS * mean_daily    # units selling within a year

    def until_sold(x: np.ndarray) -> np.ndarray:
        inside = np.minimum(x, b)
        return inside * inside / (2.0 * mean_daily) + np.maximum(x - b, 0.0) * LEFTOVER_CAP_DAYS

    def at_most_a_review(x: np.ndarray) -> np.ndarray:
        first = np.minimum(x, a)
        mid = np.clip(x - a, 0.0, max(b - a, 0.0))
        beyond = np.maximum(x - max(a, b), 0.0)
        return first * first / (2.0 * mean_daily) + mid * review_days + beyond * LEFTOVER_CAP_DAYS

    f = np.minimum(left, forced)
    return at_most_a_review(f) + until_sold(left) - until_sold(f)


def _price_order(item: SupplyInput, s: SupplierOption, f: FreightOption,
                 extra: Sequence[tuple[int, float]] = ()
                 ) -> tuple[list[TwoStageCandidate], int]:
    """Every allowed quantity of option (s, f) placed today, priced (ORDER_LINES); `extra`:
    (day at FBA, units) of other orders placed today, counted like the stock in the base."""
    lead = s.production_days + f.transit_days
    at_fba = _at_fba(item, lead)
    H = _window(item)
    D = _paths(item, H)
    mean_daily = max(float(D.mean()), 1e-9)
    qs = allowed_quantities(s, upper=mean_daily * (H - at_fba) * 3 + 1)
    base = _base(item, H, with_upstream=True)
    for day, units in extra:
        if day < H:
            base[day] += units
    lost, held, left = _run(D, base, qs, at_fba)
    value = item.unit_value or _primary(item).unit_cost
    hold_day = (item.warehouse_per_cuft_month / 30.0 * item.cubic_feet
                + item.capital_rate_annual / 365.0 * value)
    # what the smallest allowed order leaves (qs[0] is 0, qs[1] the smallest order)
    forced = left[1][None, :] if len(qs) > 1 else np.zeros((1, left.shape[1]))
    left_days = _leftover_unit_days(left, forced, mean_daily, max(1, int(item.review_days)))
    unit = np.array([unit_cost_at(s, int(q)) for q in qs])
    lines = {
        "purchase": qs * unit,
        "freight": qs * f.cost_per_unit,
        "lost_margin": lost.mean(axis=1) * item.margin_per_unit,
        "lost_ranking": (lost.mean(axis=1) * item.margin_per_unit
                         * max(float(item.stockout_cost_multiple), 0.0)),
        "holding": held.mean(axis=1) * hold_day,
        # what is left sells at the mean rate; _leftover_unit_days says how long it counts
        "leftover_holding": left_days.mean(axis=1) * hold_day,
    }
    out = []
    for j, q in enumerate(qs):
        ln = {k: float(lines[k][j]) for k in ORDER_LINES}
        out.append(TwoStageCandidate(int(q), sum(ln[k] for k in ORDER_LINES), ln,
                                     s.supplier_id, f.mode))
    return out, lead


def _purchase_neutral(c: TwoStageCandidate, base_unit: float) -> float:
    """Total less the units at the primary's list price and its cheapest freight (`base_unit`,
    the per-unit cost every unit sold pays whenever it is ordered): buying a unit that sells
    later is not a cost of the window (its margin is in `margin_per_unit`); only the price and
    freight above the primary's list price and cheapest freight are, with lost margin and
    holding. (Counting the default freight in full made a SKU whose freight is more than one
    review period's expected lost margin per unit never order: the replay's two-stage mode,
    bench/RESULTS.md.)"""
    return c.total - c.quantity * base_unit


def _stockout_day(item: SupplyInput, H: int, from_day: int = 0) -> int:
    """The 10th-percentile day of the first stockout on or after `from_day` without the order
    (H: none within the window); the stock runs from today, sales lost before it included."""
    D = _paths(item, H)
    stock = np.zeros(D.shape[0])
    base = _base(item, H, with_upstream=True)
    first = np.full(D.shape[0], H)
    for k in range(H):
        stock = stock + base[k]
        short = (D[:, k] > stock + 1e-9) & (first == H) & (k >= from_day)
        first[short] = k
        stock = np.maximum(stock - D[:, k], 0.0)
    return int(np.quantile(first, 0.10))


def _money(x: float) -> str:
    return f"${x:,.0f}"


Option = tuple[float, TwoStageCandidate, SupplierOption, FreightOption, int]


def _best(cands: list[TwoStageCandidate], base_unit: float) -> TwoStageCandidate:
    return min(cands, key=lambda c: _purchase_neutral(c, base_unit))


def decide(item: SupplyInput, today: dt.date, fees: FeeSchedule | None = None,
           money: Callable[[float], str] | None = None) -> SupplyDecision:
    """The FBA send and the supplier order for one SKU (see the module docstring).

    `money` writes the contingency's whole amounts (the app gives the seller's currency and
    locale without decimals); default whole US dollars."""
    fees = fees or FeeSchedule()
    money = money or _money
    if item.transfer_days < 0 or item.fba_on_hand < 0 or item.upstream_on_hand < 0:
        raise ValueError(f"{item.sku}: transfer_days, fba_on_hand and upstream_on_hand "
                         "must not be negative")
    send, send_cost = _fba_send(item, fees, today)
    primary = _primary(item)
    cheapest = min(primary.freight, key=lambda x: x.cost_per_unit)
    base_unit = primary.unit_cost + cheapest.cost_per_unit
    every: list[TwoStageCandidate] = []
    # 1. the primary's cheapest freight alone: the regular order
    cands, dlead = _price_order(item, primary, cheapest)
    every.extend(cands)
    dc = _best(cands, base_unit)
    d_score = _purchase_neutral(dc, base_unit)
    # 2. every other option (a backup supplier, faster freight) as a contingency order on top
    # of the regular one: it pays when the lost margin it saves before the regular order can
    # land is more than its price and freight above the primary's
    contingency: Option | None = None
    regular = dc
    for sup in item.suppliers:
        for f in sup.freight:
            if sup is primary and f is cheapest:
                continue
            extra = [(_at_fba(item, dlead), float(dc.quantity))] if dc.quantity else []
            cands, lead = _price_order(item, sup, f, extra)
            every.extend(cands)
            c = _best(cands, base_unit)
            score = _purchase_neutral(c, base_unit) + _purchase_neutral_of(dc, primary)
            if c.quantity and score < d_score - 1e-9 and (
                    contingency is None or score < contingency[0] - 1e-9):
                contingency = (score, c, sup, f, lead)
    if contingency is not None:
        _, c, sup, f, lead = contingency
        wait = dt.timedelta(days=max(1, int(item.review_days)))
        if _order(item, today, sup, f, c, lead).order_by >= today + wait:
            # it can still be ordered at the next review, which will know more: not yet
            contingency = None
    if contingency is not None:
        # 3. the regular order again, now that the contingency's units are counted
        _, c, sup, f, lead = contingency
        cands, _ = _price_order(item, primary, cheapest,
                                [(_at_fba(item, lead), float(c.quantity))])
        regular = _best(cands, base_unit)
    chosen = contingency or (d_score, dc, primary, cheapest, dlead)
    if chosen[1].quantity == 0:
        none = ("No supplier order: what is upstream and on order covers demand until the next "
                "review.")
        return SupplyDecision(item.sku, send, send_cost, None, every,
                              _explain_send(send) + none, none)
    _, c, sup, f, lead = chosen
    order = _order(item, today, sup, f, c, lead)
    also = None
    if contingency is not None:
        pair = {k: regular.lines[k] for k in ORDER_LINES}
        extra_cost = round((c.lines["purchase"] - c.quantity * primary.unit_cost
                            + c.lines["freight"])
                           + (regular.lines["freight"] - dc.lines["freight"])
                           + (regular.lines["purchase"] - regular.quantity * primary.unit_cost)
                           - (dc.lines["purchase"] - dc.quantity * primary.unit_cost))
        saved = round(dc.lines["lost_margin"] - pair["lost_margin"])
        earlier = dlead - lead
        order.contingency = {
            "instead_of": {"supplier_id": primary.supplier_id, "supplier_name": primary.name,
                           "freight": cheapest.mode, "quantity": dc.quantity,
                           "arrives_on": (today + dt.timedelta(days=dlead)).isoformat()},
            "days_earlier": earlier, "extra_cost": extra_cost, "lost_margin_saved": saved,
            "regular_quantity": regular.quantity,
        }
        when = (f", {earlier} days before {primary.name} by {cheapest.mode} could" if earlier > 0
                else "")
        text = order.explanation
        text += (f"{when}; costs {money(extra_cost)} more and saves {money(saved)} of lost "
                 "margin" if extra_cost >= 0 else
                 f"{when}; costs {money(-extra_cost)} less and saves {money(saved)} of lost "
                 "margin")
        order.explanation = text
        if regular.quantity:
            also = _order(item, today, primary, cheapest, regular, dlead)
            also.explanation = "with it, " + also.explanation.replace(": lands",
                                                                       " as usual: lands", 1)
            _finish(also, today, dlead)
    _finish(order, today, lead)
    return SupplyDecision(item.sku, send, send_cost, order, every,
                          _explain_send(send) + order.explanation, order.explanation,
                          regular_order=also)


def _purchase_neutral_of(c: TwoStageCandidate, s: SupplierOption) -> float:
    """What candidate c of option s pays above its supplier's list price (price breaks make it
    negative); its freight is netted with the primary's cheapest, as `_purchase_neutral`."""
    return c.lines["purchase"] - c.quantity * s.unit_cost


def _order(item: SupplyInput, today: dt.date, s: SupplierOption, f: FreightOption,
           c: TwoStageCandidate, lead: int) -> SupplierOrder:
    """The SupplierOrder of candidate c of option (s, f) placed today, with its order-by date
    and the start of its sentence (`_finish` ends it)."""
    at_fba = _at_fba(item, lead)
    out_day = _stockout_day(item, _window(item), at_fba)
    # the order can wait as many days as the stockout is after its day at FBA, and no more
    # than lets its units land by the last review from which they still reach FBA by then
    R = max(1, int(item.review_days))
    slack = max(0, min(out_day - at_fba, (out_day - item.transfer_days) // R * R - lead))
    order = SupplierOrder(s.supplier_id, s.name, s.role, f.mode, c.quantity,
                          unit_cost_at(s, c.quantity), today + dt.timedelta(days=slack),
                          today + dt.timedelta(days=lead),
                          today + dt.timedelta(days=at_fba), c,
                          backup=s.role == "backup" or f.mode != min(
                              s.freight, key=lambda x: x.cost_per_unit).mode)
    order.explanation = (f"order {c.quantity:,} from {s.name} by {f.mode}: lands "
                         f"{fmt_date(order.arrives_on, today)}")
    return order


def _finish(order: SupplierOrder, today: dt.date, lead: int) -> None:
    """End the order's sentence: its order-by date and when it lands if ordered then."""
    text = order.explanation + f"; order by {fmt_date(order.order_by, today)}"
    if order.order_by > today:
        order.arrives_if_ordered_by = order.order_by + dt.timedelta(days=lead)
        text += f" at the latest (it then lands {fmt_date(order.arrives_if_ordered_by, today)})"
    text += "."
    order.explanation = text[0].upper() + text[1:]


def _explain_send(send: int) -> str:
    return (f"Send {send:,} units to FBA now from upstream stock. " if send
            else "Send nothing to FBA now. ")
