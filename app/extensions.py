"""Extensions bound to the app: the database (plain SQLAlchemy 2 sessions per app context)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from app.security.crypto import KeyRing


def make_engine(url: str) -> Engine:
    """Create an engine with the settings each backend needs to be safe under threads."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if memory else None,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # WAL lets the in-process job thread write while the web thread reads.
            # pysqlite's own transaction handling breaks SAVEPOINT; let SQLAlchemy emit BEGIN.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """Holds one engine per app and hands out one session per app context."""

    def init_app(self, app: Flask) -> None:
        """Create the engine (or bind to a test connection) and close sessions on teardown."""
        bind = app.config.get("DB_BIND")
        engine = bind.engine if bind is not None else make_engine(app.config["DATABASE_URL"])
        if bind is not None:
            # Tests: every session joins the test's outer transaction through savepoints.
            factory = sessionmaker(
                bind=bind, expire_on_commit=False, join_transaction_mode="create_savepoint"
            )
        else:
            factory = sessionmaker(bind=engine, expire_on_commit=False)
        app.extensions["fba_db"] = {"engine": engine, "factory": factory}
        app.teardown_appcontext(self._close)

    @property
    def engine(self) -> Engine:
        """The current app's engine."""
        return current_app.extensions["fba_db"]["engine"]

    @property
    def session(self) -> Session:
        """The session of the current app context, created on first use."""
        if "fba_session" not in g:
            g.fba_session = current_app.extensions["fba_db"]["factory"]()
        return g.fba_session

    def new_session(self) -> Session:
        """A session outside the app-context one (for work that must commit on its own)."""
        return current_app.extensions["fba_db"]["factory"]()

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
