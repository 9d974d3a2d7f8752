"""`python -m forecasting backtest`: backtest the model and baselines on a sales CSV."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from forecasting.backtest import run_backtest
from forecasting.history import HistoryError

COLUMNS = ["sku", "date", "mean", "p10", "p50", "p90"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m forecasting backtest", description=__doc__)
    p.add_argument("--sales", required=True, help="CSV with sku,date,units[,price,in_stock]")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--cutoff", help="last training day, YYYY-MM-DD")
    group.add_argument("--cutoffs", help="several cutoffs, comma-separated: one sub-folder each")
    p.add_argument("--horizon", type=int, required=True, help="days forecast after the cutoff")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--static", help="optional CSV with sku,category,size_tier")
    p.add_argument("--seed", type=int, default=0)
    return p


def _parse_cutoffs(text: str) -> list[pd.Timestamp]:
    out = []
    for part in [t.strip() for t in text.split(",") if t.strip()]:
        try:
            out.append(pd.Timestamp(pd.to_datetime(part, format="%Y-%m-%d")))
        except ValueError as exc:
            raise HistoryError(f"bad cutoff {part!r}: expected YYYY-MM-DD") from exc
    if not out:
        raise HistoryError("no cutoff given")
    return out


def _write(folder: Path, fc: pd.DataFrame, tot: pd.DataFrame, metrics: dict | None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    fc = fc.assign(date=pd.to_datetime(fc["date"]).dt.strftime("%Y-%m-%d"))
    fc[COLUMNS].to_csv(folder / "forecasts.csv", index=False, float_format="%.4f")
    tot[["sku", "mean", "p10", "p50", "p90"]].to_csv(
        folder / "totals.csv", index=False, float_format="%.4f"
    )
    if metrics is not None:
        (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    """Run the backtest; 0 on success, 2 on bad input (a one-line message, no traceback)."""
    args = _parser().parse_args(argv)
    try:
        if args.horizon < 1:
            raise HistoryError("--horizon must be at least 1")
        cutoffs = _parse_cutoffs(args.cutoffs or args.cutoff)
        try:
            # strings throughout so validation can quote the offending cell as written
            sales = pd.read_csv(args.sales, dtype=str, keep_default_na=False, na_values=[""])
        except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise HistoryError(f"cannot read {args.sales}: {exc}") from exc
        static = pd.read_csv(args.static, dtype=str) if args.static else None
        result = run_backtest(sales, cutoffs, args.horizon, static=static, seed=args.seed)
    except (HistoryError, ValueError) as exc:
        print(f"error: {args.sales}: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    for cutoff in result.forecasts:
        folder = out if len(cutoffs) == 1 else out / cutoff
        metrics = None
        if cutoff in result.metrics:
            metrics = {
                "cutoff": cutoff,
                "horizon": args.horizon,
                "models": result.metrics[cutoff],
                "fit_seconds": result.fit_seconds[cutoff],
            }
        _write(folder, result.forecasts[cutoff]["model"], result.totals[cutoff]["model"], metrics)
    if len(cutoffs) > 1 and result.metrics:
        summary = {
            "cutoffs": sorted(result.metrics),
            "horizon": args.horizon,
            "mean": result.summary(),
        }
        (out / "metrics.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    for cutoff, by_model in result.metrics.items():
        for name, m in by_model.items():
            print(
                f"{cutoff} {name:15s} rmsse={m.get('rmsse', float('nan')):.3f} "
                f"mase={m.get('mase', float('nan')):.3f} "
                f"pinball={m.get('pinball', float('nan')):.3f} "
                f"p90cov={m.get('coverage_p90', float('nan')):.3f} "
                f"total_p90cov={m.get('total_coverage_p90', float('nan')):.3f}"
            )
    return 0
