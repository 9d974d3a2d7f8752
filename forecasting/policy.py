"""How many units of each SKU to ship to FBA now: the quantity of least expected total cost.

For each candidate quantity (whole cases, 0 or at least the MOQ) the demand scenarios are run
forward with FIFO lots (forecasting.policy_sim) and priced with the dated fee schedule: lost
margin and the low-inventory fee on one side; storage (Q4 rate included), aged surcharges,
capital, inbound placement and a lot that loses money over its life on the other
(policy_sim.COST_LINES), and the seller's stockout cost for lost ranking (lost_ranking). The
chosen quantity is exactly the argmin of their sum, `total`, among the quantities that keep the
chance of a stockout after the shipment lands (until the next one could) within the seller's
in-stock floor, if one is set (`in_stock_target`; when none can, the least risky).
`recommend_batch` also shares a capacity limit (cubic feet per storage type) among SKUs, giving
space where it saves the most per cubic foot. With details (the product) each recommendation
carries its projected inventory timeline (forecasting.timeline), whose dates, status and
explanation the pages read. The product's jobs and the replay's `ours` policy both call these.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from forecasting.fees import FeeSchedule, storage_type
from forecasting.inbound import Inbound, arrivals_by_day, estimate_arrival
from forecasting.policy_sim import (
    AGED_HORIZON,
    COST_LINES,
    LIF_COVER_DAYS,
    build_scenario,
    expected_costs,
    pricing,
)
from forecasting.timeline import Timeline, build_timeline

__all__ = ["COST_KEYS", "Inbound", "Recommendation", "SkuPlanInput", "allowed",
           "estimate_arrival", "evaluate", "neighbours", "paths_from_quantiles", "recommend",
           "recommend_batch", "upstream_cap"]

COST_KEYS = (*COST_LINES, "total")
MAX_CANDIDATES = 40
# The seller's stockout cost beyond the lost margin (line lost_ranking): each unit lost to a
# stockout counted as this many more lost sales, for the ranking and momentum a stockout costs a
# listing on Amazon. Sellers set their own per account or per SKU (app.planning.settings). On the
# replay (bench/RESULTS.md, "Real demand") this default fills 97% of demand overall on the
# simulator's seller and on the real pasta series (from the first day a shipment can land), but
# not on every demand class (worst 95-96%); 3 raises the worst class by under a point for 5-6%
# more cost, so the default stays at 1 and a seller who wants more sets it or an in-stock floor.
DEFAULT_STOCKOUT_COST_MULTIPLE = 1.0
DESCENT_STEPS = 64  # at most this many one-case moves until the choice is a local minimum


@dataclass
class SkuPlanInput:
    """Everything the recommendation needs for one SKU.

    `demand_paths`: (paths, days), **day 0 = today** (`today` of `recommend`): column 0 is the
    demand still to come today after `on_hand` was counted, e.g.
    DemandForecaster.sample_paths(...)[sku] from the cutoff's next day (paths_from_quantiles
    makes them from daily quantiles). `on_hand`: fulfillable units now. `inbound`: shipments on
    their way, each with its expected arrival (Amazon's date, or an estimate marked so; a
    missing date is estimated from the status, forecasting.inbound.estimate_arrival).
    `reserved`: FC transfer/processing units, sellable again from tomorrow. `on_hand_lots`:
    optional (received date, units) of today's on-hand, for the aged-surcharge dates of the
    excess block (unknown: counted as received today). `shipping_weight_lb`: for the removal
    fee (unknown: a typical weight of the size tier, said so).

    Two-stage SKUs (stock upstream of FBA, issue 16): `upstream_on_hand` is the units at the
    seller's warehouses and AWD now; a shipment to FBA comes out of them, so the quantity is at
    most that (whole cases; the unconstrained choice is kept for the explanation). None: a
    single-stage SKU, shipped from a supplier straight to FBA, with no such limit.
    `upstream_arrivals`: (day index, units) landing upstream from purchase orders and other
    inbound movements; with `upstream_on_hand` they make the timeline's upstream position."""

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
    on_hand_lots: Sequence[tuple[dt.date, int]] = ()
    shipping_weight_lb: float | None = None
    upstream_on_hand: int | None = None
    upstream_arrivals: Sequence[tuple[int, int]] = ()
    # two-stage: the holding rate ($/cu ft/month) where the units upstream wait. A shipment
    # moves units out of there, so their FBA storage is priced net of it and without capital
    # (the same wherever they wait); None: priced as units bought for the shipment
    upstream_holding_per_cuft_month: float | None = None
    # lost ranking: each unit lost counted as this many more lost sales (DEFAULT_... above)
    stockout_cost_multiple: float = DEFAULT_STOCKOUT_COST_MULTIPLE
    # in-stock floor: keep the chance of a stockout before the next shipment could land under
    # 1 - in_stock_target (e.g. 0.98), whatever it costs; None: no floor
    in_stock_target: float | None = None


@dataclass
class Recommendation:
    """The answer for one SKU; costs are expected dollars over the horizon of `timeline`'s
    cost_horizon. `candidates`/`candidate_lines` hold every quantity priced (lines COST_KEYS,
    `total` their sum); `quantity` is the argmin of `total` among those meeting the in-stock
    floor (within the capacity limit).
    `latest_ship_date` is the timeline's ship_by: None exactly when quantity is 0.
    `upstream_limited`: the quantity is the cheapest at most `SkuPlanInput.upstream_on_hand`
    (the unconstrained choice, `unconstrained_quantity`, needs more than is upstream)."""

    sku: str
    quantity: int
    latest_ship_date: dt.date | None
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
    upstream_limited: bool = False
    # the least-total quantity without the in-stock floor, and without the lost-ranking line
    # too: where the quantity is above them, the floor or the stockout cost drove it
    quantity_without_floor: int = 0
    quantity_without_stockout_cost: int = 0
    candidates: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64),
                                   repr=False)
    candidate_costs: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    candidate_lines: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    timeline: Timeline | None = field(default=None, repr=False)


def allowed(q: int, case_pack: int, moq: int) -> bool:
    """True when q is a whole number of cases and either 0 or at least the MOQ."""
    return q >= 0 and q % case_pack == 0 and (q == 0 or q >= moq)


def smallest_shipment(case_pack: int, moq: int) -> int:
    """The smallest allowed quantity above 0: the fewest whole cases that meet the MOQ."""
    return max(1, -(-moq // case_pack)) * case_pack


def neighbours(q: int, case_pack: int, moq: int) -> list[int]:
    """q with one case less and one case more, where allowed (above 0: the smallest shipment)."""
    out = [q]
    if q > 0 and allowed(q - case_pack, case_pack, moq):
        out.append(q - case_pack)
    out.append(q + case_pack if q > 0 else smallest_shipment(case_pack, moq))
    return sorted(set(out))


def _candidates(upper: float, case_pack: int, moq: int) -> np.ndarray:
    first = smallest_shipment(case_pack, moq) // case_pack
    last = max(first, int(np.ceil(upper / case_pack)))
    if last - first + 1 <= MAX_CANDIDATES:
        cases = np.arange(first, last + 1)
    else:
        cases = np.unique(np.round(np.geomspace(first, last, MAX_CANDIDATES)).astype(int))
    return np.concatenate([[0], cases * case_pack]).astype(np.int64)


def _merge(cand: np.ndarray, costs: dict[str, np.ndarray], extra: np.ndarray,
           more: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    cand = np.concatenate([cand, extra])
    order = np.argsort(cand, kind="stable")
    return cand[order], {k: np.concatenate([costs[k], more[k]])[order] for k in costs}


def evaluate(item: SkuPlanInput, today: dt.date, fees: FeeSchedule, n_refine: int = 1,
             seed: int = 0, details: bool = True) -> Recommendation:
    """Price allowed candidate quantities and pick the one of least `total` (no capacity
    limit): a coarse grid, a finer one around its best, then one-case moves until neither
    neighbour is cheaper, so the chosen quantity beats 0 and both neighbours by the reported
    total. `details=False` (the replay) skips the timeline; the quantity is the same."""
    rng = np.random.default_rng(seed)
    paths = np.asarray(item.demand_paths, dtype=float)
    R = max(1, int(item.review_days))
    lead = max(1, int(item.lead_time_days))
    horizon_after = AGED_HORIZON
    arrivals = {k: float(v) for k, v in arrivals_by_day(item.inbound, item.reserved, lead,
                                                         today).items()}
    sc = build_scenario(paths, item.on_hand, arrivals, lead, item.lead_time_std_days, R, rng,
                        horizon_after)
    margin = item.sale_price * (1 - item.referral_rate) - item.fulfillment_fee - item.unit_cost
    pr = pricing(fees, today, lead, horizon_after, item.size_tier, item.cubic_feet,
                 item.unit_cost, margin, item.stockout_cost_multiple)
    if item.upstream_on_hand is not None and item.upstream_holding_per_cuft_month is not None:
        freed = item.cubic_feet * item.upstream_holding_per_cuft_month * 12.0 / 365.0
        net = np.maximum(pr.storage - freed, 0.0)
        pr = replace(pr, storage=net, holding=net)
    risk = floor_risk(item.in_stock_target)
    # A unit still on hand when the next shipment could land stands in for one that shipment
    # would otherwise bring: shipping it now costs about one review period of holding. Whether
    # a lot is worth having at all (big MOQ, slow seller) is its lot_loss line.
    hold_days = R
    cover = min(int(sc.window.max()) - 1 + LIF_COVER_DAYS + 14, horizon_after - 1)
    upper = float(np.quantile(np.maximum(sc.cum_window[:, cover] - sc.stock_before, 0), 0.99))
    cand = _candidates(upper, item.case_pack, item.moq)
    costs = expected_costs(sc, pr, cand, hold_days)
    for _ in range(n_refine):
        best = pick(costs, risk)
        lo = cand[max(best - 1, 0)]
        hi = cand[min(best + 1, len(cand) - 1)]
        step = item.case_pack * max(1, (hi - lo) // (item.case_pack * MAX_CANDIDATES))
        fine = np.arange(lo, hi + 1, step)
        fine = fine[[allowed(int(x), item.case_pack, item.moq) for x in fine]]
        extra = np.setdiff1d(fine, cand)
        if not len(extra):
            break
        cand, costs = _merge(cand, costs, extra, expected_costs(sc, pr, extra, hold_days))
    for _ in range(DESCENT_STEPS):
        # one-case moves around the choice, and around the choices without the floor and
        # without the stockout cost (what each adds is measured against a true argmin)
        around = {int(cand[pick(costs, risk)]), int(cand[pick(costs, None)]),
                  int(cand[pick(_without_ranking(costs), None)])}
        near = {x for q in around for x in neighbours(q, item.case_pack, item.moq)}
        extra = np.setdiff1d(np.array(sorted(near), dtype=np.int64), cand)
        if not len(extra):
            break
        cand, costs = _merge(cand, costs, extra, expected_costs(sc, pr, extra, hold_days))
    best = pick(costs, risk)
    cap = upstream_cap(item)
    limited = cap is not None and int(cand[best]) > cap
    free_q = int(cand[best])
    if limited:
        assert cap is not None
        # the cheapest quantity there is stock for: the largest allowed one and the allowed
        # quantities below it by one-case moves until neither neighbour (within it) is cheaper
        extra = np.setdiff1d(np.array([cap, *neighbours(cap, item.case_pack, item.moq)],
                                      dtype=np.int64), cand)
        extra = extra[extra <= cap]
        if len(extra):
            cand, costs = _merge(cand, costs, extra, expected_costs(sc, pr, extra, hold_days))
        for _ in range(DESCENT_STEPS):
            best = pick(_within(costs, cand, cap), risk)
            extra = np.setdiff1d(np.array(neighbours(int(cand[best]), item.case_pack, item.moq),
                                          dtype=np.int64), cand)
            extra = extra[extra <= cap]
            if not len(extra):
                break
            cand, costs = _merge(cand, costs, extra, expected_costs(sc, pr, extra, hold_days))
    # Every choice below is made among the quantities there is stock for.
    chosen = _within(costs, cand, cap) if limited else costs
    best = pick(chosen, risk)
    rec = _bare(item, costs, cand, best)
    rec.quantity_without_floor = int(cand[pick(chosen, None)])
    rec.quantity_without_stockout_cost = int(cand[pick(_without_ranking(chosen), None)])
    if limited:
        rec.unconstrained_quantity = free_q
        rec.upstream_limited = True
    if details:
        attach_timeline(rec, item, today, fees)
    return rec


def upstream_cap(item: SkuPlanInput) -> int | None:
    """The largest allowed shipment the units upstream can fill (whole cases, 0 below the MOQ);
    None for a single-stage SKU."""
    if item.upstream_on_hand is None:
        return None
    q = max(0, int(item.upstream_on_hand)) // item.case_pack * item.case_pack
    return q if allowed(q, item.case_pack, item.moq) else 0


def floor_risk(in_stock_target: float | None) -> float | None:
    """The stockout chance an in-stock target allows (0.98 -> 0.02); None for no floor."""
    if in_stock_target is None:
        return None
    target = float(in_stock_target)
    if not 0.0 < target < 1.0:
        raise ValueError(f"in_stock_target must be between 0 and 1 (got {in_stock_target!r})")
    return 1.0 - target


def pick(costs: dict[str, np.ndarray], risk: float | None) -> int:
    """Index of the candidate of least `total` whose chance of a stockout before the next
    shipment could land is within `risk` (no limit when None); when none is, the one of least
    risk (the cheaper among equals)."""
    total = costs["total"]
    if risk is None:
        return int(np.argmin(total))
    prob = costs["stockout_prob"]
    ok = prob <= risk + 1e-12
    if ok.any():
        return int(np.argmin(np.where(ok, total, np.inf)))
    least = prob <= prob.min() + 1e-12
    return int(np.argmin(np.where(least, total, np.inf)))


def _without_ranking(costs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The costs with `total` less the seller's stockout cost (lost_ranking)."""
    return {**costs, "total": costs["total"] - costs["lost_ranking"]}


def _within(costs: dict[str, np.ndarray], cand: np.ndarray, cap: int | None
            ) -> dict[str, np.ndarray]:
    """The costs with every candidate above `cap` out of reach (infinite total and risk), so
    pick() never chooses one (None: no cap)."""
    if cap is None:
        return costs
    over = cand > cap
    return {**costs, "total": np.where(over, np.inf, costs["total"]),
            "stockout_prob": np.where(over, np.inf, costs["stockout_prob"])}


def _bare(item: SkuPlanInput, costs: dict[str, np.ndarray], cand: np.ndarray,
          pick: int) -> Recommendation:
    nan = float("nan")
    q = int(cand[pick])
    return Recommendation(
        sku=item.sku, quantity=q, latest_ship_date=None,
        days_of_cover_without=nan, days_of_cover_with=nan, runs_out_in_days=nan,
        stockout_prob_before_arrival=nan,
        stockout_prob_next_cycle=float(costs["stockout_prob"][pick]),
        stockout_prob_next_cycle_without=float(costs["stockout_prob"][0]),
        expected_cost_with={k: float(costs[k][pick]) for k in COST_KEYS},
        expected_cost_without={k: float(costs[k][0]) for k in COST_KEYS},
        explanation="", unconstrained_quantity=q, candidates=cand,
        candidate_costs=costs["total"].copy(), candidate_lines=costs)


def attach_timeline(rec: Recommendation, item: SkuPlanInput, today: dt.date,
                    fees: FeeSchedule) -> Timeline:
    """Project the timeline of `rec.quantity` and copy its dates, cover and words onto `rec`."""
    tl = build_timeline(item, today, rec, fees)
    rec.timeline = tl
    rec.latest_ship_date = tl.ship_by
    rec.days_of_cover_without = tl.cover_days_without
    rec.days_of_cover_with = tl.cover_days_with
    rec.runs_out_in_days = tl.cover_days_without
    rec.stockout_prob_before_arrival = tl.stockout_prob_before_arrival
    rec.explanation = tl.explanation
    return tl


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
            _allocate(items, recs, members, float(limit), today, fees)
    return recs


def _allocate(items: Sequence[SkuPlanInput], recs: list[Recommendation], members: list[int],
              limit: float, today: dt.date, fees: FeeSchedule) -> None:
    """Greedy by value per cubic foot over each SKU's candidate steps (convex-hull steps)."""
    def volume(i: int, q: int) -> float:
        it = items[i]
        held = it.on_hand + it.reserved + sum(s.quantity for s in it.inbound) + q
        return held * it.cubic_feet

    if sum(volume(i, recs[i].quantity) for i in members) <= limit:
        return
    room = limit - sum(volume(i, 0) for i in members)
    level = dict.fromkeys(members, 0)  # index into candidates

    def best_step(i: int, room: float = np.inf) -> tuple[float, int] | None:
        r, it = recs[i], items[i]
        cur = level[i]
        best: tuple[float, int] | None = None
        # at most the unconstrained choice, or what is upstream when that limits it
        upper = r.quantity if r.upstream_limited else r.unconstrained_quantity
        for j in range(cur + 1, len(r.candidates)):
            if r.candidates[j] > upper:
                break
            saved = r.candidate_costs[cur] - r.candidate_costs[j]
            vol = (r.candidates[j] - r.candidates[cur]) * max(it.cubic_feet, 1e-9)
            if vol > room + 1e-9:
                break
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
        if need > room + 1e-9:  # does not fit: the best smaller step that does, if any
            step = best_step(i, room)
            if step:
                heapq.heappush(heap, (-step[0], i, step[1]))
            continue
        room -= need
        level[i] = j
        step = best_step(i)
        if step:
            heapq.heappush(heap, (-step[0], i, step[1]))
    for i in members:
        r = recs[i]
        if r.candidates[level[i]] != r.quantity:
            _reprice(items[i], r, level[i], today, fees)


def _reprice(item: SkuPlanInput, rec: Recommendation, j: int, today: dt.date,
             fees: FeeSchedule) -> None:
    """Switch a recommendation to a smaller, capacity-limited candidate (the cheapest of those
    at or below it: each greedy step only ever lowers the total)."""
    rec.quantity = int(rec.candidates[j])
    rec.capacity_limited = True
    rec.expected_cost_with = {k: float(rec.candidate_lines[k][j]) for k in COST_KEYS}
    rec.stockout_prob_next_cycle = float(rec.candidate_lines["stockout_prob"][j])
    if rec.timeline is not None:
        attach_timeline(rec, item, today, fees)


def paths_from_quantiles(p10: np.ndarray, p50: np.ndarray, p90: np.ndarray, n_paths: int = 200,
                         seed: int = 0) -> np.ndarray:
    """Sample paths from daily quantiles when no sampler is at hand: one normal level per path,
    shared by all its days (fully correlated, so totals keep the daily spread), floored at 0."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n_paths, 1))
    sigma = (np.asarray(p90, float) - np.asarray(p10, float)) / 2.5631
    return np.maximum(np.asarray(p50, float)[None, :] + z * sigma[None, :], 0.0)
