"""`python -m forecasting replay`: score shipment policies on a demand file (replay-spec.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from forecasting.replay_io import ReplayInputError, load_input
from forecasting.replay_runner import POLICIES, run_replay, write_outputs

T = TypeVar("T")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m forecasting replay",
                                description="Replay shipment policies against true demand.")
    p.add_argument("--demand", type=Path, required=True, help="demand.csv")
    p.add_argument("--skus", type=Path, required=True, help="skus.csv")
    p.add_argument("--start", type=_date, required=True, help="first replayed day")
    p.add_argument("--end", type=_date, required=True, help="last replayed day (inclusive)")
    p.add_argument("--review-days", type=int, default=7, help="days between reviews")
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--policies", default=",".join(POLICIES),
                   help=f"comma-separated, from {','.join(POLICIES)}")
    p.add_argument("--daily", action="store_true", help="also write daily.csv")
    p.add_argument("--two-stage", action="store_true",
                   help="supplier -> warehouse -> FBA (docs/replay-two-stage.md); skus.csv has "
                        "transfer_lead_days and supplier_lead_days")
    return p


def main(argv: list[str]) -> int:
    """Entry point used by forecasting.__main__; returns the exit code."""
    args = _parser().parse_args(argv)
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    unknown = [p for p in policies if p not in POLICIES]
    if unknown or not policies:
        print(f"error: unknown policies {unknown}; choose from {','.join(POLICIES)}",
              file=sys.stderr)
        return 2
    if args.review_days < 1:
        print("error: --review-days must be >= 1", file=sys.stderr)
        return 2
    if args.two_stage:
        return _two_stage(args, policies)
    inp = _load(load_input, args)
    if inp is None:
        return 2
    began = time.perf_counter()
    results = run_replay(inp, policies, args.review_days)
    doc = write_outputs(inp, results, args.review_days, args.out, daily=args.daily)
    _print_policies(doc, policies, lambda s: f"shipments {s['shipments']}")
    print(f"{len(inp.skus)} SKUs x {len(inp.dates)} days in {time.perf_counter() - began:.1f}s "
          f"-> {args.out}")
    if "ours" in policies:
        from forecasting.replay_ours import N_PATHS, RETRAIN_DAYS

        print(f"ours = forecasting.model.DemandForecaster refit every {RETRAIN_DAYS} days, "
              f"each fit handed the one it replaces (per-SKU error tracking), {N_PATHS} sample "
              "paths + forecasting.policy.recommend_batch")
    return 0


def _two_stage(args: argparse.Namespace, policies: list[str]) -> int:
    """The --two-stage mode: same policies by name, the two-stage engine and outputs."""
    from forecasting.replay_two_stage import load_two_stage
    from forecasting.replay_two_stage_runner import run_two_stage, write_two_stage_outputs

    two = _load(load_two_stage, args)
    if two is None:
        return 2
    began = time.perf_counter()
    results = run_two_stage(two, policies, args.review_days)
    doc = write_two_stage_outputs(two, results, args.review_days, args.out, daily=args.daily)
    _print_policies(doc, policies, lambda s: f"transfers {s['transfers']}  supplier orders "
                                             f"{s['supplier_orders']}")
    print(f"two-stage: {len(two.base.skus)} SKUs x {len(two.base.dates)} days in "
          f"{time.perf_counter() - began:.1f}s -> {args.out}")
    return 0


def _load(loader: Callable[[Path, Path, dt.date, dt.date], T], args: argparse.Namespace
          ) -> T | None:
    """The mode's input from the arguments' files and window; None after printing the error."""
    try:
        return loader(args.demand, args.skus, args.start, args.end)
    except ReplayInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _print_policies(doc: dict, policies: list[str], moves: Callable[[dict], str]) -> None:
    """One line per policy: total, fill and the mode's moves (`moves` of its summary)."""
    for name in policies:
        s = doc["policies"][name]
        print(f"{name:>15}: total ${s['total']:,.2f}  fill {s['fill_rate']:.4f}  {moves(s)}")
