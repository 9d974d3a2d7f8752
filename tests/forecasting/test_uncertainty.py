"""forecasting.uncertainty: per-class calibration of window totals on a holdout."""

from __future__ import annotations

import numpy as np

from forecasting.uncertainty import (
    Calibration,
    PerSku,
    fit_calibration,
    holdout_blocks,
    nb_quantiles,
    season_spread,
    start_variance,
    window_moments,
)


def _holdout(seed: int = 5):
    """60 steady SKUs whose level is known (Poisson days around the forecast), and 60 whose
    level is off by a lognormal factor of sd 0.5 for the whole window: two classes."""
    rng = np.random.default_rng(seed)
    n, days = 120, 56
    group = np.repeat([0, 1], n // 2)
    level = rng.uniform(2.0, 8.0, n)
    means = np.repeat(level[:, None], days, axis=1)
    shift = np.where(group == 1, np.exp(rng.normal(-0.125, 0.5, n)), 1.0)
    actual = rng.poisson(means * shift[:, None]).astype(float)
    ok = np.ones((n, days), bool)
    seen = np.full(n, 91.0)
    phi = np.full(n, 0.01)
    return means, actual, ok, level, seen, phi, group


def _cover(cal: Calibration, means, actual, level, seen, phi) -> float:
    v0 = start_variance(cal, level, seen)
    tot, var = window_moments(means[:, :28], v0, phi, cal, np.zeros(len(level)))
    _, _, p90 = nb_quantiles(tot, var)
    return float(np.mean(actual[:, :28].sum(axis=1) <= p90))


def test_each_class_gets_its_own_spread_and_covers_its_holdout() -> None:
    daily = _holdout()
    means, actual, ok, level, seen, phi, group = daily
    per, report = fit_calibration(holdout_blocks(*daily), daily,
                                  ("steady", "shifting"))
    assert set(per.by_class) == {0, 1}
    assert per.by_class[1].common > per.by_class[0].common
    for name in ("steady", "shifting"):
        assert 0.85 <= report[f"holdout_total_p90_coverage_{name}"] <= 0.95
    # one pooled spread for both is too wide for one class or too narrow for the other
    pooled = [_cover(per.pooled, means[group == g], actual[group == g], level[group == g],
                     seen[group == g], phi[group == g]) for g in (0, 1)]
    own = [_cover(per.rows(group[group == g]), means[group == g], actual[group == g],
                  level[group == g], seen[group == g], phi[group == g]) for g in (0, 1)]
    assert max(abs(c - 0.9) for c in own) < max(abs(c - 0.9) for c in pooled)


def test_a_higher_coverage_target_widens_every_class_to_reach_it() -> None:
    """The product asks its holdout P90 to cover a set share (DemandForecaster's
    `holdout_p90`); asked for more, each class's spread widens until its holdout totals do."""
    daily = _holdout()
    _, _, _, level, seen, _, group = daily
    blocks = holdout_blocks(*daily)
    usual, low = fit_calibration(blocks, daily, ("steady", "shifting"))
    wide, high = fit_calibration(blocks, daily, ("steady", "shifting"), (0.96, 1.0))
    before = start_variance(usual.rows(group), level, seen)
    after = start_variance(wide.rows(group), level, seen)
    for k, name in enumerate(("steady", "shifting")):
        assert high[f"holdout_total_p90_coverage_{name}"] >= 0.96
        assert low[f"holdout_total_p90_coverage_{name}"] <= 0.95
        assert (after[group == k] > before[group == k]).all()


def test_a_class_with_too_few_holdout_totals_uses_the_pooled_terms() -> None:
    daily = list(_holdout())
    group = daily[6].copy()
    group[:5] = 2  # five SKUs of a third class: ten holdout totals
    daily[6] = group
    per, _ = fit_calibration(holdout_blocks(*daily), tuple(daily))
    assert 2 not in per.by_class
    rows = per.rows(np.array([2, 0, 1]))
    assert rows.common[0] == per.pooled.common
    assert rows.common[1] == per.by_class[0].common
    assert rows.drift[2] == per.by_class[1].drift


def test_calibration_round_trips_and_reads_the_older_single_form() -> None:
    per = PerSku(Calibration(0.01, 1.0, 2.0, 1e-3, 0.5), {1: Calibration(0.08, 0.0, 2.0, 0.0, 1.5)})
    assert PerSku.from_dict(per.as_dict()) == per
    old = PerSku.from_dict(Calibration(0.02).as_dict())
    assert old.pooled == Calibration(0.02) and old.by_class == {}


def test_season_spread_grows_with_the_catalogues_own_seasons_and_is_zero_without() -> None:
    """The log-variance by horizon that SKUs' own yearly seasons (random phase, so no pool's
    median removes them) put on a level, growing with the horizon; near zero for flat SKUs
    (counting noise taken out), and zero for a history too short."""
    rng = np.random.default_rng(1)
    n, days = 60, 420
    t = np.arange(days)
    phase = rng.uniform(0, 2 * np.pi, n)[:, None]
    instock = np.ones((n, days), bool)
    first = np.zeros(n, np.int64)
    group = np.zeros(n, np.int64)
    phi = np.full(n, 0.01)
    seasonal = rng.poisson(30 * np.exp(0.4 * np.sin(2 * np.pi * t / 365 + phase))).astype(float)
    flat = rng.poisson(30.0, (n, days)).astype(float)
    s = season_spread(seasonal, instock, first, group, phi, 120)
    f = season_spread(flat, instock, first, group, phi, 120)
    assert s.shape == (121,) and s[0] == 0.0
    assert np.all(np.diff(s) >= 0)
    # log amplitude A = 0.4: the window 91-118 days ahead is ~150 days from the middle of the
    # 91 days to the origin, A^2 (1 - cos(2 pi 150 / 365)) = 0.30, less the horizon-0 part
    # (~60 days apart: 0.08), both a little smoothed by the windows
    assert 0.12 < s[90] < 0.3
    assert s[28] < s[90] / 2
    assert f[90] < 0.01
    assert not season_spread(seasonal[:, :30], instock[:, :30], first, group, phi, 120).any()
