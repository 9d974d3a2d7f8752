"""Baselines stay usable on very short histories (a retrain backtest on a new seller)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.baselines import MovingAverage, SeasonalNaive


@pytest.mark.parametrize("days", [1, 3, 10, 32, 60])
def test_seasonal_naive_and_ma_on_short_histories(days: int) -> None:
    history = pd.DataFrame(
        {
            "sku": "A",
            "date": pd.date_range("2026-01-01", periods=days),
            "units": np.arange(days) % 5,
        }
    )
    for model in (SeasonalNaive(), MovingAverage()):
        out = model.fit(history, None).predict(14)
        assert len(out) == 14
        assert (out["p10"] <= out["p50"]).all() and (out["p50"] <= out["p90"]).all()
    # With at least a week, the seasonal naive repeats the last week exactly.
    if days >= 7:
        out = SeasonalNaive().fit(history, None).predict(7)
        assert out["mean"].tolist() == (np.arange(days) % 5)[-7:].astype(float).tolist()
