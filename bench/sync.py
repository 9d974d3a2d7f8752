"""Sync benchmark: a two-year first sync of a 200-SKU simulated seller into PostgreSQL.

Prints the API calls made per operation, the least time the documented rate limits allow for
those calls, the wall time this sync would take under those limits (its pacing waits scaled
back up from the sped-up simulator, plus its real processing time), a baseline for the same
backfill through getOrders/getOrderItems instead of the all-orders report (computed from the
orders actually synced), and rows written per second into PostgreSQL.

    .venv/bin/python bench/sync.py [--skus 200] [--days 730] [--rate-scale 2000]
        [--streams orders,inventory] [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_DB = "postgresql+psycopg://root@127.0.0.1:5432/fba_bench_sync"


def fresh_database(url: str) -> None:
    """Create the benchmark database if needed and empty its schema (never another one)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
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
    from app import migrate

    migrate.upgrade(url)


def least_time(calls: dict[str, int]) -> tuple[float, dict[str, float]]:
    """Per operation, (calls - burst) / rate; operations have separate buckets, so the least
    time for all of them is the slowest operation's."""
    from integrations.amazon.limits import OPERATION_LIMITS

    per_op = {}
    for op, n in calls.items():
        plan = OPERATION_LIMITS.get(op)
        if plan is None:
            continue  # the document download is not a rate-limited SP-API operation
        per_op[op] = max(0.0, (n - plan.burst) / plan.rate)
    return max(per_op.values(), default=0.0), per_op


def replay_under_limits(log: list[tuple[str, float]], start: float, end: float) -> float:
    """Seconds this run would take if the documented limits applied: the same calls, with the
    same local work between them, each delayed until its operation's real bucket allows it."""
    from integrations.amazon.limits import OPERATION_LIMITS

    virtual, prev = 0.0, start
    buckets: dict[str, tuple[float, float]] = {}
    for op, when in log:
        virtual += when - prev
        prev = when
        plan = OPERATION_LIMITS.get(op)
        if plan is None:
            continue
        tokens, stamp = buckets.get(op, (float(plan.burst), virtual))
        tokens = min(float(plan.burst), tokens + (virtual - stamp) * plan.rate)
        if tokens < 1:
            virtual += (1 - tokens) / plan.rate
            tokens = 1.0
        buckets[op] = (tokens - 1, virtual)
    return virtual + (end - prev)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=200)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate-scale", type=float, default=2000.0)
    parser.add_argument("--streams", default="orders,inventory")
    parser.add_argument("--database-url", default=DEFAULT_DB)
    args = parser.parse_args()

    from cryptography.fernet import Fernet
    from sqlalchemy import func, select

    from app import create_app
    from app.extensions import db
    from app.models import Order, SellerAccount, Tenant
    from app.sync.clients import client_for
    from app.sync.runner import run_stream
    from simulator.testing import running_simulator

    fresh_database(args.database_url)
    app = create_app(
        {
            "INSTANCE_PATH": "/tmp/fba-bench-sync-instance",
            "ENV": {
                "SECRET_KEY": "bench",
                "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                "DATABASE_URL": args.database_url,
            },
            "SPAPI_RATE_SCALE": args.rate_scale,
            "LOG_LEVEL": "WARNING",
        }
    )
    t0 = time.monotonic()
    with (
        running_simulator(
            seed=args.seed,
            skus=args.skus,
            history_days=args.days,
            today=dt.date(2026, 11, 20),
            rate_scale=args.rate_scale,
        ) as sim,
        app.app_context(),
    ):
        print(
            f"simulator: {args.skus} SKUs x {args.days} days built in {time.monotonic() - t0:.1f}s"
        )
        session = db.session
        tenant = Tenant(name="bench")
        session.add(tenant)
        session.flush()
        account = SellerAccount(tenant_id=tenant.id, name="bench", **sim.account_fields())
        session.add(account)
        session.commit()
        client = client_for(account, app.config)
        rows = 0
        started = time.monotonic()
        for stream in args.streams.split(","):
            s0 = time.monotonic()
            run = run_stream(session, account, stream, client, backfill_days=args.days)
            rows += run.rows_written
            print(
                f"{stream:10s} {run.pages:5d} pages {run.rows_written:8d} rows "
                f"{time.monotonic() - s0:7.1f}s"
            )
        ended = time.monotonic()
        wall = ended - started
        orders = (
            session.scalar(
                select(func.count()).select_from(Order).where(Order.seller_account_id == account.id)
            )
            or 0
        )
        client.close()

    calls = dict(sorted(client.calls.items()))
    waited = client.pacer.waited
    http = client.transport.busy
    local = max(1e-9, wall - waited - http - client.slept)
    bound, per_op = least_time(calls)
    under_limits = replay_under_limits(client.call_log, started, ended)
    pages = -(-orders // 100)
    baseline_calls = {"getOrders": pages, "getOrderItems": orders}
    baseline_bound, _ = least_time(baseline_calls)

    print()
    print(
        f"API calls made: {sum(calls.values())} "
        f"({', '.join(f'{k} {v}' for k, v in calls.items())}); "
        f"retries {sum(client.retries.values())}"
    )
    print(f"orders synced: {orders}")
    print(
        f"least time the documented limits allow for these calls: {bound / 60:.1f} min "
        f"({', '.join(f'{k} {v / 60:.1f}' for k, v in per_op.items() if v)})"
    )
    print(
        f"this sync's wall time under those limits (its calls replayed on a simulated clock "
        f"against the documented buckets): {under_limits / 60:.1f} min; measured at rate "
        f"scale {args.rate_scale:g}: {wall / 60:.1f} min (pacing waits {waited:.2f}s, "
        f"HTTP {http:.1f}s)"
    )
    print(
        f"baseline, same backfill by getOrders + getOrderItems: "
        f"{sum(baseline_calls.values())} calls, at least {baseline_bound / 3600:.1f} h "
        f"-> report backfill uses {sum(calls.values()) / sum(baseline_calls.values()):.4f}x "
        f"the calls and {under_limits / baseline_bound:.4f}x the time"
    )
    print(
        f"rows written: {rows} in {local:.1f}s of local work (parse + PostgreSQL) "
        f"= {rows / local:,.0f} rows/s; whole run {wall:.1f}s at rate scale {args.rate_scale:g}"
    )


if __name__ == "__main__":
    main()
