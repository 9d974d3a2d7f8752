"""The generated seller day by day: demand, prices, stock, the seller's own shipments, orders."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from simulator.calendar import demand_multiplier, event_of
from simulator.catalog import WorldSpec, make_catalog, make_traits, rng_for
from simulator.orderbook import OrderBook
from simulator.orders import make_day_orders

CANCEL_RATE = 0.02
STREAM_UNIFORM, STREAM_GAMMA, STREAM_POISSON, STREAM_CANCEL, STREAM_INIT = 10, 11, 12, 13, 14
_N_UNIFORM = 8


@dataclass
class Shipment:
    """Units on their way to FBA: from the simulated seller's own past or an API inbound plan."""

    shipment_id: str
    sku: int
    quantity: int
    ship_day: int  # date ordinal
    arrival_day: int
    source: str = "seller"  # "seller" or "inbound_plan"
    plan_id: str = ""
    created_ts: int = 0


@dataclass
class _State:
    on_hand: np.ndarray
    velocity: np.ndarray
    list_price: np.ndarray
    promo_left: np.ndarray
    promo_disc: np.ndarray
    transit: np.ndarray
    arrivals: dict[int, list[int]] = field(default_factory=dict)
    departures: dict[int, list[int]] = field(default_factory=dict)


class World:
    """A seller generated from a WorldSpec; `extend_to(day)` appends days one at a time."""

    def __init__(self, spec: WorldSpec) -> None:
        self.spec = spec
        self.catalog = make_catalog(spec)
        self.traits = make_traits(spec, self.catalog)
        # Catalog columns as lists: per-order JSON building looks them up many times.
        self.lists = {c: self.catalog[c].tolist() for c in ("sku", "asin", "fnsku", "title")}
        self.n = spec.n_skus
        self.start_ordinal = spec.start.toordinal()
        self.next_ordinal = self.start_ordinal  # first day not generated yet
        self.shipments: list[Shipment] = []
        self.orders = OrderBook()
        self._rows: dict[str, list[np.ndarray]] = {
            k: []
            for k in (
                "demand",
                "sold",
                "sale_cents",
                "list_cents",
                "on_hand_end",
                "receipts",
                "in_transit_end",
                "cancels",
                "start_balance",
            )
        }
        self._stacked: dict[str, np.ndarray] = {}
        self._init_state()

    # ------------------------------------------------------------------ state
    def _init_state(self) -> None:
        cat, tr = self.catalog, self.traits
        u = rng_for(self.spec.seed, STREAM_INIT).random((self.n, 2))
        launched = tr["launch"] < self.start_ordinal
        on_hand = np.where(launched, np.ceil(tr["level"] * (20 + 40 * u[:, 0])), 0).astype(np.int64)
        self.initial_on_hand = on_hand.copy()
        self.state = _State(
            on_hand=on_hand,
            velocity=tr["level"].astype(float).copy(),
            list_price=cat["list_price"].to_numpy(dtype=float).copy(),
            promo_left=np.zeros(self.n, dtype=np.int64),
            promo_disc=np.zeros(self.n),
            transit=np.zeros(self.n, dtype=np.int64),
        )
        lead = cat["lead_time_days"].to_numpy()
        case = cat["case_pack"].to_numpy()
        for i in np.flatnonzero(~launched):
            # A new launch's first shipment lands on its launch day.
            qty = int(math.ceil(tr["level"][i] * (30 + 30 * u[i, 1]) / case[i]) * case[i])
            arrival = int(tr["launch"][i])
            self.add_shipment(int(i), max(qty, int(case[i])), arrival - int(lead[i]), arrival)

    def add_shipment(
        self,
        sku: int,
        quantity: int,
        ship_day: int,
        arrival_day: int,
        source: str = "seller",
        plan_id: str = "",
        created_ts: int = 0,
    ) -> Shipment:
        """Register units in transit; they become sellable at the start of arrival_day."""
        sid = f"FBA{self.spec.seed % 1000:03d}{len(self.shipments) + 1:06d}"
        shipment = Shipment(sid, sku, quantity, ship_day, arrival_day, source, plan_id, created_ts)
        self.shipments.append(shipment)
        idx = len(self.shipments) - 1
        self.state.arrivals.setdefault(arrival_day, []).append(idx)
        if ship_day <= self.next_ordinal:
            self.state.transit[sku] += quantity
        else:
            self.state.departures.setdefault(ship_day, []).append(idx)
        return shipment

    def in_transit(self, as_of_ordinal: int) -> np.ndarray:
        """Units per SKU shipped on or before the day and arriving after it."""
        out = np.zeros(self.n, dtype=np.int64)
        for s in self.shipments:
            if s.ship_day <= as_of_ordinal < s.arrival_day:
                out[s.sku] += s.quantity
        return out

    # ------------------------------------------------------------ generation
    def extend_to(self, last: date) -> None:
        """Generate every day up to and including `last`."""
        while self.next_ordinal <= last.toordinal():
            self._step(self.next_ordinal)
            self.next_ordinal += 1
        self._stacked = {}
        self.orders.finish()

    def _step(self, d: int) -> None:
        seed, n, st, tr, cat = self.spec.seed, self.n, self.state, self.traits, self.catalog
        day = date.fromordinal(d)
        u = rng_for(seed, STREAM_UNIFORM, d).random((n, _N_UNIFORM))
        start_balance = st.on_hand.copy()

        receipts = np.zeros(n, dtype=np.int64)
        for idx in st.departures.pop(d, []):
            st.transit[self.shipments[idx].sku] += self.shipments[idx].quantity
        for idx in st.arrivals.pop(d, []):
            s = self.shipments[idx]
            receipts[s.sku] += s.quantity
        st.on_hand += receipts
        st.transit -= receipts

        # Prices: rare list-price changes, own promotions, and deals on event days.
        list0 = cat["list_price"].to_numpy(dtype=float)
        change = u[:, 0] < 1 / 150
        factor = 0.9 + 0.22 * u[:, 1]
        new_price = np.clip(st.list_price * factor, 0.75 * list0, 1.4 * list0)
        st.list_price = np.where(change, np.floor(new_price) + 0.99, st.list_price)
        start_promo = (st.promo_left == 0) & (u[:, 2] < 1 / 100)
        st.promo_left = np.where(start_promo, 3 + (u[:, 3] * 8).astype(np.int64), st.promo_left)
        st.promo_disc = np.where(start_promo, 0.1 + 0.2 * u[:, 4], st.promo_disc)
        disc = np.where(st.promo_left > 0, st.promo_disc, 0.0)
        event = event_of(day)
        if event in ("prime", "bfcm"):
            disc = np.where(
                tr["prime_deal"], np.maximum(disc, 0.2 if event == "prime" else 0.25), disc
            )
        st.promo_left = np.maximum(st.promo_left - 1, 0)
        list_cents = np.round(st.list_price * 100).astype(np.int64)
        sale_cents = np.round(list_cents * (1 - disc)).astype(np.int64)

        # True demand: negative binomial (gamma-Poisson) around the expected level.
        launched = tr["launch"] <= d
        price_ratio = sale_cents / np.round(list0 * 100)
        mu = tr["level"] * demand_multiplier(day, tr, self.start_ordinal)
        mu = np.where(launched, mu * price_ratio ** (-tr["elasticity"]), 0.0)
        k = tr["dispersion"]
        lam = rng_for(seed, STREAM_GAMMA, d).gamma(k, np.maximum(mu, 1e-12) / k)
        demand = (
            rng_for(seed, STREAM_POISSON, d).poisson(np.where(mu > 0, lam, 0.0)).astype(np.int64)
        )
        sold = np.minimum(demand, st.on_hand)
        in_stock_before = st.on_hand > 0
        st.on_hand -= sold
        cancels = rng_for(seed, STREAM_CANCEL, d).binomial(demand, CANCEL_RATE).astype(np.int64)

        # The seller's own habit: weekly review, days-of-supply target, sometimes skipped.
        vel_obs = in_stock_before & (st.on_hand > 0)
        st.velocity = np.where(vel_obs & launched, 0.92 * st.velocity + 0.08 * sold, st.velocity)
        lead = cat["lead_time_days"].to_numpy()
        case = cat["case_pack"].to_numpy()
        moq = cat["moq"].to_numpy()
        review = (
            (day.weekday() == tr["review_dow"])
            & launched
            & (d < tr["discontinue"])
            & (u[:, 5] >= tr["skip_prob"])
        )
        if review.any():
            transit = st.transit
            target = st.velocity * (lead + 7 + tr["cover_days"])
            need = target - st.on_hand - transit
            for i in np.flatnonzero(review & (need > 0)):
                q = int(math.ceil(need[i] / case[i]) * case[i])
                q = max(q, int(math.ceil(moq[i] / case[i]) * case[i]))
                noise = int(u[i, 6] * 8) - 2
                self.add_shipment(int(i), q, d, d + max(1, int(lead[i]) + noise))

        orders, lines = make_day_orders(seed, d, sold, cancels, sale_cents, list_cents)
        self.orders.add_day(orders, lines)
        for key, value in (
            ("demand", demand),
            ("sold", sold),
            ("sale_cents", sale_cents),
            ("list_cents", list_cents),
            ("on_hand_end", st.on_hand.copy()),
            ("receipts", receipts),
            ("in_transit_end", st.transit.copy()),
            ("cancels", cancels),
            ("start_balance", start_balance),
        ):
            self._rows[key].append(value)

    # ---------------------------------------------------------------- views
    def daily(self, key: str) -> np.ndarray:
        """A (days, skus) array of a daily series: demand, sold, on_hand_end, receipts, ..."""
        if key not in self._stacked:
            rows = self._rows[key]
            self._stacked[key] = np.stack(rows) if rows else np.zeros((0, self.n), dtype=np.int64)
        return self._stacked[key]

    @property
    def days(self) -> list[date]:
        """Generated dates in order."""
        return [date.fromordinal(o) for o in range(self.start_ordinal, self.next_ordinal)]

    @property
    def last_day(self) -> date:
        """The last generated day."""
        return date.fromordinal(self.next_ordinal - 1)

    def day_index(self, day: date) -> int:
        """Row of a date in the daily arrays."""
        return day.toordinal() - self.start_ordinal

    def on_hand_now(self) -> np.ndarray:
        """Fulfillable units per SKU at the end of the last generated day."""
        return self.state.on_hand.copy()


def build_world(
    seed: int, n_skus: int, history_days: int, today: date, through: date | None = None
) -> World:
    """The world the CLI and the server start from: history ending at `today` (or `through`)."""
    start = today - timedelta(days=history_days - 1)
    world = World(WorldSpec(seed=seed, n_skus=n_skus, start=start, anchor=today))
    world.extend_to(through or today)
    return world
