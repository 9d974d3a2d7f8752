"""DemandForecaster on seeded synthetic series whose true daily mean is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.baselines import MovingAverage, SeasonalNaive
from forecasting.model import DemandForecaster
from forecasting.synthetic import synthetic_demand

FAST = {"num_boost_round": 150, "n_origins": 20, "horizons_per_origin": 8}
HORIZON = 28


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    df, static = synthetic_demand(60, 600, seed=11, stockout_rate=0.15)
    cutoff = df["date"].max() - pd.Timedelta(days=HORIZON)
    hist = df[df["date"] <= cutoff].rename(columns={"sold": "units"})
    return hist[["sku", "date", "units", "price", "in_stock"]], static, df, cutoff


@pytest.fixture(scope="module")
def fitted(data) -> DemandForecaster:
    hist, static, _, _ = data
    return DemandForecaster(seed=1, **FAST).fit(hist, static)


def _future(df: pd.DataFrame, cutoff: pd.Timestamp) -> pd.DataFrame:
    return df[(df["date"] > cutoff) & (df["date"] <= cutoff + pd.Timedelta(days=HORIZON))]


def test_predict_shape_and_quantile_order(fitted: DemandForecaster, data) -> None:
    hist, _, _, cutoff = data
    fc = fitted.predict(HORIZON)
    assert list(fc.columns) == ["sku", "date", "mean", "p10", "p50", "p90"]
    assert len(fc) == hist["sku"].nunique() * HORIZON
    assert fc["date"].min() == cutoff + pd.Timedelta(days=1)
    assert fc["date"].max() == cutoff + pd.Timedelta(days=HORIZON)
    assert (fc["p10"] <= fc["p50"]).all() and (fc["p50"] <= fc["p90"]).all()
    assert (fc["mean"] >= 0).all()


def test_beats_baselines_against_the_true_mean(fitted: DemandForecaster, data) -> None:
    hist, static, df, cutoff = data
    truth = _future(df, cutoff)[["sku", "date", "true_mean"]]

    def rmse(frame: pd.DataFrame) -> float:
        j = frame.merge(truth, on=["sku", "date"])
        return float(np.sqrt(((j["mean"] - j["true_mean"]) ** 2).mean()))

    ours = rmse(fitted.predict(HORIZON))
    assert ours < rmse(MovingAverage().fit(hist).predict(HORIZON))
    assert ours < rmse(SeasonalNaive().fit(hist).predict(HORIZON))
    j = fitted.predict(HORIZON).merge(truth, on=["sku", "date"])
    assert abs(j["mean"].sum() / j["true_mean"].sum() - 1) < 0.1


def test_censoring_removes_stockout_bias(fitted: DemandForecaster, data) -> None:
    hist, static, df, cutoff = data
    truth = _future(df, cutoff)[["sku", "date", "demand"]]
    naive = DemandForecaster(seed=1, censor=False, **FAST).fit(hist, static)

    def bias(model: DemandForecaster) -> float:
        j = model.predict(HORIZON).merge(truth, on=["sku", "date"])
        return float(j["mean"].sum() / j["demand"].sum() - 1)

    assert bias(naive) < -0.04  # reading stockout zeros as demand forecasts too little
    assert abs(bias(fitted)) < abs(bias(naive)) / 2


def test_window_totals_are_calibrated(fitted: DemandForecaster, data) -> None:
    _, _, df, cutoff = data
    actual = _future(df, cutoff).groupby("sku")["demand"].sum()
    tot = fitted.predict_totals(HORIZON).set_index("sku").join(actual)
    cover = float((tot["demand"] <= tot["p90"]).mean())
    below = float((tot["demand"] < tot["p10"]).mean())
    assert 0.75 <= cover <= 1.0
    assert below <= 0.25
    assert (tot["p10"] <= tot["p50"]).all() and (tot["p50"] <= tot["p90"]).all()
    # the total's band is much narrower than the sum of daily bands, wider than independent days
    daily = fitted.predict(HORIZON).groupby("sku")[["p10", "p90"]].sum()
    assert ((tot["p90"] - tot["p10"]) < (daily["p90"] - daily["p10"])).mean() > 0.9


def test_sample_paths_agree_with_total_quantiles(fitted: DemandForecaster) -> None:
    paths = fitted.sample_paths(HORIZON, n_paths=400, seed=3)
    tot = fitted.predict_totals(HORIZON).set_index("sku")
    assert set(paths) == set(tot.index)
    sim_p90, model_p90, sim_mean = [], [], []
    for sku, arr in paths.items():
        assert arr.shape == (400, HORIZON)
        assert arr.dtype.kind == "i" and (arr >= 0).all()
        sums = arr.sum(axis=1)
        sim_p90.append(np.quantile(sums, 0.9))
        sim_mean.append(sums.mean())
        model_p90.append(tot.loc[sku, "p90"])
    ratio = np.array(sim_p90) / np.maximum(model_p90, 1)
    assert 0.85 < np.median(ratio) < 1.15
    assert np.corrcoef(sim_mean, tot.loc[list(paths), "mean"])[0, 1] > 0.99


def test_totals_with_offset_cover_later_window(fitted: DemandForecaster) -> None:
    late = fitted.predict_totals(14, start_offset=14)
    daily = fitted.predict(HORIZON)
    second = (
        daily[daily["date"] > fitted.cutoff + pd.Timedelta(days=14)].groupby("sku")["mean"].sum()
    )
    assert np.allclose(late.set_index("sku")["mean"], second.loc[late["sku"]].to_numpy())


def test_same_seed_same_forecast_and_save_load(
    fitted: DemandForecaster, data, tmp_path: Path
) -> None:
    hist, static, _, _ = data
    again = DemandForecaster(seed=1, **FAST).fit(hist, static)
    pd.testing.assert_frame_equal(again.predict(HORIZON), fitted.predict(HORIZON))
    path = tmp_path / "model.npz"
    fitted.save(path)
    loaded = DemandForecaster.load(path)
    pd.testing.assert_frame_equal(loaded.predict(HORIZON), fitted.predict(HORIZON))
    pd.testing.assert_frame_equal(loaded.predict_totals(60), fitted.predict_totals(60))
    assert loaded.metrics["skus"] == hist["sku"].nunique()


def test_new_sku_gets_a_forecast_with_wider_interval(fitted: DemandForecaster, data) -> None:
    hist, static, _, cutoff = data
    # a young copy of an established SKU: same demand, only its last 14 days
    old = hist[hist["sku"] == "SKU0003"]
    young = old[old["date"] > cutoff - pd.Timedelta(days=14)].assign(sku="NEW")
    model = DemandForecaster(seed=1, **FAST).fit(pd.concat([hist, young]), static)
    tot = model.predict_totals(HORIZON).set_index("sku")
    width = (tot["p90"] - tot["p10"]) / tot["mean"].clip(lower=1)
    assert tot.loc["NEW", "mean"] > 0
    assert width["NEW"] > 1.3 * width["SKU0003"]


def test_future_prices_move_the_forecast(fitted: DemandForecaster) -> None:
    sku = str(fitted.skus[0])
    dates = pd.date_range(fitted.cutoff + pd.Timedelta(days=1), periods=HORIZON, freq="D")
    base = fitted.predict(HORIZON)
    price = float(fitted._panel.price[0, -1])
    cheap = fitted.predict(HORIZON, pd.DataFrame({"sku": sku, "date": dates, "price": price * 0.6}))
    assert cheap[cheap["sku"] == sku]["mean"].sum() > base[base["sku"] == sku]["mean"].sum()


def test_recursive_strategy_forecasts_every_day(data) -> None:
    hist, static, _, _ = data
    small = hist[hist["sku"].isin(sorted(hist["sku"].unique())[:10])]
    model = DemandForecaster(seed=1, strategy="recursive", **FAST).fit(small, static)
    fc = model.predict(40)
    assert len(fc) == 10 * 40
    assert np.isfinite(fc["mean"]).all() and (fc["mean"] > 0).any()


def test_unknown_parameter_is_an_error() -> None:
    with pytest.raises(TypeError, match="num_leafs"):
        DemandForecaster(num_leafs=3)


def test_a_seller_with_three_weeks_of_history_still_gets_wide_forecasts(tmp_path: Path) -> None:
    df, _ = synthetic_demand(5, 21, seed=2)
    hist = df.rename(columns={"sold": "units"})[["sku", "date", "units"]]
    model = DemandForecaster(seed=0, **FAST).fit(hist)
    tot = model.predict_totals(28)
    level = hist.groupby("sku")["units"].mean() * 28
    assert (tot["mean"] > 0).all()
    assert ((tot["p90"] - tot["p10"]) / tot["mean"] > 0.5).all()
    assert np.corrcoef(tot.set_index("sku")["mean"], level.loc[tot["sku"]])[0, 1] > 0.9
    model.save(tmp_path / "m.npz")
    pd.testing.assert_frame_equal(DemandForecaster.load(tmp_path / "m.npz").predict_totals(28), tot)


def test_pool_prior_and_inferred_stockouts_fit_save_and_load(tmp_path: Path) -> None:
    df, static = synthetic_demand(20, 400, seed=5, stockout_rate=0.1)
    hist = df.rename(columns={"sold": "units"})[["sku", "date", "units", "price", "in_stock"]]
    # hide two weeks of a selling SKU's sales without flagging them: an unrecorded stockout
    sku = hist.groupby("sku")["units"].mean().idxmax()
    days = hist["date"].max() - pd.Timedelta(days=60)
    hidden = (hist["sku"] == sku) & hist["date"].between(days, days + pd.Timedelta(days=13))
    hist.loc[hidden, ["units", "in_stock"]] = [0, 1]
    quick = {**FAST, "num_boost_round": 40, "n_origins": 10, "old_origins": 5}
    model = DemandForecaster(seed=1, pool=True, infer_stockouts=True, **quick).fit(hist, static)
    assert model.metrics["inferred_stockout_days"] >= int(hidden.sum())
    plain = DemandForecaster(seed=1, pool=False, infer_stockouts=False, **quick).fit(hist, static)
    # the hidden days no longer drag the SKU's level down
    row = int(np.flatnonzero(model.skus == sku)[0])
    assert model._level[row] > plain._level[row]
    assert isinstance(model._prior, np.ndarray) and len(model._prior) == len(model.skus)
    path = tmp_path / "pool.npz"
    model.save(path)
    loaded = DemandForecaster.load(path)
    pd.testing.assert_frame_equal(loaded.predict(HORIZON), model.predict(HORIZON))
    pd.testing.assert_frame_equal(loaded.predict_totals(60), model.predict_totals(60))


def test_a_model_file_from_before_the_pool_loads_as_it_was_fitted(tmp_path: Path) -> None:
    import json

    df, static = synthetic_demand(12, 300, seed=6)
    hist = df.rename(columns={"sold": "units"})[["sku", "date", "units", "price", "in_stock"]]
    quick = {**FAST, "num_boost_round": 30, "n_origins": 8, "old_origins": 0}
    old = DemandForecaster(seed=0, pool=False, infer_stockouts=False, **quick).fit(hist, static)
    path = tmp_path / "old.npz"
    old.save(path)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    meta = json.loads(str(arrays["meta"]))
    for key in ("pool", "infer_stockouts"):  # a file written before these parameters existed
        del meta["params"][key]
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez_compressed(path, **arrays)
    loaded = DemandForecaster.load(path)
    assert loaded.params["pool"] is False
    pd.testing.assert_frame_equal(loaded.predict(HORIZON), old.predict(HORIZON))


def _deals_every_friday() -> tuple[pd.DataFrame, pd.Timestamp]:
    """400 days of 20 SKUs whose Fridays always come with a deal (price 60% of list, demand x3),
    with a few random promotions (price 80%, demand x1.5) besides: an event whose lift the
    history shows beside its deal price, and whose coming deals nobody announces."""
    rng = np.random.default_rng(3)
    dates = pd.date_range("2024-10-01", periods=400, freq="D")
    frames = []
    for i in range(20):
        price = np.full(len(dates), 20.0 + i)
        lift = np.ones(len(dates))
        for s in rng.integers(0, len(dates) - 10, size=6):
            price[s: s + 7], lift[s: s + 7] = price[s] * 0.8, 1.5
        deal = dates.day_of_week == 4
        price[deal], lift[deal] = (20.0 + i) * 0.6, 3.0
        frames.append(pd.DataFrame({"sku": f"S{i:02d}", "date": dates, "price": price,
                                    "units": rng.poisson(rng.uniform(2, 6) * lift),
                                    "in_stock": 1}))
    return pd.concat(frames, ignore_index=True), dates[-1]


def test_an_event_that_always_comes_with_a_deal_is_forecast_with_its_lift() -> None:
    """The coming deal prices are not known at plan time: trained on every day's true price
    (price_known_share 1, the default: the product's price history is the list price, which
    shows no deal), the trees put the Friday lift on the price and forecast Fridays at the
    regular price; with the price hidden on half the training samples Fridays are forecast as
    they have always sold, and a deal the seller does schedule still moves the forecast."""
    hist, cutoff = _deals_every_friday()

    def friday_lift(fc: pd.DataFrame) -> float:
        on = fc["date"].dt.day_of_week == 4
        return float(fc.loc[on, "mean"].mean() / fc.loc[~on, "mean"].mean())

    hiding = DemandForecaster(seed=1, price_known_share=0.5, **FAST).fit(hist)
    hidden = friday_lift(hiding.predict(HORIZON))
    all_known = friday_lift(DemandForecaster(seed=1, **FAST).fit(hist).predict(HORIZON))
    assert hidden > 2.0
    assert all_known < hidden - 0.5
    # a Monday deal the seller schedules (a future price) lifts that Monday
    monday = next(d for d in pd.date_range(cutoff + pd.Timedelta(days=1), periods=7)
                  if d.day_of_week == 0)
    deal = pd.DataFrame({"sku": "S00", "date": [monday], "price": [12.0]})
    base, cheap = hiding.predict(HORIZON), hiding.predict(HORIZON, deal)
    pick = (base["sku"] == "S00") & (base["date"] == monday)
    assert cheap.loc[pick, "mean"].iloc[0] > 1.2 * base.loc[pick, "mean"].iloc[0]


def test_a_young_sku_ramping_up_is_forecast_above_its_trailing_mean() -> None:
    """The targets are ratios to each SKU's level, so the trees follow a launch's ramp past its
    trailing mean (not all the way: a steep rise is partly noise in most catalogues); SKUs that
    are flat are not lifted with it."""
    rng = np.random.default_rng(3)
    days, young, rate = 400, 150, np.log(4) / 150  # x4 over its 150 days
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    frames, trailing, ahead = [], {}, {}
    for i in range(40):
        first = days - young if i < 2 else 0
        t = np.arange(days - first + HORIZON)
        mean = 20.0 * np.exp(rate * t) if i < 2 else np.full(len(t), rng.uniform(2, 10))
        sku = f"S{i:02d}"
        trailing[sku], ahead[sku] = mean[-2 * HORIZON: -HORIZON].mean(), mean[-HORIZON:].mean()
        frames.append(pd.DataFrame({"sku": sku, "date": dates[first:],
                                    "units": rng.poisson(mean[:-HORIZON]).astype(float)}))
    model = DemandForecaster(seed=0, **FAST).fit(pd.concat(frames, ignore_index=True))
    ratio = model.predict(HORIZON).groupby("sku")["mean"].mean() / pd.Series(trailing)
    assert ahead["S00"] / trailing["S00"] > 1.25  # what a perfect forecast would show
    assert (ratio[["S00", "S01"]] > 1.08).all()
    assert 0.9 < ratio.drop(["S00", "S01"]).mean() < 1.1


def test_a_sku_younger_than_a_year_gets_wider_lead_time_totals_for_its_unseen_season() -> None:
    """A catalogue whose SKUs each have a yearly season of their own (random phase: no common
    season a pool could lend): a SKU launched 200 days ago cannot see its own, so its lead-time
    total is less certain than a year-old SKU's of the same level and noise; its mean is not
    moved (mean-one shock). young_season=0 switches the extra spread off."""
    rng = np.random.default_rng(5)
    days = 500
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    t = np.arange(days)
    frames = []
    for i in range(30):
        season = np.exp(0.35 * np.sin(2 * np.pi * t / 365.0 + rng.uniform(0, 2 * np.pi)))
        frames.append(pd.DataFrame({"sku": f"S{i:02d}", "date": dates,
                                    "units": rng.poisson(20.0 * season).astype(float)}))
    frames.append(pd.DataFrame({"sku": "MATURE", "date": dates,
                                "units": rng.poisson(20.0, days).astype(float)}))
    frames.append(pd.DataFrame({"sku": "YOUNG", "date": dates[-200:],
                                "units": rng.poisson(20.0, 200).astype(float)}))
    hist = pd.concat(frames, ignore_index=True)

    def spread(**params: float) -> tuple[pd.Series, pd.Series, dict[str, np.ndarray]]:
        model = DemandForecaster(seed=0, num_threads=1, **FAST, **params).fit(hist)
        tot = model.predict_totals(60, start_offset=60).set_index("sku")
        paths = model.sample_paths(120, n_paths=2000, seed=1)
        lead = {s: paths[s][:, 60:].sum(axis=1) for s in ("MATURE", "YOUNG")}
        return tot["p90"] / tot["p10"], tot["mean"], lead

    ratio, mean, lead = spread()
    off_ratio, off_mean, off_lead = spread(young_season=0.0)
    assert ratio["YOUNG"] > 1.15 * ratio["MATURE"]
    assert off_ratio["YOUNG"] < 1.05 * off_ratio["MATURE"]
    assert ratio["MATURE"] == off_ratio["MATURE"]
    assert mean["YOUNG"] == pytest.approx(off_mean["YOUNG"])

    def q(x: np.ndarray) -> float:
        return float(np.quantile(x, 0.9) / np.quantile(x, 0.1))

    assert q(lead["YOUNG"]) > 1.15 * q(lead["MATURE"])
    assert q(off_lead["YOUNG"]) < 1.05 * q(off_lead["MATURE"])
    assert lead["YOUNG"].mean() == pytest.approx(off_lead["YOUNG"].mean(), rel=0.05)
