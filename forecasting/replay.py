"""The inventory replay of replay-spec.md: days, FIFO lots, reviews and the exact cost lines.

All SKUs advance together one day at a time (numpy across SKUs); costs that depend only on the
daily on-hand and sales are computed afterwards in whole-array form. Policies see a `ReplayState`
on review days and return one quantity per SKU.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from forecasting.fees import AGED_TIERS, LOW_INVENTORY_BANDS, REPLAY_CARD, FeeCard, days_in_month
from forecasting.replay_io import ReplayInput

COST_LINES = ("storage", "aged", "low_inventory", "lost_margin", "capital")
CAPITAL_RATE = 0.15


class PolicyError(ValueError):
    """A policy returned a quantity the spec forbids (case pack, MOQ or sign)."""


@dataclass
class ReplayState:
    """What a policy may read on review day `t` (index into the window)."""

    inp: ReplayInput
    t: int
    on_hand: np.ndarray          # (n,) on_hand_end of day t
    in_transit: np.ndarray       # (n,) shipped units arriving after day t
    arrivals: np.ndarray         # (n, T + max lead + 1) scheduled arrivals by day index
    sold: np.ndarray             # (n, T) observed sales, valid up to column t
    in_stock: np.ndarray         # (n, T) observed in-stock flags, valid up to column t
    on_hand_end: np.ndarray      # (n, T) end-of-day stock, valid up to column t
    lot_recv: np.ndarray         # (n, max lots) receive day index of each lot (-1 unused)
    lot_qty: np.ndarray          # (n, max lots)
    lot_cum: np.ndarray          # (n, max lots) units received through this lot
    cum_sold: np.ndarray         # (n,)

    @property
    def date(self) -> dt.date:
        """The review date."""
        return self.inp.dates[self.t]

    def lots_remaining(self) -> np.ndarray:
        """Units left of every lot (FIFO): min(qty, max(0, received through lot - sold))."""
        return np.clip(self.lot_cum - self.cum_sold[:, None], 0, self.lot_qty)


class Policy(Protocol):
    """Anything the replay can ask for shipment quantities."""

    name: str

    def decide(self, state: ReplayState) -> np.ndarray:
        """Quantities to ship today, one per SKU (0 = nothing)."""
        ...


@dataclass
class RunResult:
    """One policy's replay: daily arrays (n, T), per-SKU totals and shipments."""

    policy: str
    demand: np.ndarray
    sold: np.ndarray
    lost: np.ndarray
    on_hand_end: np.ndarray
    lines: dict[str, np.ndarray]                      # each (n, T)
    shipments: list[tuple[int, int, int, int]]        # (sku index, ship t, qty, arrival t)
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # per-SKU extras (foresight's b)

    def sku_totals(self) -> dict[str, np.ndarray]:
        """Per-SKU sums of every line plus total, units and shipments."""
        out = {k: v.sum(axis=1) for k, v in self.lines.items()}
        out["total"] = sum((out[k] for k in COST_LINES), np.zeros(self.sold.shape[0]))
        out["units_demand"] = self.demand.sum(axis=1)
        out["units_sold"] = self.sold.sum(axis=1)
        out["units_lost"] = self.lost.sum(axis=1)
        ships = np.zeros(self.sold.shape[0], dtype=np.int64)
        for i, *_ in self.shipments:
            ships[i] += 1
        out["shipments"] = ships
        return out


def check_quantities(q: np.ndarray, inp: ReplayInput, policy: str, t: int) -> np.ndarray:
    """Validate a policy's answer against the spec: integers, >= 0, whole cases, 0 or >= MOQ."""
    q = np.asarray(q)
    if q.shape != (len(inp.skus),):
        raise PolicyError(f"{policy}: expected {len(inp.skus)} quantities, got shape {q.shape}")
    qi = np.asarray(np.round(q), dtype=np.int64)
    bad = (qi != q) | (qi < 0) | (qi % inp.case_pack != 0) | ((qi > 0) & (qi < inp.moq))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise PolicyError(
            f"{policy} on {inp.dates[t]}: sku {inp.skus[i]!r} quantity {q[i]!r} breaks the rule "
            f"(whole number >= 0, multiple of case_pack={inp.case_pack[i]}, 0 or >= "
            f"moq={inp.moq[i]})")
    return qi


class FbaSide:
    """The FBA side's day-by-day stock (replay-spec.md steps 1-3): scheduled arrivals, FIFO lots,
    on hand, units in transit, sales and the aged surcharge on the 15th. The single-stage and
    the two-stage replays advance it the same way; the policies see its arrays."""

    def __init__(self, inp: ReplayInput, horizon: int, max_lots: int) -> None:
        n, T = inp.demand.shape
        self.inp = inp
        self.arrivals = np.zeros((n, horizon), dtype=np.int64)
        self.lot_recv = np.full((n, max_lots), -1, dtype=np.int64)
        self.lot_qty = np.zeros((n, max_lots), dtype=np.int64)
        self.lot_cum = np.zeros((n, max_lots), dtype=np.int64)
        self.n_lots = np.zeros(n, dtype=np.int64)
        self.received = np.zeros(n, dtype=np.int64)
        self.cum_sold = np.zeros(n, dtype=np.int64)
        self.on_hand = np.zeros(n, dtype=np.int64)
        self.in_transit = np.zeros(n, dtype=np.int64)
        self.sold = np.zeros((n, T), dtype=np.int64)
        self.in_stock = np.zeros((n, T), dtype=bool)
        self.oh_end = np.zeros((n, T), dtype=np.int64)
        self.aged = np.zeros((n, T))
        self.arrivals[:, 0] += inp.initial_on_hand  # initial stock is one lot received on start
        self._rows = np.arange(n)

    def receive_and_sell(self, t: int, card: FeeCard) -> None:
        """Day t: arrivals become lots, FIFO sales against demand, the observation, and on the
        15th the aged surcharge of every lot left."""
        inp = self.inp
        arr = self.arrivals[:, t]
        got = arr > 0
        if got.any():
            idx = self._rows[got]
            slot = self.n_lots[got]
            self.received[got] += arr[got]
            self.lot_recv[idx, slot] = t
            self.lot_qty[idx, slot] = arr[got]
            self.lot_cum[idx, slot] = self.received[got]
            self.n_lots[got] += 1
            self.on_hand += arr
            # The initial lot arrives on day 0 without ever having been in transit.
            self.in_transit -= arr - inp.initial_on_hand if t == 0 else arr
        s = np.minimum(inp.demand[:, t], self.on_hand)
        self.on_hand -= s
        self.cum_sold += s
        self.sold[:, t] = s
        self.oh_end[:, t] = self.on_hand
        self.in_stock[:, t] = self.on_hand > 0
        if inp.dates[t].day == 15:
            rem = np.clip(self.lot_cum - self.cum_sold[:, None], 0, self.lot_qty)
            age = np.where(self.lot_recv >= 0, t - self.lot_recv, -1)
            self.aged[:, t] = (rem * aged_per_unit(age, inp.cubic_feet[:, None], card)
                               ).sum(axis=1)

    def state_fields(self, t: int) -> dict[str, Any]:
        """ReplayState's fields for a review on day t (copies of what changes in place)."""
        return {"inp": self.inp, "t": t, "on_hand": self.on_hand.copy(),
                "in_transit": self.in_transit.copy(), "arrivals": self.arrivals,
                "sold": self.sold, "in_stock": self.in_stock, "on_hand_end": self.oh_end,
                "lot_recv": self.lot_recv, "lot_qty": self.lot_qty, "lot_cum": self.lot_cum,
                "cum_sold": self.cum_sold.copy()}

    def ship(self, t: int, q: np.ndarray, shipments: list[tuple[int, int, int, int]]) -> None:
        """Schedule the day's shipments q (validated) to land after each SKU's lead time."""
        for i in np.flatnonzero(q):
            a = t + int(self.inp.lead[i])
            self.arrivals[i, a] += q[i]
            shipments.append((int(i), t, int(q[i]), a))
        self.in_transit += q

    def lines(self, card: FeeCard) -> dict[str, np.ndarray]:
        """The FBA cost lines of the whole window (COST_LINES)."""
        lines = cost_lines(self.inp, self.sold, self.oh_end, card)
        lines["aged"] = self.aged
        return lines


def simulate(inp: ReplayInput, policy: Policy, review_days: int,
             card: FeeCard = REPLAY_CARD) -> RunResult:
    """Run one policy through the window day by day and price every day."""
    T = inp.demand.shape[1]
    fba = FbaSide(inp, T + int(inp.lead.max(initial=1)) + 1, 2 + T // review_days + 1)
    shipments: list[tuple[int, int, int, int]] = []
    for t in range(T):
        fba.receive_and_sell(t, card)
        if t % review_days == 0:
            state = ReplayState(**fba.state_fields(t))
            fba.ship(t, check_quantities(policy.decide(state), inp, policy.name, t), shipments)
    lines = fba.lines(card)
    lines = {k: lines[k] for k in COST_LINES}
    return RunResult(policy.name, inp.demand, fba.sold, inp.demand - fba.sold, fba.oh_end, lines,
                     shipments)


def aged_per_unit(age: np.ndarray, cubic_feet: np.ndarray, card: FeeCard) -> np.ndarray:
    """Aged surcharge per unit for an array of ages (days) on the 15th; card's tiers."""
    rate = np.zeros(np.broadcast(age, cubic_feet).shape)
    for first, last, key in AGED_TIERS:
        rate = np.where((age >= first) & (age <= last), cubic_feet * card.rates[key], rate)
    for top_age, per_cuft, per_unit in card.aged_top:
        rate = np.where(age >= top_age, np.maximum(cubic_feet * per_cuft, per_unit), rate)
    return rate


def _window_sum(x: np.ndarray, w: int) -> np.ndarray:
    """Trailing sums over the last `w` days, only days inside the window (exact integers)."""
    c = np.concatenate([np.zeros((x.shape[0], 1), dtype=x.dtype), np.cumsum(x, axis=1)], axis=1)
    T = x.shape[1]
    hi = np.arange(1, T + 1)
    lo = np.maximum(0, hi - w)
    return c[:, hi] - c[:, lo]


def cost_lines(inp: ReplayInput, sold: np.ndarray, oh_end: np.ndarray,
               card: FeeCard = REPLAY_CARD) -> dict[str, np.ndarray]:
    """Storage, low-inventory, lost margin and capital per SKU per day (aged: in the loop)."""
    n, T = sold.shape
    bulky = np.array([tier == "large_bulky" for tier in inp.size_tier])
    std_rate = np.array([card.storage_rate("small_standard", d) / days_in_month(d)
                         for d in inp.dates])
    bulky_rate = np.array([card.storage_rate("large_bulky", d) / days_in_month(d)
                           for d in inp.dates])
    rate = np.where(bulky[:, None], bulky_rate[None, :], std_rate[None, :])
    storage = oh_end * inp.cubic_feet[:, None] * rate
    # Days of supply compared as integers: mean(oh)/mean(sold) < k  <=>  sum(oh) < k * sum(sold)
    # over the same days; a zero sum of sales never qualifies (infinite days of supply).
    oh30, s30 = _window_sum(oh_end, 30), _window_sum(sold, 30)
    oh90, s90 = _window_sum(oh_end, 90), _window_sum(sold, 90)
    s7 = _window_sum(sold, 7)

    def below(k: int) -> np.ndarray:
        return (oh30 < k * s30) & (oh90 < k * s90)

    applies = below(28) & (s7 >= card.low_inventory_min_weekly_units)
    band_rates = np.array([[card.low_inventory_rate(tier, m) for m in (0.0, 14.0, 21.0)]
                           for tier in inp.size_tier]).reshape(n, len(LOW_INVENTORY_BANDS))
    per_unit = np.where(below(14), band_rates[:, [0]],
                        np.where(below(21), band_rates[:, [1]], band_rates[:, [2]]))
    low_inventory = np.where(applies, sold * per_unit, 0.0)
    lost = inp.demand - sold
    return {
        "storage": storage,
        "low_inventory": low_inventory,
        "lost_margin": lost * inp.margin[:, None],
        "capital": oh_end * inp.unit_cost[:, None] * CAPITAL_RATE / 365.0,
    }
