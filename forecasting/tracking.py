"""Per-SKU forecast error tracking across refits.

One global model misses some SKUs in the same direction refit after refit (a launch still
ramping up, a season the year of history could not show), and its calibrated uncertainty is a
pool: a steady SKU carries the spread of the hard ones, a hard one too little of its own. Each
refit therefore compares the previous model's forecast with the sales that came in since (on
in-stock days only: a stockout says nothing about demand) and carries forward, per SKU:

- `bias`: a smoothed log(actual / forecast), shrunk with two weeks of the forecast as prior and
  clipped to [1/2, 2] per window; the new model's means are multiplied by exp(bias);
- `excess`: a smoothed squared log error beyond what negative binomial noise explains; the
  level variance (start and drift) is scaled towards it, by the evidence seen so far.

Smoothing weights are per 28 days of evidence, so a daily and a monthly retrain cadence learn at
the same speed. Measured on the replay bench (bench/RESULTS.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WINDOW = 28          # days of evidence one smoothing step stands for
ALPHA_BIAS = 0.5     # weight of one window's log error in the bias
ALPHA_VAR = 0.5      # weight of one window's excess squared error
PRIOR_DAYS = 14      # days of forecast added to both sides of the bias ratio
RATIO_CLIP = (0.5, 2.0)
PRIOR_WINDOWS = 1.0  # windows of pooled variance the SKU's own errors are blended with
REF_HORIZON = 40     # days of drift in the pooled variance the SKU's own error is compared to
SCALE_CLIP = (0.25, 4.0)
MIN_INSTOCK_SHARE = 0.5


@dataclass
class ErrorTrack:
    """Tracked forecast errors, one entry per SKU in `skus` order."""

    skus: np.ndarray
    bias: np.ndarray
    excess: np.ndarray   # NaN until the SKU has had a usable window
    windows: np.ndarray  # windows of evidence behind `excess`

    @classmethod
    def empty(cls, skus: np.ndarray) -> ErrorTrack:
        """No evidence yet: no bias, pooled variance."""
        n = len(skus)
        return cls(np.asarray(skus, dtype=object), np.zeros(n), np.full(n, np.nan), np.zeros(n))

    def aligned(self, skus: np.ndarray) -> ErrorTrack:
        """The same track over another SKU list; SKUs it has not seen start empty."""
        idx = _index(self.skus).get
        pos = np.array([idx(str(s), -1) for s in skus], dtype=np.int64)
        have = pos >= 0
        out = ErrorTrack.empty(skus)
        out.bias[have] = self.bias[pos[have]]
        out.excess[have] = self.excess[pos[have]]
        out.windows[have] = self.windows[pos[have]]
        return out

    def update(self, forecast: np.ndarray, actual: np.ndarray, instock: np.ndarray,
               phi: np.ndarray) -> ErrorTrack:
        """Fold in one span: `forecast` daily means made before it, `actual` sales, `instock`
        days to read, `phi` the NB dispersion the forecast assumed; all (skus, days)."""
        forecast = np.asarray(forecast, float)
        days = forecast.shape[1]
        if days == 0:
            return self
        seen = np.asarray(instock, bool) & ~np.isnan(actual)
        f = np.where(seen, forecast, 0.0)
        total_f = f.sum(axis=1)
        total_a = np.where(seen, np.nan_to_num(actual), 0.0).sum(axis=1)
        ok = (seen.mean(axis=1) >= MIN_INSTOCK_SHARE) & (total_f > 0)
        evidence = days / WINDOW
        fresh = self.windows == 0

        prior = PRIOR_DAYS * forecast.mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(ok, (total_a + prior) / (total_f + prior), 1.0)
        step = np.log(np.clip(ratio, *RATIO_CLIP))
        a_bias = np.where(fresh, 1.0, 1 - (1 - ALPHA_BIAS) ** evidence)
        bias = np.where(ok, a_bias * step + (1 - a_bias) * self.bias, self.bias)

        usable = ok & (total_f > 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            err = np.log((total_a + 0.5) / (total_f + 0.5))
            noise = (total_f + phi * (f**2).sum(axis=1)) / np.maximum(total_f, 1e-9) ** 2
        excess_now = np.maximum(err**2 - noise, 0.0)
        a_var = 1 - (1 - ALPHA_VAR) ** evidence
        old = self.excess
        excess = np.where(
            usable,
            np.where(np.isnan(old), excess_now, a_var * excess_now + (1 - a_var) * old),
            old,
        )
        windows = self.windows + np.where(usable, evidence, 0.0)
        return ErrorTrack(self.skus, bias, excess, windows)

    def adjust(self, var0: np.ndarray, drift: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(mean multiplier, start variance, daily drift) per SKU after the tracked errors."""
        pooled = var0 + drift * REF_HORIZON
        weight = self.windows / (self.windows + PRIOR_WINDOWS)
        own = np.where(np.isnan(self.excess), pooled, self.excess)
        target = weight * own + (1 - weight) * pooled
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.clip(np.where(pooled > 0, target / pooled, 1.0), *SCALE_CLIP)
        return np.exp(self.bias), var0 * scale, drift * scale

    def as_arrays(self) -> dict[str, np.ndarray]:
        """Arrays for the model file (SKU order is the model's)."""
        return {"track_bias": self.bias, "track_excess": self.excess,
                "track_windows": self.windows}


def _index(skus: np.ndarray) -> dict[str, int]:
    return {str(s): i for i, s in enumerate(skus)}
