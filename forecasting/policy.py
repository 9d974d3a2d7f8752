"""How many units of each SKU to ship to FBA now: the quantity of least expected total cost.

For each candidate quantity (whole cases, 0 or at least the MOQ) the demand scenarios are run
forward with FIFO lots (forecasting.policy_sim) and priced with the dated fee schedule: lost
margin and the low-inventory fee on one side; storage (Q4 rate included), aged surcharges, capital
and inbound placement on the other. `recommend_batch` also shares a capacity limit (cubic feet
per storage type) among SKUs, giving space where it saves the most per cubic foot.
The product's jobs and the replay's `ours` policy both call these functions.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from forecasting.explain import explain
from forecasting.fees import FeeSchedule, storage_type
from forecasting.policy_sim import (
    AGED_FIRST_AGE,
    AGED_HORIZON,
    LIF_COVER_DAYS,
    build_scenario,
    expected_costs,
    lot_life_value,
    pricing,
)

COST_KEYS = ("lost_margin", "low_inventory", "storage", "aged", "capital", "total", "placement")
MAX_CANDIDATES = 40


@dataclass
class Inbound:
    """Units already on their way: status working/shipped/receiving, arrival date if known."""

    quantity: int
    arrival: dt.date | None = None
    status: str = "shipped"


@dataclass
class SkuPlanInput:
    """Everything the recommendation needs for one SKU. `demand_paths`: (paths, days), day 0 =
    tomorrow, e.g. DemandForecaster.sample_paths(...)[sku] (see paths_from_quantiles)."""

    sku: str
    demand_paths: np.ndarray
    on_hand: int
    lead_time_days: int
    unit_cost: float
    sale_price: float
    fulfillment_fee: float
    cubic_feet: float
    size_tier: str
    referral_rate: float = 0.15
    inbound: Sequence[Inbound] = ()
    reserved: int = 0  # FC transfer/processing units that will become sellable again
    lead_time_std_days: float = 0.0
    review_days: int = 7
    case_pack: int = 1
    moq: int = 0


@dataclass
class Recommendation:
    """The answer for one SKU; costs are expected dollars over the coming months."""

    sku: str
    quantity: int
    latest_ship_date: dt.date
    days_of_cover_without: float
    days_of_cover_with: float
    runs_out_in_days: float  # median days until the first unmet demand without this shipment
    stockout_prob_before_arrival: float
    stockout_prob_next_cycle: float
    stockout_prob_next_cycle_without: float
    expected_cost_with: dict[str, float]
    expected_cost_without: dict[str, float]
    explanation: str
    unconstrained_quantity: int = 0
    capacity_limited: bool = False
    candidates: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64),
                                   repr=False)
    candidate_costs: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    candidate_lines: dict[str, np.ndarray] = field(default_factory=dict, repr=False)


def allowed(q: int, case_pack: int, moq: int) -> bool:
    """True when q is a whole number of cases and either 0 or at least the MOQ."""
    return q >= 0 and q % case_pack == 0 and (q == 0 or q >= moq)


def _candidates(upper: float, case_pack: int, moq: int) -> np.ndarray:
    first = max(1, -(-moq // case_pack))           # fewest cases that meet the MOQ
    last = max(first, int(np.ceil(upper / case_pack)))
    if last - first + 1 <= MAX_CANDIDATES:
        cases = np.arange(first, last + 1)
    else:
        cases = np.unique(np.round(np.geomspace(first, last, MAX_CANDIDATES)).astype(int))
    return np.concatenate([[0], cases * case_pack]).astype(np.int64)


def _arrival_days(item: SkuPlanInput, today: dt.date) -> dict[int, float]:
    """Inbound units by day index (0 = tomorrow); unknown dates guessed from the status."""
    out: dict[int, float] = {}
    for s in item.inbound:
        if s.arrival is not None:
            day = max(0, (s.arrival - today).days - 1)
        elif s.status == "receiving":
            day = 0
        elif s.status == "working":
            day = item.lead_time_days - 1
        else:
            day = max(0, item.lead_time_days // 2 - 1)
        out[day] = out.get(day, 0.0) + s.quantity
    if item.reserved:
        out[0] = out.get(0, 0.0) + item.reserved
    return out


def evaluate(item: SkuPlanInput, today: dt.date, fees: FeeSchedule, n_refine: int = 1,
             seed: int = 0, details: bool = True) -> Recommendation:
    """Price every allowed candidate quantity and pick the cheapest (no capacity limit)."""
    rng = np.random.default_rng(seed)
    paths = np.asarray(item.demand_paths, dtype=float)
    R = max(1, int(item.review_days))
    horizon_after = AGED_HORIZON
    sc = build_scenario(paths, item.on_hand, _arrival_days(item, today), item.lead_time_days,
                        item.lead_time_std_days, R, rng, horizon_after)
    margin = item.sale_price * (1 - item.referral_rate) - item.fulfillment_fee - item.unit_cost
    pr = pricing(fees, today, item.lead_time_days, horizon_after, item.size_tier,
                 item.cubic_feet, item.unit_cost, margin)
    # A unit still on hand when the next shipment could land stands in for one that shipment
    # would otherwise bring: shipping it now costs about one review period of holding. Whether
    # a lot is worth having at all (big MOQ, slow seller) is checked over its whole life below.
    hold_days = R
    cover = min(int(sc.window.max()) - 1 + LIF_COVER_DAYS + 14, horizon_after - 1)
    upper = float(np.quantile(np.maximum(sc.cum_window[:, cover] - sc.stock_before, 0), 0.99))
    cand = _candidates(upper, item.case_pack, item.moq)
    costs = expected_costs(sc, pr, cand, hold_days)
    for _ in range(n_refine):
        best = int(np.argmin(costs["total"]))
        lo = cand[max(best - 1, 0)]
        hi = cand[min(best + 1, len(cand) - 1)]
        step = item.case_pack * max(1, (hi - lo) // (item.case_pack * MAX_CANDIDATES))
        fine = np.arange(lo, hi + 1, step)
        fine = fine[[allowed(int(x), item.case_pack, item.moq) for x in fine]]
        extra = np.setdiff1d(fine, cand)
        if not len(extra):
            break
        more = expected_costs(sc, pr, extra, hold_days)
        cand = np.concatenate([cand, extra])
        order = np.argsort(cand, kind="stable")
        cand = cand[order]
        costs = {k: np.concatenate([costs[k], more[k]])[order] for k in costs}
    best = int(np.argmin(costs["total"]))
    if cand[best] > 0 and lot_life_value(sc, pr, float(cand[best])) < 0:
        best = 0  # the lot would not earn its own keep before it is sold or aged out
    if not details:  # the replay needs the quantity only; the choice above is the same
        return _bare(item, costs, cand, best)
    return _result(item, today, sc, costs, cand, best, R)


def _bare(item: SkuPlanInput, costs: dict[str, np.ndarray], cand: np.ndarray,
          pick: int) -> Recommendation:
    nan = float("nan")
    return Recommendation(
        sku=item.sku, quantity=int(cand[pick]), latest_ship_date=dt.date.min,
        days_of_cover_without=nan, days_of_cover_with=nan, runs_out_in_days=nan,
        stockout_prob_before_arrival=nan,
        stockout_prob_next_cycle=float(costs["stockout_prob"][pick]),
        stockout_prob_next_cycle_without=float(costs["stockout_prob"][0]),
        expected_cost_with={k: float(costs[k][pick]) for k in COST_KEYS},
        expected_cost_without={k: float(costs[k][0]) for k in COST_KEYS},
        explanation="", unconstrained_quantity=int(cand[pick]), candidates=cand,
        candidate_costs=costs["total"].copy(), candidate_lines=costs)


def _result(item: SkuPlanInput, today: dt.date, sc, costs: dict[str, np.ndarray],
            cand: np.ndarray, pick: int, R: int) -> Recommendation:
    q = int(cand[pick])
    cover_without = _cover_days(sc, 0.0)
    cover_with = _cover_days(sc, float(q))
    runs_out = _runs_out_day(sc)
    p10_stockout = float(np.quantile(runs_out, 0.10))
    latest = today + dt.timedelta(days=max(0, int(p10_stockout) + 1 - item.lead_time_days))
    aged_k = _first_aged_day(today, item.lead_time_days)
    sell_by_aged = np.maximum(sc.cum_window[:, min(aged_k, sc.cum_window.shape[1] - 1)]
                              - sc.stock_before, 0)
    aged_q = int(np.quantile(sell_by_aged, 0.5) // item.case_pack * item.case_pack)
    rec = Recommendation(
        sku=item.sku, quantity=q, latest_ship_date=latest,
        days_of_cover_without=float(np.median(cover_without)),
        runs_out_in_days=float(np.median(runs_out)),
        days_of_cover_with=float(np.median(cover_with)),
        stockout_prob_before_arrival=float(np.isfinite(sc.stockout_day).mean()),
        stockout_prob_next_cycle=float(costs["stockout_prob"][pick]),
        stockout_prob_next_cycle_without=float(costs["stockout_prob"][0]),
        expected_cost_with={k: float(costs[k][pick]) for k in COST_KEYS},
        expected_cost_without={k: float(costs[k][0]) for k in COST_KEYS},
        explanation="", unconstrained_quantity=q, candidates=cand,
        candidate_costs=costs["total"].copy(), candidate_lines=costs,
    )
    aged_date = today + dt.timedelta(days=item.lead_time_days + aged_k)
    rec.explanation = explain(rec, today, item.lead_time_days, R, aged_q, aged_date)
    return rec


def _cover_days(sc, q: float) -> np.ndarray:
    """Days of demand that on hand + inbound (+ q) cover, per path, whatever the arrival dates."""
    total = sc.start_stock + q
    short = sc.cum_from_today > total[:, None]
    return np.where(short.any(axis=1), short.argmax(axis=1),
                    sc.cum_from_today.shape[1]).astype(float)


def _runs_out_day(sc) -> np.ndarray:
    """Index of the first day with unmet demand without a new shipment, arrival dates honoured."""
    after = sc.cum_window > sc.stock_before[:, None]
    later = np.where(after.any(axis=1), sc.lead - 1 + after.argmax(axis=1),
                     sc.lead - 1 + sc.cum_window.shape[1])
    return np.where(np.isfinite(sc.stockout_day), sc.stockout_day, later).astype(float)


def _first_aged_day(today: dt.date, lead: int) -> int:
    """Days after arrival of the first 15th on which a lot landing in `lead` days is 181+."""
    k = AGED_FIRST_AGE
    while (today + dt.timedelta(days=lead + k)).day != 15:
        k += 1
    return k


def recommend(item: SkuPlanInput, today: dt.date, fees: FeeSchedule | None = None,
              seed: int = 0) -> Recommendation:
    """The recommendation for one SKU (dated fee schedule unless `fees` is given)."""
    return evaluate(item, today, fees or FeeSchedule(), seed=seed)


def recommend_batch(items: Sequence[SkuPlanInput], today: dt.date,
                    fees: FeeSchedule | None = None,
                    capacity_cuft: Mapping[str, float] | None = None,
                    seed: int = 0, details: bool = True) -> list[Recommendation]:
    """Recommendations for many SKUs; with `capacity_cuft` ({'standard': .., 'oversize': ..})
    the total volume (on hand + inbound + shipped now) of each storage type stays under it."""
    fees = fees or FeeSchedule()
    recs = [evaluate(it, today, fees, seed=seed + i, details=details)
            for i, it in enumerate(items)]
    if capacity_cuft:
        for kind, limit in capacity_cuft.items():
            members = [i for i, it in enumerate(items) if storage_type(it.size_tier) == kind]
            _allocate(items, recs, members, float(limit), today)
    return recs


def _allocate(items: Sequence[SkuPlanInput], recs: list[Recommendation], members: list[int],
              limit: float, today: dt.date) -> None:
    """Greedy by value per cubic foot over each SKU's candidate steps (convex-hull steps)."""
    def volume(i: int, q: int) -> float:
        it = items[i]
        held = it.on_hand + it.reserved + sum(s.quantity for s in it.inbound) + q
        return held * it.cubic_feet

    if sum(volume(i, recs[i].quantity) for i in members) <= limit:
        return
    room = limit - sum(volume(i, 0) for i in members)
    level = dict.fromkeys(members, 0)  # index into candidates

    def best_step(i: int) -> tuple[float, int] | None:
        r, it = recs[i], items[i]
        cur = level[i]
        best: tuple[float, int] | None = None
        for j in range(cur + 1, len(r.candidates)):
            if r.candidates[j] > r.unconstrained_quantity:
                break
            saved = r.candidate_costs[cur] - r.candidate_costs[j]
            vol = (r.candidates[j] - r.candidates[cur]) * max(it.cubic_feet, 1e-9)
            if saved > 0 and (best is None or saved / vol > best[0]):
                best = (saved / vol, j)
        return best

    heap: list[tuple[float, int, int]] = []
    for i in members:
        step = best_step(i)
        if step:
            heapq.heappush(heap, (-step[0], i, step[1]))
    while heap:
        _, i, j = heapq.heappop(heap)
        r = recs[i]
        need = (r.candidates[j] - r.candidates[level[i]]) * items[i].cubic_feet
        if need > room + 1e-9:
            continue  # this step does not fit; the SKU keeps what it has
        room -= need
        level[i] = j
        step = best_step(i)
        if step:
            heapq.heappush(heap, (-step[0], i, step[1]))
    for i in members:
        r = recs[i]
        if r.candidates[level[i]] != r.quantity:
            _reprice(items[i], r, level[i], today)


def _reprice(item: SkuPlanInput, rec: Recommendation, j: int, today: dt.date) -> None:
    """Switch a recommendation to a smaller, capacity-limited candidate."""
    rec.quantity = int(rec.candidates[j])
    rec.capacity_limited = True
    rec.expected_cost_with = {k: float(rec.candidate_lines[k][j]) for k in COST_KEYS}
    rec.stockout_prob_next_cycle = float(rec.candidate_lines["stockout_prob"][j])
    rec.explanation = (f"capacity limit: ship {rec.quantity} instead of "
                       f"{rec.unconstrained_quantity}. " + rec.explanation)


def paths_from_quantiles(p10: np.ndarray, p50: np.ndarray, p90: np.ndarray, n_paths: int = 200,
                         seed: int = 0) -> np.ndarray:
    """Sample paths from daily quantiles when no sampler is at hand: one normal level per path,
    shared by all its days (fully correlated, so totals keep the daily spread), floored at 0."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n_paths, 1))
    sigma = (np.asarray(p90, float) - np.asarray(p10, float)) / 2.5631
    return np.maximum(np.asarray(p50, float)[None, :] + z * sigma[None, :], 0.0)
