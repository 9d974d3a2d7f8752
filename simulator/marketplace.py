"""Sellers, their credentials and the shared simulated clock that the server answers from."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from simulator.awd import AWD_MARKETS
from simulator.markets import DEFAULT as DEFAULT_MARKET
from simulator.markets import Market, market
from simulator.truth import start_clock
from simulator.world import World, build_world

EPOCH = date(1970, 1, 1)
MARKETPLACE_ID = "ATVPDKIKX0DER"  # amazon.com
HOUR = 3600
DAY = 86400
# How long Amazon takes to build a report, at rate scale 1 (a few minutes in practice; the
# simulator divides it by the rate scale, like the rate limits).
REPORT_SECONDS = 120.0


# A seller's world in its k-th other marketplace is generated from seed + k * this.
SIBLING_SEED_STEP = 1000


def parse_markets(codes: str) -> list[Market]:
    """`US` or `US,CA`: the marketplaces, all of one region (ValueError otherwise)."""
    found = [market(c) for c in codes.split(",") if c.strip()]
    if not found:
        raise ValueError("name at least one marketplace")
    if len({m.code for m in found}) != len(found):
        raise ValueError(f"a marketplace is named twice in {codes!r}")
    if len({m.region for m in found}) > 1:
        raise ValueError(
            f"{codes!r} mixes regions: one selling partner's marketplaces share one region"
        )
    return found


def _derived(kind: str, seed: int, index: int) -> str:
    digest = hashlib.sha256(f"{kind}:{seed}:{index}".encode()).hexdigest()
    return digest


@dataclass
class Seller:
    """One simulated seller account: credentials, generated world, and API-side state."""

    index: int
    seed: int
    world: World
    client_id: str
    client_secret: str
    refresh_token: str
    seller_id: str
    marketplace_id: str = MARKETPLACE_ID
    webhook_url: str | None = None
    webhook_secret: str | None = None
    reports: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, Any] = field(default_factory=dict)
    inbound_plans: dict[str, Any] = field(default_factory=dict)
    operations: dict[str, Any] = field(default_factory=dict)
    # Every marketplace this selling partner sells in, itself first (one entry when it sells in
    # one): the same credentials and rate limits, a world each (app: one account each).
    marketplaces: list[Seller] = field(default_factory=list, repr=False, compare=False)

    @property
    def order_prefix(self) -> int:
        """First block of this seller's order ids (111-999)."""
        return 111 + (self.seed % 889)

    def in_marketplace(self, marketplace_id: str) -> Seller | None:
        """This selling partner in one of its marketplaces (None if it does not sell there)."""
        return next((s for s in self.marketplaces if s.marketplace_id == marketplace_id), None)

    def credentials(self) -> dict[str, str]:
        """What a client needs to reach this seller (as printed at start-up)."""
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "refresh_token": self.refresh_token,
            "seller_id": self.seller_id,
            "marketplace_id": self.marketplace_id,
        }


class Marketplace:
    """All sellers plus the clock; every mutation happens under `lock`.

    Two clocks: `now` is the simulated business clock (Unix seconds; the days of orders and
    stock, moved on only by `advance`), and `clock()` is the running time in seconds (monotonic
    by default) that rate limits refill and reports process by. Tests and benchmarks may pass
    a clock of their own (`simulator.testing.SkipClock`) so that waits cost no real time.
    """

    def __init__(
        self,
        seed: int = 7,
        skus: int = 40,
        history_days: int = 730,
        today: date | None = None,
        sellers: int = 1,
        rate_scale: float = 1.0,
        fault_rate: float = 0.0,
        fault_token_endpoint: bool = False,
        client_id: str | None = None,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        report_seconds: float = REPORT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        marketplace: str = DEFAULT_MARKET,
        awd: bool = True,
        awd_role: bool = True,
    ) -> None:
        # Every seller sells in `marketplace`: its local days, currency and report formats;
        # with several of one region ("US,CA"), in each, with a world per marketplace.
        self.markets = parse_markets(marketplace)
        self.market = self.markets[0]
        if today is None:
            today = datetime.now(UTC).astimezone(self.market.zone).date()
        self.seed = seed
        self.today = today
        self.rate_scale = rate_scale
        self.fault_rate = fault_rate
        self.fault_token_endpoint = fault_token_endpoint  # faults on /auth/o2/token too
        if report_seconds < 0:
            raise ValueError("report_seconds must not be negative")
        self.report_seconds = report_seconds
        self.clock = clock
        self.lock = threading.RLock()
        self.now = start_clock(today, self.market)
        self.base_url = ""  # set by whoever binds the socket; document URLs point here
        self.sellers: list[Seller] = []
        for i in range(sellers):
            s = seed + i
            world = build_world(s, skus, history_days, today, marketplace=self.market.code)
            # AWD stock and inbound shipments (simulator.awd): US sellers, unless turned off.
            world.awd = awd and self.market.code in AWD_MARKETS  # type: ignore[attr-defined]
            # awd_role=False: the seller's app lacks the AWD role, so AWD answers 403.
            world.awd_role = awd_role  # type: ignore[attr-defined]
            self.sellers.append(
                Seller(
                    index=i,
                    seed=s,
                    world=world,
                    client_id=(
                        client_id
                        if i == 0 and client_id
                        else "amzn1.application-oa2-client." + _derived("cid", s, i)[:32]
                    ),
                    client_secret=(
                        client_secret
                        if i == 0 and client_secret
                        else "amzn1.oa2-cs.v1." + _derived("sec", s, i)[:48]
                    ),
                    refresh_token=(
                        refresh_token
                        if i == 0 and refresh_token
                        else "Atzr|" + _derived("rt", s, i)
                    ),
                    seller_id="A" + _derived("sid", s, i)[:13].upper(),
                    marketplace_id=self.market.marketplace_id,
                    webhook_url=webhook_url if i == 0 else None,
                    webhook_secret=webhook_secret if i == 0 else None,
                )
            )
            primary = self.sellers[-1]
            primary.marketplaces = [primary]
            for k, other in enumerate(self.markets[1:], start=1):
                # Its own demand and order ids (another seed), the same credentials and id.
                sibling_seed = s + SIBLING_SEED_STEP * k
                primary.marketplaces.append(
                    Seller(
                        index=i,
                        seed=sibling_seed,
                        world=build_world(
                            sibling_seed, skus, history_days, today, marketplace=other.code
                        ),
                        client_id=primary.client_id,
                        client_secret=primary.client_secret,
                        refresh_token=primary.refresh_token,
                        seller_id=primary.seller_id,
                        marketplace_id=other.marketplace_id,
                        marketplaces=primary.marketplaces,
                    )
                )
        self.advance_listeners: list[Any] = []
        self.fault_counter = 0
        self.report_counter = 0
        self.fault_log: list[dict[str, Any]] = []

    def report_processing_seconds(self) -> float:
        """How long a report takes from createReport to DONE: `report_seconds` / rate scale."""
        return self.report_seconds / self.rate_scale

    def every_marketplace(self) -> list[Seller]:
        """Every seller in every marketplace it sells in."""
        return [m for s in self.sellers for m in (s.marketplaces or [s])]

    def seller(self, index: int) -> Seller:
        """Seller by index (IndexError when absent)."""
        return self.sellers[index]

    def clock_iso(self) -> str:
        """The simulated clock as ISO 8601 UTC text."""
        return datetime.fromtimestamp(self.now, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def advance(self, seconds: int) -> tuple[int, int]:
        """Move the clock on; generate every full day before the new clock's date.

        Returns (old_now, new_now) so listeners (notifications) can see what changed.
        """
        with self.lock:
            old = self.now
            self.now = old + max(0, int(seconds))
            # Days end at the marketplace's local midnight.
            last_full_day = date.fromordinal(self.market.ordinal_of(self.now) - 1)
            for seller in self.every_marketplace():
                if seller.world.next_ordinal <= last_full_day.toordinal():
                    seller.world.extend_to(last_full_day)
            new = self.now
        for listener in list(self.advance_listeners):
            listener(old, new)
        return old, new

    def today_ordinal(self) -> int:
        """Date ordinal of the clock's current (local) day."""
        return self.market.ordinal_of(self.now)

    def day_start(self, ordinal: int) -> int:
        """Unix seconds of a local day's start."""
        return self.market.day_start(ordinal)
