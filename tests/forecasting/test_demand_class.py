"""forecasting.demand_class: the ADI / CV² split on series built to fall in each class."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.demand_class import CLASSES, classify, classify_history


def _rows() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    days = 365
    smooth = np.full(days, 10.0) + rng.integers(-1, 2, days)
    erratic = rng.choice([1.0, 30.0], size=days)
    intermittent = np.where(np.arange(days) % 4 == 0, 5.0, 0.0)
    lumpy = np.where(np.arange(days) % 5 == 0, rng.choice([1.0, 40.0], size=days), 0.0)
    units = np.vstack([smooth, erratic, intermittent, lumpy])
    return units, np.ones_like(units, dtype=bool)


def test_each_built_series_lands_in_its_class() -> None:
    units, ok = _rows()
    assert [CLASSES[i] for i in classify(units, ok)] == list(CLASSES)


def test_stockout_days_do_not_count_as_gaps() -> None:
    units, ok = _rows()
    smooth = units[:1].copy()
    out = np.ones_like(smooth, dtype=bool)
    out[:, ::2] = False          # half the days out of stock, nothing sold on them
    smooth[~out] = 0.0
    assert CLASSES[classify(smooth, out)[0]] == "smooth"
    assert CLASSES[classify(smooth, np.ones_like(out))[0]] != "smooth"


def test_classify_history_reads_integer_in_stock_and_short_skus() -> None:
    dates = pd.date_range("2024-01-01", periods=100, freq="D")
    steady = pd.DataFrame({"sku": "S", "date": dates, "units": 5.0, "in_stock": 1})
    # born halfway, out of stock every other day, selling 9 or 1 on each in-stock day: no gaps
    # once the stockouts are left out, sizes that vary: erratic
    late = pd.DataFrame({"sku": "L", "date": dates[50:], "in_stock": np.tile([0, 1], 25),
                         "units": np.tile([0.0, 9.0, 0.0, 1.0], 13)[:50]})
    late.loc[late["in_stock"] == 0, "units"] = 0.0
    hist = pd.concat([steady, late], ignore_index=True)
    got = classify_history(hist)
    assert got.to_dict() == {"L": "erratic", "S": "smooth"}
    # the same with in_stock as floats or booleans, or missing on one row (= in stock)
    for col in (hist["in_stock"].astype(float), hist["in_stock"].astype(bool)):
        assert classify_history(hist.assign(in_stock=col)).equals(got)
    gap = hist.astype({"in_stock": float})
    gap.loc[3, "in_stock"] = np.nan
    assert classify_history(gap).equals(got)
