"""Calendar features of a target day: weekday, season and the retail events that move demand."""

from __future__ import annotations

import numpy as np
import pandas as pd


def prime_days(year: int) -> list[pd.Timestamp]:
    """Prime Day: the Tuesday and Wednesday of the second full week of July (a usual pattern)."""
    first = pd.Timestamp(year=year, month=7, day=1)
    tuesday = first + pd.Timedelta(days=(1 - first.day_of_week) % 7 + 7)
    return [tuesday, tuesday + pd.Timedelta(days=1)]


def black_friday(year: int) -> pd.Timestamp:
    """The day after the fourth Thursday of November."""
    first = pd.Timestamp(year=year, month=11, day=1)
    thursday = first + pd.Timedelta(days=(3 - first.day_of_week) % 7 + 21)
    return thursday + pd.Timedelta(days=1)


def calendar_features(dates: pd.DatetimeIndex | pd.Series) -> dict[str, np.ndarray]:
    """Numeric calendar features for each date (day of week, month, events, distance to them)."""
    d = pd.DatetimeIndex(dates)
    years = range(int(d.year.min()) - 1, int(d.year.max()) + 2)
    prime = pd.DatetimeIndex([p for y in years for p in prime_days(y)])
    bf = pd.DatetimeIndex([black_friday(y) for y in years])
    days = d.values.astype("datetime64[D]").astype(np.int64)
    bf_days = bf.values.astype("datetime64[D]").astype(np.int64)
    prime_days_i = prime.values.astype("datetime64[D]").astype(np.int64)
    # signed distance to the nearest Black Friday, so the run-up and Cyber Monday are learnable
    to_bf = days[:, None] - bf_days[None, :]
    nearest = to_bf[np.arange(len(days)), np.abs(to_bf).argmin(axis=1)]
    to_prime = days[:, None] - prime_days_i[None, :]
    nearest_prime = to_prime[np.arange(len(days)), np.abs(to_prime).argmin(axis=1)]
    xmas = np.where(d.month == 12, 25 - d.day, 99)
    return {
        "dow": d.day_of_week.to_numpy(),
        "month": d.month.to_numpy(),
        "week": d.isocalendar().week.to_numpy().astype(np.int64),
        "doy": d.day_of_year.to_numpy(),
        "prime_day": np.isin(days, prime_days_i).astype(np.int64),
        "to_prime": np.clip(nearest_prime, -15, 15),
        "bfcm": ((nearest >= 0) & (nearest <= 3)).astype(np.int64),
        "to_black_friday": np.clip(nearest, -30, 30),
        "to_christmas": np.clip(xmas, -10, 99),
    }
