"""forecasting.demand_class: the ADI / CV² split on series built to fall in each class."""

from __future__ import annotations

import numpy as np

from forecasting.demand_class import CLASSES, classify


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
