"""Run several policies through one replay and write shipments.csv, summary.json, daily.csv."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from forecasting.replay import COST_LINES, Policy, RunResult, simulate
from forecasting.replay_io import ReplayInput
from forecasting.replay_policies import FORESIGHT_COVERS, DaysOfSupply, Foresight

POLICIES = ("ours", "days_of_supply", "foresight")


def run_foresight(inp: ReplayInput, review_days: int) -> RunResult:
    """Foresight with b picked per SKU as the cover of lowest total cost (ties: smallest b)."""
    runs = [simulate(inp, Foresight(review_days, b), review_days) for b in FORESIGHT_COVERS]
    best = cheapest_run(runs)
    pick = per_sku_pick(best)
    return RunResult(
        "foresight", inp.demand, pick([r.sold for r in runs]), pick([r.lost for r in runs]),
        pick([r.on_hand_end for r in runs]),
        {k: pick([r.lines[k] for r in runs]) for k in COST_LINES},
        picked_moves(runs, best, "shipments"),
        extra={"b": np.array(FORESIGHT_COVERS)[best]},
    )


def cheapest_run(runs: Sequence[Any]) -> np.ndarray:
    """Per SKU, the index of the run of lowest total cost (ties: the first, argmin's rule)."""
    return np.argmin(np.stack([r.sku_totals()["total"] for r in runs]), axis=0)


def per_sku_pick(best: np.ndarray) -> Callable[[list[np.ndarray]], np.ndarray]:
    """A function taking one (n, ...) array per run to each SKU's row of its `best` run."""
    rows = np.arange(len(best))
    return lambda arrays: np.stack(arrays)[best, rows]


def picked_moves(runs: Sequence[Any], best: np.ndarray, key: str
                 ) -> list[tuple[int, int, int, int]]:
    """The moves (`key`: shipments, transfers, orders) of each SKU's best run, by day, SKU."""
    return sorted((s for k, r in enumerate(runs) for s in getattr(r, key) if best[s[0]] == k),
                  key=lambda s: (s[1], s[0]))


def run_replay(inp: ReplayInput, policies: Sequence[str], review_days: int,
               ours_factory: Callable[[], Policy] | None = None) -> dict[str, RunResult]:
    """Each named policy's RunResult; `ours_factory` builds the product policy when asked for."""
    out: dict[str, RunResult] = {}
    for name in policies:
        if name == "days_of_supply":
            out[name] = simulate(inp, DaysOfSupply(review_days), review_days)
        elif name == "foresight":
            out[name] = run_foresight(inp, review_days)
        elif name == "ours":
            if ours_factory is None:
                from forecasting.replay_ours import OursPolicy

                out[name] = simulate(inp, OursPolicy(inp, review_days), review_days)
            else:
                out[name] = simulate(inp, ours_factory(), review_days)
        else:
            raise ValueError(f"unknown policy {name!r}; known: {', '.join(POLICIES)}")
    return out


def _totals(values: dict[str, np.ndarray], i: int | None) -> dict[str, float | int]:
    pick = (lambda a: a.sum()) if i is None else (lambda a: a[i])
    out: dict[str, float | int] = {k: float(pick(values[k])) for k in (*COST_LINES, "total")}
    demand, sold = int(pick(values["units_demand"])), int(pick(values["units_sold"]))
    out["fill_rate"] = sold / demand if demand else 1.0
    out["units_demand"] = demand
    out["units_sold"] = sold
    out["units_lost"] = int(pick(values["units_lost"]))
    out["shipments"] = int(pick(values["shipments"]))
    return out


def summarize(inp: ReplayInput, results: dict[str, RunResult], review_days: int) -> dict:
    """The summary.json document: per policy totals, and per SKU the same."""
    doc: dict = {"start": inp.start.isoformat(), "end": inp.end.isoformat(),
                 "review_days": review_days, "skus": len(inp.skus)}
    return summary_policies(doc, inp.skus, results, _totals)


def summary_policies(doc: dict, skus: Sequence[str], results: Mapping[str, Any],
                     totals: Callable[[dict[str, np.ndarray], int | None], dict]) -> dict:
    """`doc` with "policies": per policy `totals(values, None)` and per SKU `totals(values, i)`
    plus the run's extras (foresight's covers)."""
    doc["policies"] = {}
    for name, res in results.items():
        values = res.sku_totals()
        entry: dict = totals(values, None)
        per_sku = {}
        for i, sku in enumerate(skus):
            row = totals(values, i)
            for key, arr in res.extra.items():
                row[key] = int(arr[i])
            per_sku[sku] = row
        entry["per_sku"] = per_sku
        doc["policies"][name] = entry
    return doc


def write_outputs(inp: ReplayInput, results: dict[str, RunResult], review_days: int,
                  out_dir: Path, daily: bool = False) -> dict:
    """Write the spec's files into `out_dir`; returns the summary document."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "shipments.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["policy", "sku", "ship_date", "quantity", "arrival_date"])
        for name, res in results.items():
            for i, t, q, a in res.shipments:
                arrival = inp.start + dt.timedelta(days=a)
                w.writerow([name, inp.skus[i], inp.dates[t].isoformat(), q, arrival.isoformat()])
    doc = summarize(inp, results, review_days)
    (out_dir / "summary.json").write_text(json.dumps(doc, indent=1))
    if daily:
        write_daily(inp, results, out_dir / "daily.csv")
    return doc


def write_daily(inp: ReplayInput, results: dict[str, RunResult], path: Path) -> None:
    """daily.csv: one row per policy, SKU and day with stock, sales and every cost line."""
    write_daily_rows(path, inp, results, ("on_hand_end",), COST_LINES)


def write_daily_rows(path: Path, inp: ReplayInput, results: Mapping[str, Any],
                     stock: Sequence[str], lines: Sequence[str]) -> None:
    """daily.csv of either mode: policy, sku, date, demand, sold, lost, the `stock` arrays of
    each result, its `lines` and their total (floats as repr, counts as integers)."""
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["policy", "sku", "date", "demand", "sold", "lost", *stock, *lines, "total"])
        dates = [d.isoformat() for d in inp.dates]
        for name, res in results.items():
            total = np.sum([res.lines[k] for k in lines], axis=0)
            for i, sku in enumerate(inp.skus):
                cols = [res.demand[i], res.sold[i], res.lost[i],
                        *(getattr(res, k)[i] for k in stock),
                        *(res.lines[k][i] for k in lines), total[i]]
                for t, day in enumerate(dates):
                    w.writerow([name, sku, day, *(repr(float(c[t])) if c.dtype.kind == "f"
                                                 else int(c[t]) for c in cols)])
