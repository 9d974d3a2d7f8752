"""The replay's `ours`: the product's DemandForecaster plus forecasting.policy, on what the spec
lets a policy see (history rows, its observations, its lots and shipments in transit).

The forecaster is refitted every `retrain_days` (28 by default) on history + observations so far,
each fit handed the one it replaces (per-SKU error tracking, forecasting.tracking); between refits
each review reads the same sample paths from its own offset on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from forecasting.features import regular_price
from forecasting.fees import FeeSchedule
from forecasting.policy import (
    DEFAULT_STOCKOUT_COST_MULTIPLE,
    Inbound,
    SkuPlanInput,
    recommend_batch,
)
from forecasting.replay import ReplayState
from forecasting.replay_io import ReplayInput

RETRAIN_DAYS = 28
N_PATHS = 100
PATH_MARGIN_DAYS = 45  # beyond lead + review: the policy looks 42 days past arrival


def default_forecaster() -> Any:
    """The product's forecaster (forecasting.model.DemandForecaster), seeded."""
    from forecasting.model import DemandForecaster

    return DemandForecaster(seed=0)


class OursPolicy:
    """Replay adapter: refit the product forecaster every few weeks, ask the product policy."""

    name = "ours"

    def __init__(self, inp: ReplayInput, review_days: int, retrain_days: int = RETRAIN_DAYS,
                 n_paths: int = N_PATHS,
                 forecaster_factory: Callable[[], Any] = default_forecaster,
                 recalibrate: bool = True, track_errors: bool = True,
                 stockout_cost_multiple: float = DEFAULT_STOCKOUT_COST_MULTIPLE,
                 in_stock_target: float | None = None) -> None:
        self.inp = inp
        self.review_days = review_days
        self.retrain_days = retrain_days
        self.n_paths = n_paths
        self.factory = forecaster_factory
        self.recalibrate = recalibrate
        self.track_errors = track_errors
        # the product's stockout settings (its defaults unless a bench asks for others)
        self.stockout_cost_multiple = stockout_cost_multiple
        self.in_stock_target = in_stock_target
        self.model: Any = None
        self._path_means: dict[str, np.ndarray] = {}
        self.fees = FeeSchedule.replay()  # the spec's card wins inside the replay
        self.fit_t: int | None = None
        self.paths: dict[str, np.ndarray] = {}
        self.fits = 0
        self._hist = self._history_frame()

    def _history_frame(self) -> pd.DataFrame:
        inp = self.inp
        rows, cols = np.nonzero(inp.hist_valid)
        dates = pd.to_datetime(pd.Series(inp.hist_dates, dtype=object)) if inp.hist_dates else None
        return pd.DataFrame({
            "sku": np.array(inp.skus, dtype=object)[rows],
            "date": dates.to_numpy()[cols] if dates is not None else np.array([], "M8[ns]"),
            "units": inp.hist_sold[rows, cols].astype(float),
            "price": inp.hist_price[rows, cols],
            "in_stock": inp.hist_in_stock[rows, cols].astype(int),
        })

    def _observed_frame(self, state: ReplayState) -> pd.DataFrame:
        inp, t = self.inp, state.t
        n = len(inp.skus)
        dates = pd.to_datetime(pd.Series(inp.dates[: t + 1], dtype=object)).to_numpy()
        # The policy sees no prices after `start`: assume the regular price of the last four
        # history weeks holds (a promotion on the last history day would otherwise be read as
        # the price for the whole window), else the SKU row's sale price.
        usual = regular_price(inp.hist_price)
        last_price = np.where(np.isnan(usual), np.asarray(inp.sale_price, float), usual)
        return pd.DataFrame({
            "sku": np.repeat(np.array(inp.skus, dtype=object), t + 1),
            "date": np.tile(dates, n),
            "units": state.sold[:, : t + 1].reshape(-1).astype(float),
            "price": np.repeat(last_price, t + 1),
            "in_stock": state.in_stock[:, : t + 1].reshape(-1).astype(int),
        })

    def _refit(self, state: ReplayState) -> None:
        history = pd.concat([self._hist, self._observed_frame(state)], ignore_index=True)
        if history["price"].isna().all():
            history = history.drop(columns=["price"])
        # as the product's retrain does: the model being replaced hands over its error track
        handover = self.track_errors and hasattr(self.model, "track")
        model = self.factory().fit(history, None, **({"previous": self.model} if handover else {}))
        self.model = model
        horizon = (self.retrain_days + self.longest_lead() + self.review_days
                   + PATH_MARGIN_DAYS)
        self.paths = model.sample_paths(horizon, n_paths=self.n_paths, seed=self.fits)
        self.fit_t = state.t
        self.fits += 1
        self._path_means = {k: np.asarray(v, float).mean(axis=0) for k, v in self.paths.items()}

    def longest_lead(self) -> int:
        """Days from a decision to its units at FBA, at most (the sample paths reach past it)."""
        return int(self.inp.lead.max())

    def _level_ratio(self, state: ReplayState, i: int, sku: str) -> float:
        """How far sales since the last fit ran above or below the forecast mean, on in-stock
        days, shrunk towards 1 with a two-week prior: lets a review between refits follow a
        trend or a launch without waiting for the next fit."""
        assert self.fit_t is not None
        days = state.t - self.fit_t
        means = self._path_means.get(sku)
        if days <= 0 or means is None:
            return 1.0
        seen = state.in_stock[i, self.fit_t + 1: state.t + 1]
        sold = state.sold[i, self.fit_t + 1: state.t + 1][seen].sum()
        expected = means[:days][seen].sum()
        prior = 14 * float(means[: max(days, 14)].mean())
        if prior <= 0:
            return 1.0
        return float(np.clip((sold + prior) / (expected + prior), 0.5, 2.0))

    def decide(self, state: ReplayState) -> np.ndarray:
        """Quantities from forecasting.policy.recommend_batch for every SKU."""
        if self.fit_t is None or state.t - self.fit_t >= self.retrain_days:
            self._refit(state)
        assert self.fit_t is not None
        items = self.plan_inputs(state)
        recs = recommend_batch(items, state.date, self.fees, seed=state.t, details=False)
        return np.array([r.quantity for r in recs], dtype=np.int64)

    def demand_ahead(self, state: ReplayState, i: int, sku: str) -> np.ndarray:
        """SKU i's sample paths from today on (day 0 = today, 0 units: its sales are past),
        rescaled by the sales since the last fit (`recalibrate`)."""
        assert self.fit_t is not None
        paths = self.paths.get(sku)
        if paths is None:
            paths = np.zeros((1, 1))
        elif self.recalibrate:
            paths = np.asarray(paths, float) * self._level_ratio(state, i, sku)
        ahead = np.asarray(paths)[:, state.t - self.fit_t:]
        return np.concatenate([np.zeros((ahead.shape[0], 1)), ahead], axis=1)

    def plan_inputs(self, state: ReplayState) -> list[SkuPlanInput]:
        """One forecasting.policy.SkuPlanInput per SKU, as the product builds them."""
        inp, t = self.inp, state.t
        today: dt.date = inp.dates[t]
        pending = state.arrivals[:, t + 1:]
        items = []
        for i, sku in enumerate(inp.skus):
            days = np.flatnonzero(pending[i])
            inbound = [Inbound(int(pending[i, k]), today + dt.timedelta(days=int(k) + 1))
                       for k in days]
            # The review comes after day t's sales: what is left of today's demand is 0.
            ahead = self.demand_ahead(state, i, sku)
            items.append(SkuPlanInput(
                sku=sku, demand_paths=ahead, on_hand=int(state.on_hand[i]),
                lead_time_days=int(inp.lead[i]), unit_cost=float(inp.unit_cost[i]),
                sale_price=float(inp.sale_price[i]), fulfillment_fee=float(inp.fulfillment_fee[i]),
                cubic_feet=float(inp.cubic_feet[i]), size_tier=str(inp.size_tier[i]),
                referral_rate=float(inp.referral_rate[i]), inbound=inbound,
                review_days=self.review_days, case_pack=int(inp.case_pack[i]),
                moq=int(inp.moq[i]), stockout_cost_multiple=self.stockout_cost_multiple,
                in_stock_target=self.in_stock_target,
            ))
        return items
