"""forecasting.uncertainty: per-class calibration of window totals on a holdout."""

from __future__ import annotations

import numpy as np

from forecasting.uncertainty import (
    Calibration,
    PerSku,
    fit_calibration,
    holdout_blocks,
    nb_quantiles,
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
