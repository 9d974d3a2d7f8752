"""Rolling-origin backtests: fit at each cutoff on rows up to it, score on the rows after it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from forecasting.baselines import MovingAverage, SeasonalNaive
from forecasting.history import validate_history
from forecasting.metrics import daily_scores, scales, total_scores
from forecasting.model import DemandForecaster

ModelFactory = Callable[[], Any]


def default_models(seed: int = 0) -> dict[str, ModelFactory]:
    """Our model and the two built-in baselines, by the names metrics.json uses."""
    return {
        "model": lambda: DemandForecaster(seed=seed),
        "seasonal_naive": SeasonalNaive,
        "ma28": MovingAverage,
    }


@dataclass
class BacktestResult:
    """Forecasts, totals and metrics of every model at every cutoff."""

    horizon: int
    forecasts: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)
    totals: dict[str, dict[str, pd.DataFrame]] = field(default_factory=dict)
    metrics: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    fit_seconds: dict[str, dict[str, float]] = field(default_factory=dict)

    def summary(self) -> dict[str, dict[str, float]]:
        """Each model's metrics averaged over the cutoffs that had actuals."""
        out: dict[str, dict[str, float]] = {}
        per_model: dict[str, list[dict[str, float]]] = {}
        for by_model in self.metrics.values():
            for name, m in by_model.items():
                per_model.setdefault(name, []).append(m)
        for name, ms in per_model.items():
            keys = sorted({k for m in ms for k in m})
            out[name] = {k: float(np.nanmean([m.get(k, np.nan) for m in ms])) for k in keys}
        return out


def actuals_after(
    sales: pd.DataFrame, cutoff: pd.Timestamp, horizon: int, column: str = "units"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily actuals (valid = in stock) and totals of SKUs seen in stock all window."""
    end = cutoff + pd.Timedelta(days=horizon)
    win = sales[(sales["date"] > cutoff) & (sales["date"] <= end)]
    daily = pd.DataFrame(
        {
            "sku": win["sku"],
            "date": win["date"],
            "actual": win[column].astype(float),
            "valid": win["in_stock"] > 0.5,
        }
    )
    # a window total is only an outcome if every day was seen and in stock (else it is censored)
    g = daily.groupby("sku").agg(
        actual=("actual", "sum"), n=("actual", "size"), ok=("valid", "all")
    )
    totals = g[(g["n"] == horizon) & g["ok"]].reset_index()[["sku", "actual"]]
    return daily, totals


def run_backtest(
    sales_df: pd.DataFrame,
    cutoffs: Sequence[str | pd.Timestamp],
    horizon: int,
    static: pd.DataFrame | None = None,
    models: dict[str, ModelFactory] | None = None,
    seed: int = 0,
) -> BacktestResult:
    """Fit each model at each cutoff on rows up to it; score on the next `horizon` days."""
    import time

    sales = validate_history(sales_df)
    models = models or default_models(seed)
    result = BacktestResult(horizon=horizon)
    for raw in cutoffs:
        cutoff = pd.Timestamp(raw)
        key = str(cutoff.date())
        train = sales[sales["date"] <= cutoff]
        if train.empty:
            raise ValueError(f"no sales rows on or before cutoff {key}")
        daily, totals = actuals_after(sales, cutoff, horizon)
        scale = scales(train)
        result.forecasts[key], result.totals[key], result.fit_seconds[key] = {}, {}, {}
        if not daily.empty:
            result.metrics[key] = {}
        for name, factory in models.items():
            t0 = time.perf_counter()
            model = factory().fit(train, static)
            result.fit_seconds[key][name] = round(time.perf_counter() - t0, 2)
            fc = model.predict(horizon)
            tot = model.predict_totals(horizon)
            result.forecasts[key][name] = fc
            result.totals[key][name] = tot
            if not daily.empty:
                m = daily_scores(fc, daily, scale)
                m.update(total_scores(tot, totals, scale, horizon))
                result.metrics[key][name] = m
    return result
