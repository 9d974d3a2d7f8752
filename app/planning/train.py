"""Retrain a seller's forecaster from its synced history and store forecasts for every SKU."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd
from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from app import queries, summaries
from app.extensions import defer_write_lock
from app.models import Forecast, ModelVersion, Product, SellerAccount, utcnow
from app.planning.data import daily_prices, static_attributes, with_prices
from app.planning.versions import load_model, model_bytes
from app.sync.history import sales_history
from forecasting.backtest import run_backtest
from forecasting.model import DemandForecaster

FORECAST_HORIZON = 120
FORECASTS = cast(Table, Forecast.__table__)  # Core inserts: the ORM adds nothing to 5000 rows
BACKTEST_DAYS = 28
MIN_HISTORY_DAYS = 56
Progress = Callable[[float, str], None]


class NotEnoughHistory(RuntimeError):
    """The seller has too little synced history to train on."""


def seller_history(session: Session, account: SellerAccount) -> pd.DataFrame:
    """sku, date, units, in_stock (+ price): the exact history `export sales` writes."""
    history = sales_history(session, account.tenant_id, account.id)
    prices = daily_prices(session, account.tenant_id, account.id)
    return with_prices(history, prices)


def backtest_metrics(history: pd.DataFrame, static: pd.DataFrame, seed: int,
                     days: int = BACKTEST_DAYS) -> dict[str, Any]:
    """Fit on all but the last `days` days and score the held-out window against the built-in
    baselines (RMSSE, MASE, pinball loss, P90 coverage; in-stock days only)."""
    dates = pd.to_datetime(history["date"])
    cutoff = dates.max() - pd.Timedelta(days=days)
    if (dates <= cutoff).sum() == 0 or (dates > cutoff).sum() == 0:
        return {}
    frame = history.drop(columns=[c for c in ("price",) if c in history])
    result = run_backtest(frame, [cutoff], days, static=static, seed=seed)
    summary = result.summary()
    return {
        "window_days": days,
        "cutoff": str(cutoff.date()),
        "models": {name: {k: _plain(v) for k, v in m.items()} for name, m in summary.items()},
    }


def train_seller(
    session: Session, account: SellerAccount, seed: int = 0, progress: Progress | None = None
) -> ModelVersion:
    """Backtest, fit on everything, store the model version and its forecasts; caller commits."""
    say = progress or (lambda _p, _m: None)
    defer_write_lock(session)  # SQLite: no write lock while the backtest and the fit run
    say(0.05, "reading history")
    history = seller_history(session, account)
    if history.empty or history["date"].nunique() < MIN_HISTORY_DAYS:
        raise NotEnoughHistory(
            f"{account.name}: {history['date'].nunique() if not history.empty else 0} days of "
            f"history; at least {MIN_HISTORY_DAYS} are needed to train"
        )
    static = static_attributes(session, account.tenant_id, account.id)
    say(0.15, f"backtesting on the last {BACKTEST_DAYS} days")
    try:
        metrics = backtest_metrics(history, static, seed)
    except Exception as exc:  # noqa: BLE001 - a failed backtest must not block the forecasts
        logging.getLogger(__name__).exception("backtest failed for seller %s", account.id)
        metrics = {"error": f"{type(exc).__name__}: {exc}"}
    say(0.55, "training on the full history")
    previous = previous_model(session, account)
    model = DemandForecaster(seed=seed).fit(history, static, previous=previous)
    artifact = model_bytes(model)
    version = ModelVersion(
        tenant_id=account.tenant_id,
        seller_account_id=account.id,
        trained_at=utcnow(),
        cutoff=pd.Timestamp(model.cutoff).date(),
        params={"seed": seed, **{k: _plain(v) for k, v in getattr(model, "params", {}).items()}},
        metrics={"backtest": metrics, "fit": _plain(getattr(model, "metrics", {}))},
        artifact=artifact,
        artifact_path="db",
        status="ready",
    )
    session.add(version)
    session.flush()
    say(0.8, "writing forecasts")
    write_forecasts(session, account, version, model)
    session.execute(
        update(ModelVersion)
        .where(
            ModelVersion.tenant_id == account.tenant_id,
            ModelVersion.seller_account_id == account.id,
            ModelVersion.id != version.id,
            ModelVersion.status == "ready",
        )
        .values(status="superseded")
    )
    summaries.refresh(session, account)  # the dashboard's 30-day forecasts are this model's
    say(1.0, "trained")
    return version


def previous_model(session: Session, account: SellerAccount) -> Any | None:
    """The model a retrain replaces: its per-SKU forecast errors since its cutoff carry over
    (forecasting.tracking). None when there is none or it cannot be read; training goes on."""
    version = queries.latest_model(session, account.tenant_id, account.id)
    if version is None or not version.artifact:
        return None
    try:
        return load_model(version.artifact)
    except Exception:  # noqa: BLE001 - an unreadable old artifact must not block training
        logging.getLogger(__name__).warning(
            "model version %s could not be read; its forecast errors are not carried over",
            version.id,
        )
        return None


def write_forecasts(
    session: Session,
    account: SellerAccount,
    version: ModelVersion,
    model: Any,
    horizon: int = FORECAST_HORIZON,
) -> int:
    """Daily forecasts of active SKUs; older versions' rows go, so the table stays bounded."""
    active = set(
        session.scalars(
            select(Product.sku).where(
                Product.tenant_id == account.tenant_id,
                Product.seller_account_id == account.id,
                Product.active.is_(True),
            )
        )
    )
    daily = model.predict(horizon)
    if active:
        daily = daily[daily["sku"].isin(active)]
    session.execute(
        delete(Forecast).where(
            Forecast.tenant_id == account.tenant_id,
            Forecast.seller_account_id == account.id,
            Forecast.model_version_id != version.id,
        )
    )
    rows = [
        {
            "tenant_id": account.tenant_id,
            "seller_account_id": account.id,
            "model_version_id": version.id,
            "sku": sku,
            "date": pd.Timestamp(d).date(),
            "mean": float(m),
            "p10": float(a),
            "p50": float(b),
            "p90": float(c),
        }
        for sku, d, m, a, b, c in daily[["sku", "date", "mean", "p10", "p50", "p90"]].itertuples(
            index=False
        )
    ]
    for start in range(0, len(rows), 5000):
        session.execute(FORECASTS.insert(), rows[start : start + 5000])
    return len(rows)


def _plain(value: Any) -> Any:
    """JSON-safe copy of model metadata (numpy scalars, dates)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dt.date | pd.Timestamp):
        return str(value)
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
