"""Per-SKU forecast error tracking: the arithmetic by hand, and the hand-over between fits."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from forecasting.model import DemandForecaster
from forecasting.synthetic import synthetic_demand
from forecasting.tracking import ErrorTrack

FAST = {"num_boost_round": 80, "n_origins": 12, "horizons_per_origin": 6}


def _one(forecast: float, actual: float, days: int = 28, instock: float = 1.0):
    f = np.full((1, days), forecast)
    a = np.full((1, days), actual)
    seen = np.arange(days)[None, :] < round(instock * days)
    return f, a, seen


def test_bias_by_hand_shrunk_and_clipped() -> None:
    t = ErrorTrack.empty(np.array(["A"], dtype=object))
    t1 = t.update(*_one(10.0, 20.0), phi=np.array([0.1]))
    # (560 + 14 * 10) / (280 + 14 * 10) on a SKU's first window, taken whole
    assert np.exp(t1.bias[0]) == pytest.approx(700 / 420)
    # a second window halves the step towards the new evidence; 10x is clipped to 2x
    t2 = t1.update(*_one(10.0, 100.0), phi=np.array([0.1]))
    assert t2.bias[0] == pytest.approx(0.5 * np.log(2.0) + 0.5 * np.log(700 / 420))
    mult, _, _ = t2.adjust(np.array([0.05]), 1e-3)
    assert mult[0] == pytest.approx(np.exp(t2.bias[0]))


def test_stockout_windows_teach_nothing() -> None:
    t = ErrorTrack.empty(np.array(["A"], dtype=object))
    out = t.update(*_one(10.0, 0.0, instock=0.25), phi=np.array([0.1]))
    assert out.bias[0] == 0 and np.isnan(out.excess[0]) and out.windows[0] == 0


def test_spread_follows_the_skus_own_errors() -> None:
    skus = np.array(["steady", "wild"], dtype=object)
    t = ErrorTrack.empty(skus)
    f = np.full((2, 28), 10.0)
    rng = np.random.default_rng(0)
    for k in range(4):
        a = np.vstack([np.full(28, 10.0), np.full(28, 10.0 * (3.0 if k % 2 else 0.4))])
        a = a + rng.integers(-1, 2, size=a.shape)
        t = t.update(f, a, np.ones((2, 28), bool), phi=np.array([0.05, 0.05]))
    var0 = np.array([0.05, 0.05])
    _, v0, drift = t.adjust(var0, 1e-3)
    # steady: errors within NB noise -> below the pooled spread; wild: above it (capped at 4x)
    assert v0[0] < var0[0] * 0.5
    assert v0[1] > var0[1] * 2
    assert drift[1] / 1e-3 == pytest.approx(v0[1] / var0[1])


def test_aligned_keeps_known_skus_and_starts_new_ones_empty() -> None:
    t = ErrorTrack.empty(np.array(["A", "B"], dtype=object))
    t = t.update(np.full((2, 28), 5.0), np.full((2, 28), 8.0), np.ones((2, 28), bool),
                 phi=np.array([0.1, 0.1]))
    out = t.aligned(np.array(["B", "C"], dtype=object))
    assert out.bias[0] == pytest.approx(t.bias[1]) and out.windows[0] == 1
    assert out.bias[1] == 0 and out.windows[1] == 0 and np.isnan(out.excess[1])


@pytest.fixture(scope="module")
def shifted():
    """60 SKUs; after the first cutoff SKU 0's sales jump to 4x what its history said."""
    df, static = synthetic_demand(60, 500, seed=5)
    df = df.rename(columns={"sold": "units"})[["sku", "date", "units", "price", "in_stock"]]
    first_cut = df["date"].max() - pd.Timedelta(days=28)
    sku0 = sorted(df["sku"].unique())[0]
    later = (df["sku"] == sku0) & (df["date"] > first_cut)
    df.loc[later, "units"] = df.loc[later, "units"] * 4 + 5
    return df, first_cut, sku0


def test_refit_hands_over_the_error_track(shifted, tmp_path: Path) -> None:
    df, first_cut, sku0 = shifted
    old = DemandForecaster(seed=0, **FAST).fit(df[df["date"] <= first_cut])
    assert old.track is None
    new = DemandForecaster(seed=0, **FAST).fit(df, previous=old)
    plain = DemandForecaster(seed=0, **FAST).fit(df)
    assert new.track is not None and new.metrics["tracked_skus"] == 60
    i = list(new.skus).index(sku0)
    assert new.track.bias[i] > 0.3  # it was missed low by far more than the prior allows
    with_track = new.predict(28).groupby("sku")["mean"].sum()
    without = plain.predict(28).groupby("sku")["mean"].sum()
    assert with_track[sku0] > 1.3 * without[sku0]
    paths = new.sample_paths(28, n_paths=400, seed=1)[sku0].sum(axis=1).mean()
    assert paths == pytest.approx(with_track[sku0], rel=0.15)
    # the track travels with the saved model, so the product's next retrain can continue it
    new.save(tmp_path / "m.npz")
    back = DemandForecaster.load(tmp_path / "m.npz")
    assert back.track is not None and np.allclose(back.track.bias, new.track.bias)
    assert np.allclose(back.predict(28)["mean"], new.predict(28)["mean"])


def test_a_model_saved_before_tracking_still_hands_over(shifted, tmp_path: Path) -> None:
    df, first_cut, _ = shifted
    old = DemandForecaster(seed=0, **FAST).fit(df[df["date"] <= first_cut])
    old.save(tmp_path / "old.npz")
    with np.load(tmp_path / "old.npz") as z:
        assert "track_bias" not in z.files
    prev = DemandForecaster.load(tmp_path / "old.npz")
    assert prev.track is None
    new = DemandForecaster(seed=0, **FAST).fit(df, previous=prev)
    assert new.track is not None and (new.track.windows > 0).sum() == 60
