"""Predictive distributions: negative-binomial days times a per-path level that drifts.

Daily demand given the path level L_t is negative binomial with mean L_t * mu_t and the SKU's
dispersion phi (Var = m + phi m^2). log L_t starts at N(-s0/2, s0) (how well we know the level
today; wider for young and slow SKUs) and walks with variance `drift` per day (how far it can
wander by the end of the lead time). Sharing L across days is what makes window totals wide:
summing daily quantiles would be too wide, treating days as independent far too narrow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import special, stats

QUANTILES = (0.1, 0.5, 0.9)


@dataclass
class Calibration:
    """Level variance terms and a dispersion scale, fitted on a time-ordered holdout."""

    common: float = 0.05  # variance of log level every SKU shares
    estimation: float = 2.0  # times 1 / (expected units seen in the level window)
    youth: float = 2.0  # times 1 / (in-stock days seen): little history, less known structure
    drift: float = 1e-3  # daily variance of the level's random walk
    dispersion_scale: float = 1.0

    def as_dict(self) -> dict[str, float]:
        """Plain dict for json."""
        return asdict(self)


def start_variance(cal: Calibration, level: np.ndarray, seen_days: np.ndarray) -> np.ndarray:
    """Variance of log level at the origin for each SKU."""
    return cal.common + cal.estimation / (seen_days * level + 1.0) + cal.youth / (seen_days + 1.0)


def window_moments(
    means: np.ndarray, var0: np.ndarray, phi: np.ndarray, cal: Calibration, offset: np.ndarray,
    drift: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the total of `means` (sku x days) over days starting at `offset`;
    `drift` per SKU overrides the calibration's."""
    width = means.shape[1]
    total = means.sum(axis=1)
    sq = (means**2).sum(axis=1)
    daily = cal.drift if drift is None else drift
    # variance of the window-average of a random walk started `offset` days in: offset + W/3
    v = np.expm1(var0 + daily * (offset + width / 3.0))
    phi_eff = phi * cal.dispersion_scale
    var = total + (1.0 + v) * phi_eff * sq + v * total**2
    return total, var


def nb_quantiles(mean: np.ndarray, var: np.ndarray, qs: tuple[float, ...] = QUANTILES) -> list:
    """Integer quantiles of the negative binomial with this mean and variance (Poisson if less)."""
    mean = np.maximum(np.asarray(mean, float), 1e-9)
    var = np.maximum(np.asarray(var, float), mean * (1 + 1e-9))
    p = mean / var
    n = mean * p / (1 - p)
    return [stats.nbinom.ppf(q, n, p) for q in qs]


def gamma_quantiles(mean: np.ndarray, var: np.ndarray, qs: tuple[float, ...]) -> list:
    """Continuous stand-in for nb_quantiles, cheap enough for a calibration grid search."""
    mean = np.maximum(mean, 1e-9)
    shape = mean**2 / np.maximum(var, 1e-12)
    scale = var / mean
    return [special.gammaincinv(shape, q) * scale for q in qs]


def pinball(actual: np.ndarray, quantile: np.ndarray, q: float) -> np.ndarray:
    """Pinball (quantile) loss, element-wise."""
    diff = actual - quantile
    return np.maximum(q * diff, (q - 1) * diff)


def dispersion(units: np.ndarray, instock: np.ndarray, end: int) -> np.ndarray:
    """Per-SKU negative-binomial dispersion around a 28-day centred mean, shrunk to the pool."""
    lo = max(0, end - 365)
    y = units[:, lo:end]
    ok = instock[:, lo:end] & ~np.isnan(y)
    y0 = np.where(ok, y, 0.0)
    num = _centred_sum(y0, 14)
    den = _centred_sum(ok.astype(float), 14)
    m = np.where(den > 0, num / np.maximum(den, 1), 0.0)
    excess = (np.where(ok, (y0 - m) ** 2 - m, 0.0)).sum(axis=1)
    m2 = np.where(ok, m**2, 0.0).sum(axis=1)
    pooled = max(excess.sum(), 0.0) / max(m2.sum(), 1e-9)
    raw = np.clip(np.where(m2 > 0, excess / np.maximum(m2, 1e-9), pooled), 0.0, 5.0)
    w = m2 / (m2 + np.median(m2[m2 > 0]) if (m2 > 0).any() else m2 + 1.0)
    return np.clip(w * raw + (1 - w) * pooled, 1e-3, 5.0)


def _centred_sum(x: np.ndarray, half: int) -> np.ndarray:
    """Sum over days t-half .. t+half along axis 1, clipped at the edges."""
    c = np.hstack([np.zeros((x.shape[0], 1)), np.cumsum(x, axis=1)])
    t = np.arange(x.shape[1])
    hi = np.minimum(t + half + 1, x.shape[1])
    lo = np.maximum(t - half, 0)
    return c[:, hi] - c[:, lo]


def fit_calibration(
    means: np.ndarray,
    actual: np.ndarray,
    ok: np.ndarray,
    level: np.ndarray,
    seen: np.ndarray,
    phi: np.ndarray,
    window: int = 28,
) -> tuple[Calibration, dict[str, float]]:
    """Grid-search the level terms on window totals, then the dispersion scale on days."""
    width = means.shape[1]
    starts = list(range(0, width - window + 1, window)) or [0]
    win = min(window, width)
    blocks = []
    for s in starts:
        sl = slice(s, s + win)
        good = ok[:, sl].mean(axis=1) >= 0.5
        # both sides summed over in-stock days only: a stockout says nothing about demand
        f = np.where(ok[:, sl], means[:, sl], 0.0)
        a = np.where(ok[:, sl], actual[:, sl], 0.0).sum(axis=1)
        blocks.append((f[good], a[good], np.full(good.sum(), float(s)), np.flatnonzero(good)))
    scale = np.maximum(level * win, 1.0)
    best: tuple[float, Calibration] | None = None
    for common in (0.0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32):
        for est in (0.0, 0.5, 1.0, 2.0, 4.0):
            for drift in (0.0, 3e-4, 1e-3, 3e-3):
                cal = Calibration(common, est, 2.0, drift, 1.0)
                loss = 0.0
                for f, a, off, idx in blocks:
                    v0 = start_variance(cal, level[idx], seen[idx])
                    tot, var = window_moments(f, v0, phi[idx], cal, off)
                    qv = gamma_quantiles(tot, var, QUANTILES)
                    loss += sum(
                        (pinball(a, qq, q) / scale[idx]).sum()
                        for q, qq in zip(QUANTILES, qv, strict=True)
                    )
                if best is None or loss < best[0]:
                    best = (loss, cal)
    assert best is not None
    cal = best[1]
    v0 = start_variance(cal, level, seen)
    day_scale = np.maximum(level, 0.1)[:, None]
    best_d: tuple[float, float] | None = None
    for ds in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0):
        cal.dispersion_scale = ds
        v = np.expm1(v0[:, None] + cal.drift * np.arange(width)[None, :])
        var = means + (1 + v) * phi[:, None] * ds * means**2 + v * means**2
        qs = nb_quantiles(means, var)
        loss = sum(
            (np.where(ok, pinball(actual, qq, q), 0.0) / day_scale).sum()
            for q, qq in zip(QUANTILES, qs, strict=True)
        )
        if best_d is None or loss < best_d[0]:
            best_d = (loss, ds)
    assert best_d is not None
    cal.dispersion_scale = best_d[1]
    # report the holdout coverage the chosen calibration reaches
    f, a, off, idx = blocks[0]
    tot, var = window_moments(f, v0[idx], phi[idx], cal, off)
    lo, _, hi = nb_quantiles(tot, var)
    report = {
        "holdout_windows": float(len(a)),
        "holdout_total_p90_coverage": float(np.mean(a <= hi)) if len(a) else float("nan"),
        "holdout_total_p10_coverage": float(np.mean(a < lo)) if len(a) else float("nan"),
    }
    return cal, report
