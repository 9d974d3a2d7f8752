"""Metrics against hand-computed answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.metrics import coverage, daily_scores, pinball_loss, scales, total_scores


def test_pinball_and_coverage_by_hand() -> None:
    assert pinball_loss(np.array([10.0]), np.array([8.0]), 0.9)[0] == pytest.approx(1.8)
    assert pinball_loss(np.array([10.0]), np.array([12.0]), 0.9)[0] == pytest.approx(0.2)
    assert coverage(np.array([1, 2, 3, 4]), np.array([2, 2, 2, 2])) == 0.5


def test_scaled_errors_by_hand() -> None:
    train = pd.DataFrame(
        {
            "sku": "A",
            "date": pd.date_range("2025-01-01", periods=14, freq="D"),
            "units": [0, 0, 2, 4] * 3 + [2, 4],
        }
    )
    sc = scales(train)
    # from the first sale: 2,4,0,0,2,4,0,0,2,4,2,4 -> one-step squared diffs
    y = np.array([2, 4, 0, 0, 2, 4, 0, 0, 2, 4, 2, 4], float)
    assert sc.loc["A", "sq_scale"] == pytest.approx(np.mean(np.diff(y) ** 2))
    assert sc.loc["A", "abs_scale"] == pytest.approx(np.mean(np.abs(y[7:] - y[:-7])))
    dates = pd.date_range("2025-01-15", periods=2, freq="D")
    fc = pd.DataFrame(
        {
            "sku": "A",
            "date": dates,
            "mean": [3.0, 3.0],
            "p10": [1.0, 1.0],
            "p50": [3.0, 3.0],
            "p90": [5.0, 5.0],
        }
    )
    actual = pd.DataFrame({"sku": "A", "date": dates, "actual": [1.0, 5.0], "valid": [True, True]})
    m = daily_scores(fc, actual, sc)
    assert m["rmsse"] == pytest.approx(2.0 / np.sqrt(sc.loc["A", "sq_scale"]))
    assert m["mase"] == pytest.approx(2.0 / sc.loc["A", "abs_scale"])
    assert m["coverage_p90"] == 1.0
    assert m["mase_p50"] == pytest.approx(m["mase"])  # here the P50 equals the mean
    # an invalid (stockout) day is not scored
    actual.loc[1, "valid"] = False
    assert daily_scores(fc, actual, sc)["n"] == 1.0


def test_total_scores() -> None:
    sc = pd.DataFrame(
        {"sq_scale": [1.0], "abs_scale": [1.0], "level": [1.0]}, index=pd.Index(["A"], name="sku")
    )
    tot = pd.DataFrame({"sku": ["A"], "mean": [28.0], "p10": [20.0], "p50": [28.0], "p90": [36.0]})
    m = total_scores(tot, pd.DataFrame({"sku": ["A"], "actual": [40.0]}), sc, 28)
    assert m["total_coverage_p90"] == 0.0
    expected = (0.1 * 20 + 0.5 * 12 + 0.9 * 4) / 3 / 28
    assert m["total_pinball"] == pytest.approx(expected)
