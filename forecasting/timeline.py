"""One projected inventory timeline per SKU: every date, cover and risk a page shows, from one run.

Conventions (the policy's too, forecasting.policy_sim):
- **day 0 is today** (`as_of`); `demand_paths[:, k]` is day k's demand, day 0's being what is
  still to come today after the fulfillable count;
- an arrival on day k lands that morning, before day k's demand; `on_hand_*` of day k is the
  sellable stock that morning, after its arrivals, so day 0's is fulfillable plus only what lands
  today (inbound is not on hand);
- a shipment sent today lands on day `lead_time_days` (T); one sent on day j lands on day j + T;
- `stockout_prob_*` of day k: the probability that the day ends with nothing sellable (demand
  that day at least the morning's stock);
- a stockout *risk* over a span: the probability of at least one day in it with unmet demand.

`build_timeline(item, today, rec, fees)` projects it for a Recommendation of forecasting.policy
(whose `timeline` field it fills when `recommend`/`recommend_batch` run with details);
`Timeline.to_dict()` is the JSON the app stores per SKU per run and serves at
GET /api/v1/skus/{id}/timeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from forecasting.excess import Excess, assess_excess
from forecasting.fees import FeeSchedule
from forecasting.inbound import Inbound, arrivals_by_day, resolve
from forecasting.policy_sim import COST_LINES, LIF_COVER_DAYS, extend_paths
from forecasting.status import PlanStatus

if TYPE_CHECKING:
    from forecasting.policy import Recommendation, SkuPlanInput

HORIZON_DAYS = 120
NEED_DAYS = 90              # stock beyond 90 days of supply is excess (Amazon's IPI view too)
COVER_DAYS = 365           # cover is counted up to a year
STOCKOUT_RISK_TARGET = 0.05  # ship_by keeps the risk of a stockout before arrival under this
BEFORE_ARRIVAL_STATUS = 0.5  # this likely a stockout before T: "runs out before arrival"
DAY_FIELDS = ("date", "demand_p10", "demand_p50", "demand_p90", "arrivals",
              "on_hand_p50_without", "on_hand_p10_without", "on_hand_p90_without",
              "on_hand_p50_with", "on_hand_p10_with", "on_hand_p90_with",
              "stockout_prob_without", "stockout_prob_with")
# Two-stage SKUs only (SkuPlanInput.upstream_on_hand set): units landing upstream that morning
# (purchase orders, AWD inbound) and the units upstream that morning after the recommended
# shipment left today and before any later one (issue 16).
UPSTREAM_DAY_FIELDS = ("upstream_arrivals", "upstream_on_hand")
# Fees that are not lines of a candidate's total, and why they cannot change the choice.
FEES_APART = {
    "fulfillment_fee": "paid on every unit sold whichever shipment brought it; it enters only "
                       "through the margin of lost sales, not as a cost of shipping",
    "referral_fee": "a share of the price of every unit sold, like the fulfillment fee",
    "storage_utilization_surcharge": "set by the whole account's weeks of supply (sellers with "
                                     "25+ cu ft, 365+ days on FBA); one SKU's shipment barely "
                                     "moves it",
    "capacity_overage": "the capacity limit is a constraint of the choice (capacity_cuft), so "
                        "no candidate offered pays the overage fee",
    "removal_disposal": "charged only when the seller orders a removal: see the excess block",
}


@dataclass
class Candidate:
    """One priced quantity: `total` is exactly the sum of `lines` (dollars, COST_LINES order)."""

    quantity: int
    total: float
    lines: dict[str, float]
    within_capacity: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (unrounded, so that total == sum(lines) holds bit for bit)."""
        return {"quantity": self.quantity, "total": self.total, "lines": dict(self.lines),
                "within_capacity": self.within_capacity}


@dataclass
class Timeline:
    """The projection and every date, quantity and risk derived from it for one SKU."""

    sku: str
    as_of: dt.date
    horizon_days: int
    fulfillable: int
    reserved: int
    lead_time_days: int
    review_days: int
    inbound: list[Inbound]
    days: dict[str, list]            # DAY_FIELDS -> one value per day (columns)
    status: PlanStatus = PlanStatus.HEALTHY
    runs_out_on: dt.date | None = None
    ship_by: dt.date | None = None
    next_inbound_on: dt.date | None = None
    next_inbound_source: str | None = None
    arrives_if_shipped_today: dt.date = dt.date.min
    quantity: int = 0
    unconstrained_quantity: int = 0
    capacity_limited: bool = False
    upstream_limited: bool = False
    # Two-stage SKUs: {"on_hand", "on_order", "after_shipment"} units upstream (None otherwise)
    upstream: dict[str, int] | None = None
    stockout_prob_before_arrival: float = 0.0
    stockout_prob_before_next_arrival: float = 0.0
    stockout_prob_before_next_arrival_without: float = 0.0
    cover_days_without: float = 0.0
    cover_days_with: float = 0.0
    # what drove the quantity beyond the cost of lost margin and fees: the seller's in-stock
    # floor (in_stock_target) and stockout cost (lost ranking); the quantity without each, and
    # what each adds, in units and in days of the mean demand after arrival
    in_stock_target: float | None = None
    stockout_cost_multiple: float = 0.0
    quantity_without_floor: int = 0
    quantity_without_stockout_cost: int = 0
    floor_extra_units: int = 0
    floor_extra_days: int = 0
    stockout_cost_extra_units: int = 0
    stockout_cost_extra_days: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    cost_horizon: dict[str, Any] = field(default_factory=dict)
    excess: Excess | None = None
    explanation: str = ""
    explanation_fields: dict[str, Any] = field(default_factory=dict)

    def chosen(self) -> Candidate:
        """The candidate of the recommended quantity."""
        return next(c for c in self.candidates if c.quantity == self.quantity)

    def to_dict(self, columns: bool = False) -> dict[str, Any]:
        """The stored / served JSON. `days` is a list of per-day objects (the API contract), or
        with `columns=True` one list per field (about half the size, for storage; expand with
        `days_from_columns`)."""
        iso = _iso
        return {
            "sku": self.sku, "as_of": iso(self.as_of), "horizon_days": self.horizon_days,
            "fulfillable": self.fulfillable, "reserved": self.reserved,
            "status": self.status.value, "runs_out_on": iso(self.runs_out_on),
            "ship_by": iso(self.ship_by), "next_inbound_on": iso(self.next_inbound_on),
            "next_inbound_source": self.next_inbound_source,
            "arrives_if_shipped_today": iso(self.arrives_if_shipped_today),
            "lead_time_days": self.lead_time_days, "review_days": self.review_days,
            "inbound": [{"shipment_id": s.shipment_id, "status": s.status,
                         "quantity": int(s.quantity), "expected_arrival": iso(s.expected_arrival),
                         "arrival_source": s.arrival_source} for s in self.inbound],
            "days": dict(self.days) if columns else days_from_columns(self.days),
            "upstream": dict(self.upstream) if self.upstream is not None else None,
            "recommendation": {
                "quantity": self.quantity,
                "unconstrained_quantity": self.unconstrained_quantity,
                "capacity_limited": self.capacity_limited,
                "upstream_limited": self.upstream_limited,
                "explanation": self.explanation,
                "stockout_prob_before_arrival": self.stockout_prob_before_arrival,
                "stockout_prob_before_next_arrival": self.stockout_prob_before_next_arrival,
                "stockout_prob_before_next_arrival_without":
                    self.stockout_prob_before_next_arrival_without,
                "cover_days_without": self.cover_days_without,
                "cover_days_with": self.cover_days_with,
                "in_stock_target": self.in_stock_target,
                "stockout_cost_multiple": self.stockout_cost_multiple,
                "quantity_without_floor": self.quantity_without_floor,
                "quantity_without_stockout_cost": self.quantity_without_stockout_cost,
                "floor_extra_units": self.floor_extra_units,
                "floor_extra_days": self.floor_extra_days,
                "stockout_cost_extra_units": self.stockout_cost_extra_units,
                "stockout_cost_extra_days": self.stockout_cost_extra_days,
                "cost_horizon": dict(self.cost_horizon),
                "candidates": [c.to_dict() for c in self.candidates],
                "fees_apart": dict(FEES_APART),
            },
            "excess": self.excess.to_dict() if self.excess is not None else None,
        }


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d is not None else None


def days_from_columns(cols: dict[str, list]) -> list[dict[str, Any]]:
    """Per-day objects from the column form of `days` (the upstream fields where stored)."""
    n = len(cols["date"])
    keys = [k for k in (*DAY_FIELDS, *UPSTREAM_DAY_FIELDS) if k in cols]
    return [{k: cols[k][i] for k in keys} for i in range(n)]


def need_days(lead: int, review: int) -> int:
    """Days of demand that are 'needed': 90, or until a shipment sent at the next review would
    land plus four weeks, if longer."""
    return max(NEED_DAYS, lead + review + LIF_COVER_DAYS)


def _project(D: np.ndarray, start: float, arrivals: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray]:
    """Morning stock (P, H) with lost sales, and the unmet demand of each day."""
    P, H = D.shape
    morning = np.empty((P, H))
    lost = np.empty((P, H))
    stock = np.full(P, float(start))
    for k in range(H):
        stock = stock + arrivals[k]
        morning[:, k] = stock
        lost[:, k] = np.maximum(D[:, k] - stock, 0.0)
        stock = np.maximum(stock - D[:, k], 0.0)
    return morning, lost


def _first_lost(lost: np.ndarray) -> np.ndarray:
    """Per path, the first day index with unmet demand (H if none)."""
    hit = lost > 1e-9
    return np.where(hit.any(axis=1), hit.argmax(axis=1), lost.shape[1])


def _q(a: np.ndarray, p: float, nd: int) -> list[float]:
    return [round(float(x), nd) for x in np.quantile(a, p, axis=0)]


def build_timeline(item: SkuPlanInput, today: dt.date, rec: Recommendation,
                   fees: FeeSchedule | None = None, horizon_days: int | None = None,
                   stockout_target: float = STOCKOUT_RISK_TARGET) -> Timeline:
    """Project `item` from `today` without and with `rec.quantity`, and derive the dates,
    the status, the candidates table, the excess block and the explanation."""
    from forecasting.explain import explain_timeline

    fees = fees or FeeSchedule()
    L, R = max(1, int(item.lead_time_days)), max(1, int(item.review_days))
    need = need_days(L, R)
    H = max(horizon_days or HORIZON_DAYS, need + 1, L + R + 1)
    # Projected for a year (cover, excess), reported for the first H days.
    span = max(H, COVER_DAYS)
    D = extend_paths(np.asarray(item.demand_paths, float), span)
    inbound = resolve(item.inbound, L, today)
    by_day = arrivals_by_day(inbound, item.reserved, L, today)
    a = np.zeros(span)
    for k, u in by_day.items():
        if k < span:
            a[k] += u
    q = int(rec.quantity)
    a_with = a.copy()
    if span > L:
        a_with[L] += q
    m0, lost0 = _project(D, item.on_hand, a)
    m1, lost1 = _project(D, item.on_hand, a_with)
    f0, f1 = _first_lost(lost0), _first_lost(lost1)
    after = float(D[:, L: L + LIF_COVER_DAYS].mean()) if span > L else 0.0
    D, m0, m1, a = D[:, :H], m0[:, :H], m1[:, :H], a[:H]
    out0, out1 = m0 <= D, m1 <= D  # the day ends with nothing sellable
    dates = [(today + dt.timedelta(days=k)).isoformat() for k in range(H)]
    cols: dict[str, list] = {
        "date": dates,
        "demand_p10": _q(D, 0.1, 2), "demand_p50": _q(D, 0.5, 2), "demand_p90": _q(D, 0.9, 2),
        "arrivals": [int(x) for x in a],
        "on_hand_p50_without": _q(m0, 0.5, 1), "on_hand_p10_without": _q(m0, 0.1, 1),
        "on_hand_p90_without": _q(m0, 0.9, 1),
        "on_hand_p50_with": _q(m1, 0.5, 1), "on_hand_p10_with": _q(m1, 0.1, 1),
        "on_hand_p90_with": _q(m1, 0.9, 1),
        "stockout_prob_without": [round(float(x), 3) for x in out0.mean(axis=0)],
        "stockout_prob_with": [round(float(x), 3) for x in out1.mean(axis=0)],
    }
    tl = Timeline(sku=item.sku, as_of=today, horizon_days=H, fulfillable=int(item.on_hand),
                  reserved=int(item.reserved), lead_time_days=L, review_days=R,
                  inbound=inbound, days=cols, quantity=q,
                  unconstrained_quantity=int(rec.unconstrained_quantity),
                  capacity_limited=bool(rec.capacity_limited),
                  upstream_limited=bool(rec.upstream_limited))
    if item.upstream_on_hand is not None:
        tl.upstream = upstream_position(item, q, H, cols)
    tl.arrives_if_shipped_today = today + dt.timedelta(days=L)
    tl.runs_out_on = runs_out_on(cols, today)
    lands = [max(s.expected_arrival, today) for s in inbound if s.expected_arrival is not None]
    if lands:
        first = min(lands)
        tl.next_inbound_on = first
        tl.next_inbound_source = next(s.arrival_source for s in inbound
                                      if max(s.expected_arrival or today, today) == first)
    risk = np.array([(f0 < k).mean() for k in range(H + 1)])   # risk[k]: a stockout before k
    tl.stockout_prob_before_arrival = round(float(risk[L]), 3)
    tl.stockout_prob_before_next_arrival = round(float((f1 < L + R).mean()), 3)
    tl.stockout_prob_before_next_arrival_without = round(float(risk[L + R]), 3)
    tl.cover_days_without = float(np.median(f0))
    tl.cover_days_with = float(np.median(f1))
    tl.ship_by = ship_by(q, risk, L, today, stockout_target)
    tl.candidates = candidate_table(item, rec)
    drivers(tl, item, rec, after)
    tl.cost_horizon = {
        "window_from": (today + dt.timedelta(days=L)).isoformat(),
        "window_to": (today + dt.timedelta(days=L + R - 1)).isoformat(),
        "lot_life_to": (today + dt.timedelta(days=L + 399)).isoformat(),
        "note": "lost margin and the low-inventory fee from the arrival until the next shipment "
                "could land; storage and capital for the lot's first review period; aged "
                "surcharges and the lot's whole-life account over 400 days after arrival",
    }
    margin_placement = fees.card_for(today + dt.timedelta(days=L)).inbound_placement(
        item.size_tier)
    tl.excess = assess_excess(
        today=today, need_through=today + dt.timedelta(days=need),
        units=int(np.floor(np.quantile(m0[:, need], 0.1))), fulfillable=int(item.on_hand),
        inbound_units=int(sum(s.quantity for s in inbound) + item.reserved),
        arrivals=by_day, mean_demand=extend_paths(D, 365).mean(axis=0),
        on_hand_lots=list(item.on_hand_lots), fees=fees, size_tier=item.size_tier,
        cubic_feet=item.cubic_feet, unit_cost=item.unit_cost, sale_price=item.sale_price,
        placement=margin_placement, weight_lb=item.shipping_weight_lb, money=fees.money)
    tl.status = decide_status(tl)
    tl.explanation, tl.explanation_fields = explain_timeline(tl, fees.money)
    return tl


def upstream_position(item: SkuPlanInput, q: int, H: int, cols: dict[str, list]
                      ) -> dict[str, int]:
    """Fill the upstream day columns of a two-stage SKU and return its summary: units upstream
    now, on order (every unit of `upstream_arrivals`, whatever its day), and left upstream once
    the recommended shipment of `q` has gone. A unit is counted once: upstream until it is
    shipped, or on order until the morning it lands (an overdue arrival lands today)."""
    on_hand = max(0, int(item.upstream_on_hand or 0))
    landing = np.zeros(H, dtype=np.int64)
    on_order = 0
    for day, units in item.upstream_arrivals:
        on_order += int(units)
        if day < H:
            landing[max(0, int(day))] += int(units)
    cols["upstream_arrivals"] = [int(x) for x in landing]
    cols["upstream_on_hand"] = [int(x) for x in on_hand - q + np.cumsum(landing)]
    return {"on_hand": on_hand, "on_order": on_order, "after_shipment": on_hand - q}


def drivers(tl: Timeline, item: SkuPlanInput, rec: Recommendation, daily_after: float) -> None:
    """Copy the floor and stockout-cost settings and what each added to the quantity (units,
    and days of `daily_after`, the mean daily demand after arrival) onto `tl`."""
    q, no_floor = int(rec.quantity), int(rec.quantity_without_floor)
    no_cost = int(rec.quantity_without_stockout_cost)
    tl.in_stock_target = None if item.in_stock_target is None else float(item.in_stock_target)
    tl.stockout_cost_multiple = float(item.stockout_cost_multiple)
    tl.quantity_without_floor, tl.quantity_without_stockout_cost = no_floor, no_cost
    floor = max(q - no_floor, 0) if tl.in_stock_target is not None else 0
    cost = max(min(q, no_floor) - no_cost, 0)

    def days(units: int) -> int:
        return int(round(units / daily_after)) if daily_after > 0 else 0

    tl.floor_extra_units, tl.floor_extra_days = floor, days(floor)
    tl.stockout_cost_extra_units, tl.stockout_cost_extra_days = cost, days(cost)


def runs_out_on(cols: dict[str, list], today: dt.date) -> dt.date | None:
    """The first day whose on-hand P50 without a shipment is 0 while its demand P50 is positive."""
    for k, (oh, d) in enumerate(zip(cols["on_hand_p50_without"], cols["demand_p50"],
                                    strict=True)):
        if oh <= 0 and d > 0:
            return today + dt.timedelta(days=k)
    return None


def ship_by(q: int, risk: np.ndarray, lead: int, today: dt.date,
            target: float = STOCKOUT_RISK_TARGET) -> dt.date | None:
    """The latest ship date whose arrival keeps the risk of a stockout before it under `target`
    (today when even a shipment sent today cannot); None when nothing is to be shipped."""
    if q <= 0:
        return None
    ok = np.flatnonzero(risk[lead:] <= target + 1e-12)
    if not len(ok) or ok[0] != 0:
        return today
    # risk only grows with the ship date: the last day of the first run under the target
    breaks = np.flatnonzero(np.diff(ok) != 1)
    last = int(ok[breaks[0]] if len(breaks) else ok[-1])
    return today + dt.timedelta(days=last)


def candidate_table(item: SkuPlanInput, rec: Recommendation) -> list[Candidate]:
    """Ship nothing, one case less, the chosen quantity, one case more (those allowed)."""
    from forecasting.policy import neighbours, upstream_cap

    cand = np.asarray(rec.candidates)
    cap = upstream_cap(item)
    if not len(cand):
        return []
    wanted = [0, *neighbours(rec.quantity, item.case_pack, item.moq)]
    out = []
    for qty in sorted(set(wanted)):
        hit = np.flatnonzero(cand == qty)
        if not len(hit):
            continue
        j = int(hit[0])
        lines = {k: float(rec.candidate_lines[k][j]) for k in COST_LINES}
        total = 0.0
        for k in COST_LINES:
            total = total + lines[k]
        # offered: within the capacity limit and, for a two-stage SKU, the stock upstream
        within = ((not rec.capacity_limited or qty <= rec.quantity)
                  and (cap is None or qty <= cap))
        out.append(Candidate(int(qty), total, lines, within))
    return out


def decide_status(tl: Timeline) -> PlanStatus:
    """The one status word, from the timeline's own fields (see PlanStatus)."""
    if tl.fulfillable == 0:
        return PlanStatus.OUT_OF_STOCK
    early = tl.runs_out_on is not None and tl.runs_out_on < tl.arrives_if_shipped_today
    if early or tl.stockout_prob_before_arrival >= BEFORE_ARRIVAL_STATUS:
        return PlanStatus.STOCKOUT_BEFORE_ARRIVAL
    if tl.quantity > 0:
        return PlanStatus.SHIP_NOW if tl.ship_by == tl.as_of else PlanStatus.SHIP_BY
    if tl.excess is not None and tl.excess.is_excess:
        return PlanStatus.EXCESS
    return PlanStatus.HEALTHY
