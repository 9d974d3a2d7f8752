"""Shared fixtures: apps on SQLite and PostgreSQL, sessions, Redis, and service checks.

A test that needs a missing service is skipped with the reason; REQUIRE_SERVICES=1 (set by
.ci/run) turns that skip into a failure, so CI can never pass by skipping.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SHARED_DIR") or REPO.parent / "shared")
# Under pytest-xdist (`make test` runs `-n 2`) each worker gets its own PostgreSQL database
# (<name>_gw0, created on first use) and its own Redis database index (the given one minus 1 + N),
# so the session-wide schema reset and the Redis flushes of one worker never touch another's.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _per_worker_database(url: str) -> str:
    if not XDIST_WORKER:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{XDIST_WORKER}").render_as_string(
        hide_password=False
    )


def _per_worker_redis(url: str) -> str:
    if not XDIST_WORKER:
        return url
    base, _, index = url.rpartition("/")
    number = int(index or 0) - 1 - int(XDIST_WORKER.removeprefix("gw"))
    if number < 0:
        raise RuntimeError(f"TEST_REDIS_URL {url}: too few Redis databases below it for xdist")
    return f"{base}/{number}"


TEST_DATABASE_URL = _per_worker_database(
    os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
)
TEST_REDIS_URL = _per_worker_redis(
    os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
)
TEST_KEY = Fernet.generate_key().decode()


def need_service(name: str, reason: str) -> None:
    """Skip (or, with REQUIRE_SERVICES=1, fail) because a service is unavailable."""
    message = f"{name} unavailable: {reason}"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(message + " (REQUIRE_SERVICES=1)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only shared/ folder beside the repo (official SP-API models and specs)."""
    if not (SHARED / "spapi-models").is_dir():
        pytest.fail(f"shared folder not found at {SHARED}; set SHARED_DIR")
    return SHARED


def _upgraded_engine(url: str) -> Engine:
    from app import migrate

    migrate.upgrade(url)
    return create_engine(url)


@pytest.fixture(scope="session")
def pg_url() -> str:
    """URL of the PostgreSQL test database, with the schema dropped (tests build it)."""
    url = TEST_DATABASE_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if XDIST_WORKER:
        _create_database(url)
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001 - any connection failure means "unavailable"
        need_service("PostgreSQL", f"{make_url(url).render_as_string()}: {exc}")
    return url


def _create_database(url: str) -> None:
    """Create this xdist worker's database beside the configured one, if it is missing."""
    target = make_url(url)
    try:
        admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
            ).first()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
        admin.dispose()
    except Exception:  # noqa: BLE001, S110 - the SELECT 1 below reports an unavailable server
        pass


def reset_pg_schema(url: str) -> None:
    """Drop everything in the public schema so migrations start from nothing."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def pg_engine(pg_url: str) -> Iterator[Engine]:
    """A PostgreSQL engine on a freshly migrated schema."""
    reset_pg_schema(pg_url)
    engine = _upgraded_engine(pg_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A SQLite engine on a freshly migrated file database."""
    path = tmp_path_factory.mktemp("sqlite") / "test.db"
    from app import migrate
    from app.extensions import make_engine

    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_engine(request: pytest.FixtureRequest) -> Engine:
    """Each test using it runs once on SQLite and once on PostgreSQL."""
    return request.getfixturevalue(
        f"{request.param}_engine" if request.param == "sqlite" else "pg_engine"
    )


def base_config(tmp_path: Path, database_url: str, **extra: Any) -> dict[str, Any]:
    """Settings for a test app: no environment is read, keys are per-run."""
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "ENV": {
            "SECRET_KEY": "test-secret-key",
            "ENCRYPTION_KEYS": TEST_KEY,
            "DATABASE_URL": database_url,
        },
        **extra,
    }


@pytest.fixture
def app(db_engine: Engine, tmp_path: Path) -> Iterator[Any]:
    """An app whose every session runs inside one outer transaction, rolled back after."""
    from app import create_app

    connection = db_engine.connect()
    outer = connection.begin()
    flask_app = create_app(
        base_config(
            tmp_path, db_engine.url.render_as_string(hide_password=False), DB_BIND=connection
        )
    )
    with flask_app.app_context():
        yield flask_app
    outer.rollback()
    connection.close()


@pytest.fixture
def client(app: Any) -> Any:
    """Flask test client of `app`."""
    return app.test_client()


@pytest.fixture
def db_session(app: Any) -> Any:
    """The app-context session of `app`."""
    from app.extensions import db

    return db.session


@pytest.fixture
def redis_conn() -> Iterator[Any]:
    """A Redis connection on the dedicated test database index, flushed around each test."""
    import redis

    conn = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        conn.ping()
    except Exception as exc:  # noqa: BLE001
        need_service("Redis", f"{TEST_REDIS_URL}: {exc}")
    conn.flushdb()
    yield conn
    conn.flushdb()
    conn.close()


@pytest.fixture
def redis_url(redis_conn: Any) -> str:
    """URL of the flushed test Redis database."""
    return TEST_REDIS_URL


def truncate_all(engine: Engine, attempts: int = 5) -> None:
    """Empty every table (for tests where another thread or process committed).

    On PostgreSQL, TRUNCATE takes an exclusive lock on every table at once; a worker process or
    thread of the previous test that is still finishing its last transaction can hold a row lock
    on one of them, and PostgreSQL then breaks the tie by aborting one side (DeadlockDetected).
    That is the previous test's tail, not this test's fault: wait briefly and try again.
    """
    from sqlalchemy.exc import OperationalError

    from app.models import Base

    for attempt in range(attempts):
        try:
            with engine.begin() as conn:
                if engine.dialect.name == "postgresql":
                    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
                    conn.execute(text("SET LOCAL lock_timeout = '10s'"))
                    conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                else:
                    for table in reversed(Base.metadata.sorted_tables):
                        conn.execute(table.delete())
            return
        except OperationalError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5 * (attempt + 1))


@pytest.fixture
def live_app(db_engine: Engine, tmp_path: Path) -> Iterator[Any]:
    """An app that really commits (for threads, workers, other processes); tables emptied after."""
    from app import create_app

    url = db_engine.url.render_as_string(hide_password=False)
    truncate_all(db_engine)
    flask_app = create_app(base_config(tmp_path, url))
    with flask_app.app_context():
        yield flask_app
    from app.extensions import db

    with flask_app.app_context():
        _await_checkins(db.engine)
        db.engine.dispose()
    truncate_all(db_engine)


def _await_checkins(engine: Engine, seconds: float = 10.0) -> None:
    """Wait for connections still checked out (a request or job thread finishing) to return.

    dispose() closes only the pooled connections; one checked in afterwards goes back to the
    discarded pool and is closed by the garbage collector, and a later test fails on that
    ResourceWarning."""
    checkedout = getattr(engine.pool, "checkedout", None)
    if checkedout is None:
        return
    deadline = time.monotonic() + seconds
    while checkedout() and time.monotonic() < deadline:
        time.sleep(0.05)


class Factory:
    """Creates tenants, users and seller accounts with sensible defaults."""

    def __init__(self, session: Any):
        self.session = session
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def tenant(self, name: str | None = None) -> Any:
        from app.models import Tenant

        tenant = Tenant(name=name or f"tenant-{self._next()}")
        self.session.add(tenant)
        self.session.flush()
        return tenant

    def user(
        self,
        tenant: Any,
        email: str | None = None,
        password: str = "correct horse 9",  # noqa: S107 - test fixture
        role: str = "owner",
    ) -> Any:
        from app.models import Membership, User

        user = User(email=email or f"user{self._next()}@example.com")
        user.set_password(password)
        self.session.add(user)
        self.session.flush()
        self.session.add(Membership(tenant_id=tenant.id, user_id=user.id, role=role))
        self.session.flush()
        return user

    def seller(self, tenant: Any, name: str | None = None, **kw: Any) -> Any:
        from app.models import SellerAccount

        fields = {
            "lwa_client_id": "amzn1.application-oa2-client.test",
            "lwa_client_secret": "client-secret-value",
            "refresh_token": "Atzr|refresh-token-value",
            **kw,
        }
        account = SellerAccount(
            tenant_id=tenant.id, name=name or f"seller-{self._next()}", **fields
        )
        self.session.add(account)
        self.session.flush()
        return account

    def product(self, seller: Any, sku: str, **kw: Any) -> Any:
        from app.models import Product

        product = Product(tenant_id=seller.tenant_id, seller_account_id=seller.id, sku=sku, **kw)
        self.session.add(product)
        self.session.flush()
        return product


@pytest.fixture
def factory(db_session: Any) -> Factory:
    """Row factory bound to the test's session."""
    return Factory(db_session)
