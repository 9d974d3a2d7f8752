"""Demand classes by the ADI / CV² split (Syntetos, Boylan and Croston 2005).

ADI is the average interval between days with a sale (in-stock days per day with demand); CV² is
the squared coefficient of variation of the non-zero daily sizes. The usual cut-offs 1.32 and
0.49 give four classes: smooth (regular, steady sizes), erratic (regular, sizes vary), intermittent
(long gaps, steady sizes) and lumpy (long gaps, sizes vary). Stockout days are left out: a day
with nothing to sell says nothing about how often customers buy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ADI_CUT = 1.32
CV2_CUT = 0.49
CLASSES = ("smooth", "erratic", "intermittent", "lumpy")
WINDOW_DAYS = 365
MIN_SALE_DAYS = 2  # fewer days with a sale than this: too little to say, counted as lumpy


def adi_cv2(units: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of (sku x day) `units` over the days where `ok`: ADI and CV² (inf / NaN where
    the row has no sale)."""
    y = np.where(ok, np.nan_to_num(units), 0.0)
    sale = ok & (y > 0)
    n_ok = ok.sum(axis=1).astype(float)
    n_sale = sale.sum(axis=1).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        adi = np.where(n_sale > 0, n_ok / np.maximum(n_sale, 1), np.inf)
        mean = np.where(n_sale > 0, y.sum(axis=1) / np.maximum(n_sale, 1), np.nan)
        sq = np.where(sale, (y - mean[:, None]) ** 2, 0.0).sum(axis=1)
        var = np.where(n_sale > 1, sq / np.maximum(n_sale - 1, 1), np.nan)
        cv2 = var / mean**2
    return adi, cv2


def classify(units: np.ndarray, ok: np.ndarray, window: int = WINDOW_DAYS) -> np.ndarray:
    """Class index into CLASSES for each row, from its last `window` days."""
    units, ok = units[:, -window:], ok[:, -window:]
    adi, cv2 = adi_cv2(units, ok)
    n_sale = (ok & (np.nan_to_num(units) > 0)).sum(axis=1)
    gappy = adi >= ADI_CUT
    varied = np.nan_to_num(cv2, nan=np.inf) >= CV2_CUT
    out = np.where(gappy, np.where(varied, 3, 2), np.where(varied, 1, 0))
    return np.where(n_sale < MIN_SALE_DAYS, 3, out).astype(np.int64)


def classify_history(history: pd.DataFrame, window: int = WINDOW_DAYS) -> pd.Series:
    """Class name per SKU (index) of long history (sku, date, units[, in_stock]), from each
    SKU's last `window` days up to the history's last date."""
    h = history.assign(date=pd.to_datetime(history["date"]), sku=history["sku"].astype(str))
    end = h["date"].max()
    h = h[h["date"] > end - pd.Timedelta(days=window)]
    ok_col = h["in_stock"] if "in_stock" in h.columns else pd.Series(1, index=h.index)
    units = h.pivot_table(index="sku", columns="date", values="units", aggfunc="sum")
    ok = (
        h.assign(ok=ok_col.fillna(1).astype(float) > 0.5)
        .pivot_table(index="sku", columns="date", values="ok", aggfunc="max")
        .reindex_like(units)
        .fillna(False)
        .to_numpy(bool)
        .copy()
    )
    ok &= ~np.isnan(units.to_numpy(float))
    idx = classify(units.to_numpy(float), ok, window)
    return pd.Series(np.array(CLASSES, dtype=object)[idx], index=units.index, name="demand_class")
