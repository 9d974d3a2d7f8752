"""Run the two-stage policies and write shipments.csv (the transfers), supplier_orders.csv,
summary.json and daily.csv (docs/replay-two-stage.md, "Outputs")."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from forecasting.replay_runner import (
    cheapest_run,
    per_sku_pick,
    picked_moves,
    summary_policies,
    write_daily_rows,
)
from forecasting.replay_two_stage import (
    TWO_STAGE_LINES,
    TwoStageInput,
    TwoStagePolicy,
    TwoStageResult,
    simulate_two_stage,
)
from forecasting.replay_two_stage_policies import (
    ORDER_COVERS,
    TRANSFER_COVERS,
    TwoStageDaysOfSupply,
    TwoStageForesight,
)

POLICIES = ("ours", "days_of_supply", "foresight")
COUNTS = ("units_demand", "units_sold", "units_lost", "transfers", "units_transferred",
          "supplier_orders", "units_ordered", "backup_orders", "units_backup")


def run_two_stage_foresight(two: TwoStageInput, review_days: int) -> TwoStageResult:
    """Foresight with (b_order, b_transfer) picked per SKU as the pair of lowest total cost
    (ties: the first in ORDER_COVERS x TRANSFER_COVERS order, i.e. the smallest covers)."""
    pairs = [(bo, bt) for bo in ORDER_COVERS for bt in TRANSFER_COVERS]
    runs = [simulate_two_stage(two, TwoStageForesight(review_days, bt, bo), review_days)
            for bo, bt in pairs]
    best = cheapest_run(runs)
    pick = per_sku_pick(best)
    return TwoStageResult(
        "foresight", two.base.demand, pick([r.sold for r in runs]), pick([r.lost for r in runs]),
        pick([r.on_hand_end for r in runs]), pick([r.warehouse_end for r in runs]),
        {k: pick([r.lines[k] for r in runs]) for k in TWO_STAGE_LINES},
        picked_moves(runs, best, "transfers"), picked_moves(runs, best, "orders"),
        extra={"b_order": np.array([pairs[k][0] for k in best]),
               "b_transfer": np.array([pairs[k][1] for k in best])},
        backup_orders=picked_moves(runs, best, "backup_orders"),
    )


def run_two_stage(two: TwoStageInput, policies: Sequence[str], review_days: int,
                  ours_factory: Callable[[], TwoStagePolicy] | None = None
                  ) -> dict[str, TwoStageResult]:
    """Each named policy's TwoStageResult; `ours_factory` builds the product policy if given."""
    out: dict[str, TwoStageResult] = {}
    for name in policies:
        if name == "days_of_supply":
            out[name] = simulate_two_stage(two, TwoStageDaysOfSupply(review_days), review_days)
        elif name == "foresight":
            out[name] = run_two_stage_foresight(two, review_days)
        elif name == "ours":
            if ours_factory is None:
                from forecasting.replay_two_stage_ours import TwoStageOurs

                policy: TwoStagePolicy = TwoStageOurs(two, review_days)
            else:
                policy = ours_factory()
            out[name] = simulate_two_stage(two, policy, review_days)
        else:
            raise ValueError(f"unknown policy {name!r}; known: {', '.join(POLICIES)}")
    return out


def _totals(values: dict[str, np.ndarray], i: int | None) -> dict[str, float | int]:
    pick = (lambda a: a.sum()) if i is None else (lambda a: a[i])
    out: dict[str, float | int] = {k: float(pick(values[k]))
                                   for k in (*TWO_STAGE_LINES, "total")}
    for k in COUNTS:
        out[k] = int(pick(values[k]))
    out["fill_rate"] = out["units_sold"] / out["units_demand"] if out["units_demand"] else 1.0
    out["shipments"] = out["transfers"]
    return out


def summarize_two_stage(two: TwoStageInput, results: dict[str, TwoStageResult],
                        review_days: int) -> dict:
    """The summary.json document: per policy totals, and per SKU the same."""
    inp = two.base
    doc: dict = {"mode": "two_stage", "start": inp.start.isoformat(),
                 "end": inp.end.isoformat(), "review_days": review_days,
                 "skus": len(inp.skus)}
    return summary_policies(doc, inp.skus, results, _totals)


def write_two_stage_outputs(two: TwoStageInput, results: dict[str, TwoStageResult],
                            review_days: int, out_dir: Path, daily: bool = False) -> dict:
    """shipments.csv (transfers, the single-stage columns), supplier_orders.csv, summary.json
    and, with `daily`, daily.csv; returns the summary document."""
    inp = two.base
    out_dir.mkdir(parents=True, exist_ok=True)

    def day(k: int) -> str:
        return (inp.start + dt.timedelta(days=k)).isoformat()

    with open(out_dir / "shipments.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["policy", "sku", "ship_date", "quantity", "arrival_date", "transfer_cost"])
        for name, res in results.items():
            for i, t, q, a in res.transfers:
                w.writerow([name, inp.skus[i], day(t), q, day(a),
                            repr(float(q * two.transfer_cost_per_unit[i]))])
    with open(out_dir / "supplier_orders.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["policy", "sku", "order_date", "quantity", "arrival_date", "freight",
                    "supplier"])
        assert two.backup_freight_per_unit is not None
        for name, res in results.items():
            for i, t, q, a in res.orders:
                w.writerow([name, inp.skus[i], day(t), q, day(a),
                            repr(float(q * two.freight_per_unit[i])), "primary"])
            for i, t, q, a in res.backup_orders:
                w.writerow([name, inp.skus[i], day(t), q, day(a),
                            repr(float(q * two.backup_freight_per_unit[i])), "backup"])
    doc = summarize_two_stage(two, results, review_days)
    (out_dir / "summary.json").write_text(json.dumps(doc, indent=1))
    if daily:
        write_daily_rows(out_dir / "daily.csv", inp, results, ("on_hand_end", "warehouse_end"),
                         TWO_STAGE_LINES)
    return doc
