"""Amazon Warehousing and Distribution (AWD): the simulated seller's upstream stock at Amazon.

A US seller (AWD serves the US only) keeps some of its SKUs at AWD as well as at FBA. Everything
here is a pure function of (seed, SKU, shipment number) and the world's days, so it is
deterministic by seed, SKU *i* does not depend on how many SKUs there are, and advancing equals
generating. The FBA world is not changed by it (the seller's FBA shipments still come from its
own warehouse; AWD's replenishments to FBA leave AWD and are not modelled arriving at FBA).

From `AWD_DAYS` days before the anchor (`--today`), each AWD SKU:
- starts with 40-80 days of its mean demand on hand, in whole cases;
- receives an inbound shipment every 28-48 days (a pure schedule, also after the clock):
  CREATED on its creation day, SHIPPED 1-3 days later, IN_TRANSIT two days after shipping,
  DELIVERED 8-17 days after shipping, received over the 1-3 days after delivery (RECEIVING
  while some units are still to receive, CLOSED on the last receipt day); about 5 % are
  CANCELLED the day after creation and never ship. The schedules are phased so that at the
  first clock the AWD SKUs' latest shipments were created 0, 5, 12 and 20 days before the
  anchor, by turns (CREATED, SHIPPED or IN_TRANSIT, DELIVERED or RECEIVING, CLOSED);
- every 7-14 days, reserves a replenishment to FBA (what it can, up to that many days of
  demand): the units are reserved on the day, leave AWD's on-hand the next day and count as
  `replenishmentQuantity` for five days (in transit to FBA).

A status holds from the day after its event, once the world has generated that day (as FBA
shipments do, `simulator.inbound`). `listInventory` counts: totalOnhandQuantity = units in AWD
(reserved ones included), availableDistributableQuantity = on hand not reserved,
reservedDistributableQuantity, replenishmentQuantity, totalInboundQuantity = units of SHIPPED,
IN_TRANSIT, DELIVERED and RECEIVING shipments not received yet (a CREATED shipment has not left
the seller).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from simulator.catalog import rng_for
from simulator.world import World

AWD_MARKETS = ("US",)
AWD_DAYS = 120  # the AWD timeline starts this many days before the anchor
AWD_SHARE = 0.35  # of the SKUs live at the AWD start (at least one)
STREAM_AWD_SKUS, STREAM_AWD_SKU, STREAM_AWD_SHIPMENT = 70, 71, 72
CANCEL_RATE = 0.05
STAGED_LAGS = (0, 5, 12, 20)
REPLENISHMENT_TRANSIT_DAYS = 5
STATUSES = ("CREATED", "SHIPPED", "IN_TRANSIT", "RECEIVING", "DELIVERED", "CLOSED", "CANCELLED")
OPEN_SHIPPED = ("SHIPPED", "IN_TRANSIT", "DELIVERED", "RECEIVING")
# Hour of the local day each event happens at (updatedAt).
_HOUR = {
    "CREATED": 10,
    "SHIPPED": 15,
    "IN_TRANSIT": 6,
    "DELIVERED": 11,
    "RECEIVING": 8,
    "CLOSED": 20,
    "CANCELLED": 10,
}
AWD_ADDRESS = {
    "name": "Amazon AWD",
    "addressLine1": "1 AWD Way",
    "city": "San Bernardino",
    "stateOrRegion": "CA",
    "postalCode": "92408",
    "countryCode": "US",
}
ORIGIN_ADDRESS = {
    "name": "Seller warehouse",
    "addressLine1": "100 Commerce Way",
    "city": "Reno",
    "stateOrRegion": "NV",
    "postalCode": "89502",
    "countryCode": "US",
}


@dataclass(frozen=True)
class AwdShipment:
    """One inbound shipment into AWD (one SKU). Days are date ordinals."""

    shipment_id: str
    order_id: str
    sku: int
    number: int  # k-th shipment of the SKU
    quantity: int
    case_pack: int
    created_day: int
    ship_day: int
    delivery_day: int
    receipts: tuple[int, ...]  # units received on delivery_day + 1 + j
    cancelled_day: int | None

    @property
    def first_receipt_day(self) -> int:
        """The first day units are received (the day after delivery)."""
        return self.delivery_day + 1

    @property
    def last_receipt_day(self) -> int:
        """The day the last units are received: the shipment is CLOSED at its end."""
        return self.delivery_day + len(self.receipts)

    def events(self) -> list[tuple[int, str]]:
        """(day, status) after creation, in order."""
        if self.cancelled_day is not None:
            return [(self.cancelled_day, "CANCELLED")]
        out = [(self.ship_day, "SHIPPED")]
        if self.ship_day + 2 < self.delivery_day:
            out.append((self.ship_day + 2, "IN_TRANSIT"))
        out.append((self.delivery_day, "DELIVERED"))
        for j in range(len(self.receipts) - 1):
            out.append((self.first_receipt_day + j, "RECEIVING"))
        out.append((self.last_receipt_day, "CLOSED"))
        return out


@dataclass(frozen=True)
class AwdShipmentState:
    """A shipment as the API shows it on the clock's day."""

    shipment: AwdShipment
    status: str
    received: int
    created_ts: int
    updated_ts: int

    @property
    def outstanding(self) -> int:
        """Units shipped and not received yet (0 before shipping and once closed/cancelled)."""
        if self.status in OPEN_SHIPPED:
            return self.shipment.quantity - self.received
        return 0


@dataclass(frozen=True)
class AwdSku:
    """An AWD SKU's parameters."""

    sku: int
    initial: int
    period: int  # days between inbound shipments
    offset: int  # first shipment's creation, days after the AWD start
    replenish_every: int
    replenish_offset: int
    replenish_quantity: int


def _id(prefix: str, seed: int, sku: int, k: int) -> str:
    h = hashlib.sha256(f"awd:{prefix}:{seed}:{sku}:{k}".encode()).hexdigest().upper()
    return f"{prefix}{h[:10]}"


class AwdModel:
    """The AWD side of one world: its SKUs, shipments and daily ledger."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.seed = world.spec.seed
        self.start = world.spec.anchor.toordinal() - AWD_DAYS
        self.skus = self._skus()
        self._ledger_key: int | None = None
        self._ledger: dict[str, np.ndarray] = {}

    # ---------------------------------------------------------------- set-up
    def _skus(self) -> list[AwdSku]:
        w, tr = self.world, self.world.traits
        u = rng_for(self.seed, STREAM_AWD_SKUS).random(w.n)
        live = (tr["launch"] < self.start) & (tr["discontinue"] > w.spec.anchor.toordinal())
        chosen = [i for i in range(w.n) if live[i] and u[i] < AWD_SHARE]
        if not chosen and live.any():
            chosen = [int(np.flatnonzero(live)[np.argmin(u[live])])]
        case = w.catalog["case_pack"].to_numpy()
        out = []
        for j, i in enumerate(chosen):
            r = rng_for(self.seed, STREAM_AWD_SKU, i).random(6)
            level, pack = float(tr["level"][i]), max(1, int(case[i]))
            period = 28 + int(r[1] * 21)
            every = 7 + int(r[3] * 8)
            out.append(
                AwdSku(
                    sku=i,
                    initial=pack * max(1, math.ceil(level * (40 + 40 * r[0]) / pack)),
                    period=period,
                    # Phased so that at the first clock the latest shipments are in flight
                    # (created 0, 5, 12 or 20 days before the anchor, by turns).
                    offset=(AWD_DAYS - STAGED_LAGS[j % len(STAGED_LAGS)]) % period,
                    replenish_every=every,
                    replenish_offset=int(r[4] * every),
                    replenish_quantity=max(1, round(level * every)),
                )
            )
        return out

    def shipment(self, a: AwdSku, k: int) -> AwdShipment:
        """The k-th inbound shipment of an AWD SKU."""
        r = rng_for(self.seed, STREAM_AWD_SHIPMENT, a.sku, k).random(8)
        level = float(self.world.traits["level"][a.sku])
        pack = max(1, int(self.world.catalog["case_pack"].iat[a.sku]))
        quantity = pack * max(1, math.ceil(level * a.period * (0.9 + 0.3 * r[4]) / pack))
        created = self.start + a.offset + k * a.period
        ship = created + 1 + int(r[1] * 3)
        delivery = ship + 8 + int(r[0] * 10)
        days = max(1, min(1 + int(r[2] * 3), quantity))
        weights = 0.5 + r[5 : 5 + days]
        parts = 1 + np.floor((quantity - days) * weights / weights.sum()).astype(np.int64)
        parts[0] += quantity - int(parts.sum())
        return AwdShipment(
            shipment_id=_id("STAR-", self.seed, a.sku, k),
            order_id=_id("ORDER-", self.seed, a.sku, k),
            sku=a.sku,
            number=k,
            quantity=quantity,
            case_pack=pack,
            created_day=created,
            ship_day=ship,
            delivery_day=delivery,
            receipts=tuple(int(x) for x in parts),
            cancelled_day=created + 1 if r[3] < CANCEL_RATE else None,
        )

    def shipments_until(self, last_day: int) -> list[AwdShipment]:
        """Every shipment created on or before `last_day`, by SKU then number."""
        out = []
        for a in self.skus:
            k = 0
            while self.start + a.offset + k * a.period <= last_day:
                out.append(self.shipment(a, k))
                k += 1
        return out

    # ---------------------------------------------------------------- views
    @property
    def today(self) -> int:
        """The clock's day: the first day the world has not generated."""
        return self.world.next_ordinal

    def state(self, s: AwdShipment, today: int | None = None) -> AwdShipmentState:
        """A shipment on the clock's day, or on `today` (events of earlier days)."""
        today = self.today if today is None else today
        day_start = self.world.day_start
        created_ts = day_start(s.created_day) + _HOUR["CREATED"] * 3600
        status, updated = "CREATED", created_ts
        for day, kind in s.events():
            if day >= today:
                break
            status, updated = kind, day_start(day) + _HOUR[kind] * 3600
        received = 0
        if s.cancelled_day is None:
            received = sum(
                u for j, u in enumerate(s.receipts) if s.first_receipt_day + j < today
            )
        return AwdShipmentState(s, status, received, created_ts, updated)

    def states(self, today: int | None = None) -> list[AwdShipmentState]:
        """Every shipment existing at the clock (created before its day), or on `today` (a
        page token's frozen day; at most the clock's)."""
        today = self.today if today is None else min(today, self.today)
        return [self.state(s, today) for s in self.shipments_until(today - 1)]

    def ledger(self) -> dict[str, np.ndarray]:
        """Daily (days, AWD SKUs) arrays from the AWD start to the last generated day: start,
        received, replenished_out, end (on hand), reserved, available, replenishment (units in
        transit to FBA), inbound (shipped, not received), all at the end of the day."""
        if self._ledger_key == self.today:
            return self._ledger
        days = max(0, self.today - self.start)
        m = len(self.skus)
        keys = ("start", "received", "replenished_out", "end", "reserved", "available",
                "replenishment", "inbound")  # fmt: skip
        out = {k: np.zeros((days, m), dtype=np.int64) for k in keys}
        shipments = self.shipments_until(self.today - 1)
        for col, a in enumerate(self.skus):
            receipts = np.zeros(days + 1, dtype=np.int64)
            inbound_delta = np.zeros(days + 2, dtype=np.int64)
            for s in shipments:
                if s.sku != a.sku or s.cancelled_day is not None:
                    continue
                if s.ship_day - self.start < days:
                    inbound_delta[max(0, s.ship_day - self.start)] += s.quantity
                for j, units in enumerate(s.receipts):
                    t = s.first_receipt_day + j - self.start
                    if 0 <= t < days:
                        receipts[t] += units
                        inbound_delta[t] -= units
            on_hand, reserved = a.initial, 0
            pending: dict[int, int] = {}  # day -> units leaving AWD that day
            transit: dict[int, int] = {}  # day -> units arriving at FBA that day
            in_transit = 0
            inbound = 0
            for t in range(days):
                d = self.start + t
                out["start"][t, col] = on_hand
                on_hand += receipts[t]
                inbound += inbound_delta[t]
                leaving = pending.pop(d, 0)
                on_hand -= leaving
                reserved -= leaving
                in_transit += leaving
                if leaving:
                    transit[d + REPLENISHMENT_TRANSIT_DAYS] = leaving
                in_transit -= transit.pop(d, 0)
                if (t - a.replenish_offset) % a.replenish_every == 0 and t >= a.replenish_offset:
                    q = min(a.replenish_quantity, on_hand - reserved)
                    if q > 0:
                        reserved += q
                        pending[d + 1] = q
                out["received"][t, col] = receipts[t]
                out["replenished_out"][t, col] = leaving
                out["end"][t, col] = on_hand
                out["reserved"][t, col] = reserved
                out["available"][t, col] = on_hand - reserved
                out["replenishment"][t, col] = in_transit
                out["inbound"][t, col] = inbound
        self._ledger_key, self._ledger = self.today, out
        return out

    def inventory(self) -> list[dict[str, int]]:
        """Per AWD SKU (catalog order) the quantities at the clock."""
        led = self.ledger()
        rows = []
        for col, a in enumerate(self.skus):
            if led["end"].shape[0]:
                row = {k: int(led[k][-1, col]) for k in
                       ("end", "reserved", "available", "replenishment", "inbound")}  # fmt: skip
            else:
                row = {"end": a.initial, "reserved": 0, "available": a.initial,
                       "replenishment": 0, "inbound": 0}  # fmt: skip
            rows.append({"sku": a.sku, **row})
        return rows


def enabled(world: World) -> bool:
    """Whether the world's seller uses AWD (a US seller, unless turned off)."""
    return bool(getattr(world, "awd", world.market.code in AWD_MARKETS))


def model(world: World) -> AwdModel | None:
    """The world's AWD model (cached on it), or None when the seller has no AWD."""
    if not enabled(world):
        return None
    cached = world.__dict__.get("_awd_model")
    if cached is None:
        cached = world.__dict__["_awd_model"] = AwdModel(world)
    return cached


def day_iso(ordinal: int | None) -> str:
    """A date ordinal as ISO text ("" for None)."""
    return "" if ordinal is None else date.fromordinal(ordinal).isoformat()
