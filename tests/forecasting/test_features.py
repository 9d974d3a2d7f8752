"""Features: no leakage past the origin, stockout days censored, calendar events, input checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.calendar import black_friday, calendar_features, prime_days
from forecasting.features import Sums, build_panel, level_at, make_rows
from forecasting.history import HistoryError, validate_history
from forecasting.synthetic import synthetic_demand


def _history(n_skus: int = 6, days: int = 500, seed: int = 3) -> pd.DataFrame:
    df, _ = synthetic_demand(n_skus, days, seed=seed, stockout_rate=0.2)
    return df.rename(columns={"sold": "units"})[["sku", "date", "units", "price", "in_stock"]]


def test_features_ignore_everything_after_the_origin() -> None:
    hist = _history()
    panel = build_panel(hist)
    origin = 300
    changed = build_panel(hist)
    rng = np.random.default_rng(0)
    changed.units[:, origin + 1 :] = rng.integers(0, 500, changed.units[:, origin + 1 :].shape)
    changed.instock[:, origin + 1 :] = rng.random(changed.instock[:, origin + 1 :].shape) > 0.5
    rows = np.repeat(np.arange(len(panel.skus)), 120)
    h = np.tile(np.arange(1, 121), len(panel.skus))
    static = np.full((len(panel.skus), 2), np.nan)
    frames = []
    for p in (panel, changed):
        sums = Sums(p)
        level = level_at(p, sums, origin, 1.0)
        frames.append(make_rows(p, sums, origin, rows, h, level, static))
    # prices are the only target-day input (known in advance), and they were not changed
    pd.testing.assert_frame_equal(frames[0], frames[1])


def test_stockout_days_are_left_out_of_rolling_means() -> None:
    dates = pd.date_range("2025-01-01", periods=60, freq="D")
    in_stock = np.ones(60, dtype=int)
    in_stock[40:50] = 0  # ten days without stock: sales of 0 that are not demand of 0
    units = np.where(in_stock == 1, 10, 0)
    hist = pd.DataFrame({"sku": "A", "date": dates, "units": units, "in_stock": in_stock})
    panel = build_panel(hist)
    sums = Sums(panel)
    o = np.array([59])
    assert sums.mean(np.array([0]), o - 27, o)[0] == pytest.approx(10.0)
    uncensored = Sums(build_panel(hist, censor=False))
    assert uncensored.mean(np.array([0]), o - 27, o)[0] < 7.0


def test_calendar_events() -> None:
    assert prime_days(2025) == [pd.Timestamp("2025-07-08"), pd.Timestamp("2025-07-09")]
    assert black_friday(2025) == pd.Timestamp("2025-11-28")
    cal = calendar_features(pd.DatetimeIndex(["2025-07-08", "2025-12-01", "2025-06-01"]))
    assert list(cal["prime_day"]) == [1, 0, 0]
    assert list(cal["bfcm"]) == [0, 1, 0]  # Cyber Monday
    assert cal["to_christmas"][1] == 24


@pytest.mark.parametrize(
    ("frame", "needle"),
    [
        (pd.DataFrame({"sku": ["A"], "date": ["2025-01-01"]}), "missing column(s): units"),
        (
            pd.DataFrame(
                {"sku": ["A", "A"], "date": ["2025-01-01", "2025-13-01"], "units": [1, 2]}
            ),
            "row 2",
        ),
        (
            pd.DataFrame({"sku": ["A", "B", "A"], "date": ["2025-01-01"] * 3, "units": [1, 2, 3]}),
            "row 3 (sku 'A', date '2025-01-01'): duplicate of row 1",
        ),
        (
            pd.DataFrame(
                {"sku": ["A", "A"], "date": ["2025-01-01", "2025-01-02"], "units": [1, -2]}
            ),
            "row 2 (sku 'A', date '2025-01-02'): negative units",
        ),
        (pd.DataFrame({"sku": ["A"], "date": ["2025-01-01"], "units": ["x"]}), "is not a number"),
        (
            pd.DataFrame({"sku": ["A"], "date": ["2025-01-01"], "units": [1], "in_stock": [2]}),
            "in_stock must be 0 or 1",
        ),
    ],
)
def test_malformed_history_names_the_row(frame: pd.DataFrame, needle: str) -> None:
    with pytest.raises(HistoryError) as err:
        validate_history(frame)
    assert needle in str(err.value)


def test_missing_in_stock_means_in_stock() -> None:
    df = pd.DataFrame(
        {
            "sku": ["A", "A"],
            "date": ["2025-01-01", "2025-01-02"],
            "units": [1, 2],
            "in_stock": [np.nan, 0],
        }
    )
    out = validate_history(df)
    assert list(out["in_stock"]) == [1.0, 0.0]


def test_a_promotion_on_the_last_day_is_not_carried_into_the_forecast() -> None:
    dates = pd.date_range("2025-01-01", periods=40, freq="D")
    price = np.full(40, 20.0)
    price[-2:] = 14.0  # a deal on the last two days
    hist = pd.DataFrame({"sku": "A", "date": dates, "units": 3.0, "price": price})
    panel = build_panel(hist)
    ext = panel.extend(10)
    assert np.all(ext.price[0, -10:] == 20.0)
    assert np.all(ext.price[0, :40] == price)
    fp = pd.DataFrame({"sku": ["A"], "date": [dates[-1] + pd.Timedelta(days=3)], "price": [9.0]})
    assert panel.extend(10, fp).price[0, 42] == 9.0


def test_occurrence_size_and_slow_mean_skip_stockout_days_and_remember_the_year() -> None:
    # a SKU that sold 4 units every other day for 300 days, then 60 days without stock, then 30
    # quiet in-stock days
    days = 390
    dates = pd.date_range("2025-01-01", periods=days, freq="D")
    units = np.where(np.arange(days) % 2 == 0, 4.0, 0.0)
    in_stock = np.ones(days, dtype=int)
    in_stock[300:360] = 0
    units[300:] = 0.0
    hist = pd.DataFrame({"sku": "A", "date": dates, "units": units, "in_stock": in_stock})
    sums = Sums(build_panel(hist))
    # before the stockout: a sale on half the days, of 4 units
    assert sums.occurrence[0, 299] == pytest.approx(0.5, abs=0.05)
    assert sums.size[0, 299] == pytest.approx(4.0)
    # sixty stockout days change nothing
    assert sums.occurrence[0, 359] == sums.occurrence[0, 299]
    assert sums.slow[0, 359] == sums.slow[0, 299]
    # thirty quiet in-stock days lower the chance of a sale; the slow mean still recalls ~2/day
    assert sums.occurrence[0, 389] < 0.15
    assert sums.size[0, 389] == pytest.approx(4.0)
    assert sums.slow[0, 389] > 1.5
    assert sums.last_sale[0, 389] == 298
    panel = build_panel(hist)
    level = level_at(panel, sums, 389, 1.0)
    x = make_rows(panel, sums, 389, np.array([0]), np.array([7]), level,
                  np.full((1, 2), np.nan))
    assert x["since_sale"].iloc[0] == 91
    assert x["slow"].iloc[0] > 1.0  # the year's rate, above the quiet 91-day level
    assert x["age"].iloc[0] == 365  # capped: past a year, age is not a clock
    assert "doy" not in x.columns and "week" not in x.columns
