"""Writes the fixed single-stage scenario (demand.csv, skus.csv) of test_replay_unchanged.py.

The golden outputs next to it were written by `python -m forecasting replay` before the
two-stage mode existed (commit 47e6217):

    python tests/forecasting/data/single_stage/make.py
    python -m forecasting replay --demand tests/forecasting/data/single_stage/demand.csv \
        --skus tests/forecasting/data/single_stage/skus.csv --start 2025-03-01 \
        --end 2025-06-28 --policies days_of_supply,foresight --daily \
        --out tests/forecasting/data/single_stage/golden
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
START = dt.date(2025, 3, 1)


def main() -> None:
    rng = np.random.default_rng(16)
    with open(HERE / "demand.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sku", "date", "demand", "price", "in_stock"])
        for sku, rate in (("A", 6.0), ("B", 0.4), ("C", 2.5)):
            for k in range(-60, 120):
                d = START + dt.timedelta(days=k)
                w.writerow([sku, d.isoformat(), int(rng.poisson(rate)), "19.99",
                            int(rng.random() > 0.05)])
    with open(HERE / "skus.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sku", "unit_cost", "sale_price", "fulfillment_fee", "referral_rate",
                    "cubic_feet", "size_tier", "lead_time_days", "case_pack", "moq",
                    "initial_on_hand"])
        w.writerow(["A", 5, 19.99, 3.2, 0.15, 0.1, "small_standard", 10, 6, 12, 40])
        w.writerow(["B", 12, 39.99, 6.1, 0.15, 1.4, "large_standard", 21, 1, 0, 3])
        w.writerow(["C", 30, 99.0, 25.0, 0.08, 9.0, "large_bulky", 30, 2, 4, 60])


if __name__ == "__main__":
    main()
