"""`make demo`: the whole product on embedded defaults (SQLite, in-process jobs, local simulator).

Starts the marketplace simulator on loopback, creates a demo user and seller account pointed at
it, runs the first sync with progress, imports the seller's spreadsheet of costs and lead times,
trains, recommends, then serves the UI at http://127.0.0.1:5000 until Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import secrets
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select
from werkzeug.serving import make_server

from app import create_app, migrate
from app.connections import add_marketplaces
from app.extensions import db
from app.imports.sku_settings import import_settings
from app.models import Membership, SellerAccount, Tenant, User
from app.planning.recommend import recommend_seller
from app.planning.train import train_seller
from app.sync.clients import client_for
from app.sync.runner import run_stream, run_together
from app.sync.streams import RUN_ORDER, Stream
from app.tasks import recommend_lock
from integrations.amazon import marketplaces
from simulator.marketplace import Marketplace
from simulator.notify import Notifier
from simulator.server import create_app as create_sim_app
from simulator.testing import start_server
from simulator.truth import skus_frame

DEMO_EMAIL = "demo@example.com"
DEMO_TENANT = "Demo Seller Co"
DEMO_SELLER = "Demo US store"
# The simulator runs Amazon's documented rate limits this many times faster, and the client paces
# itself at the same scale, so the demo's first sync takes a minute or two instead of hours.
SIM_RATE_SCALE = 50.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Demo options; the defaults are what the README describes."""
    p = argparse.ArgumentParser(prog="python -m app.demo", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--sim-port", type=int, default=8999)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--skus", type=int, default=40)
    p.add_argument("--history-days", type=int, default=730)
    p.add_argument("--instance", default="instance/demo", help="folder for the demo database")
    p.add_argument("--keep", action="store_true", help="reuse the previous demo database")
    p.add_argument("--no-serve", action="store_true", help="set everything up, then exit")
    p.add_argument(
        "--marketplace",
        default="US",
        help="where the demo seller sells: US, or several of one region (US,CA): one account "
        "each on one connection",
    )
    return p.parse_args(argv)


def step(message: str) -> None:
    """One line per stage, so the person running the demo sees where it is."""
    print(f"==> {message}", flush=True)


def start_simulator(args: argparse.Namespace) -> tuple[Any, Any, Any, str]:
    """The marketplace simulator on loopback, in this process."""
    market = Marketplace(seed=args.seed, skus=args.skus, history_days=args.history_days,
                         rate_scale=SIM_RATE_SCALE, marketplace=args.marketplace)
    sim_app = create_sim_app(market)
    notifier = Notifier.attach(sim_app, market)
    server, _thread = start_server(sim_app, "127.0.0.1", args.sim_port, quiet=True)
    base = f"http://127.0.0.1:{server.server_port}"
    market.base_url = base
    return market, notifier, server, base


def seed_accounts(app: Any, market: Any, base: str) -> tuple[int, str]:
    """Demo tenant, owner and seller account (credentials from the simulator)."""
    session = db.session
    password = secrets.token_urlsafe(9)
    tenant = session.scalars(select(Tenant).where(Tenant.name == DEMO_TENANT)).first()
    if tenant is None:
        tenant = Tenant(name=DEMO_TENANT)
        session.add(tenant)
        session.flush()
    user = session.scalars(select(User).where(User.email == DEMO_EMAIL)).first()
    if user is None:
        user = User(email=DEMO_EMAIL)
        session.add(user)
    user.set_password(password)
    session.flush()
    if session.scalars(select(Membership).where(Membership.user_id == user.id)).first() is None:
        session.add(Membership(tenant_id=tenant.id, user_id=user.id, role="owner"))
    creds = market.sellers[0].credentials()
    account = session.scalars(select(SellerAccount).where(
        SellerAccount.tenant_id == tenant.id, SellerAccount.name == DEMO_SELLER)).first()
    if account is None:
        account = SellerAccount(tenant_id=tenant.id, name=DEMO_SELLER)
        session.add(account)
    account.endpoint = base
    account.token_url = base + "/auth/o2/token"
    account.lwa_client_id = creds["client_id"]
    account.lwa_client_secret = creds["client_secret"]
    account.refresh_token = creds["refresh_token"]
    account.seller_id = creds.get("seller_id")
    first = marketplaces.get(market.markets[0].code)
    account.marketplace, account.marketplace_id, account.region = (
        first.code, first.marketplace_id, first.region
    )
    session.flush()
    have = {a.marketplace for a in [account, *account.siblings()]}
    more = [marketplaces.get(m.code) for m in market.markets[1:] if m.code not in have]
    if more:
        add_marketplaces(session, account, more, name="Demo store")
    session.commit()
    return account.id, password



def demo_account(account_id: int) -> SellerAccount:
    """The demo's seller account (seeded by `seed_accounts`)."""
    account = db.session.get(SellerAccount, account_id)
    if account is None:
        raise RuntimeError(f"demo seller account {account_id} is gone")
    return account


def connect_webhook(app: Any, market: Any, account_id: int) -> None:
    """From now on the simulator posts its notifications to our webhook, signed with the
    seller's secret. Connected after the first sync, so the reports that sync requested do not
    come back as a burst of REPORT_PROCESSING_FINISHED deliveries to fetch them again."""
    account = demo_account(account_id)
    webhook = f"{app.config['PUBLIC_BASE_URL']}/webhooks/sp-api/{account.public_id}"
    with market.lock:
        market.sellers[0].webhook_url = webhook
        market.sellers[0].webhook_secret = account.webhook_secret


def first_sync(
    account_id: int,
    together: bool = True,
    reports_ahead: int | None = None,
    show_progress: bool = True,
) -> dict[str, float]:
    """All streams in the foreground with a progress line per page; seconds per stream.

    Side by side where they need nothing of each other (runner.run_together: the financial
    events are read while the orders and ledger reports wait on createReport's rate limit),
    or `together=False` one after another in the run order. `reports_ahead` as run_stream's
    (benchmarks compare with 1, one report window at a time). The first failure is raised
    once every stream has finished.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    took: dict[str, float] = {}

    def one(stream: Stream) -> None:
        with app.app_context():
            account = demo_account(account_id)
            client = client_for(account, app.config)

            def show(fraction: float, message: str) -> None:
                if show_progress:
                    print(f"    [{stream:9s} {fraction * 100:5.1f}%] {message}", flush=True)

            started = time.monotonic()
            try:
                run = run_stream(db.session, account, stream, client, on_progress=show,
                                 reports_ahead=reports_ahead)
            finally:
                client.close()
            took[stream.value] = time.monotonic() - started
            if show_progress:
                print(f"    [{stream:9s} done ] {run.rows_written} rows in "
                      f"{took[stream.value]:.0f} s", flush=True)

    if together:
        failures = [r for r in run_together(RUN_ORDER, one).values() if isinstance(r, Exception)]
        if failures:
            raise failures[0]
    else:
        for stream in RUN_ORDER:
            one(stream)
    return took


def import_spreadsheet(account_id: int, market: Any) -> None:
    """Costs, lead times, case packs and MOQs: what a seller keeps in a spreadsheet."""
    account = demo_account(account_id)
    frame = skus_frame(market.sellers[0].world)
    sheet = frame[["sku", "unit_cost", "case_pack", "moq"]].copy()
    sheet["lead_time_days"] = frame["lead_time_days"]
    buf = io.StringIO()
    sheet.to_csv(buf, index=False)
    result = import_settings(db.session, account.tenant_id, account.id, buf.getvalue().encode())
    if getattr(result, "errors", None):
        raise RuntimeError(f"demo spreadsheet rejected: {result.errors[:3]}")
    db.session.commit()


def seed_upstream(account_id: int, market: Any) -> None:
    """A warehouse, two suppliers (one a faster, pricier backup) and POs in each status; the AWD
    stock and inbound shipments came from the simulator through the first sync's AWD stream."""
    from app.supply.demo import seed_supply

    today = dt.date.fromisoformat(market.clock_iso()[:10])
    made = seed_supply(db.session, demo_account(account_id), today)
    db.session.commit()
    print(f"    {made['purchase_orders']} purchase orders from {made['suppliers']} suppliers",
          flush=True)


def plan(account_id: int) -> None:
    """Train the forecaster and compute recommendations."""
    def show(fraction: float, message: str) -> None:
        print(f"    [{fraction * 100:5.1f}%] {message}", flush=True)

    account = demo_account(account_id)
    train_seller(db.session, account, progress=show)
    db.session.commit()
    db.session.commit()  # no read left open while a background run of this seller finishes
    # A sync the schedule queued meanwhile may have queued a recommend run: one at a time.
    with recommend_lock(account_id, on_wait=lambda why: print(f"    {why}", flush=True)):
        recs = recommend_seller(db.session, demo_account(account_id), progress=show)
        db.session.commit()
    ship = [r for r in recs if r.quantity > 0]
    # A recommended shipment is not always one to send today: its ship-by day says when.
    print(f"    {len(ship)} of {len(recs)} SKUs have a recommended shipment, "
          f"{sum(r.quantity for r in ship)} units (the dashboard says which ship by when)",
          flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the demo until interrupted."""
    args = parse_args(argv)
    for noisy in ("httpx", "app.sync", "integrations.amazon"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    instance = Path(args.instance).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    db_path = instance / "demo.db"
    if db_path.exists() and not args.keep:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db_path) + suffix).unlink(missing_ok=True)

    url = f"sqlite:///{db_path}"
    app = create_app({
        "INSTANCE_PATH": str(instance.parent),
        "DATABASE_URL": url,
        "PUBLIC_BASE_URL": f"http://{args.host}:{args.port}",
        "REDIS_URL": None,
        "ALLOW_CUSTOM_ENDPOINTS": True,  # the demo's marketplace is the simulator on loopback
        "SPAPI_RATE_SCALE": SIM_RATE_SCALE,
        # One job thread: SQLite takes one writer at a time, so more threads only wait on it.
        "JOBS_INLINE_WORKERS": 1,
    })
    step(f"database {db_path}")
    migrate.upgrade(url)
    step(f"marketplace simulator: {args.skus} SKUs, {args.history_days} days of history")
    market, notifier, sim_server, base = start_simulator(args)
    print(f"    SP-API endpoint {base}  (clock {market.clock_iso()})", flush=True)
    cleanup: list[Callable[[], None]] = [sim_server.shutdown, notifier.stop]
    try:
        with app.app_context():
            account_id, password = seed_accounts(app, market, base)
            step("first sync (orders backfill by report, inventory ledger, reports, fees; "
                 "side by side where they need nothing of each other)")
            first_sync(account_id)
            step("importing the seller's spreadsheet of unit costs, lead times, case packs")
            import_spreadsheet(account_id, market)
            step("suppliers, a warehouse with stock and purchase orders in flight")
            seed_upstream(account_id, market)
            step("training the demand model and computing recommendations")
            plan(account_id)
            others = [(a.id, a.name) for a in demo_account(account_id).siblings()]
            db.session.commit()  # no read transaction open while the sync threads write
            for other, name in others:
                step(f"the seller's other marketplace: {name}")
                first_sync(other)
                plan(other)
            connect_webhook(app, market, account_id)
        if args.no_serve:
            return 0
        return serve(app, args, password)
    finally:
        for fn in cleanup:
            fn()


def serve(app: Any, args: argparse.Namespace, password: str) -> int:
    """Serve the UI until Ctrl-C."""
    server = make_server(args.host, args.port, app, threaded=True)
    print("\n" + "=" * 64)
    print(f"  FBA Planner demo: http://{args.host}:{args.port}")
    print(f"  log in as {DEMO_EMAIL} / {password}")
    print("  Ctrl-C stops everything.")
    print("=" * 64, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nstopping", flush=True)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
