"""The generated seller day by day: demand, prices, stock, the seller's own shipments, orders."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np

from simulator.calendar import demand_multiplier, event_of
from simulator.catalog import WorldSpec, make_catalog, make_traits, rng_for
from simulator.markets import DEFAULT as DEFAULT_MARKET
from simulator.markets import market
from simulator.orderbook import OrderBook
from simulator.orders import hour_cdf, make_day_orders

CANCEL_RATE = 0.02
SHIPMENT_CANCEL_RATE = 0.04  # reviews whose first draft shipment the seller cancels
STREAM_UNIFORM, STREAM_GAMMA, STREAM_POISSON, STREAM_CANCEL, STREAM_INIT = 10, 11, 12, 13, 14
STREAM_SHIPMENT, STREAM_DRAFT = 15, 16
_N_UNIFORM = 8


@dataclass
class Shipment:
    """Units on their way to FBA: from the simulated seller's own past or an API inbound plan.

    Days are date ordinals. The units ship during `ship_day` and are received gradually:
    `receipts[j]` (at least 1) units become fulfillable during day `arrival_day + j` (2-5 days
    in all, fewer only when there are fewer units).
    A cancelled shipment never ships and never arrives. `simulator.inbound` derives its
    status on any day from these fields.
    """

    shipment_id: str
    sku: int
    quantity: int
    ship_day: int  # date ordinal
    arrival_day: int  # first day units are received
    source: str = "seller"  # "seller" or "inbound_plan"
    plan_id: str = ""  # 2024-03-20 inboundPlanId ("" for a legacy v0-only shipment)
    created_ts: int = 0
    receipts: tuple[int, ...] = ()
    cancelled_day: int | None = None
    sta_shipment_id: str = ""  # 2024-03-20 shipmentId ("sh...")
    window: tuple[int, int] | None = None  # selected delivery window (first, last day)

    @property
    def last_receipt_day(self) -> int:
        """The day the last units are received (the shipment closes at its end)."""
        return self.arrival_day + max(len(self.receipts), 1) - 1

    @property
    def delivery_day(self) -> int:
        """The day the carrier delivers at the fulfillment center (two days before receipts)."""
        return self.arrival_day - 2


@dataclass
class _State:
    on_hand: np.ndarray
    velocity: np.ndarray
    list_price: np.ndarray
    promo_left: np.ndarray
    promo_disc: np.ndarray
    transit: np.ndarray
    arrivals: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # (shipment, units)
    departures: dict[int, list[int]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Stage:
    ship: int  # days after the anchor
    arrival: int
    window: bool | None = True
    legacy: bool = False
    bulk: bool = False
    cancel: bool = False
    slack: bool = False  # goes to a SKU with plenty of stock (it is received before the clock)


# Staged top-ups by days before the anchor they are created; status at the first clock.
_STAGED: dict[int, _Stage] = {
    20: _Stage(-19, -12, bulk=True),  # CLOSED, and its SKU overstocked
    10: _Stage(-8, 6, legacy=True, window=None),  # IN_TRANSIT, v0 only (no Amazon date)
    9: _Stage(-8, 0, slack=True),  # RECEIVING since the anchor
    8: _Stage(-7, 1),  # CHECKED_IN
    7: _Stage(-6, 2),  # DELIVERED
    4: _Stage(-2, 10, cancel=True),  # CANCELLED
    2: _Stage(-1, 9, window=False),  # SHIPPED (in a plan, no delivery window chosen)
    1: _Stage(2, 12),  # WORKING
}


def _sta_id(prefix: str, seed: int, kind: str, key: int) -> str:
    """A stable 2024-03-20 identifier: prefix + a UUID-shaped digest (38 characters)."""
    h = hashlib.sha256(f"{kind}:{seed}:{key}".encode()).hexdigest()
    return f"{prefix}{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


class World:
    """A seller generated from a WorldSpec; `extend_to(day)` appends days one at a time."""

    def __init__(self, spec: WorldSpec) -> None:
        self.spec = spec
        self.market = market(spec.marketplace)
        self.catalog = make_catalog(spec)
        self.traits = make_traits(spec, self.catalog)
        # Catalog columns as lists: per-order JSON building looks them up many times.
        self.lists = {
            c: self.catalog[c].tolist()
            for c in ("sku", "asin", "fnsku", "title", "fulfillment_fee", "referral_rate")
        }
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
        plan_id: str | None = None,
        created_ts: int = 0,
        cancelled_day: int | None = None,
        sta_shipment_id: str | None = None,
        window: bool | None = None,
    ) -> Shipment:
        """Register a shipment; its units are received over 2-5 days from arrival_day on.

        `plan_id`/`sta_shipment_id`/`window` default to values drawn from the shipment's
        number (about 15 % of the seller's own shipments are legacy v0-only, and 80 % of the
        others have a selected delivery window); pass them to fix them.
        """
        n = len(self.shipments) + 1
        sid = f"FBA{self.spec.seed % 1000:03d}{n:06d}"
        u = rng_for(self.spec.seed, STREAM_SHIPMENT, n).random(10)
        days = max(1, min(2 + int(u[0] * 4), quantity))
        weights = 0.5 + u[1 : 1 + days]
        # At least one unit a day: receiving is spread over every receipt day.
        parts = 1 + np.floor((quantity - days) * weights / weights.sum()).astype(np.int64)
        parts[0] += quantity - int(parts.sum())
        if plan_id is None:
            created_day = self.ordinal_of(created_ts) if created_ts else ship_day
            plan_id = "" if u[9] < 0.15 else _sta_id("wf", self.spec.seed, "plan", created_day)
        if sta_shipment_id is None:
            sta_shipment_id = _sta_id("sh", self.spec.seed, "shipment", n) if plan_id else ""
        if window is None:
            window = bool(plan_id) and u[8] < 0.8
        delivery = arrival_day - 2
        span = None
        if window and plan_id and cancelled_day is None:
            span = (delivery - int(u[6] * 3), delivery + int(u[7] * 3))
        shipment = Shipment(
            sid,
            sku,
            quantity,
            ship_day,
            arrival_day,
            source,
            plan_id,
            created_ts or self.day_start(ship_day - 1) + 10 * 3600,
            tuple(int(x) for x in parts),
            cancelled_day,
            sta_shipment_id,
            span,
        )
        self.shipments.append(shipment)
        if cancelled_day is not None:
            return shipment
        idx = len(self.shipments) - 1
        for j, units in enumerate(shipment.receipts):
            self.state.arrivals.setdefault(arrival_day + j, []).append((idx, units))
        if ship_day <= self.next_ordinal:
            self.state.transit[sku] += quantity
        else:
            self.state.departures.setdefault(ship_day, []).append(idx)
        return shipment

    def in_transit(self, as_of_ordinal: int) -> np.ndarray:
        """Units per SKU shipped on or before the day and not received by its end."""
        out = np.zeros(self.n, dtype=np.int64)
        for s in self.shipments:
            if s.cancelled_day is None and s.ship_day <= as_of_ordinal:
                out[s.sku] += s.quantity - sum(
                    u for j, u in enumerate(s.receipts) if s.arrival_day + j <= as_of_ordinal
                )
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
        for idx, units in st.arrivals.pop(d, []):
            receipts[self.shipments[idx].sku] += units
        st.on_hand += receipts
        st.transit -= receipts

        # Prices: rare list-price changes, own promotions, and deals on event days.
        list0 = cat["list_price"].to_numpy(dtype=float)
        change = u[:, 0] < 1 / 150
        factor = 0.9 + 0.22 * u[:, 1]
        new_price = np.clip(st.list_price * factor, 0.75 * list0, 1.4 * list0)
        if self.market.minor_units == 0:
            new_price = np.maximum(10.0, np.round(new_price, -1))
        else:
            new_price = np.floor(new_price) + 0.99
        st.list_price = np.where(change, new_price, st.list_price)
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
        step = 10 ** (2 - self.market.minor_units)  # whole yen: cents in hundreds
        sale_cents = (np.round(list_cents * (1 - disc) / step) * step).astype(np.int64)

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
            draft = rng_for(seed, STREAM_DRAFT, d).random((n, 2))
            created = self.day_start(d) + 9 * 3600
            for i in np.flatnonzero(review & (need > 0)):
                q = int(math.ceil(need[i] / case[i]) * case[i])
                q = max(q, int(math.ceil(moq[i] / case[i]) * case[i]))
                noise = int(u[i, 6] * 8) - 2
                # Created on the review day; the carrier picks it up 1-3 days later.
                ship = d + 1 + int(draft[i, 1] * 3)
                if draft[i, 0] < SHIPMENT_CANCEL_RATE:
                    self.add_shipment(
                        int(i),
                        q,
                        ship,
                        ship + int(lead[i]),
                        created_ts=created,
                        cancelled_day=d + 1,
                    )
                self.add_shipment(
                    int(i), q, ship, d + max(1, int(lead[i]) + noise), created_ts=created
                )
        self._stage(d)

        start, end = self.day_start(d), self.day_start(d + 1)
        walls = [
            datetime.fromtimestamp(start + 3600 * k, tz=UTC).astimezone(self.market.zone).hour
            for k in range((end - start) // 3600)
        ]
        orders, lines = make_day_orders(
            seed, d, sold, cancels, sale_cents, list_cents, start, hour_cdf(np.array(walls))
        )
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

    def _stage(self, d: int) -> None:
        """Top-up shipments before the anchor day so that every status is open at the start.

        At the first clock (the day after the anchor) the seller then has one shipment in
        each of WORKING, SHIPPED, IN_TRANSIT, DELIVERED, CHECKED_IN, RECEIVING, CLOSED (a bulk
        buy that leaves its SKU overstocked) and CANCELLED, besides its habitual ones. The
        top-ups go to the SKUs with the least cover at the time, so some are out of stock with
        units inbound.
        """
        a = self.spec.anchor.toordinal()
        plan = _STAGED.get(a - d)
        if plan is None:
            return
        st, tr = self.state, self.traits
        case = self.catalog["case_pack"].to_numpy()
        live = (tr["launch"] <= d) & (d < tr["discontinue"])
        if plan.bulk:  # the fastest mover: a bulk buy is a visible overstock
            rank = np.where(live, -st.velocity, np.inf)
        else:  # who runs out first by the first clock (deepest projected shortfall)
            rank = np.where(live, st.on_hand - st.velocity * (a + 1 - d), np.inf)
            if plan.slack:
                rank = -rank
        taken = {s.sku for s in self.shipments if s.source == "staged"}
        order = [int(i) for i in np.argsort(rank, kind="stable") if np.isfinite(rank[i])]
        order = order or list(range(self.n))
        i = next((k for k in order if k not in taken), order[0])
        days = 150 if plan.bulk else 30
        q = max(int(math.ceil(st.velocity[i] * days / case[i]) * case[i]), int(case[i]))
        self.add_shipment(
            i,
            q,
            a + plan.ship,
            a + plan.arrival,
            source="staged",
            created_ts=self.day_start(d) + 11 * 3600,
            cancelled_day=d + 1 if plan.cancel else None,
            plan_id="" if plan.legacy else None,
            window=plan.window,
        )

    # ---------------------------------------------------------------- views
    def day_start(self, ordinal: int) -> int:
        """Unix seconds of the local midnight starting a day of the seller's marketplace."""
        return self.market.day_start(ordinal)

    def ordinal_of(self, ts: int | float) -> int:
        """The marketplace's local day (date ordinal) of a Unix time."""
        return self.market.ordinal_of(ts)

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
    seed: int,
    n_skus: int,
    history_days: int,
    today: date,
    through: date | None = None,
    marketplace: str = DEFAULT_MARKET,
) -> World:
    """The world the CLI and the server start from: history ending at `today` (or `through`),
    in `marketplace`'s local days and currency."""
    start = today - timedelta(days=history_days - 1)
    world = World(
        WorldSpec(seed=seed, n_skus=n_skus, start=start, anchor=today, marketplace=marketplace)
    )
    world.extend_to(through or today)
    return world
