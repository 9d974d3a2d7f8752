"""Command line: `python -m simulator serve ...` and `python -m simulator truth ...`."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from simulator.marketplace import REPORT_SECONDS, parse_markets


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--skus", type=int, default=40)
    p.add_argument("--history-days", type=int, default=730)
    p.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="last full day of history, YYYY-MM-DD (default: today in the marketplace)",
    )
    p.add_argument(
        "--marketplace",
        default="US",
        type=_markets,
        help="where the sellers sell (US, CA, UK, GB, DE, JP): its currency, local days (its "
        "time zone), report date format and regional endpoint paths (/eu, /fe); several of one "
        "region with commas (US,CA): each seller sells in each, on one set of credentials; "
        "default US",
    )
    p.add_argument(
        "--no-awd",
        dest="awd",
        action="store_false",
        help="the sellers use no AWD (US sellers have AWD stock and inbound shipments by "
        "default; other marketplaces never do)",
    )


def _markets(text: str) -> str:
    try:
        return ",".join(m.code for m in parse_markets(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    """Argument parser for both sub-commands."""
    parser = argparse.ArgumentParser(prog="python -m simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the SP-API and the token endpoint on one port")
    _common(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8999)
    serve.add_argument("--sellers", type=int, default=1)
    serve.add_argument("--rate-scale", type=float, default=1.0)
    serve.add_argument("--fault-rate", type=float, default=0.0)
    serve.add_argument(
        "--report-seconds",
        type=float,
        default=REPORT_SECONDS,
        help="a report's processing time at rate scale 1, divided by --rate-scale "
        f"(default {REPORT_SECONDS:g}, about Amazon's)",
    )
    serve.add_argument(
        "--fault-token-endpoint",
        action="store_true",
        help="let --fault-rate hit /auth/o2/token too",
    )
    serve.add_argument("--webhook-url", default=None)
    serve.add_argument("--webhook-secret", default=None)
    serve.add_argument("--client-id", default=None)
    serve.add_argument("--client-secret", default=None)
    serve.add_argument("--refresh-token", default=None)
    truth = sub.add_parser("truth", help="write skus.csv, demand.csv and orders_daily.csv")
    _common(truth)
    truth.add_argument(
        "--through",
        type=date.fromisoformat,
        default=None,
        help="also generate days after --today up to this day, as the server "
        "does when advanced (the clock is then 00:05 local time the next day)",
    )
    truth.add_argument("--out", type=Path, required=True)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    from simulator.truth import default_today

    first = args.marketplace.split(",")[0]  # several share a region and, here, its day
    today = args.today or default_today(first)
    if args.command == "truth":
        from simulator.awd import AWD_MARKETS
        from simulator.truth import write_truth
        from simulator.world import build_world

        world = build_world(
            args.seed,
            args.skus,
            args.history_days,
            today,
            through=args.through,
            marketplace=first,
        )
        world.awd = args.awd and world.market.code in AWD_MARKETS  # type: ignore[attr-defined]
        for path in write_truth(world, args.out):
            print(path)
        return 0
    from simulator.serve import serve_forever

    return serve_forever(args, today)


if __name__ == "__main__":
    sys.exit(main())
