"""Reading and checking the replay's demand.csv and skus.csv (replay-spec.md, "Inputs")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.fees import SIZE_TIERS

SKU_DEFAULTS = {"referral_rate": 0.15, "case_pack": 1, "moq": 0, "initial_on_hand": 0}
SKU_REQUIRED = ("sku", "unit_cost", "sale_price", "fulfillment_fee", "cubic_feet", "size_tier",
                "lead_time_days")
INT_COLUMNS = ("lead_time_days", "case_pack", "moq", "initial_on_hand")


class ReplayInputError(ValueError):
    """A malformed input file; the message names the file and the row (header = row 1)."""


@dataclass
class ReplayInput:
    """Everything a replay reads, as arrays aligned on `skus` (rows) and window days (columns)."""

    skus: list[str]
    start: dt.date
    end: dt.date
    dates: list[dt.date]            # window days, start..end
    demand: np.ndarray              # (n, T) int64, true demand in the window
    hist_dates: list[dt.date]       # common history axis, padded on the left
    hist_sold: np.ndarray           # (n, Th) int64, observed units before start (0 where absent)
    hist_in_stock: np.ndarray       # (n, Th) bool, False where censored or absent
    hist_valid: np.ndarray          # (n, Th) bool, row present
    hist_price: np.ndarray          # (n, Th) float, NaN where absent
    unit_cost: np.ndarray
    sale_price: np.ndarray
    fulfillment_fee: np.ndarray
    referral_rate: np.ndarray
    cubic_feet: np.ndarray
    size_tier: np.ndarray           # str objects
    lead: np.ndarray                # int64
    case_pack: np.ndarray
    moq: np.ndarray
    initial_on_hand: np.ndarray

    @property
    def margin(self) -> np.ndarray:
        """Margin lost per unit of lost demand (replay-spec: lost margin)."""
        return (self.sale_price * (1 - self.referral_rate) - self.fulfillment_fee
                - self.unit_cost)


def _fail(path: Path, row: int, msg: str) -> ReplayInputError:
    return ReplayInputError(f"{path}: row {row}: {msg}")


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReplayInputError(f"{path}: cannot read CSV: {exc}") from exc


def _numbers(df: pd.DataFrame, col: str, path: Path, *, integer: bool = False,
             minimum: float | None = None, default: float | None = None) -> np.ndarray:
    raw = df[col] if col in df.columns else pd.Series([""] * len(df), index=df.index)
    values = np.empty(len(df), dtype=float)
    for i, text in enumerate(raw):
        text = text.strip()
        if text == "" and default is not None:
            values[i] = default
            continue
        try:
            values[i] = float(text)
        except ValueError:
            raise _fail(path, i + 2, f"{col}={text!r} is not a number") from None
        if not np.isfinite(values[i]):
            raise _fail(path, i + 2, f"{col}={text!r} is not finite")
        if integer and values[i] != int(values[i]):
            raise _fail(path, i + 2, f"{col}={text!r} is not a whole number")
        if minimum is not None and values[i] < minimum:
            raise _fail(path, i + 2, f"{col}={text!r} is below {minimum:g}")
    return values.astype(np.int64) if integer else values


def load_skus(path: Path, lead_column: str = "lead_time_days") -> pd.DataFrame:
    """skus.csv as typed columns with the spec's defaults filled in. `lead_column` is read as
    `lead_time_days` (the two-stage replay reads `transfer_lead_days` there)."""
    df = _read_csv(path)
    required = [lead_column if c == "lead_time_days" else c for c in SKU_REQUIRED]
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ReplayInputError(f"{path}: missing column(s) {missing}")
    out = pd.DataFrame({"sku": df["sku"].str.strip()})
    for i, sku in enumerate(out["sku"]):
        if not sku:
            raise _fail(path, i + 2, "empty sku")
    dup = out["sku"].duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise _fail(path, i + 2, f"duplicate sku {out['sku'].iloc[i]!r}")
    for col in ("unit_cost", "sale_price", "fulfillment_fee", "cubic_feet"):
        out[col] = _numbers(df, col, path, minimum=0.0)
    out["referral_rate"] = _numbers(df, "referral_rate", path, minimum=0.0, default=0.15)
    out["lead_time_days"] = _numbers(df, lead_column, path, integer=True, minimum=1)
    out["case_pack"] = _numbers(df, "case_pack", path, integer=True, minimum=1, default=1)
    out["moq"] = _numbers(df, "moq", path, integer=True, minimum=0, default=0)
    out["initial_on_hand"] = _numbers(df, "initial_on_hand", path, integer=True, minimum=0,
                                      default=0)
    tiers = df["size_tier"].str.strip()
    for i, tier in enumerate(tiers):
        if tier not in SIZE_TIERS:
            raise _fail(path, i + 2, f"size_tier={tier!r} is not one of {list(SIZE_TIERS)}")
    out["size_tier"] = tiers
    return out


def load_demand(path: Path) -> pd.DataFrame:
    """demand.csv typed and checked: dates parse, demand >= 0, days contiguous per SKU."""
    df = _read_csv(path)
    missing = [c for c in ("sku", "date", "demand") if c not in df.columns]
    if missing:
        raise ReplayInputError(f"{path}: missing column(s) {missing}")
    out = pd.DataFrame({"sku": df["sku"].str.strip(), "row": np.arange(2, len(df) + 2)})
    dates = pd.to_datetime(df["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    bad = dates.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise _fail(path, i + 2, f"date={df['date'].iloc[i]!r} is not YYYY-MM-DD")
    out["date"] = dates.dt.date
    out["demand"] = _numbers(df, "demand", path, integer=True, minimum=0)
    out["price"] = (_numbers(df, "price", path, minimum=0.0, default=np.nan)
                    if "price" in df.columns else np.nan)
    in_stock = (_numbers(df, "in_stock", path, integer=True, minimum=0, default=1)
                if "in_stock" in df.columns else np.ones(len(df), dtype=np.int64))
    if (in_stock > 1).any():
        i = int(np.flatnonzero(in_stock > 1)[0])
        raise _fail(path, i + 2, "in_stock must be 0 or 1")
    out["in_stock"] = in_stock
    out = out.sort_values(["sku", "date"], kind="stable").reset_index(drop=True)
    day = pd.to_datetime(out["date"])
    same = out["sku"].eq(out["sku"].shift())
    gap = (day - day.shift()).dt.days
    broken = same & gap.ne(1)
    if broken.any():
        i = int(np.flatnonzero(broken.to_numpy())[0])
        kind = "duplicate date" if gap.iloc[i] == 0 else "days not contiguous (gap before it)"
        raise _fail(path, int(out["row"].iloc[i]), f"sku {out['sku'].iloc[i]!r} "
                    f"date {out['date'].iloc[i]}: {kind}")
    return out


def load_input(demand_path: Path, skus_path: Path, start: dt.date, end: dt.date,
               lead_column: str = "lead_time_days") -> ReplayInput:
    """Both files joined into a ReplayInput for the window start..end (inclusive)."""
    if end < start:
        raise ReplayInputError(f"--end {end} is before --start {start}")
    skus = load_skus(skus_path, lead_column)
    demand = load_demand(demand_path)
    known = set(skus["sku"])
    stray = demand[~demand["sku"].isin(known)]
    if len(stray):
        raise _fail(demand_path, int(stray["row"].iloc[0]),
                    f"sku {stray['sku'].iloc[0]!r} is not in {skus_path}")
    dates = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    T = len(dates)
    n = len(skus)
    window = demand[(demand["date"] >= start) & (demand["date"] <= end)]
    hist = demand[demand["date"] < start]
    first = hist["date"].min() if len(hist) else start
    Th = (start - first).days
    hist_dates = [first + dt.timedelta(days=i) for i in range(Th)]
    index = {s: i for i, s in enumerate(skus["sku"])}
    dem = np.zeros((n, T), dtype=np.int64)
    counts = window.groupby("sku").size()
    for sku in skus["sku"]:
        if counts.get(sku, 0) != T:
            raise ReplayInputError(f"{demand_path}: sku {sku!r} has {counts.get(sku, 0)} rows "
                                   f"between {start} and {end}, expected {T}")
    r = window["sku"].map(index).to_numpy()
    c = np.array([(d - start).days for d in window["date"]], dtype=np.int64)
    dem[r, c] = window["demand"].to_numpy()
    h_sold = np.zeros((n, Th), dtype=np.int64)
    h_in = np.zeros((n, Th), dtype=bool)
    h_valid = np.zeros((n, Th), dtype=bool)
    h_price = np.full((n, Th), np.nan)
    if len(hist):
        r = hist["sku"].map(index).to_numpy()
        c = np.array([(d - first).days for d in hist["date"]], dtype=np.int64)
        h_sold[r, c] = hist["demand"].to_numpy()
        h_in[r, c] = hist["in_stock"].to_numpy() == 1
        h_valid[r, c] = True
        h_price[r, c] = hist["price"].to_numpy(dtype=float)
    return ReplayInput(
        skus=list(skus["sku"]), start=start, end=end, dates=dates, demand=dem,
        hist_dates=hist_dates, hist_sold=h_sold, hist_in_stock=h_in, hist_valid=h_valid,
        hist_price=h_price, unit_cost=skus["unit_cost"].to_numpy(float),
        sale_price=skus["sale_price"].to_numpy(float),
        fulfillment_fee=skus["fulfillment_fee"].to_numpy(float),
        referral_rate=skus["referral_rate"].to_numpy(float),
        cubic_feet=skus["cubic_feet"].to_numpy(float),
        size_tier=skus["size_tier"].to_numpy(object),
        lead=skus["lead_time_days"].to_numpy(np.int64),
        case_pack=skus["case_pack"].to_numpy(np.int64), moq=skus["moq"].to_numpy(np.int64),
        initial_on_hand=skus["initial_on_hand"].to_numpy(np.int64),
    )
