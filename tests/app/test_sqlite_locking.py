"""SQLite, the embedded default: a job and a page writing at the same moment both succeed.

Each test runs on its own file database (WAL, several connections), as the demo does with its
in-process job threads beside the web threads. The interleavings are forced with events, so the
outcome does not depend on timing: on a deferred BEGIN the second writer fails with `database is
locked` (its snapshot is older than the other's commit); with BEGIN IMMEDIATE it waits its turn.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from tests.support import seed as seed_data
from tests.support.web import csrf_token, login

# Longer than any wait below: a writer that has to queue for the lock always gets it.
HOLD = 1.0


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Any]:
    """An app on a migrated file database that really commits (no outer test transaction)."""
    from app import create_app, migrate

    url = f"sqlite:///{tmp_path / 'locking.db'}"
    migrate.upgrade(url)
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "ENV": {
                "SECRET_KEY": "test-secret-key",
                "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                "DATABASE_URL": url,
            },
        }
    )
    yield app
    from app.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def seeded(sqlite_app: Any) -> dict[str, Any]:
    """A tenant with two SKUs, committed."""
    from app.extensions import db

    with sqlite_app.app_context():
        data = seed_data.seed(db.session, "Acme", n_skus=2, days=30, horizon=10)
        db.session.commit()
        return {
            "email": data["email"],
            "password": data["password"],
            "products": [p.id for p in data["products"]],
        }


def in_thread(app: Any, fn: Callable[[], None]) -> tuple[threading.Thread, list[BaseException]]:
    """Run `fn` in its own app context on another thread (as the in-process job runner does)."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            with app.app_context():
                fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, errors


def set_title(product_id: int, title: str) -> None:
    """A job's write: one product's title, committed."""
    from app.extensions import db
    from app.models import Product

    db.session.execute(update(Product).where(Product.id == product_id).values(title=title))
    db.session.commit()


def titles(app: Any, ids: list[int]) -> list[str | None]:
    from app.extensions import db
    from app.models import Product

    with app.app_context():
        return [db.session.get(Product, i).title for i in ids]


def test_two_jobs_that_read_then_write_both_commit(sqlite_app: Any, seeded: Any) -> None:
    """Job A reads, job B commits, then A writes: A must not fail on a stale snapshot."""
    from app.extensions import db
    from app.models import Product

    first, second = seeded["products"]
    a_read, b_done = threading.Event(), threading.Event()

    def job_a() -> None:
        db.session.scalar(select(func.count()).select_from(Product))
        a_read.set()
        b_done.wait(HOLD)
        set_title(first, "written by A")

    def job_b() -> None:
        assert a_read.wait(10)
        set_title(second, "written by B")
        b_done.set()

    ta, errors_a = in_thread(sqlite_app, job_a)
    tb, errors_b = in_thread(sqlite_app, job_b)
    ta.join(60)
    tb.join(60)
    assert errors_a == [] and errors_b == []
    assert titles(sqlite_app, [first, second]) == ["written by A", "written by B"]


def test_page_write_and_job_write_at_the_same_moment_both_succeed(
    sqlite_app: Any, seeded: Any
) -> None:
    """The SKU settings form saves while a job writes another row: no 500, nothing lost."""
    from app.extensions import db
    from app.models import Product

    first, second = seeded["products"]
    client = sqlite_app.test_client()
    assert login(client, seeded["email"], seeded["password"]).status_code == 302
    url = f"/skus/{first}"
    token = csrf_token(client, url)
    jobs: list[tuple[threading.Thread, list[BaseException]]] = []

    def job_writes_now(*_: Any) -> None:
        # The page has read and is about to write: the job writes at this very moment.
        if jobs:
            return
        jobs.append(in_thread(sqlite_app, lambda: set_title(second, "written by the job")))
        jobs[0][0].join(HOLD)

    event.listen(Session, "before_flush", job_writes_now)
    try:
        response = client.post(
            url,
            data={
                "csrf_token": token,
                "unit_cost": "5.25",
                "lead_time_production_days": "10",
                "lead_time_transit_days": "30",
                "lead_time_receiving_days": "5",
                "lead_time_spread_days": "4",
                "case_pack": "24",
                "moq": "48",
                "prep_owner": "AMAZON",
                "label_owner": "NONE",
            },
        )
    finally:
        event.remove(Session, "before_flush", job_writes_now)
    assert jobs, "the page never flushed"
    thread, errors = jobs[0]
    thread.join(60)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert errors == []
    with sqlite_app.app_context():
        page_row = db.session.get(Product, first)
        assert (page_row.case_pack, page_row.moq, page_row.unit_cost) == (24, 48, 5.25)
        assert db.session.get(Product, second).title == "written by the job"


def test_a_long_page_read_does_not_hold_back_a_job_write(sqlite_app: Any, seeded: Any) -> None:
    """A GET's open read transaction lets a job commit meanwhile, and may still write after."""
    from app.extensions import db
    from app.models import Product

    first, second = seeded["products"]
    with sqlite_app.test_request_context(f"/skus/{first}", method="GET"):
        session = db.session
        before = session.scalar(select(Product.title).where(Product.id == second))
        thread, errors = in_thread(sqlite_app, lambda: set_title(second, "written by the job"))
        thread.join(30)
        assert not thread.is_alive() and errors == [], "the job waited on a page's read"
        # Same snapshot for the rest of the page's reads...
        assert session.scalar(select(Product.title).where(Product.id == second)) == before
        # ...and a bookkeeping write from a GET (an API token's last use) still succeeds.
        session.execute(update(Product).where(Product.id == first).values(title="from GET"))
        session.commit()
    assert titles(sqlite_app, [first, second]) == ["from GET", "written by the job"]


def test_many_writers_never_see_a_lock_error(sqlite_app: Any, seeded: Any) -> None:
    """Eight threads, each reading then writing in one transaction, 25 times: all commit."""
    from app.extensions import db
    from app.models import Product

    first, _ = seeded["products"]
    rounds = 25

    def bump() -> None:
        for _ in range(rounds):
            title = db.session.scalar(select(Product.title).where(Product.id == first))
            count = int(title) if title and title.isdigit() else 0
            db.session.execute(
                update(Product).where(Product.id == first).values(title=str(count + 1))
            )
            db.session.commit()

    with sqlite_app.app_context():
        set_title(first, "0")
    runs = [in_thread(sqlite_app, bump) for _ in range(8)]
    for thread, _ in runs:
        thread.join(120)
    assert [e for _, errors in runs for e in errors] == []
    # Read and write in one transaction: no increment lost either.
    assert titles(sqlite_app, [first]) == [str(8 * rounds)]


def test_a_dashboard_view_that_rebuilds_the_summaries_beside_a_job_write(
    sqlite_app: Any, seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A GET that finds the summaries stale writes them (a page write) while a job writes."""
    from app import summaries
    from app.extensions import db
    from app.models import SkuSummary

    first, second = seeded["products"]
    client = sqlite_app.test_client()
    assert login(client, seeded["email"], seeded["password"]).status_code == 302
    with sqlite_app.app_context():
        set_title(first, "renamed elsewhere")  # no hook: the next view rebuilds
    jobs: list[tuple[threading.Thread, list[BaseException]]] = []
    lock_state = summaries._lock_state

    def job_writes_now(*args: Any) -> Any:
        # The page has read the marks and is about to write: the job writes at this moment.
        if not jobs:
            jobs.append(in_thread(sqlite_app, lambda: set_title(second, "written by the job")))
            jobs[0][0].join(HOLD)
        return lock_state(*args)

    monkeypatch.setattr(summaries, "_lock_state", job_writes_now)
    response = client.get("/")
    monkeypatch.undo()
    assert jobs, "the page did not rebuild"
    thread, errors = jobs[0]
    thread.join(60)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert "renamed elsewhere" in response.get_data(as_text=True)
    assert errors == []
    assert titles(sqlite_app, [first, second]) == ["renamed elsewhere", "written by the job"]
    with sqlite_app.app_context():
        assert db.session.get(SkuSummary, first).title == "renamed elsewhere"
        # Both writes are in the summaries (the rebuild read after the job's commit, or the
        # next read rebuilds again).
        product = db.session.get(SkuSummary, second)
        state = summaries.ensure(db.session, product.tenant_id, product.seller_account_id)
        db.session.expire_all()
        assert db.session.get(SkuSummary, second).title == "written by the job"
        assert state is not None and state.sku_count == 2


def test_training_and_recommend_hold_no_write_lock_while_they_compute(
    sqlite_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model fit or a recommend run takes minutes on a real seller: a page's write meanwhile
    gets the lock at once (here with half a second of busy timeout, not the usual 30 s)."""
    from app.extensions import db
    from app.models import ModelVersion, Product, Recommendation, SellerAccount
    from app.planning import recommend, train
    from tests.app.planning.test_planning import _seed
    from tests.conftest import Factory

    with sqlite_app.app_context():
        seller_id = _seed(Factory(db.session), db.session, days=70).id
        db.session.commit()
        first = db.session.scalars(select(Product.id).order_by(Product.id)).first()

    def held(real: Callable[..., Any], inside: threading.Event, release: threading.Event) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            inside.set()
            assert release.wait(60)
            return real(*args, **kwargs)

        return call

    def write_meanwhile(title: str) -> None:
        with sqlite_app.app_context():
            db.session.connection().exec_driver_sql("PRAGMA busy_timeout=500")
            set_title(first, title)

    for name, module, attr, body in (  # fmt: skip
        ("training", train, "backtest_metrics", lambda a: train.train_seller(db.session, a)),
        ("recommend", recommend, "recommend_batch",
         lambda a: recommend.recommend_seller(db.session, a)),
    ):
        inside, release = threading.Event(), threading.Event()
        monkeypatch.setattr(module, attr, held(getattr(module, attr), inside, release))

        def job(body: Callable[[Any], Any] = body) -> None:
            body(db.session.get(SellerAccount, seller_id))
            db.session.commit()

        thread, errors = in_thread(sqlite_app, job)
        try:
            while not inside.wait(0.1) and thread.is_alive():
                pass
            assert inside.is_set(), (f"{name} never reached its computation", errors)
            write_meanwhile(f"written during {name}")
        finally:
            release.set()
        thread.join(120)
        assert errors == [], (name, errors)
        assert titles(sqlite_app, [first]) == [f"written during {name}"]
    with sqlite_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModelVersion)) == 1
        current = select(func.count()).where(Recommendation.is_current.is_(True))
        assert db.session.scalar(current) == 3  # the seed's three SKUs
