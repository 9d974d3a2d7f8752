"""Reference forecasts: weekly seasonal naive and 28-day moving average, model-shaped output."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.features import build_panel

Z90 = 1.2815515655446004


class _Baseline:
    """Shared fit/predict plumbing: a dense panel of units as given (no censoring, on purpose)."""

    def fit(self, history: pd.DataFrame, static: pd.DataFrame | None = None) -> _Baseline:
        """Keep the units history; `static` is accepted for interface parity and ignored."""
        panel = build_panel(history, censor=False)
        self.skus = panel.skus
        self.units = np.nan_to_num(panel.units)
        self.cutoff = panel.start + pd.Timedelta(days=panel.n_days - 1)
        return self

    def _daily(self, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError

    def predict(self, horizon: int, future_prices: pd.DataFrame | None = None) -> pd.DataFrame:
        """sku, date, mean, p10, p50, p90 for cutoff+1 .. cutoff+horizon."""
        mean, p10, p50, p90 = self._daily(horizon)
        dates = pd.date_range(self.cutoff + pd.Timedelta(days=1), periods=horizon, freq="D")
        return pd.DataFrame(
            {
                "sku": np.repeat(self.skus, horizon),
                "date": np.tile(dates, len(self.skus)),
                "mean": mean.ravel(),
                "p10": p10.ravel(),
                "p50": p50.ravel(),
                "p90": p90.ravel(),
            }
        )

    def predict_totals(self, horizon: int, start_offset: int = 0) -> pd.DataFrame:
        """Window total: sum of daily means; normal band from the last 28 days (iid days)."""
        mean = self._daily(horizon + start_offset)[0][:, start_offset:].sum(axis=1)
        sd = self.units[:, -28:].std(axis=1) * np.sqrt(horizon)
        return pd.DataFrame(
            {
                "sku": self.skus,
                "mean": mean,
                "p10": np.maximum(mean - Z90 * sd, 0.0),
                "p50": mean,
                "p90": mean + Z90 * sd,
            }
        )


class SeasonalNaive(_Baseline):
    """Each future day repeats the same weekday of the last observed week."""

    def _daily(self, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        units = self.units
        if units.shape[1] < 7:
            # Under a week of history: pad with the SKU's mean so every weekday has a value.
            if units.shape[1]:
                fill = units.mean(axis=1, keepdims=True)
            else:
                fill = np.zeros((len(units), 1))
            units = np.concatenate([np.repeat(fill, 7 - units.shape[1], axis=1), units], axis=1)
        last_week = units[:, -7:]
        idx = np.arange(horizon) % 7
        mean = last_week[:, idx]
        # quantiles from the last (up to 8) whole weeks of the same weekday
        n = min(56, units.shape[1] // 7 * 7)
        weeks = units[:, -n:]
        by_dow = np.stack([weeks[:, (n - 7 + d) % 7 :: 7] for d in range(7)], axis=1)
        qs = np.quantile(by_dow, [0.1, 0.5, 0.9], axis=2)
        return mean, qs[0][:, idx], qs[1][:, idx], qs[2][:, idx]


class MovingAverage(_Baseline):
    """Every future day gets the mean of the last `window` days."""

    def __init__(self, window: int = 28) -> None:
        self.window = window

    def _daily(self, horizon: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        recent = self.units[:, -self.window :]
        mean = np.repeat(recent.mean(axis=1, keepdims=True), horizon, axis=1)
        qs = np.quantile(recent, [0.1, 0.5, 0.9], axis=1)
        rep = [np.repeat(q[:, None], horizon, axis=1) for q in qs]
        return mean, rep[0], rep[1], rep[2]
