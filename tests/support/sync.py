"""Syncs against a simulator: a seller pointed at it, per-table digests, the history truth."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pandas as pd
from sqlalchemy import select

TIMESTAMPS = {"synced_at", "captured_at", "fetched_at", "created_at", "updated_at"}
# The tables a sync writes, compared row for row between two syncs.
DATA_TABLES = (
    "orders",
    "order_items",
    "inventory_snapshots",
    "products",
    "fee_events",
    "fee_estimates",
    "storage_fee_charges",
    "amazon_restock_recommendations",
)


def sim_seller(session: Any, sim: Any, name: str = "sim", index: int = 0, **columns: Any) -> Any:
    """A new tenant and a seller account on simulator seller `index` (committed); the account.

    `columns` are further SellerAccount columns (a webhook secret, say).
    """
    from app.models import SellerAccount, Tenant

    tenant = Tenant(name=f"tenant-{name}")
    session.add(tenant)
    session.flush()
    account = SellerAccount(tenant_id=tenant.id, name=name, **sim.account_fields(index), **columns)
    session.add(account)
    session.commit()
    return account


def table_digests(session: Any, seller_id: int, with_timestamps: bool = True) -> dict[str, str]:
    """Per table: a digest of one seller's rows (ids and owner columns left out)."""
    from app.models import Base

    out = {}
    for name in DATA_TABLES:
        table = Base.metadata.tables[name]
        cols = [
            c
            for c in table.c
            if c.name not in ("id", "tenant_id", "seller_account_id")
            and (with_timestamps or c.name not in TIMESTAMPS)
        ]
        rows = session.execute(select(*cols).where(table.c.seller_account_id == seller_id)).all()
        text = "\n".join(sorted(repr(tuple(r)) for r in rows))
        out[name] = f"{len(rows)}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"
    return out


def truth_frames(sim: Any, now: int | None = None) -> pd.DataFrame:
    """orders_daily.csv units and demand.csv in_stock, merged, as the simulator writes them."""
    from simulator.truth import truth_texts

    texts = truth_texts(sim.marketplace.sellers[0].world, now)
    orders = pd.read_csv(io.StringIO(texts["orders_daily.csv"]))
    demand = pd.read_csv(io.StringIO(texts["demand.csv"]))
    return orders.merge(demand[["sku", "date", "in_stock"]], on=["sku", "date"], validate="1:1")


def assert_history_matches_truth(history: pd.DataFrame, truth: pd.DataFrame) -> None:
    got = history.assign(date=history["date"].dt.strftime("%Y-%m-%d"))
    merged = truth.merge(
        got, on=["sku", "date"], how="outer", suffixes=("_truth", ""), indicator=True
    )
    missing = merged[merged["_merge"] != "both"]
    assert missing.empty, f"rows only on one side:\n{missing.head(10)}"
    units_off = merged[merged["units_truth"] != merged["units"]]
    assert units_off.empty, f"units differ:\n{units_off.head(10)}"
    stock_off = merged[merged["in_stock_truth"] != merged["in_stock"]]
    assert stock_off.empty, f"in_stock differs:\n{stock_off.head(10)}"
