"""Dense SKU x day panel and the leakage-safe features of a (sku, origin, horizon) sample."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from forecasting.calendar import calendar_features
from forecasting.history import validate_history

# Rolling windows over in-stock days only: stockout days are censored, never read as zero demand.
WINDOWS = (7, 28, 91, 365)
LEVEL_WINDOW = 91
LEVEL_PRIOR_DAYS = 7.0  # pseudo-days of the population prior mixed into every SKU's level
YEAR = 364  # 52 weeks back keeps the day of week aligned
REGULAR_PRICE_DAYS = 28
# Beyond a year, age says nothing more about a SKU; uncapped, in a panel whose SKUs started
# together it is a clock, and the trees read the regime of the latest training origins off it
# (on the real pasta series that alone put +14% on every forecast).
AGE_CAP_DAYS = 365
# Day of year and ISO week identify a single date of the one or two years the training targets
# cover: on real series the trees learnt that year's promotions from them. Month, the events and
# the SKU's own last-year features carry the season instead.
CALENDAR_UNUSED = ("doy", "week")
# Croston/TSB-style state (Teunter, Syntetos and Babai 2011) updated on in-stock days only: the
# smoothed chance of a sale on a day, and the smoothed size of a sale; and a slow mean of demand
# whose memory (half-life 180 days) outlasts the 91-day level, so a SKU whose last quarter was
# quiet keeps the year's rate in view.
TSB_ALPHA_OCCURRENCE = 0.05
TSB_ALPHA_SIZE = 0.1
SLOW_HALF_LIFE = 180.0
# Unrecorded stockouts: a run of zero-sale days the history calls in stock is read as a stockout
# when the SKU's own zero-day share around it (CONTEXT_DAYS in-stock days each side, other runs
# included: leaving them out would call a slow SKU's natural gaps stockouts) makes that many
# zeros in a row less likely than UNRECORDED_MAX_CHANCE, the run
# is at least UNRECORDED_MIN_DAYS long, and a sale ends it (a run still going on the last day may
# be demand that stopped). Before Amazon's inventory history starts, or where it has gaps, the
# app carries in_stock = 1, so a stockout there leaves only zeros.
UNRECORDED_MIN_DAYS = 7
UNRECORDED_MAX_CHANCE = 1e-3
CONTEXT_DAYS = 91
CONTEXT_MIN_DAYS = 28
# The pool a SKU borrows from where its own history is too short (no last year): its category
# if at least POOL_MIN_SKUS SKUs share it, else the whole catalogue. The pool's series is the
# mean units per in-stock SKU of each day, so its ratios (a season, last year's week against
# this quarter) are the pool's scaled profile.
POOL_MIN_SKUS = 5
POOLED_FEATURES = ("ly7", "ly_season", "ly_season7", "ly_index")


def regular_price(price: np.ndarray) -> np.ndarray:
    """Per row of a (sku x day) price array, the median of its last four weeks, NaN where it has
    none: a promotion or deal running on the last day is not the price the coming months see."""
    recent = price[:, -REGULAR_PRICE_DAYS:]
    out = np.full(price.shape[0], np.nan)
    if recent.shape[1]:
        has = ~np.isnan(recent).all(axis=1)
        out[has] = np.nanmedian(recent[has], axis=1)
    return out


@dataclass
class Panel:
    """Daily arrays (sku x day) of one seller's history; NaN / False where the SKU had no row."""

    skus: np.ndarray
    start: pd.Timestamp
    units: np.ndarray
    instock: np.ndarray
    price: np.ndarray
    first: np.ndarray

    @property
    def n_days(self) -> int:
        """Number of days covered by the arrays."""
        return int(self.units.shape[1])

    def dates(self) -> pd.DatetimeIndex:
        """Calendar dates of the columns."""
        return pd.date_range(self.start, periods=self.n_days, freq="D")

    def regular_price(self) -> np.ndarray:
        """Each SKU's usual price of late (see `regular_price`)."""
        return regular_price(self.price)

    def priced_days(self, days: int, future_prices: pd.DataFrame | None) -> np.ndarray:
        """(sku x days) True on the days after the panel that `future_prices` gives a price for
        (see `extend`)."""
        out = np.zeros((len(self.skus), days), bool)
        if future_prices is not None and len(future_prices):
            col = (pd.to_datetime(future_prices["date"]) - self.start).dt.days.to_numpy()
            row = pd.Index(self.skus).get_indexer(future_prices["sku"].astype(str))
            ok = (row >= 0) & (col >= self.n_days) & (col < self.n_days + days)
            out[row[ok], col[ok] - self.n_days] = True
        return out

    def extend(self, days: int, future_prices: pd.DataFrame | None = None) -> Panel:
        """Append `days` unknown days; the regular price is carried forward unless
        `future_prices` says otherwise."""
        n = len(self.skus)
        units = np.hstack([self.units, np.full((n, days), np.nan)])
        instock = np.hstack([self.instock, np.zeros((n, days), bool)])
        ahead = self.regular_price()[:, None]
        price = np.hstack([self.price, np.repeat(ahead, days, axis=1)])
        ext = replace(self, units=units, instock=instock, price=price)
        if future_prices is not None and len(future_prices):
            fp = future_prices.copy()
            fp["date"] = pd.to_datetime(fp["date"])
            col = ((fp["date"] - self.start).dt.days).to_numpy()
            row = pd.Index(self.skus).get_indexer(fp["sku"].astype(str))
            ok = (row >= 0) & (col >= self.n_days) & (col < self.n_days + days)
            price[row[ok], col[ok]] = fp["price"].to_numpy(float)[ok]
        return ext


def build_panel(history: pd.DataFrame, censor: bool = True) -> Panel:
    """Pivot validated long history to arrays; days between a SKU's rows count as zero sales."""
    h = validate_history(history)
    skus = np.array(sorted(h["sku"].unique()), dtype=object)
    start = h["date"].min()
    n_days = int((h["date"].max() - start).days) + 1
    row = pd.Index(skus).get_indexer(h["sku"])
    col = (h["date"] - start).dt.days.to_numpy()
    n = len(skus)
    units = np.full((n, n_days), np.nan)
    units[row, col] = h["units"].to_numpy(float)
    first = np.full(n, n_days, dtype=np.int64)
    np.minimum.at(first, row, col)
    alive = np.arange(n_days)[None, :] >= first[:, None]
    units = np.where(alive & np.isnan(units), 0.0, units)
    instock = alive.copy()
    if censor:
        stock = np.ones((n, n_days))
        stock[row, col] = h["in_stock"].to_numpy(float)
        instock &= stock > 0.5
    price = np.full((n, n_days), np.nan)
    price[row, col] = h["price"].to_numpy(float)
    price = pd.DataFrame(price.T).ffill().bfill().to_numpy().T
    return Panel(skus, start, units, instock, price, first)


def unrecorded_stockouts(units: np.ndarray, instock: np.ndarray) -> np.ndarray:
    """(sku x day) True on the in-stock zero-sale days of runs too long for the SKU's own rate
    of zero days (see UNRECORDED_MIN_DAYS): the stockouts nobody recorded. Recorded stockout
    days (instock False) are skipped, neither breaking a run nor counting in it."""
    out = np.zeros(instock.shape, bool)
    for i in range(units.shape[0]):
        idx = np.flatnonzero(instock[i] & ~np.isnan(units[i]))
        if len(idx) < UNRECORDED_MIN_DAYS + CONTEXT_MIN_DAYS:
            continue
        zero = units[i, idx] == 0
        edges = np.diff(np.concatenate([[0], zero.astype(np.int8), [0]]))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        long = ends - starts >= UNRECORDED_MIN_DAYS
        if not long.any():
            continue
        zc = np.concatenate([[0], np.cumsum(zero)])
        for s, e in zip(starts[long], ends[long], strict=True):
            if e >= len(idx):
                continue
            lo, hi = max(0, int(s) - CONTEXT_DAYS), min(len(idx), int(e) + CONTEXT_DAYS)
            seen = s - lo + hi - e
            if seen < CONTEXT_MIN_DAYS:
                continue
            p0 = (zc[s] - zc[lo] + zc[hi] - zc[e]) / seen
            if p0 <= 0 or (e - s) * np.log(p0) < np.log(UNRECORDED_MAX_CHANCE):
                out[i, idx[s:e]] = True
    return out


class Sums:
    """Prefix sums of units and in-stock counts, so any window mean is two look-ups; and the
    smoothed states (occurrence, size, slow mean, last sale) at the end of every day."""

    def __init__(self, panel: Panel) -> None:
        ok = panel.instock & ~np.isnan(panel.units)
        y = np.where(ok, panel.units, 0.0)
        n = len(panel.skus)
        self.y = np.hstack([np.zeros((n, 1)), np.cumsum(y, axis=1)])
        self.m = np.hstack([np.zeros((n, 1)), np.cumsum(ok, axis=1, dtype=float)])
        self.p = np.hstack([np.zeros((n, 1)), np.nancumsum(panel.price, axis=1)])
        self.pm = np.hstack([np.zeros((n, 1)), np.cumsum(~np.isnan(panel.price), axis=1)])
        self.occurrence, self.size, self.slow = _smoothed(y, ok)
        day = np.arange(panel.n_days)[None, :]
        self.last_sale = np.maximum.accumulate(np.where(ok & (y > 0), day, -1), axis=1)

    def window(self, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple:
        """Sum of units and count of in-stock days over days lo..hi inclusive (clipped)."""
        lo = np.clip(lo, 0, self.y.shape[1] - 1)
        hi = np.clip(hi + 1, lo, self.y.shape[1] - 1)
        return self.y[rows, hi] - self.y[rows, lo], self.m[rows, hi] - self.m[rows, lo]

    def mean(self, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """In-stock mean over lo..hi, NaN when the window has no in-stock day."""
        s, c = self.window(rows, lo, hi)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(c > 0, s / np.maximum(c, 1), np.nan)

    def price_mean(self, rows: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Mean listed price over lo..hi."""
        lo = np.clip(lo, 0, self.p.shape[1] - 1)
        hi = np.clip(hi + 1, lo, self.p.shape[1] - 1)
        c = self.pm[rows, hi] - self.pm[rows, lo]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(c > 0, (self.p[rows, hi] - self.p[rows, lo]) / np.maximum(c, 1), np.nan)


def _smoothed(y: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TSB occurrence and size and the slow mean after each day (NaN before any in-stock day,
    size NaN before the first sale); a stockout day leaves every state as it was."""
    n, days = y.shape
    occ = np.full((n, days), np.nan)
    size = np.full((n, days), np.nan)
    slow = np.full((n, days), np.nan)
    p = np.full(n, np.nan)
    z = np.full(n, np.nan)
    s = np.full(n, np.nan)
    a_slow = 1.0 - 0.5 ** (1.0 / SLOW_HALF_LIFE)
    for t in range(days):
        k, yt = ok[:, t], y[:, t]
        sale = k & (yt > 0)
        hit = sale.astype(float)
        p = np.where(k, np.where(np.isnan(p), hit, p + TSB_ALPHA_OCCURRENCE * (hit - p)), p)
        z = np.where(sale, np.where(np.isnan(z), yt, z + TSB_ALPHA_SIZE * (yt - z)), z)
        s = np.where(k, np.where(np.isnan(s), yt, s + a_slow * (yt - s)), s)
        occ[:, t], size[:, t], slow[:, t] = p, z, s
    return occ, size, slow


@dataclass
class Pool:
    """Each SKU's pool (`group`, a row of `sums`) and the prefix sums of the pools' series."""

    group: np.ndarray
    sums: Sums


def pool_groups(codes: np.ndarray) -> np.ndarray:
    """Pool of each SKU from its category codes (float, NaN unknown): the category's index if it
    has POOL_MIN_SKUS SKUs, else the last index (the whole catalogue)."""
    known = ~np.isnan(codes)
    cats, counts = np.unique(codes[known], return_counts=True)
    big = cats[counts >= POOL_MIN_SKUS]
    group = np.full(len(codes), len(big), dtype=np.int64)
    group[known] = np.searchsorted(big, codes[known])
    group[known & ~np.isin(codes, big)] = len(big)
    return group


def build_pool(panel: Panel, group: np.ndarray) -> Pool:
    """The pools' daily series (mean units per in-stock SKU; the catalogue pools every SKU)."""
    ok = panel.instock & ~np.isnan(panel.units)
    y = np.where(ok, panel.units, 0.0)
    n_pools = int(group.max()) + 1 if len(group) else 1
    tot = np.zeros((n_pools, panel.n_days))
    cnt = np.zeros((n_pools, panel.n_days))
    np.add.at(tot, group, y)
    np.add.at(cnt, group, ok)
    tot[-1], cnt[-1] = y.sum(axis=0), ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        units = np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
    seen = cnt > 0
    first = np.where(seen.any(axis=1), seen.argmax(axis=1), panel.n_days)
    pooled = Panel(np.arange(n_pools), panel.start, units, seen,
                   np.full(units.shape, np.nan), first)
    return Pool(group, Sums(pooled))


def pool_prior(level: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Each SKU's level prior: the median positive level of its pool (the catalogue's for the
    catalogue pool, or where the pool has fewer than POOL_MIN_SKUS SKUs selling)."""
    pos = level > 0
    overall = float(np.median(level[pos])) if pos.any() else 0.1
    out = np.full(len(level), overall)
    for g in np.unique(group):
        members = (group == g) & pos
        if members.sum() >= POOL_MIN_SKUS:
            out[group == g] = float(np.median(level[members]))
    return out


def level_at(panel: Panel, sums: Sums, origin: int, prior: float | np.ndarray) -> np.ndarray:
    """Each SKU's demand level at `origin`: in-stock mean of the last 91 days shrunk to a prior
    (one for every SKU, or one per SKU: its pool's)."""
    rows = np.arange(len(panel.skus))
    o = np.full(len(rows), origin)
    s, c = sums.window(rows, o - LEVEL_WINDOW + 1, o)
    return (s + LEVEL_PRIOR_DAYS * prior) / (c + LEVEL_PRIOR_DAYS)


def make_rows(
    panel: Panel,
    sums: Sums,
    origin: int,
    rows: np.ndarray,
    horizon: np.ndarray,
    level: np.ndarray,
    static: np.ndarray,
    pool: Pool | None = None,
    price_known: np.ndarray | None = None,
) -> pd.DataFrame:
    """Features of samples (sku row, horizon) forecast from `origin`; reads no day after origin.

    With a `pool`, a SKU's last-year features it has no history for are its pool's. Where
    `price_known` (per row) is False the target day's price is unknown (NaN), as it is at plan
    time for every day no one has scheduled a price for."""
    o = np.full(len(rows), origin)
    target = origin + horizon
    lv = level[rows]
    f: dict[str, np.ndarray] = {"horizon": horizon.astype(float), "log_level": np.log(lv)}
    for w in WINDOWS:
        f[f"r{w}"] = sums.mean(rows, o - w + 1, o) / lv
    _, c28 = sums.window(rows, o - 27, o)
    _, c91 = sums.window(rows, o - 90, o)
    f["instock28"] = c28 / 28.0
    f["n91"] = c91
    f["trend28"] = _ratio(f["r28"], sums.mean(rows, o - 55, o - 28) / lv)
    f["trend91"] = (sums.mean(rows, o - 90, o - 46) / lv) - (sums.mean(rows, o - 45, o) / lv)
    # Same season last year, relative to last year's level at the same origin: a seasonal ratio.
    # The window is clipped at the origin so horizons near a year never read the future.
    ly = target - YEAR
    ly_target = sums.mean(rows, ly - 3, np.minimum(ly + 3, o))
    ly_target28 = sums.mean(rows, ly - 13, np.minimum(ly + 14, o))
    ly_origin = sums.mean(rows, o - YEAR - 27, o - YEAR)
    f["ly7"] = ly_target / lv
    f["ly_season"] = _ratio(ly_target28, ly_origin)
    f["ly_season7"] = _ratio(ly_target, ly_origin)
    # The SKU's own day-of-week profile over the last 13 weeks.
    dow_target = (target + panel.start.day_of_week) % 7
    num = np.zeros(len(rows))
    cnt = np.zeros(len(rows))
    for k in range(1, 14):
        # the last 13 days on or before origin with the target's weekday
        day = o - ((o + panel.start.day_of_week - dow_target) % 7) - 7 * (k - 1)
        ok = day >= 0
        dd = np.clip(day, 0, panel.n_days - 1)
        good = ok & panel.instock[rows, dd] & ~np.isnan(panel.units[rows, dd])
        num += np.where(good, panel.units[rows, dd], 0.0)
        cnt += good
    with np.errstate(invalid="ignore", divide="ignore"):
        prof = np.where(cnt > 0, num / np.maximum(cnt, 1), np.nan)
    f["dow_profile"] = prof / (sums.mean(rows, o - 90, o) + 1e-3)
    zeros_s, zeros_c = _zero_share(panel, rows, origin)
    f["zero_share91"] = zeros_s / np.maximum(zeros_c, 1)
    # occurrence x size, and memory longer than the level's 91 days
    oc = max(origin, 0)
    f["tsb_occurrence"] = sums.occurrence[rows, oc]
    f["tsb_size"] = sums.size[rows, oc] / lv
    f["tsb"] = f["tsb_occurrence"] * np.nan_to_num(f["tsb_size"])
    f["slow"] = sums.slow[rows, oc] / lv
    last = sums.last_sale[rows, oc]
    f["since_sale"] = np.where(last >= 0, np.minimum(origin - last, 365), np.nan).astype(float)
    # the season last year relative to last year's whole level (not one month of it)
    f["ly_index"] = _ratio(ly_target28, sums.mean(rows, o - YEAR - 181, o - YEAR + 182))
    if pool is not None:
        _pool_fill(f, pool, rows, o, target)
    f["age"] = np.minimum(origin - panel.first[rows] + 1, AGE_CAP_DAYS).astype(float)
    usual = sums.price_mean(rows, o - 90, o)
    with np.errstate(invalid="ignore", divide="ignore"):
        f["price_ratio"] = panel.price[rows, np.minimum(target, panel.n_days - 1)] / usual
    if price_known is not None:
        f["price_ratio"] = np.where(price_known, f["price_ratio"], np.nan)
        f["price_origin_ratio"] = panel.price[rows, o] / usual
    f["log_price"] = np.log(np.maximum(usual, 1e-3))
    cal = calendar_features(panel.start + pd.to_timedelta(target, unit="D"))
    frame = pd.DataFrame(f)
    for name, values in cal.items():
        if name not in CALENDAR_UNUSED:
            frame[name] = values
    for j in range(static.shape[1]):
        frame[f"static{j}"] = static[rows, j]
    return frame


def _pool_fill(f: dict[str, np.ndarray], pool: Pool, rows: np.ndarray, o: np.ndarray,
               target: np.ndarray) -> None:
    """Fill the last-year features a SKU has no history for from its pool's series, the same
    ratios (ly_pooled marks the rows)."""
    g = pool.group[rows]
    ps = pool.sums
    ly = target - YEAR
    p_target = ps.mean(g, ly - 3, np.minimum(ly + 3, o))
    p_target28 = ps.mean(g, ly - 13, np.minimum(ly + 14, o))
    p_origin = ps.mean(g, o - YEAR - 27, o - YEAR)
    pooled = {
        "ly7": _ratio(p_target, ps.mean(g, o - 90, o)),
        "ly_season": _ratio(p_target28, p_origin),
        "ly_season7": _ratio(p_target, p_origin),
        "ly_index": _ratio(p_target28, ps.mean(g, o - YEAR - 181, o - YEAR + 182)),
    }
    missing = np.isnan(f["ly_season"])
    for name in POOLED_FEATURES:
        f[name] = np.where(np.isnan(f[name]), pooled[name], f[name])
    f["ly_pooled"] = missing.astype(float)


def _zero_share(panel: Panel, rows: np.ndarray, origin: int) -> tuple[np.ndarray, np.ndarray]:
    """Share of in-stock days with no sale over the last 91 days (intermittency)."""
    lo = max(0, origin - 90)
    u = panel.units[:, lo : origin + 1]
    ok = panel.instock[:, lo : origin + 1] & ~np.isnan(u)
    z = (ok & (np.nan_to_num(u) == 0)).sum(axis=1)
    return z[rows].astype(float), ok.sum(axis=1)[rows].astype(float)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b, NaN where b is zero or missing (trees treat NaN as its own branch)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(b > 0, a / np.where(b > 0, b, 1.0), np.nan)
