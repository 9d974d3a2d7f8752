"""The plain-language sentence of a timeline, built only from the timeline's own fields.

Every date, quantity, percentage and dollar figure in the sentence is a field of
`Timeline.to_dict()`; `explain_timeline` returns the sentence and, for each figure it shows, the
field's path in that dict (dots, list indexes as numbers) and the text shown, so that a page can
link them and a test can check every one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from forecasting.status import PlanStatus

if TYPE_CHECKING:
    from forecasting.timeline import Timeline


def fmt_date(d: dt.date, as_of: dt.date) -> str:
    """'Mar 3', with the year when it is not as_of's: 'Jan 15, 2026'."""
    text = f"{d:%b} {d.day}"
    return text if d.year == as_of.year else f"{text}, {d.year}"


def fmt_pct(p: float) -> str:
    """0.123 -> '12%'."""
    return f"{p:.0%}"


def fmt_money(x: float) -> str:
    """1234.5 -> '$1,234.50', -3 -> '-$3.00': US dollars, when no formatter is given (the app
    passes the seller's, app.money, which writes £1,234.50 or 1.234,50 €)."""
    x = round(x, 2) or 0.0
    return f"-${-x:,.2f}" if x < 0 else f"${x:,.2f}"


MoneyFormat = Callable[[float], str]


def fmt_units(n: int) -> str:
    """1234 -> '1,234'."""
    return f"{int(n):,}"


class _Words:
    """Collects the sentence's figures with the field path each comes from."""

    def __init__(self, tl: Timeline, money: MoneyFormat) -> None:
        self.tl = tl
        self.fmt_money = money
        self.fields: dict[str, str] = {}

    def _put(self, path: str, text: str) -> str:
        self.fields[path] = text
        return text

    def date(self, path: str, value: dt.date) -> str:
        return self._put(path, fmt_date(value, self.tl.as_of))

    def pct(self, path: str, value: float) -> str:
        return self._put(path, fmt_pct(value))

    def money(self, path: str, value: float) -> str:
        return self._put(path, self.fmt_money(value))

    def units(self, path: str, value: int) -> str:
        return self._put(path, fmt_units(value))


def explain_timeline(tl: Timeline, money: MoneyFormat | None = None
                     ) -> tuple[str, dict[str, str]]:
    """The sentence for `tl` and {field path: text shown} of every figure in it; amounts written
    by `money` (US dollars when None)."""
    w = _Words(tl, money or fmt_money)
    T = w.date("arrives_if_shipped_today", tl.arrives_if_shipped_today)
    parts: list[str] = []
    ship = _ship_clause(w)
    if tl.status is PlanStatus.OUT_OF_STOCK:
        parts.append(f"Out of stock now ({w.units('fulfillable', tl.fulfillable)} sellable)")
        parts.append(_inbound_clause(w))
        if ship:
            parts.append(f"{ship}: sent today it lands on {T}")
        parts.append(_risk_before(w, T))
    elif tl.status is PlanStatus.STOCKOUT_BEFORE_ARRIVAL:
        if tl.runs_out_on is not None:
            parts.append(f"Runs out on {w.date('runs_out_on', tl.runs_out_on)}, before anything "
                         f"shipped now can arrive ({T})")
        else:
            parts.append(f"Likely to run out before anything shipped now can arrive ({T})")
        parts.append(_risk_before(w, T))
        if tl.next_inbound_on is not None:
            parts.append(_inbound_clause(w))
        if ship:
            parts.append(f"{ship} to restock from {T}")
            parts.append(_drivers_clause(w))
        else:
            parts.append("ship nothing now")
        parts.append(f"only a faster route than the "
                     f"{w.units('lead_time_days', tl.lead_time_days)}-day lead time can close "
                     "the gap")
    elif tl.quantity > 0:
        parts.append(f"{ship}: {_runs_out_clause(w)}; a shipment sent today lands on {T}")
        parts.append(_risk_next(w))
        parts.append(_drivers_clause(w))
    elif tl.status is PlanStatus.EXCESS:
        parts.append("Ship nothing now")
        parts.append(_excess_clause(w))
    else:
        parts.append(f"Ship nothing now: {_runs_out_clause(w)}")
        parts.append(_risk_next(w))
    parts.append(_upstream_short_clause(w))
    parts.append(_cost_clause(w))
    text = "; ".join(p for p in parts if p) + "."
    return text, w.fields


def _ship_clause(w: _Words) -> str:
    tl = w.tl
    if tl.quantity <= 0:
        return ""
    q = w.units("recommendation.quantity", tl.quantity)
    when = ("now" if tl.ship_by is None or tl.ship_by <= tl.as_of
            else f"by {w.date('ship_by', tl.ship_by)}")
    text = f"Ship {q} {when}"
    if tl.upstream_limited and tl.upstream is not None:
        up = w.units("upstream.on_hand", tl.upstream["on_hand"])
        full = w.units("recommendation.unconstrained_quantity", tl.unconstrained_quantity)
        text += f" (upstream stock limit: {up} units upstream, {full} without it)"
    elif tl.capacity_limited:
        full = w.units("recommendation.unconstrained_quantity", tl.unconstrained_quantity)
        text += f" (capacity limit: {full} without it)"
    return text


def _upstream_short_clause(w: _Words) -> str:
    """Nothing ships because too little is upstream (two-stage SKUs): what would have."""
    tl = w.tl
    if not (tl.upstream_limited and tl.quantity <= 0 and tl.upstream is not None):
        return ""
    full = w.units("recommendation.unconstrained_quantity", tl.unconstrained_quantity)
    if tl.upstream["on_hand"] <= 0:
        short = "nothing is upstream"
    else:
        short = f"only {w.units('upstream.on_hand', tl.upstream['on_hand'])} are upstream"
    return f"{full} units would ship now, but {short} (the supplier order says when more arrives)"


def _inbound_clause(w: _Words) -> str:
    tl = w.tl
    if tl.next_inbound_on is None:
        return "nothing is on its way"
    when = w.date("next_inbound_on", tl.next_inbound_on)
    note = " (estimated)" if tl.next_inbound_source == "estimated" else ""
    return f"the next inbound shipment lands on {when}{note}"


def _runs_out_clause(w: _Words) -> str:
    tl = w.tl
    if tl.runs_out_on is not None:
        return f"stock runs out on {w.date('runs_out_on', tl.runs_out_on)}"
    return (f"the median forecast does not run out within "
            f"{w.units('horizon_days', tl.horizon_days)} days")


def _risk_before(w: _Words, T: str) -> str:
    p = w.pct("recommendation.stockout_prob_before_arrival", w.tl.stockout_prob_before_arrival)
    return f"stockout risk before {T}: {p}"


def _risk_next(w: _Words) -> str:
    tl = w.tl
    without = w.pct("recommendation.stockout_prob_before_next_arrival_without",
                    tl.stockout_prob_before_next_arrival_without)
    if tl.quantity <= 0:
        return f"stockout risk before a shipment sent at the next review could land: {without}"
    with_ = w.pct("recommendation.stockout_prob_before_next_arrival",
                  tl.stockout_prob_before_next_arrival)
    return (f"stockout risk before the shipment after it could land: {with_} with it, "
            f"{without} without")


def _drivers_clause(w: _Words) -> str:
    """What the seller's in-stock floor and stockout cost add to the quantity, when they do."""
    tl = w.tl
    key = "recommendation."
    out = []
    if tl.floor_extra_units > 0 and tl.in_stock_target is not None:
        days = w.units(key + "floor_extra_days", tl.floor_extra_days)
        units = w.units(key + "floor_extra_units", tl.floor_extra_units)
        target = w.pct(key + "in_stock_target", tl.in_stock_target)
        out.append(f"holding {days} extra days ({units} units) because you asked for {target} "
                   "in-stock once it lands")
    if tl.stockout_cost_extra_units > 0:
        days = w.units(key + "stockout_cost_extra_days", tl.stockout_cost_extra_days)
        units = w.units(key + "stockout_cost_extra_units", tl.stockout_cost_extra_units)
        out.append(f"{days} days ({units} units) for the ranking a stockout would cost (your "
                   "stockout cost setting)")
    return "; ".join(out)


def _excess_clause(w: _Words) -> str:
    tl = w.tl
    ex = tl.excess
    assert ex is not None
    d = ex.to_dict()
    text = (f"{w.units('excess.units', ex.units)} units are beyond need through "
            f"{w.date('excess.need_through', ex.need_through)}, costing "
            f"{w.money('excess.monthly_cost', d['monthly_cost'])} a month")
    if ex.aged_from is not None:
        aged_from = w.date("excess.aged_from", ex.aged_from)
        aged_cost = w.money("excess.aged_cost_12m", d["aged_cost_12m"])
        text += (f"; stock starts paying aged surcharges on {aged_from} ({aged_cost} over the "
                 "next year)")
    priced = [(i, o) for i, o in enumerate(d["options"]) if o["cost"] is not None]
    if priced:
        i, best = min(priced, key=lambda x: x[1]["cost"])
        name = best["action"].replace("_", " ")
        text += f"; cheapest: {name} ({w.money(f'excess.options.{i}.cost', best['cost'])}"
        others = [f"{o['action'].replace('_', ' ')} "
                  f"{w.money(f'excess.options.{j}.cost', o['cost'])}" for j, o in priced if j != i]
        text += (f" over the next year, against {', '.join(others)})" if others else
                 " over the next year; the excess is still inbound and cannot be removed yet)")
    if d["break_even_price"] is not None:
        text += (f"; a lower price pays only above "
                 f"{w.money('excess.break_even_price', d['break_even_price'])}")
    return text


def _cost_clause(w: _Words) -> str:
    tl = w.tl
    idx = {c.quantity: i for i, c in enumerate(tl.candidates)}
    if 0 not in idx or tl.quantity not in idx:
        return ""
    zero = w.money(f"recommendation.candidates.{idx[0]}.total", tl.candidates[idx[0]].total)
    key = "recommendation.cost_horizon."
    span = (f"{w.date(key + 'window_from', _d(tl.cost_horizon['window_from']))} to "
            f"{w.date(key + 'window_to', _d(tl.cost_horizon['window_to']))}")
    if tl.quantity == 0:
        return (f"shipping nothing costs {zero} ({span} and the lot's life), the least of its "
                "options")
    mine = w.money(f"recommendation.candidates.{idx[tl.quantity]}.total",
                   tl.candidates[idx[tl.quantity]].total)
    text = f"expected cost {mine} against {zero} for shipping nothing ({span} and the lot's life)"
    return text + _saving_clause(w, idx[0], idx[tl.quantity])


def _saving_clause(w: _Words, none: int, chosen: int) -> str:
    """The low-inventory-level fee, when avoiding it is most of what the shipment saves.

    A shipment that changes no stockout risk in its window (the sentence's two percentages are
    equal) still pays when Amazon would charge that fee on the units sold while the stock is
    low; told only the two totals, a seller cannot see why. (Savings from stockouts need no
    clause: the stockout risks say them.)"""
    a, b = w.tl.candidates[none], w.tl.candidates[chosen]
    difference = a.total - b.total
    key = "low_inventory"
    if difference <= 0 or key not in a.lines or key not in b.lines:
        return ""
    if a.lines[key] - b.lines[key] < 0.5 * difference:
        return ""
    base = "recommendation.candidates."
    without = w.money(f"{base}{none}.lines.{key}", a.lines[key])
    with_ = w.money(f"{base}{chosen}.lines.{key}", b.lines[key])
    return (f", mainly Amazon's low-inventory-level fee ({without} without the shipment, "
            f"{with_} with it)")


def _d(text: Any) -> dt.date:
    return dt.date.fromisoformat(str(text))
