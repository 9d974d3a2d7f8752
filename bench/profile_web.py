"""Where one page request's time goes, in-process, on a database seeded by bench/seed_data.py.

    .venv/bin/python bench/profile_web.py DATABASE_URL --encryption-key KEY [--requests 200]
        [--route dashboard|sort|sku|healthz|all] [--top 25] [--explain]

Logs one seeded user in through the real /login form (Flask's test client, CSRF included), then
per route: requests it --requests times (the first 10 as warm-up), and prints the mean wall and
CPU milliseconds per request, the SQL statements per request (and the milliseconds spent in the
driver executing them), and the --top functions of a cProfile run of the same requests by
cumulative and by own time. --explain prints PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of every
distinct statement of one request. No server, no network: it measures the app's own CPU.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import event, text  # noqa: E402

from bench.seed_data import PASSWORD  # noqa: E402
from bench.web import CSRF, RISKS, SORTS, VALUE  # noqa: E402


def one_line(sql: str) -> str:
    """A statement on one line."""
    return re.sub(r"\s+", " ", sql)


def make_app(url: str, key: str) -> Any:
    """The production app factory with the bench's environment (no Redis: one process)."""
    for name in ("APP_ENV", "FLASK_ENV", "REDIS_URL"):
        os.environ.pop(name, None)
    os.environ.update(DATABASE_URL=url, SECRET_KEY="profile-" + key[:16], ENCRYPTION_KEYS=key,
                      INSTANCE_PATH=tempfile.mkdtemp(prefix="fba-profile-"), LOG_LEVEL="WARNING")
    from app import create_app

    return create_app()


def login(client: Any, email: str) -> None:
    """The real login form: its CSRF token, then the password."""
    page = client.get("/login").get_data(as_text=True)
    tag = CSRF.search(page)
    token = VALUE.search(tag.group(0)) if tag else None
    if token is None:
        raise SystemExit("no CSRF token on /login")
    r = client.post("/login", data={"email": email, "password": PASSWORD,
                                    "csrf_token": token.group(1)})
    if r.status_code != 302:
        raise SystemExit(f"login failed: {r.status_code}")


def main() -> None:
    """Profile each route."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("--encryption-key", required=True)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--route", default="all",
                    choices=("all", "healthz", "dashboard", "sort", "sku"))
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--explain", action="store_true")
    args = ap.parse_args()
    app = make_app(args.url, args.encryption_key)
    engine_holder: list[Any] = []
    statements: list[tuple[str, Any, float]] = []

    with app.app_context():
        from app.extensions import db

        engine = db.engine
        engine_holder.append(engine)
        with engine.connect() as c:
            email = c.execute(text("SELECT email FROM users ORDER BY id LIMIT 1")).scalar_one()
            ids = list(c.execute(text("SELECT id FROM products ORDER BY id")).scalars())

    started: dict[int, float] = {}

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        started[id(cursor)] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append((statement, params, time.perf_counter() - started.pop(id(cursor), 0)))

    client = app.test_client()
    login(client, email)
    rng = random.Random(7)

    def sort_url(r: random.Random) -> str:
        return (f"/?sort={r.choice(SORTS)}&dir={r.choice(['asc', 'desc'])}"
                f"&risk={r.choice(RISKS)}&page={r.randint(1, 20)}"
                f"&per_page={r.choice([25, 50, 100])}")

    routes: dict[str, Callable[[random.Random], str]] = {
        "healthz": lambda r: "/healthz",
        "dashboard": lambda r: "/",
        "sort": sort_url,
        "sku": lambda r: f"/skus/{r.choice(ids)}",
    }
    chosen = list(routes) if args.route == "all" else [args.route]
    for name in chosen:
        make = routes[name]
        for _ in range(10):
            assert client.get(make(rng)).status_code == 200
        statements.clear()
        urls = [make(rng) for _ in range(args.requests)]
        w0, c0 = time.perf_counter(), time.process_time()
        for u in urls:
            resp = client.get(u)
            if resp.status_code != 200:
                raise SystemExit(f"{u}: {resp.status_code}")
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        n = args.requests
        sql_ms = sum(s[2] for s in statements) * 1000 / n
        print(f"\n== {name}: {n} requests, {wall * 1000 / n:.2f} ms wall, {cpu * 1000 / n:.2f} ms "
              f"CPU per request (this process), {len(statements) / n:.1f} statements per request "
              f"({sql_ms:.2f} ms waiting on the database)")
        statements.clear()
        client.get(make(rng))
        for s, _, t in statements:
            print(f"   {t * 1000:6.2f} ms  {one_line(s)[:150]}")
        if args.explain and statements:
            seen = set()
            with engine.connect() as c:
                for s, p, _ in statements:
                    if s in seen or not s.lstrip().upper().startswith("SELECT"):
                        continue
                    seen.add(s)
                    raw = c.connection.driver_connection
                    with raw.cursor() as cur:
                        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + s, p)
                        plan = [r[0] for r in cur.fetchall()]
                    print("   --- " + one_line(s)[:100])
                    for line in plan:
                        print("      " + line)
        prof = cProfile.Profile()
        prof.enable()
        for u in urls:
            client.get(u)
        prof.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(order).print_stats(args.top)
            body = out.getvalue()
            print(f"-- by {order}:")
            print(body[body.find("ncalls"):].rstrip())


if __name__ == "__main__":
    main()
