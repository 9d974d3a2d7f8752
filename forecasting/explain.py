"""Plain-language sentence for a shipment recommendation, with the dates that drive it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forecasting.policy import Recommendation


def _day(d: dt.date) -> str:
    return f"{d:%b} {d.day}"


def _span(days: int) -> str:
    days = abs(days)
    if days < 14:
        return f"{days} day{'s' if days != 1 else ''}"
    weeks = round(days / 7)
    words = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    return f"{words.get(weeks, str(weeks))} weeks"


def explain(rec: Recommendation, today: dt.date, lead: int, review_days: int, aged_q: int,
            aged_date: dt.date) -> str:
    """e.g. 'ship 240 now: stock runs out around Mar 3, two weeks before a shipment sent today
    could arrive (Mar 17); shipping more than 320 would start paying aged surcharges in August'."""
    arrive = today + dt.timedelta(days=lead)
    cover = rec.runs_out_in_days
    horizon_note = ""
    if cover >= 365:
        runs_out = "stock lasts beyond the forecast horizon"
        gap = None
    else:
        out_day = today + dt.timedelta(days=int(cover) + 1)
        gap = (arrive - out_day).days
        runs_out = f"stock runs out around {_day(out_day)}"
        when = f"a shipment sent today could arrive ({_day(arrive)})"
        if gap > 0:
            horizon_note = f", {_span(gap)} before {when}"
        elif gap < 0:
            horizon_note = f", {_span(gap)} after {when}"
        else:
            horizon_note = f", the day {when}"
    if rec.quantity > 0:
        text = f"ship {rec.quantity} now: {runs_out}{horizon_note}"
        if aged_q >= rec.quantity:
            text += (f"; shipping more than {aged_q} would start paying aged surcharges in "
                     f"{aged_date:%B}")
        else:
            text += (f"; part of this shipment is likely still on hand in {aged_date:%B} and "
                     f"would pay aged surcharges (case pack / MOQ)")
        text += f"; stockout risk before the next arrival {rec.stockout_prob_next_cycle:.0%}"
        return text
    if rec.expected_cost_without["total"] == 0 and cover >= 365:
        return "ship nothing: no demand expected"
    text = f"ship nothing now: {runs_out}{horizon_note}"
    if rec.latest_ship_date > today and cover < 365:
        text += f"; ship by {_day(rec.latest_ship_date)} at the latest"
    if rec.stockout_prob_next_cycle_without > 0.05:
        risk = rec.stockout_prob_next_cycle_without
        text += (f"; stockout risk before the next arrival {risk:.0%}, but shipping now "
                 "costs more than it saves")
    return text
