"""Seeded synthetic demand with a known answer, for tests and for benchmarks without a simulator."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.calendar import black_friday, prime_days


def synthetic_demand(
    n_skus: int = 50,
    days: int = 730,
    seed: int = 0,
    start: str = "2024-01-01",
    stockout_rate: float = 0.0,
    young_share: float = 0.0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (sku,date,demand,sold,in_stock,price,true_mean frame; sku,category,size_tier).

    Demand is negative binomial around level x weekday x season x trend x price x events, so the
    true daily mean is known. Stockout spells (in_stock = 0) cut `sold` to 0 while `demand` goes on.
    """
    rng = np.random.default_rng(seed)
    dates = pd.date_range(start, periods=days, freq="D")
    t = np.arange(days)
    doy = dates.day_of_year.to_numpy()
    level = np.exp(rng.normal(0.5, 1.2, n_skus))
    weekly = 1 + 0.25 * np.sin(
        2 * np.pi * (dates.day_of_week.to_numpy()[None, :] + rng.uniform(0, 7, (n_skus, 1))) / 7
    )
    amp = rng.uniform(0, 0.5, (n_skus, 1))
    season = 1 + amp * np.sin(2 * np.pi * (doy[None, :] / 365.25 + rng.uniform(0, 1, (n_skus, 1))))
    slope = rng.normal(0, 0.4, (n_skus, 1)) / 365
    trend = np.exp(slope * t[None, :])
    event = np.ones(days)
    for y in sorted(set(dates.year)):
        for d in prime_days(y):
            event[dates == d] = 3.0
        bf = black_friday(y)
        for k in range(4):
            event[dates == bf + pd.Timedelta(days=k)] = 2.5
        event[(dates.month == 12) & (dates.day >= 10) & (dates.day <= 22)] *= 1.4
    base_price = np.round(np.exp(rng.normal(3, 0.5, n_skus)), 2)
    price = np.repeat(base_price[:, None], days, axis=1)
    for i in range(n_skus):  # a few promotions per SKU
        for s in rng.integers(0, days - 14, size=3):
            price[i, s : s + 14] = np.round(base_price[i] * 0.8, 2)
    elasticity = rng.uniform(1.0, 2.5, (n_skus, 1))
    price_effect = (price / base_price[:, None]) ** (-elasticity)
    mean = level[:, None] * weekly * season * trend * event[None, :] * price_effect
    phi = rng.uniform(0.05, 0.5, (n_skus, 1))
    demand = rng.poisson(mean * rng.gamma(1 / phi, phi, size=mean.shape))
    instock = np.ones((n_skus, days), dtype=np.int64)
    if stockout_rate > 0:
        for i in range(n_skus):
            n_spells = rng.poisson(stockout_rate * days / 10)
            for s in rng.integers(0, days, size=n_spells):
                instock[i, s : s + rng.integers(3, 21)] = 0
    sold = demand * instock
    first = np.zeros(n_skus, dtype=np.int64)
    young = rng.random(n_skus) < young_share
    first[young] = rng.integers(days - 60, days - 7, size=young.sum())
    rows = []
    for i in range(n_skus):
        sl = slice(first[i], days)
        rows.append(
            pd.DataFrame(
                {
                    "sku": f"SKU{i:04d}",
                    "date": dates[sl],
                    "demand": demand[i, sl],
                    "sold": sold[i, sl],
                    "in_stock": instock[i, sl],
                    "price": price[i, sl],
                    "true_mean": mean[i, sl],
                }
            )
        )
    static = pd.DataFrame(
        {
            "sku": [f"SKU{i:04d}" for i in range(n_skus)],
            "category": rng.choice(["home", "toys", "kitchen", "garden"], n_skus),
            "size_tier": rng.choice(["small", "standard", "oversize"], n_skus),
        }
    )
    return pd.concat(rows, ignore_index=True), static
