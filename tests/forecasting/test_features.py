"""Features: no leakage past the origin, stockout days censored, calendar events, input checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.calendar import black_friday, calendar_features, prime_days
from forecasting.features import (
    Sums,
    build_panel,
    build_pool,
    level_at,
    make_rows,
    pool_groups,
    pool_prior,
    unrecorded_stockouts,
)
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


def _one_sku(units: np.ndarray, in_stock: np.ndarray | None = None) -> pd.DataFrame:
    dates = pd.date_range("2025-01-01", periods=len(units), freq="D")
    stock = np.ones(len(units), int) if in_stock is None else in_stock
    return pd.DataFrame({"sku": "A", "date": dates, "units": units, "in_stock": stock})


def test_a_zero_run_too_long_for_the_sku_is_read_as_an_unrecorded_stockout() -> None:
    rng = np.random.default_rng(0)
    units = rng.poisson(3.0, 300).astype(float)
    units[100:114] = 0  # two weeks of zeros for a SKU that sells ~3 a day: nobody recorded it
    panel = build_panel(_one_sku(units))
    found = unrecorded_stockouts(panel.units, panel.instock)
    assert found[0, 100:114].all()
    assert found.sum() == 14 + (found[0, 114:116].sum() + found[0, 98:100].sum())
    # the run's own neighbours that happened to be zero may join it, nothing far away does
    assert not found[0, :95].any() and not found[0, 120:].any()


def test_zeros_natural_for_a_slow_sku_and_a_run_still_going_are_left_alone() -> None:
    rng = np.random.default_rng(1)
    slow = (rng.random(300) < 0.15).astype(float)  # sells on one day in seven
    slow[100:114] = 0  # two weeks without a sale: 10% likely for this SKU, not evidence
    panel = build_panel(_one_sku(slow))
    assert not unrecorded_stockouts(panel.units, panel.instock)[0, 100:114].any()
    fast = rng.poisson(3.0, 300).astype(float)
    fast[280:] = 0  # zeros up to the last day: maybe demand that stopped
    panel = build_panel(_one_sku(fast))
    assert not unrecorded_stockouts(panel.units, panel.instock)[0, 280:].any()


def test_recorded_stockout_days_neither_break_nor_join_an_inferred_run() -> None:
    rng = np.random.default_rng(2)
    units = rng.poisson(3.0, 300).astype(float)
    units[100:114] = 0
    stock = np.ones(300, int)
    stock[105:108] = 0  # Amazon recorded three of the days
    panel = build_panel(_one_sku(units, stock))
    found = unrecorded_stockouts(panel.units, panel.instock)
    assert found[0, [100, 101, 102, 103, 104, 108, 112, 113]].all()
    assert not found[0, 105:108].any()


def test_pools_are_categories_big_enough_else_the_catalogue() -> None:
    codes = np.array([0, 0, 0, 0, 0, 1, 1, np.nan, 2, 2, 2, 2, 2])
    group = pool_groups(codes)
    # category 1 (two SKUs) and the unknown one pool with the catalogue
    assert list(group) == [0] * 5 + [2, 2, 2] + [1] * 5
    level = np.array([1.0, 1, 1, 1, 1, 50, 50, 50, 9, 9, 9, 9, 9])
    prior = pool_prior(level, group)
    assert list(prior[:5]) == [1.0] * 5 and list(prior[8:]) == [9.0] * 5
    assert prior[5] == np.median(level)  # the catalogue pool is the catalogue's median


def test_a_young_sku_borrows_its_pools_last_year_and_an_old_one_keeps_its_own() -> None:
    days = 500
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    season = np.where((np.arange(days) % 364) < 60, 10.0, 2.0)  # a year's first 60 days: 5x
    rows = [pd.DataFrame({"sku": f"OLD{i}", "date": dates, "units": season, "in_stock": 1})
            for i in range(5)]
    young = dates[-100:]
    rows.append(pd.DataFrame({"sku": "NEW", "date": young, "units": 2.0, "in_stock": 1}))
    panel = build_panel(pd.concat(rows, ignore_index=True))
    sums = Sums(panel)
    origin = days - 1
    level = level_at(panel, sums, origin, 1.0)
    static = np.zeros((len(panel.skus), 2))
    pool = build_pool(panel, pool_groups(static[:, 0]))
    new = int(np.flatnonzero(panel.skus == "NEW")[0])
    h = np.array([365 - (origin % 364) + 20])  # a target well inside next year's busy 60 days
    own = make_rows(panel, sums, origin, np.array([new]), h, level, static)
    old = int(np.flatnonzero(panel.skus == "OLD0")[0])
    pooled = make_rows(panel, sums, origin, np.array([new, old]), np.repeat(h, 2), level, static,
                       pool)
    assert np.isnan(own["ly_season"][0])
    assert pooled["ly_season"][0] == pytest.approx(5.0)  # the pool's season: 10 against 2
    assert pooled["ly_pooled"].tolist() == [1.0, 0.0]
    old_own = make_rows(panel, sums, origin, np.array([old]), h, level, static)
    assert pooled["ly_season"][1] == pytest.approx(old_own["ly_season"][0])


def test_a_target_day_price_nobody_scheduled_is_unknown_not_the_regular_price() -> None:
    dates = pd.date_range("2025-01-01", periods=120, freq="D")
    hist = pd.DataFrame({"sku": ["A"] * 120 + ["B"] * 120, "date": list(dates) * 2,
                         "units": 2.0, "price": 20.0})
    panel = build_panel(hist)
    fp = pd.DataFrame({"sku": ["B", "B", "C"], "price": [15.0, 15.0, 1.0],
                       "date": [dates[-1] + pd.Timedelta(days=d) for d in (2, 40, 3)]})
    priced = panel.priced_days(10, fp)
    # only B's day 2 is in the 10 days ahead; an unknown SKU and a later day are ignored
    assert priced.shape == (2, 10)
    assert priced.sum() == 1 and priced[1, 1]
    ext = panel.extend(10, fp)
    sums = Sums(ext)
    origin = 119
    level = level_at(ext, sums, origin, 1.0)
    rows, h = np.array([0, 1, 1]), np.array([2, 2, 3])
    static = np.full((2, 2), np.nan)
    known = priced[rows, h - 1]
    x = make_rows(ext, sums, origin, rows, h, level, static, price_known=known)
    assert np.isnan(x["price_ratio"].iloc[0])  # A: regular price carried forward, not known
    assert x["price_ratio"].iloc[1] == pytest.approx(0.75)  # B's scheduled deal
    assert np.isnan(x["price_ratio"].iloc[2])
    assert make_rows(ext, sums, origin, rows, h, level, static)["price_ratio"].iloc[0] == 1.0
