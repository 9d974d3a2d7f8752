"""Excess and dead stock: units beyond need, what keeping them costs, and the cheapest way out.

Units beyond need are those still on hand on `need_through` on the low-demand side of the
timeline (its on-hand P10 without a new shipment: 9 paths in 10 keep at least that many). The
options are priced on one deterministic run of the mean demand, FIFO, for a year, with no new
shipment: pause reorders (keep them: storage, capital and aged surcharges until they sell), a
removal or disposal order at Amazon's per-unit fee (plus buying back the units that would have
sold within the year), or a lower price (its break-even: how far the price can fall before the
discount on every unit sold until the excess is gone costs more than keeping).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from forecasting.fees import TYPICAL_WEIGHT_LB, FeeSchedule

CAPITAL_RATE = 0.15
YEAR = 365
EXCESS_MIN_DOLLARS = 1.0  # below this a year of keeping the excess is not worth a status
ACTIONS = ("pause_reorders", "removal_order", "lower_price")


@dataclass
class ExcessOption:
    """One way to deal with the excess; `cost` in dollars over the next year (None: not priced,
    the lower price depends on how much more it sells, which nothing here knows)."""

    action: str
    cost: float | None
    note: str


@dataclass
class Excess:
    """Units beyond need through `need_through` and what to do about them."""

    need_through: dt.date
    units: int = 0
    monthly_cost: float = 0.0
    aged_from: dt.date | None = None     # first 15th on which the stock pays aged surcharges
    aged_cost_12m: float = 0.0           # aged surcharges over the next 12 months, no shipment
    ages_known: bool = False             # False: today's on-hand counted as received today
    removable_units: int = 0             # only sellable units can be removed, not inbound
    removal_fee_per_unit: float = 0.0
    weight_assumed: bool = False
    break_even_price: float | None = None
    options: list[ExcessOption] = field(default_factory=list)
    choice: str | None = None
    reason: str = ""

    @property
    def is_excess(self) -> bool:
        """Enough excess to act on: some units, costing at least a dollar over the year."""
        keep = next((o.cost for o in self.options if o.action == "pause_reorders"), 0.0)
        return self.units > 0 and (keep or 0.0) >= EXCESS_MIN_DOLLARS

    def to_dict(self) -> dict:
        """JSON-ready."""
        return {
            "need_through": self.need_through.isoformat(), "units": self.units,
            "monthly_cost": round(self.monthly_cost, 2),
            "aged_from": self.aged_from.isoformat() if self.aged_from else None,
            "aged_cost_12m": round(self.aged_cost_12m, 2), "ages_known": self.ages_known,
            "removable_units": self.removable_units,
            "removal_fee_per_unit": self.removal_fee_per_unit,
            "weight_assumed": self.weight_assumed,
            "break_even_price": (round(self.break_even_price, 2)
                                 if self.break_even_price is not None else None),
            "options": [{"action": o.action,
                         "cost": round(o.cost, 2) if o.cost is not None else None,
                         "note": o.note} for o in self.options],
            "choice": self.choice, "reason": self.reason,
        }


@dataclass
class _Run:
    holding: float
    aged: float
    sold: float
    aged_from: dt.date | None


def _run(lots: list[list], arrivals: dict[int, int], demand: np.ndarray, today: dt.date,
         storage_day: np.ndarray, cubic_feet: float, unit_cost: float,
         fees: FeeSchedule) -> _Run:
    """FIFO lots [received, units] over len(demand) days with the mean demand, no shipment."""
    lots = [list(x) for x in sorted(lots, key=lambda x: x[0])]
    holding = aged = sold = 0.0
    aged_from = None
    for k, want in enumerate(demand):
        day = today + dt.timedelta(days=k)
        if arrivals.get(k):
            lots.append([day, float(arrivals[k])])
        want = float(want)
        while want > 1e-12 and lots:
            take = min(want, lots[0][1])
            lots[0][1] -= take
            want -= take
            sold += take
            if lots[0][1] <= 1e-12:
                lots.pop(0)
        left = sum(u for _, u in lots)
        holding += left * (storage_day[k] * cubic_feet + unit_cost * CAPITAL_RATE / YEAR)
        if day.day == 15:
            card = fees.card_for(day)
            fee = sum(u * card.aged_per_unit((day - got).days, cubic_feet) for got, u in lots)
            if fee > 0 and aged_from is None:
                aged_from = day
            aged += fee
    return _Run(holding, aged, sold, aged_from)


def _remove_newest(lots: list[list], units: int) -> list[list]:
    out = [list(x) for x in sorted(lots, key=lambda x: x[0])]
    while units > 0 and out:
        take = min(units, out[-1][1])
        out[-1][1] -= take
        units -= int(take)
        if out[-1][1] <= 0:
            out.pop()
    return out


def assess_excess(*, today: dt.date, need_through: dt.date, units: int, fulfillable: int,
                  inbound_units: int, arrivals: dict[int, int], mean_demand: np.ndarray,
                  on_hand_lots: Sequence[tuple[dt.date, int]], fees: FeeSchedule,
                  size_tier: str, cubic_feet: float, unit_cost: float, sale_price: float,
                  placement: float, weight_lb: float | None,
                  money: Callable[[float], str] | None = None) -> Excess:
    """Price the options for `units` beyond need and pick the cheapest; the notes and the
    reason write amounts with `money` (US dollars when None)."""
    cash = money or _dollars
    out = Excess(need_through=need_through, units=max(0, int(units)))
    known = sum(int(u) for _, u in on_hand_lots)
    out.ages_known = bool(on_hand_lots) and known >= fulfillable
    lots: list[list] = [[d, float(u)] for d, u in on_hand_lots if u > 0]
    if known < fulfillable:
        lots.append([today, float(fulfillable - known)])
    demand = np.resize(np.asarray(mean_demand, float), YEAR) if len(mean_demand) else np.zeros(
        YEAR)
    if len(mean_demand) < YEAR and len(mean_demand):
        demand[len(mean_demand):] = float(np.mean(mean_demand[-28:]))
    storage_day = fees.storage_per_cuft(today, YEAR, size_tier)
    keep = _run(lots, arrivals, demand, today, storage_day, cubic_feet, unit_cost, fees)
    out.aged_from, out.aged_cost_12m = keep.aged_from, keep.aged
    if out.units == 0:
        return out
    card = fees.card_for(today)
    monthly_storage = card.storage_rate(size_tier, today) * cubic_feet
    out.monthly_cost = out.units * (monthly_storage + unit_cost * CAPITAL_RATE / 12)
    out.weight_assumed = weight_lb is None
    weight = weight_lb if weight_lb is not None else TYPICAL_WEIGHT_LB.get(size_tier, 1.5)
    out.removal_fee_per_unit = card.removal_per_unit(size_tier, weight)
    out.removable_units = min(out.units, int(fulfillable))
    # Keeping the excess costs what the stock costs minus what it would cost without them.
    gone = _run(_remove_newest(lots, out.removable_units), arrivals, demand, today,
                storage_day, cubic_feet, unit_cost, fees) if out.removable_units else keep
    slim = _run(_remove_newest(lots, out.units) if out.units <= fulfillable else [],
                _trim_arrivals(arrivals, out.units - fulfillable), demand, today, storage_day,
                cubic_feet, unit_cost, fees)
    keep_cost = (keep.holding + keep.aged) - (slim.holding + slim.aged)
    options = [ExcessOption("pause_reorders", keep_cost,
                            "ship nothing until they sell: storage, capital and aged "
                            "surcharges on the excess over the next 12 months")]
    if out.removable_units:
        rebuy = max(0.0, keep.sold - gone.sold)
        removal = out.removable_units * out.removal_fee_per_unit + rebuy * (unit_cost + placement)
        saved = (keep.holding + keep.aged) - (gone.holding + gone.aged)
        options.append(ExcessOption(
            "removal_order", removal + (keep_cost - saved),
            f"remove or dispose of {out.removable_units} units at "
            f"{cash(out.removal_fee_per_unit)} each, buy back the {rebuy:.0f} that would have "
            "sold within the year; a removal returns them to you (their value to you is not "
            "counted)"))
    to_clear = fulfillable + inbound_units
    if to_clear > 0:
        out.break_even_price = max(0.0, sale_price - keep_cost / to_clear)
        options.append(ExcessOption(
            "lower_price", None,
            f"worth it only at a price above {cash(out.break_even_price)} that sells the excess "
            "sooner: below it the discount on every unit sold until then costs more than "
            "keeping"))
    out.options = options
    priced = [o for o in options if o.cost is not None]
    best = min(priced, key=lambda o: o.cost if o.cost is not None else np.inf)
    out.choice = best.action
    others = ", ".join(f"{o.action.replace('_', ' ')} {cash(o.cost)}" for o in priced
                       if o is not best and o.cost is not None)
    why = (f", against {others}" if others else
           ": the excess is still inbound and cannot be removed before it arrives")
    out.reason = (f"{best.action.replace('_', ' ')} costs {cash(best.cost or 0.0)} over 12 "
                  f"months{why}")
    return out


def _dollars(x: float) -> str:
    x = round(x, 2) or 0.0
    return f"-${-x:.2f}" if x < 0 else f"${x:.2f}"


def _trim_arrivals(arrivals: dict[int, int], units: int) -> dict[int, int]:
    """Arrivals with the last `units` of them taken away (the excess that is still inbound)."""
    out = dict(arrivals)
    for day in sorted(out, reverse=True):
        if units <= 0:
            break
        take = min(units, out[day])
        out[day] -= take
        units -= take
    return {d: u for d, u in out.items() if u > 0}

