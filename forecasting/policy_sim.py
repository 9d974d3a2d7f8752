"""Scenario arithmetic behind the shipment recommendation: stock paths and expected cost lines.

Works on one SKU's demand sample paths (P paths x H days). **Day 0 is today**: `paths[:, 0]` is
the demand still to come today after the on-hand count (the replay, which decides at the end of
a day, passes 0 for it), and an arrival on day k lands that morning, before day k's demand. The
shipment decided today lands on day L (the lead time) and is last in FIFO order, so while any of
it is left nothing is lost: its remaining units on day k after arrival are clip(B + q - Cw_k, 0,
q), where B is the stock on hand on its arrival morning (after lost sales on the way, plus other
inbound landing before the next shipment could) and Cw_k the demand from its arrival through k.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from forecasting.fees import FeeSchedule

CAPITAL_RATE = 0.15
AGED_FIRST_AGE = 181
AGED_HORIZON = 400  # days after arrival over which aged surcharges are priced
LIF_COVER_DAYS = 28
EXTEND_TAIL = 28  # beyond the forecast horizon, each path continues at its last-28-day mean
# The priced lines of a candidate; `total` is their sum, in this order, and nothing else.
# lost_margin, low_inventory: demand the window after arrival loses, and the fee on what it sells
#   (the window: from the arrival until the next shipment could land).
# lost_ranking: the seller's stockout cost beyond the margin: on Amazon a stockout also costs the
#   listing's ranking and momentum, the sales after it; priced as `stockout_cost_multiple` more
#   lost sales (at the unit margin) for each unit the window loses.
# storage, capital: the new lot's first review period on hand (after that a unit left only stands
#   in for one the next shipment would bring); aged: the lot's aged surcharges over 400 days.
# placement: the inbound placement fee, per unit shipped; placement_stand_in (<= 0): the fee on
#   the units still on hand when the next shipment lands and sold later, which replace units
#   that shipment would bring and pay the fee on anyway.
# lot_loss: when the lot over its whole life (400 days) earns less margin on what it sells than
#   holding it until each unit sells (storage, capital, aged) and its placement cost, that
#   shortfall: a lot that would sit for a year does not stand in for anything. It overlaps the
#   aged and placement lines on purpose: they are both costs of the window choice and part of
#   the lot's own account.
COST_LINES = ("lost_margin", "lost_ranking", "low_inventory", "storage", "aged", "capital",
              "placement", "placement_stand_in", "lot_loss")


@dataclass
class Scenario:
    """Per-path quantities that do not depend on the shipment size."""

    stock_before: np.ndarray     # (P,) B: stock on the arrival morning
    cum_window: np.ndarray       # (P, K) Cw_k, demand from arrival through day k (float)
    stockout_day: np.ndarray     # (P,) first day index with lost demand before arrival, or inf
    lost_before: np.ndarray      # (P,) units lost before the shipment can land
    lead: np.ndarray             # (P,) lead time used on each path
    window: np.ndarray           # (P,) days until the next shipment could land (R + L' - L)
    cum_from_today: np.ndarray   # (P, H') cumulative demand from today (for cover without)
    start_stock: np.ndarray      # (P,) on hand + all known inbound (for cover without q)


def extend_paths(paths: np.ndarray, length: int) -> np.ndarray:
    """Paths padded to `length` days, each continuing at its own mean of its last 28 days."""
    paths = np.asarray(paths, dtype=float)
    P, H = paths.shape
    if length <= H:
        return paths[:, :length]
    tail = paths[:, max(0, H - EXTEND_TAIL):].mean(axis=1, keepdims=True) if H else np.zeros((P, 1))
    return np.concatenate([paths, np.repeat(tail, length - H, axis=1)], axis=1)


def build_scenario(paths: np.ndarray, on_hand: float, arrivals: dict[int, float], lead: int,
                   lead_std: float, review_days: int, rng: np.random.Generator,
                   horizon_after: int) -> Scenario:
    """Run the stock forward without today's shipment, with lost sales, and set up the window.

    `arrivals` maps day index (0 = today) to inbound units landing that morning.
    """
    P = paths.shape[0]
    if lead_std > 0:
        draws = np.round(lead + lead_std * rng.standard_normal((2, P)))
        leads, next_leads = np.maximum(1, draws).astype(int)
    else:
        leads = next_leads = np.full(P, lead, dtype=int)
    # The next review's shipment has its own lead time: the window this one must cover ends
    # when that one lands (at least one day).
    window = np.clip(review_days + next_leads - leads, 1, horizon_after)
    max_lead = int(leads.max())
    length = max_lead + max(horizon_after, review_days) + 1
    D = extend_paths(paths, length)
    C = np.cumsum(D, axis=1)
    # Before the shipment can land (days 0 .. L-1) stock falls with demand and jumps with each
    # inbound arrival; with lost sales it is max(0, S_a - demand since a) within a segment.
    pre = max_lead
    Dm = D[:, :pre] * (np.arange(pre)[None, :] < leads[:, None])
    before = np.empty((P, pre))
    lost_before = np.zeros(P)
    stockout = np.full(P, np.inf)
    stock = np.full(P, float(on_hand))
    cuts = sorted({0, *(d for d in arrivals if 0 < d < pre)}) + [pre]
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        if b <= a:
            continue
        stock = stock + arrivals.get(a, 0.0)
        c = np.cumsum(Dm[:, a:b], axis=1)
        short = c > stock[:, None]
        first = np.where(short.any(axis=1), a + short.argmax(axis=1), np.inf)
        stockout = np.where(np.isinf(stockout), first, stockout)
        lost_before += np.maximum(c[:, -1] - stock, 0.0)
        before[:, a:b] = np.maximum(stock[:, None] - c, 0.0)
        stock = before[:, b - 1]
    rows = np.arange(P)
    prior = before[rows, leads - 1]
    # Inbound landing from the arrival day until the next shipment could land joins B.
    late = np.zeros(P)
    for day, qty in arrivals.items():
        late += np.where((day >= leads) & (day < leads + window), qty, 0.0)
    B = prior + late
    base = C[rows, leads - 1]
    if lead_std > 0:
        idx = leads[:, None] + np.arange(horizon_after)[None, :]
        cum_window = np.take_along_axis(C, idx, axis=1) - base[:, None]
    else:
        cum_window = C[:, lead: lead + horizon_after] - base[:, None]
    return Scenario(B, cum_window, stockout, lost_before, leads, window, C,
                    np.full(P, float(on_hand) + sum(arrivals.values())))


@dataclass
class Pricing:
    """Unit economics and fee rates of one SKU for the dates its next shipment would cover."""

    margin: float                # lost margin per unit of lost demand
    holding: np.ndarray          # (K,) storage + capital per unit on hand at end of window day k
    storage: np.ndarray          # (K,) storage part
    aged: np.ndarray             # (K,) aged surcharge per unit on day k (0 unless a 15th, 181+)
    lif_rates: tuple[float, float, float]
    lif_min_weekly: int
    placement: float
    ranking: float = 0.0         # the stockout cost per lost unit beyond its margin


def pricing(fees: FeeSchedule, today: dt.date, lead: int, horizon_after: int, size_tier: str,
            cubic_feet: float, unit_cost: float, margin: float,
            stockout_cost_multiple: float = 0.0) -> Pricing:
    """Daily per-unit rates for the days after a shipment sent today would land; a lost unit
    costs its margin plus `stockout_cost_multiple` margins more (lost ranking; none on a SKU
    that sells at a loss)."""
    arrival = today + dt.timedelta(days=lead)
    storage = cubic_feet * fees.storage_per_cuft(arrival, horizon_after, size_tier)
    aged = np.zeros(horizon_after)
    for k in fees.fifteenths(arrival, horizon_after):
        if k >= AGED_FIRST_AGE:
            aged[k] = fees.card_for(arrival + dt.timedelta(days=k)).aged_per_unit(k, cubic_feet)
    first = fees.card_for(arrival)
    lif = tuple(first.low_inventory_rate(size_tier, m) for m in (0.0, 14.0, 21.0))
    return Pricing(margin, storage + unit_cost * CAPITAL_RATE / 365.0, storage, aged,
                   (lif[0], lif[1], lif[2]), first.low_inventory_min_weekly_units,
                   first.inbound_placement(size_tier),
                   max(float(stockout_cost_multiple), 0.0) * max(margin, 0.0))


def expected_costs(sc: Scenario, pr: Pricing, q: np.ndarray,
                   hold_days: int) -> dict[str, np.ndarray]:
    """Expected cost lines (mean over paths) for each candidate quantity in `q`.

    Storage and capital are charged for the shipment's first `hold_days` after landing: after
    that, under a weekly order-up-to routine, a unit still on hand only stands in for one the
    next shipment would otherwise have brought. Aged surcharges are charged in full.
    """
    q = np.asarray(q, dtype=float)[:, None, None]             # (C, 1, 1)
    B = sc.stock_before[None, :, None]                       # (1, P, 1)
    W = sc.window
    Wmax = int(W.max())
    cw = sc.cum_window
    demand_w = cw[np.arange(len(W)), W - 1][None, :, None]
    lost = np.maximum(demand_w - B - q, 0.0)[..., 0]         # (C, P)
    sold_w = np.minimum(demand_w, B + q)[..., 0]
    # Low-inventory fee, steady-state proxy: the window's mean stock over its mean daily demand.
    inside = (np.arange(Wmax)[None, :] < W[:, None])[None]
    level = (np.maximum(B + q - cw[None, :, :Wmax], 0.0) * inside).sum(axis=2) / W[None, :]
    rate = demand_w[..., 0] / W[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        dos = np.where(rate > 0, level / rate, np.inf)
    weekly = rate * 7 >= max(pr.lif_min_weekly, 1e-9)
    fee = np.where(dos < 14, pr.lif_rates[0], np.where(dos < 21, pr.lif_rates[1],
                                                       np.where(dos < 28, pr.lif_rates[2], 0.0)))
    lif = np.where(weekly, sold_w * fee, 0.0)
    # Holding of the new lot: daily for 4 weeks, then weekly samples weighted by 7.
    K = min(hold_days, cw.shape[1])
    days = np.concatenate([np.arange(min(K, 28)), np.arange(28, K, 7)])
    weight = np.where(days < 28, 1.0, np.minimum(7, K - days)).astype(float)
    rem = np.clip(B + q - cw[None, :, days], 0.0, q)        # (C, P, len(days))
    storage = (rem * (pr.storage[days] * weight)).sum(axis=2)
    capital = (rem * ((pr.holding - pr.storage)[days] * weight)).sum(axis=2)
    aged_days = np.flatnonzero(pr.aged[: cw.shape[1]])
    if len(aged_days):
        rem_aged = np.clip(B + q - cw[None, :, aged_days], 0.0, q)
        aged = (rem_aged * pr.aged[aged_days]).sum(axis=2)
    else:
        aged = np.zeros_like(lost)
    out = {
        "lost_margin": (lost * pr.margin).mean(axis=1),
        "lost_ranking": (lost * pr.ranking).mean(axis=1),
        "low_inventory": lif.mean(axis=1),
        "storage": storage.mean(axis=1),
        "aged": aged.mean(axis=1),
        "capital": capital.mean(axis=1),
        # Paid on every unit sent, whenever it is sent: a per-unit cost of the shipment.
        "placement": q[:, 0, 0] * pr.placement,
    }
    # ... but a unit still on hand when the next shipment lands, and sold later, replaces one
    # that shipment would bring and pay placement on: shipping it now costs no extra placement
    # (the same reason storage is charged for one review period only).
    left_w = np.clip(B + q - demand_w, 0.0, q)[..., 0]
    left_end = np.clip(B + q - cw[None, :, -1:], 0.0, q)[..., 0]
    out["placement_stand_in"] = -pr.placement * (left_w - left_end).mean(axis=1)
    # aged surcharges are charged in full above, so the lot's life account reuses them
    out["lot_loss"] = np.maximum(-lot_life_values(sc, pr, q[:, 0, 0], out["aged"]), 0.0)
    total = np.zeros(len(q))
    for key in COST_LINES:  # one order, so total is bit for bit the sum of the lines
        total = total + out[key]
    out["total"] = total
    out["stockout_prob"] = (lost > 0).mean(axis=1)
    return out


def lot_life_values(sc: Scenario, pr: Pricing, q: np.ndarray,
                    aged: np.ndarray | None = None) -> np.ndarray:
    """For each quantity in `q`: the margin the lot earns on the units it sells within the
    horizon, minus what holding it costs until each unit is sold (storage, capital, aged
    surcharges) and its placement fee, averaged over paths. 0 for q = 0. `aged`: the lots'
    mean aged surcharges if already known (expected_costs' aged line)."""
    q = np.asarray(q, dtype=float)
    K = sc.cum_window.shape[1]
    days = np.concatenate([np.arange(min(K, 28)), np.arange(28, K, 7)])
    weight = np.where(days < 28, 1.0, np.minimum(7, K - days)).astype(float)
    B = sc.stock_before[None, :, None]
    qq = q[:, None, None]
    rem = np.clip(B + qq - sc.cum_window[None, :, days], 0.0, qq)
    holding = (rem * (pr.holding[days] * weight)).sum(axis=2).mean(axis=1)
    if aged is None:
        aged_days = np.flatnonzero(pr.aged[:K])
        aged = (np.clip(B + qq - sc.cum_window[None, :, aged_days], 0.0, qq)
                * pr.aged[aged_days]).sum(axis=2).mean(axis=1)
    left = np.clip(B[..., 0] + qq[..., 0] - sc.cum_window[None, :, -1], 0.0, qq[..., 0])
    sold = q - left.mean(axis=1)
    return pr.margin * sold - holding - aged - pr.placement * q


def lot_life_value(sc: Scenario, pr: Pricing, q: float) -> float:
    """`lot_life_values` of one quantity."""
    return float(lot_life_values(sc, pr, np.array([q]))[0])
