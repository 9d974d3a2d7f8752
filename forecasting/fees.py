"""FBA fee cards (US), dated by `effective_from`, with seller overrides and the replay's fixed card.

Every rate lives in one flat mapping keyed by a dotted name (``storage.standard.peak``,
``aged.271-300``, ``low_inventory.small_standard.lt14`` ...) so a seller can override any of them
with a plain dict, and the replay can use the exact simplified card of replay-spec.md.
Sources and confidence: ../shared/fba-fees.md. Removal and disposal orders (`removal.*`, $ per
unit by shipping weight, the rate on the order's creation date): its "Removal and disposal orders"
section, several third-party summaries agreeing (T) for the 2023-01-17 and 2024-01-15 rates; the
2026-01-15 standard 0-0.5 lb rate of 0.84 has one source only (U).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

SIZE_TIERS = ("small_standard", "large_standard", "large_standard_heavy", "large_bulky")
# Aged tiers below 366 days: (first age, last age, rate key).
AGED_TIERS = (
    (181, 210, "aged.181-210"),
    (211, 240, "aged.211-240"),
    (241, 270, "aged.241-270"),
    (271, 300, "aged.271-300"),
    (301, 330, "aged.301-330"),
    (331, 365, "aged.331-365"),
)
LOW_INVENTORY_BANDS = ("lt14", "14-21", "21-28")
# Removal / disposal order fee bands: (heaviest shipping weight in lb, rate key); past the last
# band, the base rate plus a rate per pound above it.
REMOVAL_BANDS = {
    "standard": ((0.5, "removal.standard.0-0.5"), (1.0, "removal.standard.0.5-1"),
                 (2.0, "removal.standard.1-2")),
    "oversize": ((1.0, "removal.oversize.0-1"), (2.0, "removal.oversize.1-2"),
                 (4.0, "removal.oversize.2-4"), (10.0, "removal.oversize.4-10")),
}
# When the caller does not know a unit's shipping weight: a typical weight for its size tier.
TYPICAL_WEIGHT_LB = {"small_standard": 0.5, "large_standard": 1.5, "large_standard_heavy": 6.0,
                     "large_bulky": 8.0}
UTILIZATION_BANDS = (
    (22.0, "22-28"), (28.0, "28-36"), (36.0, "36-44"), (44.0, "44-52"), (52.0, "gt52"),
)


def storage_type(size_tier: str) -> str:
    """Amazon's storage type for a size tier: 'oversize' for bulky/extra-large, else 'standard'."""
    return "oversize" if size_tier in ("large_bulky", "extra_large") else "standard"


def is_peak(day: dt.date) -> bool:
    """October to December, when monthly storage costs the peak rate."""
    return day.month >= 10


def days_in_month(day: dt.date) -> int:
    """Number of days in `day`'s month (storage is a monthly rate charged per day)."""
    return calendar.monthrange(day.year, day.month)[1]


@dataclass(frozen=True)
class FeeCard:
    """One card of rates, in force from `effective_from` until the next card."""

    effective_from: dt.date
    rates: Mapping[str, float]
    # Aged tiers for 366+ days: (first age, $ per cubic foot, minimum $ per unit), oldest last.
    aged_top: tuple[tuple[int, float, float], ...] = ((366, 6.90, 0.15),)
    low_inventory_min_weekly_units: int = 0
    note: str = field(default="", compare=False)

    def with_overrides(self, overrides: Mapping[str, float] | None) -> FeeCard:
        """This card with some rates replaced; unknown keys are an error, not silently ignored."""
        if not overrides:
            return self
        unknown = sorted(set(overrides) - set(self.rates))
        if unknown:
            raise KeyError(f"unknown fee rate(s) {unknown}; known: {sorted(self.rates)}")
        merged = dict(self.rates)
        merged.update({k: float(v) for k, v in overrides.items()})
        return FeeCard(self.effective_from, MappingProxyType(merged), self.aged_top,
                       self.low_inventory_min_weekly_units, self.note)

    def storage_rate(self, size_tier: str, day: dt.date) -> float:
        """Monthly storage, $ per cubic foot, for the tier's storage type in `day`'s season."""
        kind = "large_bulky" if storage_type(size_tier) == "oversize" else "standard"
        return self.rates[f"storage.{kind}.{'peak' if is_peak(day) else 'off_peak'}"]

    def daily_storage_per_cuft(self, size_tier: str, day: dt.date) -> float:
        """Storage for one cubic foot held at the end of `day`: monthly rate / days in month."""
        return self.storage_rate(size_tier, day) / days_in_month(day)

    def aged_per_unit(self, age_days: int, cubic_feet: float) -> float:
        """Aged-inventory surcharge for one unit of this age on the 15th."""
        for top_age, per_cuft, per_unit in reversed(self.aged_top):
            if age_days >= top_age:
                return max(cubic_feet * per_cuft, per_unit)
        for first, last, key in AGED_TIERS:
            if first <= age_days <= last:
                return cubic_feet * self.rates[key]
        return 0.0

    def low_inventory_rate(self, size_tier: str, max_days_of_supply: float) -> float:
        """Per-unit low-inventory-level fee for the band set by max(dos30, dos90); 0 at 28+."""
        if size_tier not in SIZE_TIERS[:3]:
            return 0.0
        for limit, band in zip((14.0, 21.0, 28.0), LOW_INVENTORY_BANDS, strict=True):
            if max_days_of_supply < limit:
                return self.rates[f"low_inventory.{size_tier}.{band}"]
        return 0.0

    def utilization_surcharge(self, weeks_of_supply: float) -> float:
        """Storage utilization surcharge, $ per cubic foot per month on top of the base rate."""
        rate = 0.0
        for lower, band in UTILIZATION_BANDS:
            if weeks_of_supply >= lower:
                rate = self.rates[f"utilization.{band}"]
        return rate

    def removal_per_unit(self, size_tier: str, weight_lb: float) -> float:
        """Removal or disposal order fee for one unit of this shipping weight (standard size
        under 1 lb rounds up to 0.1 lb, otherwise up to the whole pound)."""
        kind = storage_type(size_tier)
        w = float(weight_lb)
        if kind == "standard" and w < 1:
            w = float(np.ceil(w * 10 - 1e-9)) / 10
        else:
            w = float(np.ceil(w - 1e-9))
        for heaviest, key in REMOVAL_BANDS[kind]:
            if w <= heaviest:
                return self.rates[key]
        top = REMOVAL_BANDS[kind][-1][0]
        return self.rates[f"removal.{kind}.above"] + self.rates[f"removal.{kind}.per_lb"] * (
            w - top)

    def inbound_placement(self, size_tier: str) -> float:
        """Inbound placement fee per unit shipped to FBA."""
        return self.rates.get(f"inbound_placement.{size_tier}", 0.0)


def _card(effective_from: dt.date, *, storage_std: tuple[float, float],
          storage_bulky: tuple[float, float], low_inventory: bool, utilization: bool,
          placement: bool, aged_top: tuple[tuple[int, float, float], ...] = ((366, 6.90, 0.15),),
          min_weekly: int = 0, removal: str = "2024", note: str = "") -> FeeCard:
    rates: dict[str, float] = {
        "storage.standard.off_peak": storage_std[0], "storage.standard.peak": storage_std[1],
        "storage.large_bulky.off_peak": storage_bulky[0],
        "storage.large_bulky.peak": storage_bulky[1],
    }
    rates.update(dict(zip((k for _, _, k in AGED_TIERS), (0.50, 1.00, 1.50, 5.45, 5.70, 5.90),
                          strict=True)))
    lif = {"small_standard": (0.89, 0.63, 0.32), "large_standard": (0.97, 0.70, 0.36),
           "large_standard_heavy": (1.11, 0.87, 0.47)}
    for tier, values in lif.items():
        for band, value in zip(LOW_INVENTORY_BANDS, values, strict=True):
            rates[f"low_inventory.{tier}.{band}"] = value if low_inventory else 0.0
    for (_, band), value in zip(UTILIZATION_BANDS, (0.44, 0.76, 1.16, 1.58, 1.88), strict=True):
        rates[f"utilization.{band}"] = value if utilization else 0.0
    # Placement: the low end of Amazon's one-location range; sellers who split pay 0 (override).
    for tier, value in (("small_standard", 0.16), ("large_standard", 0.18),
                        ("large_standard_heavy", 0.18), ("large_bulky", 0.0)):
        rates[f"inbound_placement.{tier}"] = value if placement else 0.0
    rates.update(REMOVAL_RATES[removal])
    return FeeCard(effective_from, MappingProxyType(rates), aged_top, min_weekly, note)


def _removal(standard: tuple[float, float, float, float], oversize: tuple[float, ...],
             ) -> dict[str, float]:
    keys = [k for _, k in REMOVAL_BANDS["standard"]] + ["removal.standard.above"]
    out = dict(zip(keys, standard, strict=True))
    out["removal.standard.per_lb"] = 1.06
    keys = [k for _, k in REMOVAL_BANDS["oversize"]] + ["removal.oversize.above"]
    out.update(zip(keys, oversize, strict=True))
    out["removal.oversize.per_lb"] = 1.06
    return out


REMOVAL_RATES = {
    "2023": _removal((0.97, 1.46, 2.20, 2.83), (3.12, 4.07, 5.56, 9.43, 13.05)),
    "2024": _removal((1.04, 1.53, 2.27, 2.89), (3.12, 4.30, 6.36, 10.04, 14.32)),
    "2026": _removal((0.84, 1.53, 2.27, 2.89), (3.12, 4.30, 6.36, 10.04, 14.32)),
}


_D = dt.date
_2026_TOP = ((366, 6.90, 0.30), (456, 7.90, 0.35))
# Each entry is a full card; a later card restates everything still in force.
CARDS: tuple[FeeCard, ...] = (
    _card(_D(2023, 10, 1), storage_std=(0.87, 2.40), storage_bulky=(0.56, 1.40),
          low_inventory=False, utilization=False, placement=False, removal="2023",
          note="aged tiers before 2024-02-15 unknown here; the 2024-25 tiers are assumed"),
    _card(_D(2024, 1, 15), storage_std=(0.87, 2.40), storage_bulky=(0.56, 1.40),
          low_inventory=False, utilization=False, placement=False,
          note="removal and disposal fees of 2024-01-15"),
    _card(_D(2024, 2, 15), storage_std=(0.87, 2.40), storage_bulky=(0.56, 1.40),
          low_inventory=False, utilization=False, placement=False),
    _card(_D(2024, 3, 1), storage_std=(0.87, 2.40), storage_bulky=(0.56, 1.40),
          low_inventory=False, utilization=False, placement=True),
    _card(_D(2024, 4, 1), storage_std=(0.78, 2.40), storage_bulky=(0.56, 1.40),
          low_inventory=True, utilization=True, placement=True),
    _card(_D(2024, 5, 15), storage_std=(0.78, 2.40), storage_bulky=(0.56, 1.40),
          low_inventory=True, utilization=True, placement=True, min_weekly=20),
    _card(_D(2026, 1, 15), storage_std=(0.78, 2.40), storage_bulky=(0.56, 1.40),
          low_inventory=True, utilization=True, placement=True, min_weekly=20,
          aged_top=_2026_TOP, removal="2026"),
)

# replay-spec.md's simplified card: the spec wins for the replay, whatever the date.
REPLAY_CARD: FeeCard = _card(
    _D(1970, 1, 1), storage_std=(0.78, 2.40), storage_bulky=(0.56, 1.40), low_inventory=True,
    utilization=False, placement=False, min_weekly=20, note="replay-spec.md",
)


def schedule_for(day: dt.date, overrides: Mapping[str, float] | None = None) -> FeeCard:
    """The card in force on `day` (the latest with effective_from <= day), with overrides."""
    eligible = [c for c in CARDS if c.effective_from <= day]
    card = eligible[-1] if eligible else CARDS[0]
    return card.with_overrides(overrides)


class FeeSchedule:
    """Picks a card per date: the dated cards (product) or one fixed card (replay)."""

    def __init__(self, overrides: Mapping[str, float] | None = None,
                 fixed: FeeCard | None = None,
                 money: Callable[[float], str] | None = None) -> None:
        self.overrides = dict(overrides or {})
        # How the explanations write this schedule's money (the seller's currency and locale,
        # given by the app); None: US dollars (forecasting.explain.fmt_money).
        self.money = money
        self.fixed = fixed.with_overrides(self.overrides) if fixed is not None else None
        if self.overrides and fixed is None:
            schedule_for(CARDS[-1].effective_from, self.overrides)  # validate keys now

    @classmethod
    def replay(cls) -> FeeSchedule:
        """The fixed card of replay-spec.md."""
        return cls(fixed=REPLAY_CARD)

    def card_for(self, day: dt.date) -> FeeCard:
        """The card that prices `day`."""
        return self.fixed if self.fixed is not None else schedule_for(day, self.overrides)

    def storage_per_cuft(self, first: dt.date, days: int, size_tier: str) -> np.ndarray:
        """Storage for one cubic foot held at the end of each of `days` days from `first`."""
        kind = storage_type(size_tier)
        key = (first, days, kind)
        cache = self.__dict__.setdefault("_storage_cache", {})
        if key not in cache:
            tier = "large_bulky" if kind == "oversize" else "small_standard"
            cache[key] = np.array([
                self.card_for(d).daily_storage_per_cuft(tier, d)
                for d in (first + dt.timedelta(days=k) for k in range(days))])
            if len(cache) > 4096:  # replays walk forward in time; old dates are not needed
                cache.pop(next(iter(cache)))
        return cache[key]

    @staticmethod
    def fifteenths(first: dt.date, days: int) -> list[int]:
        """Offsets k < days at which first + k is the 15th of a month."""
        k = (15 - first.day) % days_in_month(first) if first.day <= 15 else (
            days_in_month(first) - first.day + 15)
        out = []
        while k < days:
            out.append(k)
            d = first + dt.timedelta(days=k)
            k += days_in_month(d)
        return out


class ReplayFees(FeeSchedule):
    """Exactly the replay-spec rates (alias kept for readability at call sites)."""

    def __init__(self) -> None:
        super().__init__(fixed=REPLAY_CARD)
