"""Fault-scenario fixtures: a simulator on loopback, a seller pointed at it, truth comparisons.

Helpers are fixtures (pytest runs with --import-mode=importlib, so test modules cannot import
each other): `harness(sim)` gives a Harness bound to the live app and that simulator.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd
import pytest
import requests

from tests.support.sync import sim_seller

TODAY = dt.date(2026, 11, 26)
SKUS = 20
HISTORY_DAYS = 120


class RequestLog:
    """WSGI middleware on the simulator: counts every request by path prefix and status."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self.rewrite: Callable[[str, str, bytes], bytes] | None = None

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        captured: dict[str, Any] = {}

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda _data: None

        body = b"".join(self.app(environ, start))
        status = int(captured["status"].split()[0])
        if self.rewrite is not None and status == 200:
            body = self.rewrite(method, path, body)
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        if not path.startswith("/_sim/"):
            with self.lock:
                self.requests.append((method, path, status))
        start_response(captured["status"], headers)
        return [body]

    def count(self, prefix: str = "/", status: int | None = None) -> int:
        """Requests whose path starts with `prefix` (and had `status`, when given)."""
        with self.lock:
            return sum(
                1
                for _m, p, s in self.requests
                if p.startswith(prefix) and (status is None or s == status)
            )

    def statuses(self) -> Counter[int]:
        """How many answers of each status."""
        with self.lock:
            return Counter(s for _m, _p, s in self.requests)

    def clear(self) -> None:
        """Forget what was counted so far."""
        with self.lock:
            self.requests.clear()


class Harness:
    """A tenant and seller on the live app pointed at one simulator, and truth checks."""

    def __init__(self, app: Any, sim: Any) -> None:
        self.app, self.sim = app, sim

    def seller(self, name: str = "sim-seller", index: int = 0) -> int:
        """Create a tenant and a seller account with the simulator's credentials; its id."""
        from app.extensions import db

        with self.app.app_context():
            return int(sim_seller(db.session, self.sim, name, index).id)

    def sync(self, account_id: int, streams: tuple[str, ...] = ("orders", "inventory")) -> None:
        """Run streams in this process (what a job does), each in a fresh app context."""
        from app.tasks import run_sync

        for stream in streams:
            with self.app.app_context():
                run_sync(account_id, stream, backfill_days=HISTORY_DAYS)

    def settle(self, account_id: int) -> None:
        """Move the clock past the API's two-minute blind spot and fetch what it hid.

        getOrders refuses LastUpdatedBefore later than now - 2 min, so an order whose last
        event is in those two minutes is invisible until the clock moves on (as on Amazon);
        the truth files count it at once.
        """
        self.sim.advance(hours=0.1)
        self.sync(account_id, ("orders",))

    def truth(self, name: str, index: int = 0) -> pd.DataFrame:
        """A truth file of simulator seller `index` as of the simulator's clock."""
        url = f"{self.sim.base_url}/_sim/truth/{name}?seller={index}"
        text = requests.get(url, timeout=30).text
        return pd.read_csv(io.StringIO(text))

    def mismatches(self, account_id: int, index: int = 0) -> list[str]:
        """Every (sku, date) where the synced history differs from the truth (empty: equal)."""
        from app.extensions import db
        from app.models import SellerAccount
        from app.sync.history import sales_history

        with self.app.app_context():
            account = db.session.get(SellerAccount, account_id)
            history = sales_history(db.session, account.tenant_id, account.id)
        history = history.assign(date=history["date"].dt.strftime("%Y-%m-%d"))
        orders = self.truth("orders_daily.csv", index)
        demand = self.truth("demand.csv", index)
        merged = history.merge(orders, on=["sku", "date"], how="outer", suffixes=("", "_t"))
        merged = merged.merge(
            demand[["sku", "date", "in_stock"]],
            on=["sku", "date"],
            how="left",
            suffixes=("", "_d"),
        )
        problems = []
        for row in merged.itertuples(index=False):
            if pd.isna(row.units) or pd.isna(row.units_t):
                problems.append(f"{row.sku} {row.date}: row missing on one side")
            elif int(row.units) != int(row.units_t):
                problems.append(f"{row.sku} {row.date}: units {row.units} != {row.units_t}")
            elif int(row.in_stock) != int(row.in_stock_d > 0):
                problems.append(f"{row.sku} {row.date}: in_stock {row.in_stock}")
        return problems

    def table_counts(self) -> dict[str, int]:
        """Row counts of every table (a cheap "did anything change" fingerprint)."""
        from sqlalchemy import func, select

        from app.extensions import db
        from app.models import Base

        with self.app.app_context():
            session = db.new_session()
            try:
                return {
                    t.name: session.scalar(select(func.count()).select_from(t))
                    for t in Base.metadata.sorted_tables
                }
            finally:
                session.close()


@pytest.fixture
def sync_config(live_app: Any) -> Any:
    """The live app with a client tuned for a fast simulator (short backoff and polls)."""
    live_app.config.update(
        SPAPI_RATE_SCALE=1000.0,
        SPAPI_BACKOFF_BASE=0.02,
        SPAPI_REPORT_POLL=2.0,
        SPAPI_TIMEOUT=10.0,
    )
    return live_app


@pytest.fixture
def simulator() -> Callable[..., Any]:
    """`with simulator(**kw) as (sim, log):` a running simulator and its request log."""
    from simulator.testing import running_simulator

    @contextmanager
    def start(**kw: Any) -> Iterator[tuple[Any, RequestLog]]:
        params = {
            "seed": 7,
            "skus": SKUS,
            "history_days": HISTORY_DAYS,
            "today": TODAY,
            "rate_scale": 1000.0,
            **kw,
        }
        with running_simulator(**params) as sim:
            log = RequestLog(sim.app.wsgi_app)
            sim.app.wsgi_app = log  # type: ignore[method-assign]
            yield sim, log

    return start


@pytest.fixture
def harness(sync_config: Any) -> Callable[[Any], Harness]:
    """`harness(sim)` -> a Harness on the live app."""
    import sp_api.auth.access_token_client as atc

    atc.cache.clear()  # sp_api caches tokens process-wide; start each scenario clean
    return lambda sim: Harness(sync_config, sim)
