"""Extensions bound to the app: the database (plain SQLAlchemy 2 sessions per app context)."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g, has_request_context
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from app import localtime
from app.security.crypto import KeyRing

log = logging.getLogger(__name__)
# Execution option of the engine that read-only sessions (GET pages) are bound to.
READ_ONLY = "fba_read_only"
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER")


def make_engine(url: str, busy_timeout: float = 30.0) -> Engine:
    """Create an engine with the settings each backend needs to be safe under threads.

    SQLite has one writer at a time. A transaction that read under a deferred BEGIN and then
    writes fails at once with `database is locked` when another connection committed in between
    (its snapshot is stale; the busy timeout does not apply). So writers begin with BEGIN
    IMMEDIATE, which takes the write lock up front and waits up to `busy_timeout` seconds for
    it; sessions bound with the READ_ONLY option (web requests) begin deferred, never hold the
    write lock while they only read, and switch to an immediate transaction at their first write.
    """
    if url.startswith("sqlite"):
        return _sqlite_engine(url, busy_timeout)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_engine(url: str, busy_timeout: float) -> Engine:
    memory = url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": busy_timeout},
        poolclass=StaticPool if memory else None,
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own transaction handling breaks SAVEPOINT and cannot BEGIN IMMEDIATE;
        # the listeners below emit BEGIN.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if not memory:
            # WAL: readers never block the writer nor it them; NORMAL sync is durable in WAL
            # except for the last commits on power loss, and skips an fsync per commit.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cur.close()
        # Local days in SQL (app.localtime.day_sql): SQLite has no time zone database.
        dbapi_conn.create_function(
            localtime.SQLITE_FUNCTION, 2, localtime.local_date_text, deterministic=True
        )

    @event.listens_for(engine, "begin")
    def _sqlite_begin(conn: Connection) -> None:
        # BEGIN waits for the first statement that is not a PRAGMA, so that a caller can set
        # its own busy timeout on the connection (jobs/progress.py waits 200 ms, not 30 s).
        read_only = bool(conn.get_execution_options().get(READ_ONLY))
        conn.info["fba_begin"] = "BEGIN" if read_only else "BEGIN IMMEDIATE"
        conn.info["fba_deferred"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _sqlite_lazy_begin(conn: Connection, cursor: Any, statement: str, *_args: Any) -> None:
        head = statement.lstrip()[:8].upper()
        pending = conn.info.get("fba_begin")
        if pending is not None:
            if head.startswith("PRAGMA"):
                return
            cursor.execute(pending)
            conn.info["fba_begin"] = None
            conn.info["fba_deferred"] = pending == "BEGIN"
        if head.startswith(_WRITES):
            conn.info["fba_wrote"] = True
        if conn.info.get("fba_deferred") and head.startswith(_WRITES):
            conn.info["fba_deferred"] = False
            if not conn.in_nested_transaction():
                # A read-only session writes after all (an API token's last use): what it
                # read so far needs no isolation from this write, so end the read snapshot and
                # queue for the write lock instead of failing on a stale snapshot.
                cursor.execute("COMMIT")
                cursor.execute("BEGIN IMMEDIATE")

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _sqlite_end(conn: Connection) -> None:
        conn.info.pop("fba_begin", None)
        conn.info.pop("fba_deferred", None)
        conn.info.pop("fba_wrote", None)

    return engine


def defer_write_lock(session: Session) -> None:
    """SQLite: let a job that reads and computes long before it writes (training, recommend)
    hold no write lock until its first write.

    A job's transaction begins immediate (it takes the one write lock at its first statement),
    which is right for a job that reads and then writes at once, but a model fit of minutes
    would hold every page's and job's write that long, past their busy timeout. This ends the
    transaction if it has written nothing (expire_on_commit is off, so loaded objects stay) and
    begins the next one deferred: reads need no lock, and the first write ends that read snapshot
    and queues for the write lock (the lazy begin above), as a web request's bookkeeping write
    does. A transaction that has written is left alone. No-op on other databases."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        return
    if session.new or session.dirty or session.deleted or conn.info.get("fba_wrote"):
        return
    session.commit()
    session.connection(execution_options={READ_ONLY: True})


# The tables whose plans depend on statistics; ANALYZE when one has rows but none are kept.
_ANALYZED = ("orders", "order_items", "inventory_snapshots", "forecasts", "fee_events")


def analyze_if_stale(engine: Engine) -> bool:
    """SQLite: run ANALYZE when a large table has rows but no statistics; True if it ran.

    A database loaded before statistics were kept (an older version's first sync, an import)
    would otherwise be planned blind until someone runs ANALYZE. On PostgreSQL autovacuum
    keeps statistics; nothing to do.
    """
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as conn:
        names = set(conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
        kept: set[str] = set()
        if "sqlite_stat1" in names:
            kept = set(conn.exec_driver_sql("SELECT DISTINCT tbl FROM sqlite_stat1").scalars())
        stale = [
            t
            for t in _ANALYZED
            if t in names
            and t not in kept
            and conn.exec_driver_sql(f"SELECT 1 FROM {t} LIMIT 1").first() is not None  # noqa: S608
        ]
        if not stale:
            return False
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return True


class Database:
    """Holds one engine per app and hands out one session per app context."""

    def init_app(self, app: Flask) -> None:
        """Create the engine (or bind to a test connection) and close sessions on teardown."""
        bind = app.config.get("DB_BIND")
        if bind is not None:
            # Tests: every session joins the test's outer transaction through savepoints.
            engine = bind.engine
            factory = sessionmaker(
                bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
            reads = factory
        else:
            engine = make_engine(
                app.config["DATABASE_URL"], busy_timeout=app.config.get("SQLITE_BUSY_TIMEOUT", 30.0)
            )
            factory = sessionmaker(bind=engine, expire_on_commit=False)
            reads = factory
            if engine.dialect.name == "sqlite":
                reads = sessionmaker(
                    bind=engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
                )
                try:
                    analyze_if_stale(engine)
                except OperationalError as exc:  # busy or read-only: the next start tries again
                    log.warning("SQLite statistics not refreshed: %s", exc)
        app.extensions["fba_db"] = {"engine": engine, "factory": factory, "reads": reads}
        app.teardown_appcontext(self._close)

    @property
    def engine(self) -> Engine:
        """The current app's engine."""
        return current_app.extensions["fba_db"]["engine"]

    @property
    def session(self) -> Session:
        """The session of the current app context, created on first use."""
        if "fba_session" not in g:
            ext = current_app.extensions["fba_db"]
            # A request must not hold SQLite's write lock while it renders, nor while it
            # queues a job (the job store commits the record from a session of its own and
            # would wait for this one): request sessions begin deferred and take the write
            # lock at their first write. Jobs and commands begin immediate.
            reading = has_request_context()
            g.fba_session = ext["reads" if reading else "factory"]()
        return g.fba_session

    def end_read(self) -> None:
        """End the app context's SQLite transaction if it has only read so far.

        SQLite has one writer. A job or command session begins immediate, so after its first
        read it holds the write lock; a session of its own (the job store's) would then wait
        for it until the busy timeout. Ending a transaction that wrote nothing loses nothing;
        one that wrote is left alone (its writes must be committed by its owner first)."""
        session = g.get("fba_session")
        if session is None or not session.in_transaction():
            return
        if session.new or session.dirty or session.deleted:
            return
        conn = session.connection()
        if conn.dialect.name == "sqlite" and not conn.info.get("fba_wrote"):
            session.commit()

    def new_session(self) -> Session:
        """A session outside the app-context one (for work that must commit on its own). On
        SQLite it begins deferred and takes the write lock at its first write: these sessions
        read a little or write at once, and must not wait behind the app context's session
        just to read."""
        return current_app.extensions["fba_db"]["reads"]()

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("fba_session", None)
        if session is not None:
            session.close()


db = Database()
# CSRF on every state-changing form; token-authenticated blueprints (API, webhooks) are exempted
# where they are registered.
csrf = CSRFProtect()


def keyring() -> KeyRing:
    """The current app's key ring for secrets at rest."""
    return current_app.extensions["fba_keyring"]


def init_keyring(app: Flask) -> None:
    """Build the key ring from ENCRYPTION_KEYS (newest first)."""
    app.extensions["fba_keyring"] = KeyRing(app.config["ENCRYPTION_KEYS"])
