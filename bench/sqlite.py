"""SQLite benchmark: the embedded default against its old behaviour, in one run.

Two parts, each printing new vs old measured side by side:

- locks: N threads, each repeatedly reading a row and writing it back in one transaction (what
  jobs and form posts do), on a file database. Old: deferred BEGIN (today's engine before this
  change, rebuilt here). New: `app.extensions.make_engine` (BEGIN IMMEDIATE for writers).
  Prints lock errors and lost updates.
- pages: every SKU page, the dashboard and the plans page of a copy of the demo database,
  without statistics and after ANALYZE, on its old schema and migrated to head (the SKU-and-order
  index). Needs `--demo-db` (a `make demo` database, e.g. instance/demo/demo.db).

(The first sync into SQLite, pipelined and one report window at a time: `bench/sync.py --demo`.)

    .venv/bin/python bench/sqlite.py [--part locks,pages] [--writers 8] [--rounds 50]
        [--demo-db PATH]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def old_engine(url: str) -> Any:
    """The engine as it was before BEGIN IMMEDIATE: deferred BEGIN for every transaction."""
    from sqlalchemy import create_engine, event

    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def contend(engine: Any, writers: int, rounds: int) -> dict[str, Any]:
    """`writers` threads x `rounds` read-then-write transactions on one counter row."""
    from sqlalchemy import text

    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS counter")
        conn.exec_driver_sql("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)")
        conn.exec_driver_sql("INSERT INTO counter VALUES (1, 0)")
    errors: list[str] = []
    committed = [0]
    lock = threading.Lock()

    def work() -> None:
        for _ in range(rounds):
            try:
                with engine.begin() as conn:
                    n = conn.scalar(text("SELECT n FROM counter WHERE id = 1"))
                    time.sleep(0.001)  # a little work between the read and the write
                    conn.execute(text("UPDATE counter SET n = :n WHERE id = 1"), {"n": n + 1})
                with lock:
                    committed[0] += 1
            except Exception as exc:  # noqa: BLE001 - counted, that is the measurement
                with lock:
                    errors.append(type(exc).__name__ + ": " + str(exc.args[0])[:60])

    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    with engine.connect() as conn:
        final = conn.scalar(text("SELECT n FROM counter WHERE id = 1"))
    return {
        "errors": len(errors),
        "committed": committed[0],
        "lost_updates": committed[0] - final,
        "seconds": elapsed,
        "sample": errors[:1],
    }


def part_locks(args: argparse.Namespace) -> None:
    from app.extensions import make_engine

    print(f"== locks: {args.writers} writers x {args.rounds} read-then-write transactions")
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (
            ("old (deferred BEGIN)", old_engine),
            ("new (BEGIN IMMEDIATE)", make_engine),
        ):
            engine = make(f"sqlite:///{tmp}/{name[:3]}.db")
            r = contend(engine, args.writers, args.rounds)
            engine.dispose()
            print(
                f"  {name:24s} lock errors {r['errors']:4d} / {args.writers * args.rounds}"
                f"   lost updates {r['lost_updates']:3d}   {r['seconds']:.2f} s  {r['sample']}"
            )


def _demo_keys(db_path: Path) -> str:
    """The demo's generated encryption keys (its instance folder is above the database)."""
    for folder in db_path.resolve().parents:
        if (folder / "encryption_keys").exists():
            return (folder / "encryption_keys").read_text().strip()
    raise SystemExit(f"no encryption_keys file above {db_path}: the seller secrets are unreadable")


def _page_times(db_path: Path, sku_ids: list[int], analyze: bool, keys: str) -> dict[str, Any]:
    """Log in and time every SKU page, the dashboard and the plans page (seconds)."""
    import sqlite3

    if analyze:
        conn = sqlite3.connect(db_path)
        conn.execute("ANALYZE")
        conn.commit()
        conn.close()
    import app.extensions as extensions
    from app import create_app
    from app.extensions import db
    from app.models import User

    real_analyze = extensions.analyze_if_stale
    if not analyze:
        # Measure the database as loaded: the app's own start-up ANALYZE is what is compared.
        extensions.analyze_if_stale = lambda _engine: False  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as inst:
        app = create_app(
            {
                "INSTANCE_PATH": inst,
                "WTF_CSRF_ENABLED": False,
                "JOBS_SCHEDULE": False,  # pages alone: no scheduled syncs against the demo seller
                "ENV": {
                    "SECRET_KEY": "bench",
                    "ENCRYPTION_KEYS": keys,
                    "DATABASE_URL": f"sqlite:///{db_path}",
                    "LOG_LEVEL": "WARNING",
                },
            }
        )
        extensions.analyze_if_stale = real_analyze
        with app.app_context():
            user = db.session.query(User).order_by(User.id).first()
            assert user is not None, "the demo database has no user"
            user.set_password("bench password 1")
            db.session.commit()
            email = user.email
        client = app.test_client()
        resp = client.post("/login", data={"email": email, "password": "bench password 1"})
        assert resp.status_code == 302, resp.status_code
        out: dict[str, Any] = {}
        for name, url in (("dashboard", "/"), ("plans", "/plans/")):
            started = time.perf_counter()
            assert client.get(url).status_code == 200, url
            out[name] = time.perf_counter() - started
        skus = []
        for sid in sku_ids:
            started = time.perf_counter()
            assert client.get(f"/skus/{sid}").status_code == 200
            skus.append(time.perf_counter() - started)
        out["sku_max"] = max(skus)
        out["sku_median"] = statistics.median(skus)
        out["sku_total"] = sum(skus)
        with app.app_context():
            db.engine.dispose()
    return out


def part_pages(args: argparse.Namespace) -> None:
    import sqlite3

    from app import migrate

    if not args.demo_db:
        print("== pages: skipped (pass --demo-db, a `make demo` database)")
        return
    src = Path(args.demo_db)
    keys = _demo_keys(src)
    conn = sqlite3.connect(src)
    sku_ids = [r[0] for r in conn.execute("SELECT id FROM products ORDER BY id")]
    conn.close()
    print(f"== pages: {src} ({len(sku_ids)} SKU pages, dashboard, plans), seconds")
    with tempfile.TemporaryDirectory() as tmp:
        for schema in ("old schema", "head"):
            for analyze in (False, True):
                copy = Path(tmp) / f"{schema[:3]}-{analyze}.db"
                shutil.copy(src, copy)
                c = sqlite3.connect(copy)
                c.execute("DROP TABLE IF EXISTS sqlite_stat1")
                c.commit()
                c.close()
                # The old schema is head without migration 0007 (the SKU-and-order index).
                migrate.upgrade(f"sqlite:///{copy}", "head" if schema == "head" else "0006")
                r = _page_times(copy, sku_ids, analyze, keys)
                label = f"{schema}, {'ANALYZE' if analyze else 'no statistics'}"
                print(
                    f"  {label:28s} SKU max {r['sku_max']:8.3f}  median {r['sku_median']:7.3f}"
                    f"  all {r['sku_total']:8.2f}   dashboard {r['dashboard']:6.3f}"
                    f"   plans {r['plans']:6.3f}"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="locks,pages")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--demo-db")
    args = parser.parse_args()
    import logging

    logging.disable(logging.INFO)
    parts = {"locks": part_locks, "pages": part_pages}
    for name in args.part.split(","):
        parts[name](args)


if __name__ == "__main__":
    main()
