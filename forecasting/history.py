"""The long-format sales contract (sku, date, units, price, in_stock) and its validation."""

from __future__ import annotations

import numpy as np
import pandas as pd

REQUIRED = ("sku", "date", "units")


class HistoryError(ValueError):
    """Malformed sales history; the message names the offending row (1-based, header excluded)."""


def _where(df: pd.DataFrame, i: int) -> str:
    return f"row {i + 1} (sku {df['sku'].iloc[i]!r}, date {df['date'].iloc[i]!r})"


def validate_history(history: pd.DataFrame) -> pd.DataFrame:
    """Check and normalise history: sku str, date datetime64, units float >= 0, 0/1 stock."""
    missing = [c for c in REQUIRED if c not in history.columns]
    if missing:
        raise HistoryError(f"missing column(s): {', '.join(missing)} (need sku, date, units)")
    df = history.reset_index(drop=True)
    if df["sku"].isna().any():
        i = int(np.flatnonzero(df["sku"].isna().to_numpy())[0])
        raise HistoryError(f"row {i + 1}: empty sku")
    out = pd.DataFrame({"sku": df["sku"].astype(str).to_numpy()})
    raw_dates = df["date"]
    if pd.api.types.is_datetime64_any_dtype(raw_dates):
        dates = pd.to_datetime(raw_dates)
    else:
        dates = pd.to_datetime(raw_dates.astype(str), format="%Y-%m-%d", errors="coerce")
    bad = dates.isna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise HistoryError(f"{_where(df, i)}: bad date, expected YYYY-MM-DD")
    out["date"] = dates.dt.normalize().to_numpy()
    for col, default in (("units", None), ("price", np.nan), ("in_stock", 1.0)):
        if col not in df.columns:
            out[col] = default
            continue
        values = pd.to_numeric(df[col], errors="coerce")
        text = df[col].astype(str).str.strip()
        unparsable = values.isna().to_numpy() & ~(df[col].isna() | (text == "")).to_numpy()
        if col == "units":
            unparsable |= values.isna().to_numpy()
        if unparsable.any():
            i = int(np.flatnonzero(unparsable)[0])
            raise HistoryError(f"{_where(df, i)}: {col} {df[col].iloc[i]!r} is not a number")
        if col == "in_stock":
            values = values.fillna(1.0)
            bad = ~values.isin([0.0, 1.0]).to_numpy()
            what = "in_stock must be 0 or 1"
        else:
            bad = (values < 0).fillna(False).to_numpy()
            what = f"negative {col}"
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise HistoryError(f"{_where(df, i)}: {what} ({df[col].iloc[i]!r})")
        out[col] = values.to_numpy(float)
    dup = out.duplicated(["sku", "date"], keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(
            np.flatnonzero(
                (
                    (out["sku"] == out["sku"].iloc[i]) & (out["date"] == out["date"].iloc[i])
                ).to_numpy()
            )[0]
        )
        raise HistoryError(f"{_where(df, i)}: duplicate of row {first + 1}")
    return out.sort_values(["sku", "date"], kind="stable").reset_index(drop=True)
