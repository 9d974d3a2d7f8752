"""Helpers for the fee/policy/replay tests: tiny inputs and a known-distribution forecaster."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from forecasting.replay_io import ReplayInput


class PoissonForecaster:
    """Test forecaster with DemandForecaster's sample_paths interface: each SKU's paths are
    Poisson at the mean of its last 28 in-stock days (a known distribution, no learning)."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.rates: dict[str, float] = {}

    def fit(self, history: pd.DataFrame, static: pd.DataFrame | None = None) -> PoissonForecaster:
        h = history[history["in_stock"] == 1].sort_values("date")
        self.rates = {str(k): float(g["units"].tail(28).mean()) for k, g in h.groupby("sku")}
        for sku in history["sku"].unique():
            self.rates.setdefault(str(sku), 0.0)
        return self

    def sample_paths(self, horizon: int, n_paths: int = 200, seed: int = 0
                     ) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        return {s: rng.poisson(r, size=(n_paths, horizon)).astype(float)
                for s, r in self.rates.items()}


def make_input(demand: list[list[int]], start: dt.date = dt.date(2025, 1, 1), **sku) -> ReplayInput:
    """A ReplayInput for small hand-checked cases; SKU attributes as scalars or per-SKU lists."""
    dem = np.asarray(demand, dtype=np.int64)
    n, T = dem.shape
    defaults = {"unit_cost": 10.0, "sale_price": 30.0, "fulfillment_fee": 5.0,
                "referral_rate": 0.15, "cubic_feet": 0.5, "size_tier": "small_standard",
                "lead": 5, "case_pack": 1, "moq": 0, "initial_on_hand": 0}
    defaults.update(sku)

    def col(name: str, dtype) -> np.ndarray:
        v = defaults[name]
        return np.array(v if isinstance(v, list) else [v] * n, dtype=dtype)

    hist_sold = np.asarray(defaults.get("hist_sold", np.zeros((n, 0))), dtype=np.int64)
    Th = hist_sold.shape[1]
    hist_in = np.asarray(defaults.get("hist_in_stock", np.ones((n, Th))), dtype=bool)
    return ReplayInput(
        skus=[f"S{i}" for i in range(n)], start=start, end=start + dt.timedelta(days=T - 1),
        dates=[start + dt.timedelta(days=i) for i in range(T)], demand=dem,
        hist_dates=[start - dt.timedelta(days=Th - i) for i in range(Th)], hist_sold=hist_sold,
        hist_in_stock=hist_in, hist_valid=np.ones((n, Th), dtype=bool),
        hist_price=np.full((n, Th), 30.0), unit_cost=col("unit_cost", float),
        sale_price=col("sale_price", float), fulfillment_fee=col("fulfillment_fee", float),
        referral_rate=col("referral_rate", float), cubic_feet=col("cubic_feet", float),
        size_tier=col("size_tier", object), lead=col("lead", np.int64),
        case_pack=col("case_pack", np.int64), moq=col("moq", np.int64),
        initial_on_hand=col("initial_on_hand", np.int64),
    )
