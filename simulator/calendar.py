"""Retail calendar: Prime Day, Black Friday to Cyber Monday, December, and demand shape per day."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=64)
def prime_day(year: int) -> date:
    """First day of the two-day Prime event: the second Tuesday of July."""
    d = date(year, 7, 1)
    first_tuesday = d + timedelta(days=(1 - d.weekday()) % 7)
    return first_tuesday + timedelta(days=7)


@lru_cache(maxsize=64)
def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November."""
    d = date(year, 11, 1)
    first_thursday = d + timedelta(days=(3 - d.weekday()) % 7)
    return first_thursday + timedelta(days=22)


def event_of(day: date) -> str:
    """Name of the sales event on a day: 'prime', 'bfcm', 'december', 'xmas_dip' or ''."""
    pd_ = prime_day(day.year)
    if pd_ <= day <= pd_ + timedelta(days=1):
        return "prime"
    bf = black_friday(day.year)
    if bf <= day <= bf + timedelta(days=3):
        return "bfcm"
    if day.month == 12 and day.day <= 22:
        return "december"
    if day.month == 12 and 24 <= day.day <= 26:
        return "xmas_dip"
    return ""


def demand_multiplier(day: date, traits: dict[str, np.ndarray], start_ordinal: int) -> np.ndarray:
    """Expected-demand multiplier per SKU for a day, before price effects."""
    t_years = (day.toordinal() - start_ordinal) / 365.25
    trend = np.exp(traits["growth"] * t_years)
    dow = day.weekday()
    weekly = 1.0 + traits["weekly_amp"] * np.cos(2 * np.pi * (dow - traits["weekly_peak"]) / 7.0)
    doy = day.timetuple().tm_yday / 365.25
    yearly = 1.0 + traits["yearly_amp"] * (
        (1 - traits["q4"]) * np.sin(2 * np.pi * doy + traits["yearly_phase"])
        + traits["q4"] * np.cos(2 * np.pi * (doy - 0.95))
    )
    event = event_of(day)
    sens = traits["holiday_sens"]
    if event == "prime":
        holiday = 1.0 + 1.2 * sens
    elif event == "bfcm":
        holiday = 1.0 + 1.0 * sens
    elif event == "december":
        holiday = 1.0 + 0.35 * sens * (1 + traits["q4"])
    elif event == "xmas_dip":
        holiday = np.full_like(sens, 0.6)
    else:
        holiday = np.ones_like(sens)
    return trend * weekly * np.clip(yearly, 0.2, None) * holiday
