"""The real public sales dataset in `../shared/data/` as bench input (`--source pasta`).

118 pasta SKUs of an Italian grocery store, daily units 2014-01-02..2018-12-31 (Mancuso,
Piccialli and Sudoso, Expert Systems with Applications 2021; CC BY 4.0; see the data's README).
The file stays out of the repository: it is read from `../shared/data/pasta-sales/` or
`$FBA_REAL_DATA`.

The series have no prices, stock levels or unit economics. Unit economics, size tiers, case
packs and MOQs are drawn by the simulator's own catalog generator (`simulator.catalog`) with a
recorded seed; lead times are redrawn 20-90 days as bench/replay.py does for the simulator.
The store was closed on 27 days (holidays), which the file leaves out: they are inserted with 0
units and `in_stock = 0` (a closed store says nothing about demand), so every SKU's days are
contiguous as the replay spec requires. Brand is the SKU's category.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "pasta-sales" / "hierarchical_sales_data.csv"


def data_path() -> Path:
    """Where the pasta CSV is (env FBA_REAL_DATA overrides, then SHARED_DIR as the shared
    folder, e.g. from a git worktree); FileNotFoundError if absent."""
    shared = os.environ.get("SHARED_DIR")
    fallback = (Path(shared) / "data" / "pasta-sales" / DEFAULT.name) if shared else DEFAULT
    path = Path(os.environ.get("FBA_REAL_DATA", fallback))
    if not path.exists():
        raise FileNotFoundError(f"real sales data not found at {path} (set FBA_REAL_DATA)")
    return path


def load_pasta(path: Path | None = None) -> pd.DataFrame:
    """Long frame: sku, date, demand, sold, in_stock, promo, brand (closed days inserted)."""
    wide = pd.read_csv(path or data_path())
    wide["DATE"] = pd.to_datetime(wide["DATE"])
    qty = [c for c in wide.columns if c.startswith("QTY_")]
    days = pd.date_range(wide["DATE"].min(), wide["DATE"].max(), freq="D")
    wide = wide.set_index("DATE").reindex(days)
    open_day = wide[qty[0]].notna().to_numpy()
    frames = []
    for col in qty:
        sku = col[len("QTY_"):]
        units = wide[col].fillna(0.0).to_numpy(float)
        promo = wide.get(f"PROMO_{sku}", pd.Series(0, index=days)).fillna(0).to_numpy(int)
        frames.append(pd.DataFrame({
            "sku": sku, "date": days, "demand": units, "sold": units,
            "in_stock": open_day.astype(int), "promo": promo, "brand": sku.split("_")[0],
        }))
    return pd.concat(frames, ignore_index=True)


def economics(skus: list[str], seed: int) -> pd.DataFrame:
    """One replay skus.csv row per SKU, drawn as the simulator draws its catalog (seeded)."""
    from simulator.catalog import WorldSpec, make_catalog

    day = dt.date(2025, 1, 1)
    cat = make_catalog(WorldSpec(seed=seed, n_skus=len(skus), start=day, anchor=day))
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "sku": skus,
        "unit_cost": cat["unit_cost"].to_numpy(),
        "sale_price": cat["list_price"].to_numpy(),
        "fulfillment_fee": cat["fulfillment_fee"].to_numpy(),
        "referral_rate": cat["referral_rate"].to_numpy(),
        "cubic_feet": cat["cubic_feet"].to_numpy(),
        "size_tier": cat["size_tier"].to_numpy(),
        "lead_time_days": rng.integers(20, 91, size=len(skus)),
        "case_pack": cat["case_pack"].to_numpy(),
        "moq": cat["moq"].to_numpy(),
    })
