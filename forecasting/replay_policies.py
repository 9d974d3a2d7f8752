"""The replay's two reference policies, exactly as replay-spec.md states them."""

from __future__ import annotations

import numpy as np

from forecasting.replay import ReplayState

FORESIGHT_COVERS = (0, 7, 14, 21, 28, 35, 42, 56)
DOS_EXTRA_DAYS = 45
VELOCITY_DAYS = 30


def _ceil_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return -(-num // den)


def in_stock_velocity_parts(state: ReplayState, days: int = VELOCITY_DAYS
                            ) -> tuple[np.ndarray, np.ndarray]:
    """(units, days): sales summed over the last `days` in-stock days, history and observations
    together, most recent first. velocity = units / days (0 when days == 0)."""
    inp, t = state.inp, state.t
    sold = np.concatenate([inp.hist_sold, state.sold[:, : t + 1]], axis=1)
    mask = np.concatenate([inp.hist_in_stock & inp.hist_valid, state.in_stock[:, : t + 1]],
                          axis=1)
    from_right = np.cumsum(mask[:, ::-1], axis=1)[:, ::-1]
    take = mask & (from_right <= days)
    return (sold * take).sum(axis=1), take.sum(axis=1)


class DaysOfSupply:
    """What most seller tools do: ship up to velocity x (lead + review + 45 days) of position."""

    name = "days_of_supply"

    def __init__(self, review_days: int) -> None:
        self.review_days = review_days

    def decide(self, state: ReplayState) -> np.ndarray:
        """q = target - (on hand + in transit), rounded up to case pack, MOQ applied."""
        inp = state.inp
        units, days = in_stock_velocity_parts(state)
        cover = inp.lead + self.review_days + DOS_EXTRA_DAYS
        position = state.on_hand + state.in_transit
        # target - position = (units * cover - position * days) / days, kept in integers so
        # that an exact fit is never rounded up by floating-point noise.
        num = units * cover - position * days
        safe_days = np.maximum(days, 1)
        q = np.where((days > 0) & (num > 0),
                     _ceil_div(num, safe_days * inp.case_pack) * inp.case_pack, 0)
        return np.where((q > 0) & (q < inp.moq), _ceil_div(inp.moq, inp.case_pack)
                        * inp.case_pack, q).astype(np.int64)


class Foresight:
    """Reads the true demand: ships what will be needed over the review period plus `b` days."""

    def __init__(self, review_days: int, cover_days: int) -> None:
        self.review_days = review_days
        self.b = cover_days
        self.name = "foresight"

    def decide(self, state: ReplayState) -> np.ndarray:
        """need over d+L .. d+L+R-1+b minus the projected stock on the morning of d+L."""
        inp, t = state.inp, state.t
        n, T = inp.demand.shape
        lead = inp.lead
        pad = int(lead.max()) + self.review_days + self.b + 2
        dem = np.concatenate([inp.demand, np.zeros((n, pad), dtype=np.int64)], axis=1)
        arr = state.arrivals
        if arr.shape[1] < dem.shape[1]:
            arr = np.concatenate(
                [arr, np.zeros((n, dem.shape[1] - arr.shape[1]), dtype=np.int64)], axis=1)
        p = state.on_hand.astype(np.int64).copy()
        for k in range(1, int(lead.max())):
            active = k <= lead - 1
            nxt = np.maximum(0, p + arr[:, t + k] - dem[:, t + k])
            p = np.where(active, nxt, p)
        rows = np.arange(n)
        p = p + arr[rows, t + lead]
        cum = np.concatenate([np.zeros((n, 1), dtype=np.int64), np.cumsum(dem, axis=1)], axis=1)
        first = t + lead
        last = t + lead + self.review_days - 1 + self.b
        need = cum[rows, last + 1] - cum[rows, first]
        short = need - p
        q = np.where(short > 0, _ceil_div(short, inp.case_pack) * inp.case_pack, 0)
        return np.where((q > 0) & (q < inp.moq), _ceil_div(inp.moq, inp.case_pack)
                        * inp.case_pack, q).astype(np.int64)
