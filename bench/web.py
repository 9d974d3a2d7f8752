"""Web benchmark: the dashboard and SKU pages under load, on PostgreSQL or on the demo's SQLite.

    .venv/bin/python bench/web.py [--db postgresql] [--skus 5000] [--days 365] [--users 20]
                                  [--seconds 20] [--workers 2] [--threads 4]
                                  [--redis-url URL] [--reuse-db NAME] [--keep-db]
    .venv/bin/python bench/web.py --db sqlite [--users 1] [--seconds 600] [--skus 40]

PostgreSQL (the production shape): creates a scratch database on 127.0.0.1:5432 (user root),
migrates it, seeds it with bench/seed_data.py, serves the app with gunicorn (gthread workers,
REDIS_URL set as production requires for more than one worker) on a free loopback port, logs
every user in through the real /login form (CSRF token included, one requests.Session each),
then for --seconds per phase has all users request, back to back: /healthz (the trivial
baseline), the dashboard's first page, dashboard pages with random sort/filter/search/page
parameters, and random SKU pages. Prints requests, throughput and p50/p95/p99 latency per phase,
each page's p50/p95 as a multiple of the trivial route's, and the CPU milliseconds per request
spent by the gunicorn workers, the database's backends and the load generator itself (all on the
same host), then stops the server and drops the database. --reuse-db skips create/seed/drop.

SQLite (the embedded default, as `make demo` runs it): starts `python -m app.demo` (simulator,
first sync, spreadsheet import, training, recommendations; then one process serving the UI with
in-process jobs and its schedule, which on its first ticks syncs every stream, trains and
recommends) on free loopback ports, logs in, and for --seconds has --users users browse back to
back: /healthz, the dashboard, a dashboard sort/filter/page, then the next SKU page, cycling
through every SKU. Prints the same per-route table (with 5xx counts), the demo process's CPU per
request (its jobs included), and from the demo's database and log: the jobs run, failed or
retried, and how many failures were `database is locked`.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app import migrate  # noqa: E402
from bench.seed_data import PASSWORD, seed  # noqa: E402

SERVER = "postgresql+psycopg://root@127.0.0.1:5432"
SORTS = ("risk", "sku", "on_hand", "inbound", "cover", "forecast", "qty", "ship_by")
RISKS = ("all", "all", "stockout", "ship", "excess", "healthy", "ship_by")  # dashboard filters
CSRF = re.compile(r'<input[^>]*name="csrf_token"[^>]*>')
VALUE = re.compile(r'value="([^"]+)"')


@dataclass
class Phase:
    """One measured route: latencies (s) of every answered request and the error count."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0  # unanswered, redirected or non-200 answers (5xx included)
    server_errors: int = 0  # 5xx answers
    seconds: float = 0.0
    app_cpu: float = 0.0  # CPU seconds the gunicorn workers spent during the phase
    db_cpu: float = 0.0  # CPU seconds the database's backends spent during the phase
    client_cpu: float = 0.0  # CPU seconds this load generator spent (same host, same CPUs)

    def pct(self, q: float) -> float:
        """The q-th percentile latency in milliseconds."""
        return float(np.percentile(self.latencies, q) * 1000) if self.latencies else float("nan")


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process, from /proc (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(server_pid: int, db_name: str) -> tuple[dict[int, float], dict[int, float]]:
    """CPU seconds so far of the gunicorn workers and of this database's backend processes."""
    children = Path(f"/proc/{server_pid}/task/{server_pid}/children")
    workers = [int(p) for p in children.read_text().split()] if children.exists() else []
    with psycopg.connect("postgresql://root@127.0.0.1:5432/postgres", autocommit=True) as c:
        backends = [p for (p,) in c.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", (db_name,))]
    return ({p: _cpu_seconds(p) for p in workers}, {p: _cpu_seconds(p) for p in backends})


def cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two snapshots (processes that appeared count from zero)."""
    return sum(t - before.get(p, 0.0) for p, t in after.items())


def free_port() -> int:
    """A free loopback port (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def admin(sql: str) -> None:
    """Run one statement on the server's maintenance database, outside a transaction."""
    with psycopg.connect("postgresql://root@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(sql)


def start_server(url: str, key: str, workers: int, threads: int, logdir: Path,
                 redis_url: str | None) -> tuple[subprocess.Popen[bytes], str]:
    """gunicorn on a free loopback port with the production-style environment; waits for /readyz."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("APP_ENV", "FLASK_ENV", "REDIS_URL")}
    env.update(DATABASE_URL=url, SECRET_KEY="bench-" + key[:16], ENCRYPTION_KEYS=key,
               INSTANCE_PATH=str(logdir), LOG_LEVEL="WARNING")
    if redis_url:
        env["REDIS_URL"] = redis_url
    log = open(logdir / "gunicorn.log", "wb")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", "gthread", "--threads",
         str(threads), "-b", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if requests.get(base + "/readyz", timeout=5).status_code == 200:
                return proc, base
        except requests.RequestException:
            pass
        time.sleep(0.3)
    stop_server(proc)
    raise SystemExit("gunicorn did not become ready:\n" + (logdir / "gunicorn.log").read_text())


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (graceful), then SIGKILL if it lingers."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def login(base: str, email: str, password: str = PASSWORD) -> requests.Session:
    """Log in through the real form: GET /login for the CSRF token, POST it with the password."""
    s = requests.Session()
    page = s.get(base + "/login", timeout=30)
    tag = CSRF.search(page.text)
    if page.status_code != 200 or tag is None or (token := VALUE.search(tag.group(0))) is None:
        raise SystemExit(f"no login form with a CSRF token ({page.status_code})")
    r = s.post(base + "/login", data={"email": email, "password": password,
                                      "csrf_token": token.group(1)},
               allow_redirects=False, timeout=30)
    if r.status_code != 302:
        raise SystemExit(f"login of {email} failed: {r.status_code}")
    check = s.get(base + "/", allow_redirects=False, timeout=120)
    if check.status_code != 200:
        raise SystemExit(f"dashboard after login answered {check.status_code}")
    return s


def timed_get(s: requests.Session, url: str) -> tuple[float, int]:
    """Seconds one GET took and its status (0: no answer); redirects are not followed."""
    t0 = time.perf_counter()
    try:
        status = s.get(url, allow_redirects=False, timeout=120).status_code
    except requests.RequestException:
        status = 0
    return time.perf_counter() - t0, status


def hammer(phase: Phase, sessions: list[requests.Session], make_url: Callable[[random.Random], str],
           seconds: float) -> Phase:
    """Every session requests make_url(rng) back to back until `seconds` pass; redirects count
    as errors (a redirect here means the session was logged out)."""
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(s: requests.Session, n: int) -> None:
        rng = random.Random(n * 7919 + len(phase.name))
        mine: list[float] = []
        errors = server_errors = 0
        while time.monotonic() < stop:
            elapsed, status = timed_get(s, make_url(rng))
            if status == 200:
                mine.append(elapsed)
            else:
                errors += 1
                server_errors += status >= 500
        with lock:
            phase.latencies.extend(mine)
            phase.errors += errors
            phase.server_errors += server_errors

    t0 = time.perf_counter()
    threads = [threading.Thread(target=user, args=(s, n)) for n, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.seconds = time.perf_counter() - t0  # includes the last requests' tails
    return phase


def routes(base: str, product_ids: list[int]) -> dict[str, Callable[[random.Random], str]]:
    """The measured routes, each a function of a per-user random generator."""

    def dashboard_params(r: random.Random) -> str:
        q = f"&q={r.choice(['SKU-01', 'bamboo', 'lamp', '42'])}" if r.random() < 0.15 else ""
        return (f"{base}/?sort={r.choice(SORTS)}&dir={r.choice(['asc', 'desc'])}"
                f"&risk={r.choice(RISKS)}&page={r.randint(1, 20)}"
                f"&per_page={r.choice([25, 50, 100])}{q}")

    return {
        "/healthz (trivial)": lambda r: base + "/healthz",
        "dashboard page 1": lambda r: base + "/",
        "dashboard sort/filter/page": dashboard_params,
        "SKU page (random)": lambda r: f"{base}/skus/{r.choice(product_ids)}",
    }


def report(phases: list[Phase], args: argparse.Namespace, cpu: bool = True) -> None:
    """The results table, with each page's p50/p95 relative to the trivial route's (the first);
    `cpu`: with the CPU columns (measured per phase)."""
    trivial = phases[0]
    per = "per route" if args.db == "postgresql" else "all routes in turn"
    print(f"\n{args.users} concurrent users, {args.seconds:.0f}s {per}, {args.db}, "
          f"{os.cpu_count()} CPUs, load average now {os.getloadavg()[0]:.1f}")
    head = (f"{'route':28} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'p99 ms':>8} {'max ms':>8} {'errors':>6} {'5xx':>4} {'p50 x triv':>10} "
            f"{'p95 x triv':>10}")
    if cpu:
        head += f" {'app CPU ms/req':>14} {'db CPU ms/req':>13} {'client CPU ms/req':>17}"
    print(head)
    print("-" * len(head))
    for p in phases:
        n = max(1, len(p.latencies))
        top = max(p.latencies) * 1000 if p.latencies else float("nan")
        line = (f"{p.name:28} {len(p.latencies):8d} {len(p.latencies) / p.seconds:7.1f} "
                f"{p.pct(50):8.1f} {p.pct(95):8.1f} {p.pct(99):8.1f} {top:8.1f} {p.errors:6d} "
                f"{p.server_errors:4d} {p.pct(50) / trivial.pct(50):10.1f} "
                f"{p.pct(95) / trivial.pct(95):10.1f}")
        if cpu:
            line += (f" {p.app_cpu * 1000 / n:14.1f} {p.db_cpu * 1000 / n:13.1f} "
                     f"{p.client_cpu * 1000 / n:17.1f}")
        print(line)


def run_postgresql(args: argparse.Namespace) -> None:
    """Create, seed, serve, measure, clean up."""
    name = args.reuse_db or f"fba_web_bench_{os.getpid()}"
    url = f"{SERVER}/{name}"
    key = args.encryption_key or Fernet.generate_key().decode()
    created = False
    proc = None
    try:
        if args.reuse_db:
            with psycopg.connect(f"postgresql://root@127.0.0.1:5432/{name}") as c:
                emails = [e for (e,) in c.execute(
                    "SELECT email FROM users WHERE email LIKE 'bench%%@example.com' ORDER BY id")]
                ids = [i for (i,) in c.execute("SELECT id FROM products ORDER BY id")]
        else:
            admin(f"CREATE DATABASE {name}")
            created = True
            t0 = time.perf_counter()
            migrate.upgrade(url)
            res = seed(url, args.skus, args.days, n_users=args.users, encryption_keys=[key])
            emails, ids = res.emails, res.product_ids
            print(f"database {name}: migrated and seeded {args.skus} SKUs x {args.days} days "
                  f"({sum(res.rows.values()):,} rows) in {time.perf_counter() - t0:.0f}s",
                  flush=True)
        with tempfile.TemporaryDirectory(prefix="fba-web-bench-") as tmp:
            proc, base = start_server(url, key, args.workers, args.threads, Path(tmp),
                                      args.redis_url)
            t0 = time.perf_counter()
            sessions = [login(base, emails[i % len(emails)]) for i in range(args.users)]
            print(f"logged in {args.users} users in {time.perf_counter() - t0:.1f}s (the first "
                  "dashboard view builds the summaries if nothing has yet)", flush=True)
            table = routes(base, ids)
            for make in list(table.values())[1:]:  # warm every worker's connections and caches
                hammer(Phase("warm-up"), sessions, make, args.warmup)
            phases = []
            for label, make in table.items():
                app0, db0 = cpu_snapshot(proc.pid, name)
                client0 = time.process_time()
                phases.append(hammer(Phase(label), sessions, make, args.seconds))
                phases[-1].client_cpu = time.process_time() - client0
                app1, db1 = cpu_snapshot(proc.pid, name)
                phases[-1].app_cpu, phases[-1].db_cpu = cpu_spent(app0, app1), cpu_spent(db0, db1)
                print(f"  {label}: {len(phases[-1].latencies)} requests", flush=True)
            stop_server(proc)
            proc = None
            print(f"gunicorn {args.workers} workers x {args.threads} threads (gthread), "
                  f"REDIS_URL {'set' if args.redis_url else 'unset'}")
            report(phases, args)
            rates = [len(p.latencies) / p.seconds for p in phases]
            print(f"dashboard throughput / trivial route's: {rates[1] / rates[0]:.3f}")
            print("CPU ms/req: CPU time of the gunicorn workers, of this database's PostgreSQL "
                  "backends and of this load generator during the phase, per answered request. "
                  "All share the host's CPUs, so throughput is bounded by their sum, and with "
                  "closed-loop users latency is mostly queueing (p50 ~ users / req/s).")
    finally:
        if proc is not None:
            stop_server(proc)
        if created and not args.keep_db:
            admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


# --- SQLite: the demo -------------------------------------------------------------------------

DEMO_LOGIN = re.compile(r"log in as (\S+) / (\S+)")
LOCKED = "database is locked"


def start_demo(instance: Path, skus: int, log_path: Path, timeout: float) -> tuple[
        subprocess.Popen[bytes], str, str, str]:
    """`python -m app.demo` on free loopback ports; waits for its login line (setup included)."""
    port, sim_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("APP_ENV", "FLASK_ENV", "REDIS_URL", "DATABASE_URL")}
    log = open(log_path, "wb")  # noqa: SIM115 - lives as long as the demo
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.demo", "--instance", str(instance), "--port", str(port),
         "--sim-port", str(sim_port), "--skus", str(skus)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        match = DEMO_LOGIN.search(log_path.read_text(errors="replace"))
        if match and "Ctrl-C" in log_path.read_text(errors="replace"):
            return proc, f"http://127.0.0.1:{port}", match.group(1), match.group(2)
        time.sleep(1)
    stop_server(proc)
    raise SystemExit("the demo did not start:\n" + log_path.read_text(errors="replace")[-4000:])


def demo_jobs(db_path: Path, since: str) -> dict[str, Any]:
    """Jobs the demo recorded since `since` (ISO UTC): by kind and status, and lock failures."""
    import sqlite3

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        rows = conn.execute("SELECT kind, status, coalesce(error, '') FROM job_records "
                            "WHERE created_at >= ?", (since.replace("T", " ")[:19],)).fetchall()
    finally:
        conn.close()
    by: dict[str, int] = {}
    for kind, status, _ in rows:
        by[f"{kind} {status}"] = by.get(f"{kind} {status}", 0) + 1
    return {"jobs": len(rows), "by_kind_status": dict(sorted(by.items())),
            "failed": sum(1 for _, st, _ in rows if st == "failed"),
            "locked_in_records": sum(1 for *_, e in rows if LOCKED in e)}


def browse(sessions: list[requests.Session], base: str, product_ids: list[int],
           seconds: float) -> list[Phase]:
    """Every user, back to back until `seconds` pass: /healthz, the dashboard, a dashboard
    sort/filter/page, the next SKU page (each user walks every SKU page in turn)."""
    names = ["/healthz (trivial)", "dashboard page 1", "dashboard sort/filter/page",
             "SKU page (every SKU in turn)"]
    phases = {n: Phase(n) for n in names}
    lock = threading.Lock()
    stop = time.monotonic() + seconds
    params = routes(base, product_ids)["dashboard sort/filter/page"]

    def user(s: requests.Session, n: int) -> None:
        rng = random.Random(n * 104729)
        mine: dict[str, list[tuple[float, int]]] = {name: [] for name in names}
        k = n * 7
        while time.monotonic() < stop:
            k += 1
            for name, url in zip(names, (base + "/healthz", base + "/", params(rng),
                                         f"{base}/skus/{product_ids[k % len(product_ids)]}"),
                                 strict=True):
                mine[name].append(timed_get(s, url))
        with lock:
            for name, got in mine.items():
                ph = phases[name]
                ph.latencies += [t for t, st in got if st == 200]
                ph.errors += sum(1 for _, st in got if st != 200)
                ph.server_errors += sum(1 for _, st in got if st >= 500)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=user, args=(s, n)) for n, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for ph in phases.values():
        ph.seconds = time.perf_counter() - t0
    return list(phases.values())


def run_sqlite(args: argparse.Namespace) -> None:
    """The demo as `make demo` runs it, browsed while its schedule syncs."""
    import sqlite3

    with tempfile.TemporaryDirectory(prefix="fba-web-bench-demo-") as tmp:
        instance = Path(tmp) / "demo"
        log_path = Path(tmp) / "demo.log"
        t0 = time.perf_counter()
        proc, base, email, password = start_demo(instance, args.skus, log_path,
                                                 args.setup_timeout)
        try:
            print(f"demo ready in {time.perf_counter() - t0:.0f}s (first sync, import, "
                  "training, recommendations)", flush=True)
            db_path = instance / "demo.db"
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
            ids = [i for (i,) in conn.execute("SELECT id FROM products WHERE active ORDER BY id")]
            conn.close()
            since = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime())
            log_mark = len(log_path.read_bytes())
            sessions = [login(base, email, password) for _ in range(args.users)]
            cpu0, client0 = _cpu_seconds(proc.pid), time.process_time()
            phases = browse(sessions, base, ids, args.seconds)
            cpu1, client1 = _cpu_seconds(proc.pid), time.process_time()
            total = sum(len(p.latencies) + p.errors for p in phases)
            jobs = demo_jobs(db_path, since)
        finally:
            stop_server(proc)
        log = log_path.read_bytes()[log_mark:].decode(errors="replace")
        print(f"{len(ids)} SKU pages, each user cycling through all of them")
        report(phases, args, cpu=False)
        # One process serves the pages and runs the jobs: its CPU is not split by route.
        print(f"demo process CPU: {(cpu1 - cpu0):.1f}s over {args.seconds:.0f}s "
              f"({(cpu1 - cpu0) * 1000 / max(1, total):.1f} ms per request, its jobs included); "
              f"load generator {(client1 - client0) * 1000 / max(1, total):.1f} ms per request")
        print(f"jobs during the measurement: {jobs['jobs']} "
              f"({', '.join(f'{k}: {v}' for k, v in jobs['by_kind_status'].items()) or 'none'})")
        failures = [line for line in log.splitlines() if "failed" in line and "job " in line]
        locked = [line for line in log.splitlines() if LOCKED in line]
        print(f"job attempts that failed (log): {len(failures)}, of which lock errors: "
              f"{sum(1 for f in failures if 'OperationalError' in f)}; jobs failed for good: "
              f"{jobs['failed']}; 'database is locked' in job records: "
              f"{jobs['locked_in_records']}, in the demo log: {len(locked)}")
        for line in failures[:10]:
            print("   ", line[:200])
        server_errors = [line for line in log.splitlines() if '" 5' in line and "HTTP/" in line]
        print(f"5xx answers seen by the users: {sum(p.server_errors for p in phases)}; "
              f"in the demo's request log: {len(server_errors)}")


def main() -> None:
    """PostgreSQL (default) or the demo's SQLite."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    ap.add_argument("--skus", type=int, default=None,
                    help="SKUs seeded (PostgreSQL, default 5000) or simulated (demo, default 40)")
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--users", type=int, default=None, help="default 20; demo 1")
    ap.add_argument("--seconds", type=float, default=None,
                    help="per route (default 20); demo: all routes together (default 600)")
    ap.add_argument("--warmup", type=float, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--redis-url", default="redis://127.0.0.1:6379/15",
                    help="REDIS_URL for gunicorn (more than one worker needs it); '' for none")
    ap.add_argument("--reuse-db", help="an already seeded database (bench/seed_data.py "
                    "--users N --encryption-key K): skip create/seed/drop")
    ap.add_argument("--encryption-key", help="with --reuse-db: the key it was seeded with")
    ap.add_argument("--keep-db", action="store_true", help="do not drop the scratch database")
    ap.add_argument("--setup-timeout", type=float, default=1800,
                    help="demo: seconds its setup may take")
    args = ap.parse_args()
    demo = args.db == "sqlite"
    args.skus = args.skus or (40 if demo else 5000)
    args.users = args.users or (1 if demo else 20)
    args.seconds = args.seconds or (600 if demo else 20)
    if demo:
        run_sqlite(args)
    else:
        run_postgresql(args)


if __name__ == "__main__":
    main()
