"""Run a simulator in-process for tests of other packages: `with running_simulator() as sim:`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import requests
from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from simulator.marketplace import REPORT_SECONDS, Marketplace
from simulator.server import create_app

# The AWS region the product stores for each SP-API region (sp_api's names).
AWS_REGIONS = {"na": "us-east-1", "eu": "eu-west-1", "fe": "us-west-2"}


@dataclass
class RunningSimulator:
    """A live simulator: its URL, sellers' credentials, and a handle on the clock."""

    base_url: str
    marketplace: Marketplace
    app: Flask
    sellers: list[dict[str, str]] = field(default_factory=list)
    _tokens: dict[int, str] = field(default_factory=dict)

    @property
    def endpoint(self) -> str:
        """The SP-API endpoint of the sellers' region: the base URL in North America, with
        `/eu` or `/fe` after it for the other regions (simulator.markets)."""
        region = self.marketplace.market.region
        return self.base_url + ("" if region == "na" else f"/{region}")

    @property
    def token_url(self) -> str:
        """The LWA token endpoint of the sellers' region."""
        return self.endpoint + "/auth/o2/token"

    def account_fields(self, seller: int = 0, marketplace: str | None = None) -> dict[str, str]:
        """What a seller account that syncs from seller `seller` holds: endpoint, token URL,
        LWA credentials and marketplace (named as the product's seller_accounts columns); in
        `marketplace` (a code) for a seller selling in several (default: the first)."""
        c = dict(self.sellers[seller])
        mk = self.marketplace.market
        if marketplace is not None:
            mk = next(m for m in self.marketplace.markets if m.code == marketplace.upper())
            c["marketplace_id"] = mk.marketplace_id
        return {
            "marketplace": mk.code,
            "region": AWS_REGIONS[mk.region],
            "endpoint": self.endpoint,
            "token_url": self.token_url,
            "lwa_client_id": c["client_id"],
            "lwa_client_secret": c["client_secret"],
            "refresh_token": c["refresh_token"],
            "marketplace_id": c["marketplace_id"],
        }

    def advance(self, days: float = 0, hours: float = 0) -> tuple[int, int]:
        """Move the simulated clock on (same as POST /_sim/advance)."""
        return self.marketplace.advance(int(round((days * 24 + hours) * 3600)))

    @property
    def now(self) -> int:
        """The simulated clock, Unix seconds."""
        return self.marketplace.now

    def access_token(self, seller: int = 0) -> str:
        """A fresh access token for a seller from the LWA endpoint."""
        c = self.sellers[seller]
        resp = requests.post(
            self.token_url,
            data={
                "grant_type": "refresh_token",
                "refresh_token": c["refresh_token"],
                "client_id": c["client_id"],
                "client_secret": c["client_secret"],
            },
            timeout=10,
        )
        resp.raise_for_status()
        return resp.json()["access_token"]

    def get(
        self, path: str, params: dict | None = None, seller: int = 0, token: str | None = None
    ) -> requests.Response:
        """GET an SP-API path as a seller (raw HTTP, no retries)."""
        token = token or self._token(seller)
        return requests.get(
            self.endpoint + path,
            params=params or {},
            headers={"x-amz-access-token": token},
            timeout=30,
        )

    def post(
        self, path: str, body: dict, seller: int = 0, token: str | None = None
    ) -> requests.Response:
        """POST JSON to an SP-API path as a seller."""
        token = token or self._token(seller)
        return requests.post(
            self.endpoint + path, json=body, headers={"x-amz-access-token": token}, timeout=30
        )

    def _token(self, seller: int) -> str:
        if seller not in self._tokens:
            self._tokens[seller] = self.access_token(seller)
        return self._tokens[seller]

    def sp_api_client(self, api_cls: type, seller: int = 0, **kwargs: Any) -> Any:
        """A python-amazon-sp-api client (Orders, Reports, ...) pointed at this simulator."""
        return sp_api_client(api_cls, self.endpoint, self.sellers[seller], **kwargs)

    def configure_webhook(self, seller: int, url: str | None, secret: str | None) -> None:
        """Same as POST /_sim/webhook."""
        with self.marketplace.lock:
            self.marketplace.sellers[seller].webhook_url = url
            self.marketplace.sellers[seller].webhook_secret = secret


class SkipClock:
    """A running clock whose sleeps take no time: real monotonic time plus all time slept.

    Give `now` to the simulator (`running_simulator(clock=...)`) and both `now` and `sleep` to
    the client: its waits on rate limits and report processing then return at once and move
    this clock on, while local work (parsing, writing) still counts. So a run at rate scale 1,
    as slow as against Amazon, finishes in the time of its local work, and `now()` tells how
    long it would have taken. For one sleeping thread at a time (a sync); the simulator's
    threads only read it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.skipped = 0.0

    def now(self) -> float:
        """Seconds on this clock (monotonic)."""
        with self._lock:
            return time.monotonic() + self.skipped

    def sleep(self, seconds: float) -> None:
        """Move the clock on by `seconds` at once."""
        if seconds > 0:
            with self._lock:
                self.skipped += seconds


@dataclass
class LocalMarketplace:
    """Quacks like an sp_api Marketplaces member: points a client at the simulator."""

    endpoint: str
    marketplace_id: str
    region: str = "us-east-1"


def token_client_class(base_url: str) -> type:
    """A subclass of sp_api.auth.AccessTokenClient whose token URL is `base_url`/auth/o2/token."""
    from sp_api.auth import AccessTokenClient

    scheme, rest = base_url.split("://", 1)
    return type(
        "SimulatorTokenClient",
        (AccessTokenClient,),
        {"scheme": scheme + "://", "host": rest, "path": "/auth/o2/token"},
    )


def sp_api_client(api_cls: type, base_url: str, seller: dict[str, str], **kwargs: Any) -> Any:
    """Build an sp_api client for one seller's credentials (as in RunningSimulator.sellers)."""
    return api_cls(
        marketplace=LocalMarketplace(base_url, seller["marketplace_id"]),
        credentials={
            "refresh_token": seller["refresh_token"],
            "lwa_app_id": seller["client_id"],
            "lwa_client_secret": seller["client_secret"],
        },
        auth_token_client_class=token_client_class(base_url),
        **kwargs,
    )


class SimRequestHandler(WSGIRequestHandler):
    """Request handler whose `Date` header is the simulated clock, as Amazon's is Amazon's."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """HTTP date of the simulated clock (clients may read the server's time from it)."""
        app = getattr(self.server, "app", None)
        market = app.config.get("SIM_MARKETPLACE") if app is not None else None
        if timestamp is None and market is not None:
            timestamp = market.now
        return super().date_time_string(timestamp)


class QuietHandler(SimRequestHandler):
    """Request handler without the per-request access log."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Tests make thousands of requests; their log lines help nobody."""


def start_server(
    app: Flask, host: str = "127.0.0.1", port: int = 0, quiet: bool = True
) -> tuple[BaseWSGIServer, threading.Thread]:
    """Serve `app` with werkzeug's threaded server in a daemon thread."""
    handler = QuietHandler if quiet else SimRequestHandler
    server = make_server(host, port, app, threaded=True, request_handler=handler)
    thread = threading.Thread(target=server.serve_forever, name="simulator", daemon=True)
    thread.start()
    return server, thread


@contextmanager
def running_simulator(
    seed: int = 7,
    skus: int = 40,
    history_days: int = 730,
    today: date | None = None,
    rate_scale: float = 1.0,
    fault_rate: float = 0.0,
    sellers: int = 1,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    fault_token_endpoint: bool = False,
    report_seconds: float = REPORT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    marketplace: str = "US",
    awd: bool = True,
    awd_role: bool = True,
    **config: Any,
) -> Iterator[RunningSimulator]:
    """Build the sellers, serve them on 127.0.0.1:<free port>, stop on exit.

    `report_seconds` is a report's processing time at rate scale 1 (divided by `rate_scale`);
    `clock` the running clock rate limits and report processing follow (see SkipClock).
    """
    from simulator.notify import Notifier

    market = Marketplace(
        seed=seed,
        skus=skus,
        history_days=history_days,
        today=today,
        sellers=sellers,
        rate_scale=rate_scale,
        fault_rate=fault_rate,
        fault_token_endpoint=fault_token_endpoint,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        report_seconds=report_seconds,
        clock=clock,
        marketplace=marketplace,
        awd=awd,
        awd_role=awd_role,
    )
    app = create_app(market, config or None)
    notifier = Notifier.attach(app, market)
    server, thread = start_server(app)
    market.base_url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield RunningSimulator(
            base_url=market.base_url,
            marketplace=market,
            app=app,
            sellers=[s.credentials() for s in market.sellers],
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
        notifier.stop()
