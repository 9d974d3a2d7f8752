"""Forecast accuracy: RMSSE, MASE, scaled pinball loss, coverage; per SKU, then averaged."""

from __future__ import annotations

import numpy as np
import pandas as pd

QUANTILE_COLUMNS = {0.1: "p10", 0.5: "p50", 0.9: "p90"}


def pinball_loss(actual: np.ndarray, quantile: np.ndarray, q: float) -> np.ndarray:
    """Element-wise pinball loss of quantile `q`."""
    diff = np.asarray(actual, float) - np.asarray(quantile, float)
    return np.maximum(q * diff, (q - 1) * diff)


def coverage(actual: np.ndarray, upper: np.ndarray) -> float:
    """Share of outcomes at or below the forecast quantile (0.9 is ideal for a P90)."""
    a = np.asarray(actual, float)
    return float(np.mean(a <= np.asarray(upper, float))) if len(a) else float("nan")


def scales(train: pd.DataFrame) -> pd.DataFrame:
    """Per-SKU in-sample scales from training units: one-step (RMSSE, M5) and weekly (MASE, M4)."""
    out = {}
    for sku, g in train.sort_values("date").groupby("sku", sort=False):
        y = g["units"].to_numpy(float)
        nz = np.flatnonzero(y > 0)
        y = y[nz[0] :] if len(nz) else y  # like M5: from the first sale
        d1 = np.diff(y)
        d7 = y[7:] - y[:-7]
        out[sku] = (
            float(np.mean(d1**2)) if len(d1) else np.nan,
            float(np.mean(np.abs(d7))) if len(d7) else np.nan,
            float(np.mean(y)) if len(y) else np.nan,
        )
    frame = pd.DataFrame.from_dict(out, orient="index", columns=["sq_scale", "abs_scale", "level"])
    # series that never moved: fall back to the median so they neither vanish nor explode
    for col in frame.columns:
        med = frame.loc[frame[col] > 0, col].median()
        frame[col] = frame[col].where(frame[col] > 0, med if pd.notna(med) else 1.0)
    return frame.rename_axis("sku")


def daily_scores(fc: pd.DataFrame, actual: pd.DataFrame, scale: pd.DataFrame) -> dict[str, float]:
    """Scores of daily forecasts (sku, date, mean, p10..p90) against (sku, date, actual).

    Rows of `actual` with valid == False (e.g. stockout days, whose sales are censored) are skipped.
    """
    j = fc.merge(actual, on=["sku", "date"], how="inner")
    if "valid" in j.columns:
        j = j[j["valid"].astype(bool)]
    if j.empty:
        return {}
    j = j.join(scale, on="sku")
    err = j["actual"] - j["mean"]
    per = pd.DataFrame(
        {"sku": j["sku"], "sq": err**2, "abs": err.abs(), "abs50": (j["actual"] - j["p50"]).abs()}
    )
    for q, col in QUANTILE_COLUMNS.items():
        per[col] = pinball_loss(j["actual"], j[col], q)
    g = per.groupby("sku").mean().join(scale)
    pin = sum(g[c] for c in QUANTILE_COLUMNS.values()) / len(QUANTILE_COLUMNS)
    return {
        "rmsse": float(np.sqrt(g["sq"] / g["sq_scale"]).mean()),
        "mase": float((g["abs"] / g["abs_scale"]).mean()),
        # absolute error is minimised by the median, so MASE of the P50 is the fair point score
        "mase_p50": float((g["abs50"] / g["abs_scale"]).mean()),
        "pinball": float((pin / g["abs_scale"]).mean()),
        "coverage_p90": coverage(j["actual"], j["p90"]),
        "coverage_p10": float(np.mean(j["actual"] < j["p10"])),
        "bias": float(j["mean"].sum() / max(j["actual"].sum(), 1e-9) - 1.0),
        "n": float(len(j)),
    }


def total_scores(
    tot: pd.DataFrame, actual: pd.DataFrame, scale: pd.DataFrame, horizon: int
) -> dict[str, float]:
    """Scores of window totals (sku, mean, p10, p50, p90) against actual totals (sku, actual)."""
    j = tot.merge(actual, on="sku", how="inner").join(scale, on="sku")
    if j.empty:
        return {}
    denom = (j["level"] * horizon).clip(lower=1.0)
    pin = sum(pinball_loss(j["actual"], j[c], q) for q, c in QUANTILE_COLUMNS.items()) / 3
    return {
        "total_pinball": float((pin / denom).mean()),
        "total_mape": float((np.abs(j["actual"] - j["mean"]) / denom).mean()),
        "total_coverage_p90": coverage(j["actual"], j["p90"]),
        "total_coverage_p10": float(np.mean(j["actual"] < j["p10"])),
        "total_n": float(len(j)),
    }
