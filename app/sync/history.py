"""The daily sales history the forecaster trains on and `export sales` writes.

One row per SKU per day from the SKU's first known day to the last synced day, zero-sale days
included: units in non-canceled orders by purchase day in the marketplace's time zone (its local
day, app.localtime: a US seller's day is Pacific, a UK seller's London time), as the orders sync
keeps them in sku_daily_units (app.sync.daily), and in_stock = 0 on days whose end-of-day
sellable balance (inventory history, carried forward over gaps) was zero.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import localtime
from app.models import InventorySnapshot, Order, SyncState
from app.sync import daily
from app.sync.orders import STREAM as ORDERS_STREAM
from app.sync.orders import history_start

COLUMNS = ["sku", "date", "units", "in_stock"]


# The time zone of the seller's marketplace (its days): one lookup for the history and the
# daily units it reads.
seller_zone = daily.seller_zone


def last_synced_day(session: Session, tenant_id: int, seller_account_id: int) -> dt.date | None:
    """The last whole local day the orders stream has fully seen (the day before the local day
    of its watermark)."""
    watermark = session.scalar(
        select(SyncState.watermark).where(
            SyncState.tenant_id == tenant_id,
            SyncState.seller_account_id == seller_account_id,
            SyncState.stream == ORDERS_STREAM,
        )
    )
    if watermark is None:
        return None
    zone = seller_zone(session, tenant_id, seller_account_id)
    return localtime.local_date(watermark, zone) - dt.timedelta(days=1)


def purchase_day(session: Session, zone: str) -> object:
    """SQL: an order's purchase day in the marketplace's time zone."""
    return localtime.day_sql(session, Order.purchase_date, zone)


def _units(session: Session, tenant_id: int, seller_account_id: int) -> pd.DataFrame:
    rows = daily.all_units(session, tenant_id, seller_account_id)
    frame = pd.DataFrame(rows, columns=["sku", "date", "units"])
    frame["date"] = pd.to_datetime(frame["date"].astype(str))
    frame["units"] = frame["units"].astype("int64")
    return frame


def _stock(session: Session, tenant_id: int, seller_account_id: int) -> pd.DataFrame:
    stmt = select(
        InventorySnapshot.sku,
        InventorySnapshot.date,
        InventorySnapshot.fulfillable,
        InventorySnapshot.source,
    ).where(
        InventorySnapshot.tenant_id == tenant_id,
        InventorySnapshot.seller_account_id == seller_account_id,
    )
    frame = pd.DataFrame(
        session.execute(stmt).all(), columns=["sku", "date", "fulfillable", "source"]
    )
    frame["date"] = pd.to_datetime(frame["date"].astype(str))
    return frame


def sales_history(session: Session, tenant_id: int, seller_account_id: int) -> pd.DataFrame:
    """DataFrame[sku, date (datetime64), units (int), in_stock (0/1)], sorted by sku, date."""
    last = last_synced_day(session, tenant_id, seller_account_id)
    if last is None:
        return sales_history_empty()
    start = history_start(session, tenant_id, seller_account_id)
    units = _units(session, tenant_id, seller_account_id)
    stock = _stock(session, tenant_id, seller_account_id)
    end_ts = pd.Timestamp(last)
    start_ts = pd.Timestamp(start) if start else None

    # A SKU is known from its first sale, its first ledger day, or its first day with stock
    # (a summaries row of a not-yet-launched listing with only inbound units does not count).
    known = stock[(stock["source"] == "ledger") | (stock["fulfillable"] > 0)]
    firsts = pd.concat(
        [units.groupby("sku")["date"].min(), known.groupby("sku")["date"].min()], axis=1
    ).min(axis=1)
    frames = []
    # pandas GroupBy is not a mapping: dict(groupby) fails, iterating it gives (key, frame).
    stock_by_sku = {k: g for k, g in stock.groupby("sku")}  # noqa: C416
    units_by_sku = {k: g for k, g in units.groupby("sku")}  # noqa: C416
    for sku, first in sorted(firsts.items()):
        begin = max(first, start_ts) if start_ts is not None else first
        if begin > end_ts:
            continue
        days = pd.date_range(begin, end_ts, freq="D")
        u = units_by_sku.get(sku)
        sold = (
            u.set_index("date")["units"].reindex(days, fill_value=0)
            if u is not None
            else pd.Series(0, index=days)
        )
        s = stock_by_sku.get(sku)
        if s is not None:
            level = s.set_index("date")["fulfillable"].sort_index()
            # Carry the last known balance forward over days without a row; before the first
            # row nothing is known, and a SKU that sold is taken to have been in stock.
            level = level.reindex(level.index.union(days)).ffill().reindex(days)
            in_stock = (level.fillna(1) > 0).astype("int64")
        else:
            in_stock = pd.Series(1, index=days, dtype="int64")
        frames.append(
            pd.DataFrame(
                {
                    "sku": sku,
                    "date": days,
                    "units": sold.to_numpy(dtype=np.int64),
                    "in_stock": in_stock.to_numpy(),
                }
            )
        )
    if not frames:
        return sales_history_empty()
    return pd.concat(frames, ignore_index=True)[COLUMNS]


def sales_history_empty() -> pd.DataFrame:
    """An empty history with the right columns and types."""
    return pd.DataFrame(
        {
            "sku": pd.Series(dtype="object"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "units": pd.Series(dtype="int64"),
            "in_stock": pd.Series(dtype="int64"),
        }
    )
