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


@dataclass
class Block:
    """Holdout window totals of some SKUs from one origin: daily means over the window (only the
    in-stock days count), the actual in-stock total, days from the origin to the window's start,
    and each SKU's level, days seen, dispersion and demand class at that origin."""

    means: np.ndarray
    actual: np.ndarray
    offset: np.ndarray
    level: np.ndarray
    seen: np.ndarray
    phi: np.ndarray
    group: np.ndarray

    def pick(self, keep: np.ndarray) -> Block:
        """The rows where `keep`."""
        return Block(self.means[keep], self.actual[keep], self.offset[keep], self.level[keep],
                     self.seen[keep], self.phi[keep], self.group[keep])


def holdout_blocks(means: np.ndarray, actual: np.ndarray, ok: np.ndarray, level: np.ndarray,
                   seen: np.ndarray, phi: np.ndarray, group: np.ndarray,
                   window: int = 28) -> list[Block]:
    """Consecutive `window`-day totals of one origin's holdout (SKUs in stock half the window
    or more); both sides are summed over in-stock days only: a stockout says nothing about
    demand."""
    width = means.shape[1]
    starts = list(range(0, width - window + 1, window)) or [0]
    win = min(window, width)
    out = []
    for s in starts:
        sl = slice(s, s + win)
        good = ok[:, sl].mean(axis=1) >= 0.5
        f = np.where(ok[:, sl], means[:, sl], 0.0)
        a = np.where(ok[:, sl], actual[:, sl], 0.0).sum(axis=1)
        out.append(Block(f[good], a[good], np.full(good.sum(), float(s)), level[good],
                         seen[good], phi[good], group[good]))
    return out


def _grid_search(blocks: list[Block]) -> Calibration:
    """The level terms of least total pinball loss (P10, P50, P90) over the blocks' totals."""
    best: tuple[float, Calibration] | None = None
    for common in (0.0, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32):
        for est in (0.0, 0.5, 1.0, 2.0, 4.0):
            for drift in (0.0, 3e-4, 1e-3, 3e-3):
                cal = Calibration(common, est, 2.0, drift, 1.0)
                loss = 0.0
                for b in blocks:
                    if not len(b.actual):
                        continue
                    v0 = start_variance(cal, b.level, b.seen)
                    tot, var = window_moments(b.means, v0, b.phi, cal, b.offset)
                    qv = gamma_quantiles(tot, var, QUANTILES)
                    scale = np.maximum(b.level * b.means.shape[1], 1.0)
                    loss += sum(
                        (pinball(b.actual, qq, q) / scale).sum()
                        for q, qq in zip(QUANTILES, qv, strict=True)
                    )
                if best is None or loss < best[0]:
                    best = (loss, cal)
    assert best is not None
    return best[1]


def _dispersion_scale(cal: Calibration, means: np.ndarray, actual: np.ndarray, ok: np.ndarray,
                      level: np.ndarray, seen: np.ndarray, phi: np.ndarray) -> float:
    """The dispersion scale of least daily pinball loss, given the level terms."""
    if not len(means):
        return cal.dispersion_scale
    width = means.shape[1]
    v0 = start_variance(cal, level, seen)
    day_scale = np.maximum(level, 0.1)[:, None]
    best_d: tuple[float, float] | None = None
    for ds in (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0):
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
    return best_d[1]


def _coverage(blocks: list[Block], cal: Calibration | PerSku) -> tuple[float, float, int]:
    """Share of the blocks' actual totals at or below their P90, below their P10, and count."""
    hits, lows, n = 0, 0, 0
    for b in blocks:
        if not len(b.actual):
            continue
        c = cal if isinstance(cal, Calibration) else cal.rows(b.group)
        v0 = start_variance(c, b.level, b.seen)
        tot, var = window_moments(b.means, v0, b.phi, c, b.offset)
        lo, _, hi = nb_quantiles(tot, var)
        hits += int((b.actual <= hi).sum())
        lows += int((b.actual < lo).sum())
        n += len(b.actual)
    return (hits / n, lows / n, n) if n else (float("nan"), float("nan"), 0)


@dataclass
class PerSku:
    """A calibration per demand class (forecasting.demand_class.CLASSES order) with the pooled
    one for classes the holdout had too few SKUs of; `rows(classes)` gives, for each row's
    class, its terms as arrays (every function here takes those as it takes scalars)."""

    pooled: Calibration
    by_class: dict[int, Calibration]

    def rows(self, classes: np.ndarray) -> Calibration:
        """Per-row terms: each row's class's calibration (the pooled one where it has none)."""
        classes = np.asarray(classes, dtype=np.int64)
        cols: dict[str, np.ndarray] = {}
        for name, value in self.pooled.as_dict().items():
            col = np.full(len(classes), float(value))
            for k, cal in self.by_class.items():
                col[classes == k] = getattr(cal, name)
            cols[name] = col
        return Calibration(**cols)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        """Plain dict for json: the pooled terms and each class's."""
        return {"pooled": self.pooled.as_dict(),
                "by_class": {str(k): c.as_dict() for k, c in self.by_class.items()}}

    @classmethod
    def from_dict(cls, d: dict) -> PerSku:
        """Read as_dict()'s form; a plain Calibration dict (older models) is the pooled one."""
        if "pooled" not in d:
            return cls(Calibration(**d), {})
        return cls(Calibration(**d["pooled"]),
                   {int(k): Calibration(**c) for k, c in d.get("by_class", {}).items()})


MIN_CLASS_WINDOWS = 24  # holdout totals a class needs for a calibration of its own
TARGET_COVERAGE = (0.88, 0.92)  # fit_calibration's default; DemandForecaster passes holdout_p90's
# Multipliers of the level variance terms tried after the pinball fit, so that the holdout P90
# of totals covers the target band (0.88-0.92 unless the caller asks for another): the sum of
# three pinball losses settles the spread where the distribution's shape (not the data) puts
# it, e.g. a P90 covering 0.84 and a P10 0.04. The one nearest 1 within the band is kept (1
# itself if it is in), else the one covering nearest the band's centre.
SPREAD_SCALES = (0.05, 0.1, 0.15, 0.25, 0.35, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.15, 1.3, 1.5,
                 1.75, 2.0, 2.5, 3.0, 4.0, 6.0)


def scaled(cal: Calibration, k: float) -> Calibration:
    """`cal` with its level variance terms (start and drift) times k."""
    return Calibration(cal.common * k, cal.estimation * k, cal.youth * k, cal.drift * k,
                       cal.dispersion_scale)


def _spread_to_coverage(cal: Calibration, blocks: list[Block],
                        target: tuple[float, float] = TARGET_COVERAGE) -> Calibration:
    """`cal` with its level terms scaled so the blocks' P90 coverage is in `target`
    (see SPREAD_SCALES)."""
    lo, hi = target
    best: tuple[float, float, Calibration] | None = None
    for k in SPREAD_SCALES:
        c = scaled(cal, k)
        cover, _, n = _coverage(blocks, c)
        if not n:
            return cal
        miss = 0.0 if lo <= cover <= hi else round(abs(cover - (lo + hi) / 2), 6)
        key = (miss, abs(np.log(k)))
        if best is None or key < best[:2]:
            best = (key[0], key[1], c)
    assert best is not None
    return best[2]


def fit_calibration(
    blocks: list[Block],
    daily: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                 np.ndarray],
    names: tuple[str, ...] = (),
    target: tuple[float, float] = TARGET_COVERAGE,
) -> tuple[PerSku, dict[str, float]]:
    """Grid-search the level terms on window totals, then the dispersion scale on days: pooled
    over every SKU, then again for each demand class with MIN_CLASS_WINDOWS holdout totals or
    more, on that class's alone (a class's spread is its own: on real series one pooled fit
    covered smooth SKUs' totals 100% of the time and lumpy ones' 89%).

    `blocks`: holdout totals (holdout_blocks, of one or more origins, time-ordered after the
    training data); `daily`: the first origin's daily (means, actual, ok, level, seen, phi,
    group) for the dispersion scale."""
    means, actual, ok, level, seen, phi, group = daily
    pooled = _grid_search(blocks)
    pooled.dispersion_scale = _dispersion_scale(pooled, means, actual, ok, level, seen, phi)
    pooled = _spread_to_coverage(pooled, blocks, target)
    by_class: dict[int, Calibration] = {}
    for k in sorted({int(g) for b in blocks for g in b.group}):
        mine = [b.pick(b.group == k) for b in blocks]
        if sum(len(b.actual) for b in mine) < MIN_CLASS_WINDOWS:
            continue
        cal = _grid_search(mine)
        rows = group == k
        cal.dispersion_scale = _dispersion_scale(cal, means[rows], actual[rows], ok[rows],
                                                 level[rows], seen[rows], phi[rows])
        by_class[k] = _spread_to_coverage(cal, mine, target)
    per = PerSku(pooled, by_class)
    cover, below, n = _coverage(blocks, per)
    report: dict[str, float] = {
        "holdout_windows": float(n),
        "holdout_total_p90_coverage": cover,
        "holdout_total_p10_coverage": below,
    }
    for k in sorted({int(g) for b in blocks for g in b.group}):
        mine = [b.pick(b.group == k) for b in blocks]
        c, _, m = _coverage(mine, per)
        name = names[k] if k < len(names) else str(k)
        report[f"holdout_total_p90_coverage_{name}"] = c
        report[f"holdout_windows_{name}"] = float(m)
    return per, report


SEASON_STEP = 14  # horizons (and origins) of season_spread, days apart


def season_spread(units: np.ndarray, instock: np.ndarray, first: np.ndarray, group: np.ndarray,
                  phi: np.ndarray, max_horizon: int, year: int = 364) -> np.ndarray:
    """How far the catalogue's own yearly seasons move demand away from its level, by horizon:
    `out[h]` (h = 0 .. max_horizon) is the log-variance a forecast that cannot see a SKU's own
    last year misses on the 28-day window h+1 .. h+28 days ahead.

    Measured on the SKUs with a full year before each origin, over the last `year` days: the
    log ratio of each in-stock 28-day mean h days ahead of an origin to the 91 days up to it,
    less its pool's median (the season a young SKU borrows from its pool, features.Pool), its
    variance less the counting noise; the horizon-0 variance (promotions, noise: what the
    calibration already covers for every SKU) is subtracted, what is left is season (and the
    little that trends add). Zero where there is no mature SKU to measure."""
    n, days = units.shape
    last = days - 1
    ok = instock & ~np.isnan(units)
    y = np.where(ok, units, 0.0)
    cy = np.hstack([np.zeros((n, 1)), np.cumsum(y, axis=1)])
    cm = np.hstack([np.zeros((n, 1)), np.cumsum(ok, axis=1, dtype=float)])
    hs = np.arange(0, max_horizon + 1, SEASON_STEP)
    d = np.full(len(hs), np.nan)
    for j, h in enumerate(hs):
        devs, noise = [], []
        o = last - 28 - int(h)
        while o - 90 >= max(last - year, 0):
            s_l, c_l = cy[:, o + 1] - cy[:, o - 90], cm[:, o + 1] - cm[:, o - 90]
            s_f = cy[:, o + h + 29] - cy[:, o + h + 1]
            c_f = cm[:, o + h + 29] - cm[:, o + h + 1]
            good = (first <= o - 90) & (c_l >= 45) & (c_f >= 14) & (s_l >= 50) & (s_f > 0)
            if good.sum() >= 10:
                lv = s_l[good] / c_l[good]
                fu = s_f[good] / c_f[good]
                x = np.log(fu / lv)
                g = group[good]
                for k in np.unique(g):
                    x[g == k] -= np.median(x[g == k])
                devs.append(x)
                noise.append(1 / s_f[good] + 1 / s_l[good] + phi[good] / c_f[good])
            o -= SEASON_STEP
        if devs:
            x2 = np.concatenate(devs) ** 2
            cap = np.quantile(x2, 0.975)  # a few SKUs' promotions and stockouts, not seasons
            d[j] = np.mean(np.minimum(x2, cap)) - np.mean(np.concatenate(noise))
    if np.isnan(d[0]):
        return np.zeros(max_horizon + 1)
    d = np.maximum.accumulate(np.maximum(np.nan_to_num(d - d[0]), 0.0))
    return np.interp(np.arange(max_horizon + 1), hs, d)
