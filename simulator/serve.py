"""`python -m simulator serve`: build the sellers, print their credentials, serve until stopped."""

from __future__ import annotations

import argparse
from datetime import date

from simulator.marketplace import Marketplace
from simulator.notify import Notifier
from simulator.server import create_app
from simulator.testing import start_server


def serve_forever(args: argparse.Namespace, today: date) -> int:
    """Run the server in the foreground."""
    market = Marketplace(
        seed=args.seed,
        skus=args.skus,
        history_days=args.history_days,
        today=today,
        sellers=args.sellers,
        rate_scale=args.rate_scale,
        fault_rate=args.fault_rate,
        fault_token_endpoint=args.fault_token_endpoint,
        client_id=args.client_id,
        client_secret=args.client_secret,
        refresh_token=args.refresh_token,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        report_seconds=args.report_seconds,
        marketplace=args.marketplace,
        awd=args.awd,
    )
    app = create_app(market)
    notifier = Notifier.attach(app, market)
    server, thread = start_server(app, args.host, args.port, quiet=False)
    market.base_url = f"http://{args.host}:{server.server_port}"
    print(f"FBA Planner marketplace simulator on {market.base_url}  (clock {market.clock_iso()})")
    region = market.market.region
    endpoint = market.base_url + ("" if region == "na" else f"/{region}")
    for m in market.markets:
        print(f"  marketplace {m.code} ({m.currency}, days in {m.time_zone})")
    print(f"  token endpoint: {endpoint}/auth/o2/token   SP-API endpoint: {endpoint}")
    for s in market.sellers:
        ids = ",".join(m.marketplace_id for m in s.marketplaces or [s])
        print(f"  seller {s.index}: seller_id={s.seller_id} marketplace_id={ids}")
        print(f"    client_id={s.client_id}")
        print(f"    client_secret={s.client_secret}")
        print(f"    refresh_token={s.refresh_token}")
    print(
        "  control: POST /_sim/advance?days=N  GET /_sim/clock  (see simulator/README.md)",
        flush=True,
    )
    try:
        thread.join()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        notifier.stop()
    return 0
