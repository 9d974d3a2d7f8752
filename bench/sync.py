"""Sync benchmark: first-sync wall time against the rate-limit floor, pipelined report windows
beside the one-window-at-a-time path (`reports_ahead=1`) in the same run.

Two measurements:

- floor (default): a two-year first sync of a 200-SKU simulated seller into PostgreSQL at
  Amazon's own speed: rate scale 1 and two minutes of processing per report. The simulator and
  the client share a simulated clock (simulator.testing.SkipClock): every wait on a rate limit
  or a report moves it on at once, local work (parsing, writing) counts as it happens. Prints
  that clock's wall time, the floor (the least time the documented limits allow for the calls
  made: per operation (calls - burst) / rate, the slowest operation's), and their ratio.
- demo (--demo): the demo's seller (40 SKUs, 730 days) into SQLite at the demo's rate scale
  (app.demo.SIM_RATE_SCALE), every stream, on the real clock: what `make demo` waits for.

    .venv/bin/python bench/sync.py [--skus 200] [--days 730] [--streams orders,inventory,reports]
        [--report-seconds 120] [--database-url postgresql+psycopg://...] [--no-baseline]
    .venv/bin/python bench/sync.py --demo [--streams all]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_DB = "postgresql+psycopg://root@127.0.0.1:5432/fba_bench_sync"
TODAY = dt.date(2026, 11, 20)


def fresh_database(url: str) -> None:
    """An empty, migrated database at `url`: PostgreSQL's schema dropped and recreated (the
    database created if needed, never another one); a SQLite file removed first."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app import migrate

    target = make_url(url)
    if target.drivername.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target.database}{suffix}").unlink(missing_ok=True)
        migrate.upgrade(url)
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        )
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    admin.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrate.upgrade(url)


def least_time(calls: dict[str, int], scale: float = 1.0) -> tuple[float, dict[str, float]]:
    """Per operation, (calls - burst) / rate; operations have separate buckets, so the least
    time for all of them is the slowest operation's."""
    from integrations.amazon.limits import OPERATION_LIMITS

    per_op = {}
    for op, n in calls.items():
        plan = OPERATION_LIMITS.get(op)
        if plan is None:
            continue  # the document download is not a rate-limited SP-API operation
        per_op[op] = max(0.0, (n - plan.burst) / (plan.rate * scale))
    return max(per_op.values(), default=0.0), per_op


@dataclass
class Run:
    """One first sync: seconds per stream on its clock, real seconds, calls, what was written."""

    name: str
    streams: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0
    real: float = 0.0
    cpu: float = 0.0
    calls: dict[str, int] = field(default_factory=dict)
    retries: int = 0
    rows: int = 0
    orders: int = 0


def first_sync(
    name: str,
    sim: Any,
    url: str,
    streams: list[str],
    rate_scale: float,
    ahead: int | None,
    days: int,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
    progress: bool = False,
    demo: bool | None = None,
) -> Run:
    """Into a fresh database: a seller on `sim`, then `streams` one after another with one
    client (as `flask sync` runs them); or, `demo` given, app.demo.first_sync's way (side by
    side when `demo` is true, else in the run order)."""
    from cryptography.fernet import Fernet
    from sqlalchemy import func, select

    from app import create_app
    from app.extensions import db
    from app.models import Order, SellerAccount, SyncRun, Tenant
    from app.sync.clients import client_for
    from app.sync.runner import run_stream

    fresh_database(url)
    counted.reset()
    result = Run(name)
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "INSTANCE_PATH": instance,
                "ENV": {
                    "SECRET_KEY": "bench",
                    "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                    "DATABASE_URL": url,
                },
                "SPAPI_RATE_SCALE": rate_scale,
                "LOG_LEVEL": "WARNING",
            }
        )
        with app.app_context():
            session = db.session
            tenant = Tenant(name="bench")
            session.add(tenant)
            session.flush()
            account = SellerAccount(tenant_id=tenant.id, name="bench", **sim.account_fields())
            session.add(account)
            session.commit()
            now = clock or time.monotonic
            real0, cpu0, wall0 = time.monotonic(), _cpu(), now()
            if demo is not None:
                from app.demo import first_sync as demo_first_sync

                result.streams = demo_first_sync(account.id, together=demo,
                                                 reports_ahead=ahead, show_progress=progress)
                streams = []
            client = client_for(account, app.config, clock=clock, sleep=sleep)
            for stream in streams:
                started = now()
                run = run_stream(
                    session, account, stream, client, backfill_days=days, reports_ahead=ahead
                )
                result.streams[stream] = now() - started
                result.rows += run.rows_written
                if progress:
                    print(f"    {name}: {stream:9s} {result.streams[stream]:8.1f}s "
                          f"{run.rows_written:8d} rows", flush=True)
            result.real, result.cpu = time.monotonic() - real0, _cpu() - cpu0
            result.wall = now() - wall0
            result.orders = session.scalar(
                select(func.count()).select_from(Order).where(Order.seller_account_id == account.id)
            ) or 0
            result.rows = result.rows or sum(
                session.scalars(select(SyncRun.rows_written).where(
                    SyncRun.seller_account_id == account.id))
            )
            client.close()
            db.engine.dispose()
    result.calls = dict(sorted(counted.calls.items()))
    result.retries = counted.retries
    return result


class CallCounter:
    """Every SP-API request of every client in this process, per operation (the demo's first
    sync makes a client per stream), and the retries among them."""

    def __init__(self) -> None:
        import threading

        from integrations.amazon.client import SpApiClient

        self.calls: Counter[str] = Counter()
        self.retries = 0
        lock = threading.Lock()
        real_call, real_backoff = SpApiClient.call, SpApiClient._backoff
        counter = self

        def call(client: Any, operation: str, fn: Any) -> Any:
            def counted() -> Any:
                with lock:
                    counter.calls[operation] += 1
                return fn()

            return real_call(client, operation, counted)

        def backoff(client: Any, *args: Any) -> None:
            with lock:
                counter.retries += 1
            real_backoff(client, *args)

        SpApiClient.call = call  # type: ignore[method-assign]
        SpApiClient._backoff = backoff  # type: ignore[method-assign]

    def reset(self) -> None:
        self.calls.clear()
        self.retries = 0


counted: CallCounter


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _streams(text: str) -> list[str]:
    from app.sync.streams import NAMES, in_run_order

    return list(NAMES) if text == "all" else [s.value for s in in_run_order(text.split(","))]


def report(runs: list[Run], scale: float, clock_name: str, target: str) -> None:
    print()
    header = f"{'':28s} {'wall (' + clock_name + ')':>18s} {'floor':>8s} {'ratio':>6s} "
    print(header + f"{'real':>7s} {'cpu':>6s}  per stream")
    for r in runs:
        floor, _ = least_time(r.calls, scale)
        per = ", ".join(f"{k} {v:.1f}" for k, v in r.streams.items())
        print(
            f"{r.name:28s} {r.wall:16.1f} s {floor:7.1f}s {r.wall / max(floor, 1e-9):6.2f} "
            f"{r.real:6.1f}s {r.cpu:5.1f}s  {per}"
        )
    new = runs[0]
    floor, per_op = least_time(new.calls, scale)
    print(
        f"\nAPI calls ({new.name}): {sum(new.calls.values())} "
        f"({', '.join(f'{k} {v}' for k, v in new.calls.items())}); retries {new.retries}"
    )
    slow = sorted(per_op.items(), key=lambda kv: -kv[1])[:3]
    print("floor by operation: " + ", ".join(f"{k} {v:.1f}s" for k, v in slow))
    print(f"orders synced: {new.orders}; rows written: {new.rows}")
    for old in runs[1:]:
        print(
            f"{new.name} / {old.name}: wall {new.wall / old.wall:.2f}x "
            f"({new.wall:.1f} s vs {old.wall:.1f} s)"
        )
    print(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="the demo's seller into SQLite")
    parser.add_argument("--skus", type=int)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--streams", help="comma-separated, or 'all' (the default with --demo)")
    parser.add_argument("--report-seconds", type=float, default=120.0,
                        help="a report's processing time at rate scale 1 (default 120)")
    parser.add_argument("--database-url", help=f"floor: default {DEFAULT_DB}")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the one-window-at-a-time run")
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    global counted
    counted = CallCounter()
    from simulator.testing import SkipClock, running_simulator

    variants: list[tuple[str, int | None]] = [("pipelined (burst ahead)", None)]
    if not args.no_baseline:
        variants.append(("one window at a time", 1))
    if args.demo:
        from app.demo import SIM_RATE_SCALE

        skus = args.skus or 40
        streams = _streams(args.streams or "all")
        print(
            f"demo first sync: {skus} SKUs x {args.days} days into SQLite, simulator in this "
            f"process at rate scale {SIM_RATE_SCALE:g} (reports take "
            f"{args.report_seconds / SIM_RATE_SCALE:g} s), streams {','.join(streams)}"
        )
        runs = []
        demo_variants = [
            ("side by side, pipelined", True, None),
            ("in order, pipelined", False, None),
            ("in order, one at a time", False, 1),
        ][: 1 if args.no_baseline else 3]
        with tempfile.TemporaryDirectory() as tmp:
            for name, together, ahead in demo_variants:
                t0 = time.monotonic()
                with running_simulator(
                    seed=args.seed, skus=skus, history_days=args.days, today=TODAY,
                    rate_scale=SIM_RATE_SCALE, report_seconds=args.report_seconds,
                ) as sim:  # fmt: skip
                    built = time.monotonic() - t0
                    runs.append(
                        first_sync(name, sim, args.database_url or f"sqlite:///{tmp}/demo.db",
                                   streams, SIM_RATE_SCALE, ahead, args.days,
                                   progress=args.progress, demo=together)
                    )
                print(f"  {name}: simulator built in {built:.1f} s", flush=True)
        report(runs, SIM_RATE_SCALE, "real", "target: the demo's way (first line) <= 60 s")
        return

    skus = args.skus or 200
    streams = _streams(args.streams or "orders,inventory,reports")
    url = args.database_url or DEFAULT_DB
    print(
        f"first sync at Amazon's speed: {skus} SKUs x {args.days} days into {url.split('://')[0]},"
        f" rate scale 1, reports take {args.report_seconds:g} s, simulated clock;"
        f" streams {','.join(streams)}"
    )
    clock = SkipClock()
    t0 = time.monotonic()
    with running_simulator(
        seed=args.seed, skus=skus, history_days=args.days, today=TODAY, rate_scale=1.0,
        report_seconds=args.report_seconds, clock=clock.now,
    ) as sim:  # fmt: skip
        print(f"simulator built in {time.monotonic() - t0:.1f} s", flush=True)
        runs = []
        for name, ahead in variants:
            clock.sleep(3 * 3600)  # every bucket full again, as for a seller connecting now
            runs.append(first_sync(name, sim, url, streams, 1.0, ahead, args.days, clock.now,
                                   clock.sleep, progress=args.progress))
    report(runs, 1.0, "simulated", "target: the pipelined wall time <= 1.2 x the floor")
    baseline = {"getOrders": -(-runs[0].orders // 100), "getOrderItems": runs[0].orders}
    bound, _ = least_time(baseline)
    print(
        f"for scale, the same backfill by getOrders + getOrderItems instead of reports: "
        f"{sum(baseline.values())} calls, at least {bound / 3600:.1f} h"
    )


if __name__ == "__main__":
    main()
