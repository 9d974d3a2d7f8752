"""DemandForecaster: one global seeded LightGBM across SKUs, calibrated demand distributions."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

# OpenMP threads that spin while waiting make LightGBM many times slower when other processes
# share the 2 cores (RQ workers, the web app), but threads that sleep at once made a 500-SKU fit
# 2.5x slower on an idle box (28.8 s against 11.4 s). A short spin (libgomp) gets both: 11.4 s
# idle, and 23.7 s against 23.2 s fully passive with both cores busy elsewhere.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GOMP_SPINCOUNT", "30000")

import lightgbm as lgb  # noqa: E402
import numpy as np
import pandas as pd

from forecasting.demand_class import CLASSES, classify
from forecasting.features import (
    YEAR,
    Panel,
    Pool,
    Sums,
    build_panel,
    build_pool,
    level_at,
    make_rows,
    pool_groups,
    pool_prior,
    unrecorded_stockouts,
)
from forecasting.tracking import ErrorTrack
from forecasting.uncertainty import (
    Block,
    Calibration,
    PerSku,
    dispersion,
    fit_calibration,
    holdout_blocks,
    nb_quantiles,
    season_spread,
    start_variance,
    window_moments,
)

STATIC_COLUMNS = ("category", "size_tier")
KEEP_DAYS = YEAR + 56  # history kept in a saved model: enough for every feature at the cutoff

DEFAULTS: dict[str, Any] = {
    "strategy": "direct",  # or "recursive": one-step model rolled forward (measured, not used)
    "max_horizon": 120,
    "origin_step": 14,
    # Training origins: the last `n_origins` (every origin_step days) with horizons_per_origin
    # horizons each, then older ones, as far back as the history allows up to `old_origins`,
    # with old_horizons_per_origin each: a month seen in one year only is that year's
    # promotions, not a season, while the recent origins keep their weight.
    "n_origins": 40,
    "horizons_per_origin": 12,
    "old_origins": 80,
    "old_horizons_per_origin": 3,
    "calibration_days": 56,
    # holdout origins every this many days from cutoff - calibration_days while 28 days remain
    # (three: 56 and 28 days of holdout from the first, 28 from each later one)
    "calibration_step": 14,
    # False: keep the holdout model (trained up to cutoff - calibration_days; its features are
    # still computed at the cutoff) instead of training again: half the fit time
    "refit": True,
    "censor": True,
    # also censor zero runs too long for the SKU's own rate of zero days, that the history calls
    # in stock (features.unrecorded_stockouts): stockouts nobody recorded
    "infer_stockouts": True,
    # a hierarchy prior for short histories: each SKU's level shrunk to its category's median
    # level (not the catalogue's), and the last-year features it has no history for taken from
    # its category's series (features.Pool)
    "pool": True,
    # Below 1: the target day's price is known on this share of the training samples and
    # hidden (NaN) on the rest, and forecasts take it as unknown on every day `future_prices`
    # does not give, as at plan time nobody knows the deals to come. For a
    # history whose prices show past deals: trained on every sample's true price, the trees put
    # an event's lift on the deal price and forecast the event at the regular price. Measured
    # (bench/RESULTS.md, "Prices nobody has announced"): 0.5 forecasts the simulator's truth
    # better (RMSSE 0.739 -> 0.729, all in the Black Friday window) but its replay costs more
    # (0.697 -> 0.722 x days_of_supply), and the product's own price history is the list price
    # (app/planning/data.py: Amazon reports deals apart, as PromotionDiscount), which shows no
    # deal to hide. 1.0: every price known, the regular price carried forward.
    "price_known_share": 1.0,
    # SKUs with less than a year of their own history cannot know their own yearly season
    # (their last-year features are their pool's): each path's level gets one more mean-one
    # lognormal shock, of the variance by which the catalogue's mature SKUs' seasons move
    # their demand away from their pool's at that horizon (uncertainty.season_spread), times
    # this. 0: no shock (young SKUs' intervals as wide as the calibration makes them).
    "young_season": 1.0,
    # The share of the holdout's 28-day totals the calibrated P90 is to cover (within 0.02).
    # Above 0.90 because the holdout is one 56-day stretch before the cutoff, and totals after
    # the cutoff vary more than it shows: aimed at 0.90, the simulator's P90 of 28-day totals
    # covered 0.84-0.89 by class and its replay's lead-time totals 0.84-0.87; at 0.93, 0.85-0.92
    # and 0.86-0.88 (bench/RESULTS.md, "The holdout's coverage target").
    "holdout_p90": 0.93,
    "num_threads": 2,
    "num_boost_round": 500,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 200,
    "max_bin": 63,  # as accurate as 255 on the simulator, a quarter less CPU
}
# What a model file saved before a parameter existed was fitted with (load() fills these in, not
# the current defaults: a booster trained without the pooled features cannot read them).
BEFORE: dict[str, Any] = {"infer_stockouts": False, "pool": False, "price_known_share": 1.0,
                          "young_season": 0.0}


class DemandForecaster:
    """Fit on long daily history (sku, date, units[, price, in_stock]); forecast any horizon."""

    def __init__(self, seed: int = 0, **params: Any) -> None:
        unknown = set(params) - set(DEFAULTS)
        if unknown:
            raise TypeError(f"unknown parameter(s): {sorted(unknown)}")
        self.seed = seed
        self.params: dict[str, Any] = {**DEFAULTS, **params}
        self.metrics: dict[str, Any] = {}
        self.calibration = PerSku(Calibration(), {})
        self.track: ErrorTrack | None = None
        self._booster: lgb.Booster | _LevelOnly | None = None

    # ---------------------------------------------------------------- training
    def _lgb_params(self) -> dict[str, Any]:
        p = self.params
        return {
            "objective": "poisson",
            "learning_rate": p["learning_rate"],
            "num_leaves": p["num_leaves"],
            "min_data_in_leaf": p["min_data_in_leaf"],
            "max_bin": p["max_bin"],
            "feature_fraction": 0.8,
            "bagging_fraction": 0.8,
            "bagging_freq": 1,
            "lambda_l2": 1.0,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": p["num_threads"],
            "verbose": -1,
        }

    def _static_codes(self, static: pd.DataFrame | None, skus: np.ndarray) -> np.ndarray:
        codes = np.full((len(skus), len(STATIC_COLUMNS)), np.nan)
        if static is None:
            return codes
        st = static.assign(sku=static["sku"].astype(str)).drop_duplicates("sku").set_index("sku")
        for j, col in enumerate(STATIC_COLUMNS):
            if col not in st.columns:
                continue
            levels = self._levels.setdefault(col, sorted(st[col].dropna().astype(str).unique()))
            mapped = st[col].reindex(skus).astype(str)
            idx = pd.Index(levels).get_indexer(mapped).astype(float)
            codes[:, j] = np.where(idx >= 0, idx, np.nan)
        return codes

    def _training_rows(self, panel: Panel, sums: Sums, last: int, rng: np.random.Generator,
                       mask_rng: np.random.Generator):
        p = self.params
        recursive = p["strategy"] == "recursive"
        step = 1 if recursive else p["origin_step"]
        n_origins = p["n_origins"] * p["origin_step"] if recursive else (
            p["n_origins"] + p["old_origins"])
        frames, targets, weights = [], [], []
        pool = self._pool_of(panel)
        for k in range(n_origins):
            o = last - 1 - k * step
            if o < 27:
                break
            rows = np.flatnonzero(panel.first <= o - 6)
            if not len(rows):
                continue
            top = min(p["max_horizon"], last - o)
            if recursive:
                h = np.ones(len(rows), dtype=np.int64)
            else:
                dense = k < p["n_origins"]
                per = min(p["horizons_per_origin"] if dense else p["old_horizons_per_origin"], top)
                h = rng.integers(1, top + 1, size=(len(rows), per)).ravel()
                rows = np.repeat(rows, per)
            level = level_at(panel, sums, o, self._prior)
            t = o + h
            keep = panel.instock[rows, t] & ~np.isnan(panel.units[rows, t])
            rows, h = rows[keep], h[keep]
            known = (mask_rng.random(len(rows)) < p["price_known_share"]
                     if p["price_known_share"] < 1 else None)
            frames.append(make_rows(panel, sums, o, rows, h, level, self._static, pool, known))
            targets.append(panel.units[rows, o + h] / level[rows])
            weights.append(level[rows])
        if not frames:
            raise _TooShort("not enough history to train: need at least 35 days")
        return (
            pd.concat(frames, ignore_index=True),
            np.concatenate(targets),
            np.concatenate(weights),
        )

    def _train(self, panel: Panel, last: int) -> lgb.Booster:
        # the price mask draws from its own stream: where no price is known at all (the pasta
        # series) the samples are the same as without it
        x, y, w = self._training_rows(panel, Sums(panel), last, np.random.default_rng(self.seed),
                                      np.random.default_rng([self.seed, 1]))
        self.metrics["training_rows"] = int(len(y))
        cats = [c for c in x.columns if c.startswith("static")]
        train = lgb.Dataset(x, y, weight=w, categorical_feature=cats, free_raw_data=True)
        return lgb.train(self._lgb_params(), train, num_boost_round=self.params["num_boost_round"])

    def fit(self, history: pd.DataFrame, static: pd.DataFrame | None = None,
            previous: DemandForecaster | None = None) -> DemandForecaster:
        """Train on all history up to its last date (the cutoff); calibrate on the last weeks.

        `previous`, the model this one replaces, lets each SKU's own forecast errors since its
        cutoff correct this model's means and spread (forecasting.tracking)."""
        t0 = time.perf_counter()
        panel = build_panel(history, censor=self.params["censor"])
        if self.params["censor"] and self.params["infer_stockouts"]:
            inferred = unrecorded_stockouts(panel.units, panel.instock)
            panel.instock &= ~inferred
            self.metrics["inferred_stockout_days"] = int(inferred.sum())
        self._levels: dict[str, list[str]] = {}
        self._static = self._static_codes(static, panel.skus)
        last = panel.n_days - 1
        sums = Sums(panel)
        raw = level_at(panel, sums, last, 0.0)
        self._group = pool_groups(self._static[:, 0]) if self.params["pool"] else None
        self._prior: float | np.ndarray = (
            pool_prior(raw, self._group) if self._group is not None
            else float(np.median(raw[raw > 0])) if (raw > 0).any() else 0.1)
        cal_days = self.params["calibration_days"]
        cal_origin = last - cal_days
        self._booster = None
        if cal_origin >= 91:
            booster = self._train(panel, cal_origin)
            if not self.params["refit"]:
                self._booster = booster
            blocks, daily = self._holdout(booster, panel, cal_origin, last)
            p90 = float(self.params["holdout_p90"])
            self.calibration, report = fit_calibration(blocks, daily, CLASSES,
                                                       (p90 - 0.02, p90 + 0.02))
            self.metrics.update(report)
        if self._booster is None:
            try:
                self._booster = self._train(panel, last)
            except _TooShort:
                # a brand-new seller: forecast each SKU's shrunk level, with the default (wide)
                # calibration, until there are a few weeks to learn from
                self._booster = _LevelOnly()
                self.metrics["level_only"] = True
        self._panel = _truncate(panel, panel.n_days, keep=KEEP_DAYS)
        sums = Sums(self._panel)
        o = self._panel.n_days - 1
        self._level = level_at(self._panel, sums, o, self._prior)
        self._seen = sums.window(
            np.arange(len(panel.skus)),
            np.full(len(panel.skus), o - 90),
            np.full(len(panel.skus), o),
        )[1]
        self._phi = dispersion(self._panel.units, self._panel.instock, o + 1)
        self._class = _classes(self._panel, o)
        self._season = self._season_spread()
        self.track = self._track_from(previous)
        self.metrics.update(
            fit_seconds=round(time.perf_counter() - t0, 2),
            skus=len(panel.skus),
            calibration=self.calibration.as_dict(),
        )
        return self

    def _holdout(self, booster: lgb.Booster, panel: Panel, cal_origin: int,
                 last: int) -> tuple[list[Block], tuple]:
        """Window totals after holdout origins (cal_origin, then every calibration_step days
        while 28 days remain), forecast by the booster trained up to cal_origin, each SKU
        classed by its demand up to that origin; and the first origin's days."""
        n = len(panel.skus)
        rows = np.arange(n)
        blocks: list[Block] = []
        daily: tuple | None = None
        for o in range(cal_origin, last - 27, self.params["calibration_step"]):
            cut = _truncate(panel, o + 1)
            means = self._predict_means(booster, cut, last - o)
            csums = Sums(cut)
            level = level_at(cut, csums, o, self._prior)
            _, seen = csums.window(rows, np.full(n, o - 90), np.full(n, o))
            phi = dispersion(panel.units, panel.instock, o + 1)
            actual = np.nan_to_num(panel.units[:, o + 1: last + 1])
            ok = (panel.instock[:, o + 1: last + 1] & ~np.isnan(panel.units[:, o + 1: last + 1])
                  & (panel.first <= o)[:, None])
            group = _classes(cut, o)
            blocks += holdout_blocks(means, actual, ok, level, seen, phi, group)
            if daily is None:
                daily = (means, actual, ok, level, seen, phi, group)
        assert daily is not None
        return blocks, daily

    def _pool_of(self, panel: Panel) -> Pool | None:
        """The pools' series over this panel's days, when the model uses pools."""
        return None if self._group is None else build_pool(panel, self._group)

    def _cal(self) -> Calibration:
        """Each SKU's calibration terms (its demand class's), as arrays in SKU order."""
        return self.calibration.rows(self._class)

    @property
    def demand_classes(self) -> pd.Series:
        """Each SKU's demand class at the cutoff (forecasting.demand_class)."""
        return pd.Series(np.array(CLASSES, dtype=object)[self._class], index=self.skus,
                         name="demand_class")

    def _track_from(self, previous: DemandForecaster | None) -> ErrorTrack | None:
        """The previous model's track, updated with how its forecast did since its cutoff."""
        if previous is None or previous._booster is None:
            return None
        gap = int((self.cutoff - previous.cutoff).days)
        # a model's track is always in its own SKU order (fit and load build it so)
        prior = previous.track or ErrorTrack.empty(previous.skus)
        if 0 < gap <= min(previous.params["max_horizon"], self._panel.n_days):
            forecast = previous._daily(gap)
            rows = pd.Index(self._panel.skus).get_indexer(previous.skus)
            have = rows >= 0
            actual = np.full((len(rows), gap), np.nan)
            instock = np.zeros((len(rows), gap), bool)
            actual[have] = self._panel.units[rows[have], -gap:]
            instock[have] = self._panel.instock[rows[have], -gap:]
            prior = prior.update(forecast, actual, instock, previous._phi)
        self.metrics["tracked_skus"] = int((prior.windows > 0).sum())
        return prior.aligned(self.skus)

    def _adjusted(self, means: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Means, start variance and per-SKU drift after the tracked errors (if any)."""
        cal = self._cal()
        var0 = start_variance(cal, self._level, self._seen)
        drift = np.broadcast_to(np.asarray(cal.drift, float), var0.shape).copy()
        if self.track is None:
            return means, var0, drift
        mult, var0, drift = self.track.adjust(var0, cal.drift)
        return means * mult[:, None], var0, drift

    def _season_spread(self) -> np.ndarray:
        """Per SKU, the season's log-variance by horizon (0 .. max_horizon) for SKUs younger
        than a year at the cutoff, zero for the rest (see DEFAULTS["young_season"])."""
        p = self._panel
        n = len(p.skus)
        k = float(self.params["young_season"])
        young = (p.n_days - p.first) < YEAR
        if k <= 0 or not young.any():
            return np.zeros((n, 1))
        group = self._group if self._group is not None else np.zeros(n, np.int64)
        spread = season_spread(p.units, p.instock, p.first, group, self._phi,
                               int(self.params["max_horizon"]), YEAR)
        self.metrics["young_season_var_h0_h28_h90"] = [
            round(float(spread[min(h, len(spread) - 1)]), 4) for h in (0, 28, 90)]
        return k * young[:, None] * spread[None, :]

    def _season_var(self, horizon: int) -> np.ndarray:
        """Extra log-variance of each SKU's level on days 1 .. horizon (sku x horizon): the
        spread of the 28-day window centred on that day."""
        cols = np.clip(np.arange(1, horizon + 1) - 14, 0, self._season.shape[1] - 1)
        return self._season[:, cols]

    # ---------------------------------------------------------------- prediction
    @property
    def cutoff(self) -> pd.Timestamp:
        """Last day of the training history."""
        return self._panel.start + pd.Timedelta(days=self._panel.n_days - 1)

    @property
    def skus(self) -> np.ndarray:
        """SKUs the model forecasts, sorted."""
        return self._panel.skus

    def _predict_means(
        self,
        booster: lgb.Booster | _LevelOnly,
        panel: Panel,
        horizon: int,
        future_prices: pd.DataFrame | None = None,
    ) -> np.ndarray:
        """Daily means (sku x horizon) from the panel's last day."""
        origin = panel.n_days - 1
        ext = panel.extend(horizon, future_prices)
        n = len(panel.skus)
        priced = (panel.priced_days(horizon, future_prices)
                  if self.params["price_known_share"] < 1 else None)
        if self.params["strategy"] == "recursive":
            out = np.zeros((n, horizon))
            for step in range(horizon):
                o = origin + step
                sums = Sums(ext)
                level = level_at(ext, sums, o, self._prior)
                x = make_rows(ext, sums, o, np.arange(n), np.ones(n, np.int64), level,
                              self._static, self._pool_of(ext),
                              None if priced is None else priced[:, step])
                out[:, step] = level * booster.predict(x)
                ext.units[:, o + 1] = out[:, step]
                ext.instock[:, o + 1] = ext.first <= o + 1
            return out
        sums = Sums(ext)
        level = level_at(ext, sums, origin, self._prior)
        rows = np.repeat(np.arange(n), horizon)
        h = np.tile(np.arange(1, horizon + 1), n)
        hc = np.minimum(h, self.params["max_horizon"])
        x = make_rows(ext, sums, origin, rows, h, level, self._static, self._pool_of(ext),
                      None if priced is None else priced[rows, h - 1])
        x["horizon"] = hc.astype(float)
        return (level[rows] * booster.predict(x)).reshape(n, horizon)

    def _check(self) -> None:
        if self._booster is None:
            raise RuntimeError("DemandForecaster is not fitted")

    def _daily(self, horizon: int, future_prices: pd.DataFrame | None = None) -> np.ndarray:
        self._check()
        assert self._booster is not None
        return self._predict_means(self._booster, self._panel, horizon, future_prices)

    def predict(self, horizon: int, future_prices: pd.DataFrame | None = None) -> pd.DataFrame:
        """Daily forecast: sku, date, mean, p10, p50, p90 for cutoff+1 .. cutoff+horizon."""
        means, var0, drift = self._adjusted(self._daily(horizon, future_prices))
        ds = np.asarray(self._cal().dispersion_scale, float)[:, None]
        v = np.expm1(var0[:, None] + self._season_var(horizon)
                     + drift[:, None] * (np.arange(horizon)[None, :] + 1 / 3))
        var = means + (1 + v) * self._phi[:, None] * ds * means**2 + v * means**2
        p10, p50, p90 = nb_quantiles(means, var)
        dates = pd.date_range(self.cutoff + pd.Timedelta(days=1), periods=horizon, freq="D")
        return pd.DataFrame(
            {
                "sku": np.repeat(self.skus, horizon),
                "date": np.tile(dates, len(self.skus)),
                "mean": means.ravel(),
                "p10": p10.ravel(),
                "p50": p50.ravel(),
                "p90": p90.ravel(),
            }
        )

    def predict_totals(self, horizon: int, start_offset: int = 0) -> pd.DataFrame:
        """Quantiles of each SKU's total over days cutoff+1+start_offset .. +horizon."""
        means, var0, drift = self._adjusted(self._daily(horizon + start_offset))
        # the season shock is one draw per path: over the window its log-variance is the
        # days' own, weighted by their means
        sv = self._season_var(horizon + start_offset)[:, start_offset:]
        var0 = var0 + (means[:, start_offset:] * sv).sum(axis=1) / np.maximum(
            means[:, start_offset:].sum(axis=1), 1e-12)
        means = means[:, start_offset:]
        total, var = window_moments(
            means, var0, self._phi, self._cal(), np.full(len(var0), float(start_offset)),
            drift=drift,
        )
        p10, p50, p90 = nb_quantiles(total, var)
        return pd.DataFrame({"sku": self.skus, "mean": total, "p10": p10, "p50": p50, "p90": p90})

    def sample_paths(
        self, horizon: int, n_paths: int = 200, seed: int = 0
    ) -> dict[str, np.ndarray]:
        """Joint daily demand paths (n_paths x horizon, integers) per SKU, from the same model."""
        means, var0, drift = self._adjusted(self._daily(horizon))
        ds = np.asarray(self._cal().dispersion_scale, float)
        season = self._season_var(horizon)
        rng = np.random.default_rng(seed)
        # its own stream, so that every other SKU's paths are the same with it or without
        season_rng = np.random.default_rng([seed, 2])
        out: dict[str, np.ndarray] = {}
        for i, sku in enumerate(self.skus):
            z0 = rng.normal(-var0[i] / 2, np.sqrt(var0[i]), size=(n_paths, 1))
            steps = rng.normal(-drift[i] / 2, np.sqrt(drift[i]), size=(n_paths, horizon))
            lam = means[i][None, :] * np.exp(z0 + np.cumsum(steps, axis=1))
            if season[i].any():
                # one draw per path: a season lifts or sinks the whole lead time, not a day
                z = season_rng.standard_normal((n_paths, 1))
                lam = lam * np.exp(z * np.sqrt(season[i])[None, :] - season[i][None, :] / 2)
            phi = self._phi[i] * ds[i]
            lam = lam * rng.gamma(1 / phi, phi, size=lam.shape)
            out[str(sku)] = rng.poisson(lam).astype(np.int64)
        return out

    # ---------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> None:
        """Write the model to one .npz file (no pickle): booster text, state arrays, json meta."""
        self._check()
        assert self._booster is not None
        p = self._panel
        meta = {
            "seed": self.seed,
            "params": self.params,
            "metrics": self.metrics,
            "calibration": self.calibration.as_dict(),
            "prior": self._prior if isinstance(self._prior, float) else None,
            "levels": self._levels,
            "start": str(p.start.date()),
        }
        arrays: dict[str, np.ndarray] = {
            "booster": np.array(self._booster.model_to_string()),
            "meta": np.array(json.dumps(meta)),
            "skus": p.skus.astype(str),
            "units": p.units,
            "instock": p.instock,
            "price": p.price,
            "first": p.first,
            "static": self._static,
        }
        if not isinstance(self._prior, float):
            arrays["prior"] = np.asarray(self._prior, float)
        if self.track is not None:
            arrays.update(self.track.as_arrays())
        with open(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: str | Path) -> DemandForecaster:
        """Read a model written by save()."""
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            self = cls(seed=meta["seed"], **{**BEFORE, **meta["params"]})
            self.metrics = meta["metrics"]
            self.calibration = PerSku.from_dict(meta["calibration"])
            self._prior = z["prior"] if "prior" in z.files else float(meta["prior"])
            self._levels = meta["levels"]
            text = str(z["booster"])
            self._booster = lgb.Booster(model_str=text) if text else _LevelOnly()
            self._static = z["static"]
            self._group = pool_groups(self._static[:, 0]) if self.params["pool"] else None
            self._panel = Panel(
                z["skus"].astype(object),
                pd.Timestamp(meta["start"]),
                z["units"],
                z["instock"],
                z["price"],
                z["first"],
            )
            if "track_bias" in z.files:
                self.track = ErrorTrack(self._panel.skus, z["track_bias"], z["track_excess"],
                                        z["track_windows"])
        sums = Sums(self._panel)
        o = self._panel.n_days - 1
        n = len(self._panel.skus)
        self._level = level_at(self._panel, sums, o, self._prior)
        self._seen = sums.window(np.arange(n), np.full(n, o - 90), np.full(n, o))[1]
        self._phi = dispersion(self._panel.units, self._panel.instock, o + 1)
        self._class = _classes(self._panel, o)
        self._season = self._season_spread()
        return self


class _TooShort(ValueError):
    """Too little history for any training sample."""


class _LevelOnly:
    """Stands in for the booster when there was nothing to train on: every ratio is 1."""

    def predict(self, x: pd.DataFrame) -> np.ndarray:
        """Multiplier 1 for every row: the forecast is the SKU's level."""
        return np.ones(len(x))

    def model_to_string(self) -> str:
        """Saved as an empty booster."""
        return ""


def _classes(panel: Panel, origin: int) -> np.ndarray:
    """Demand class index (forecasting.demand_class) of each SKU from its days up to origin."""
    units = panel.units[:, : origin + 1]
    return classify(units, panel.instock[:, : origin + 1] & ~np.isnan(units))


def _truncate(panel: Panel, end: int, keep: int | None = None) -> Panel:
    """The panel's days before `end`, optionally only the last `keep` of them."""
    start_i = 0 if keep is None else max(0, end - keep)
    return Panel(
        panel.skus,
        panel.start + pd.Timedelta(days=start_i),
        panel.units[:, start_i:end].copy(),
        panel.instock[:, start_i:end].copy(),
        panel.price[:, start_i:end].copy(),
        panel.first - start_i,
    )
