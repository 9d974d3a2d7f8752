"""One set of current recommendations per seller, whatever two recommend runs do at once.

A retrain queues a recommend job; the CLI (or the demo) recommends directly. Both runs hold the
seller's recommend lock (app.tasks.recommend_lock): the second says on its job record that it
waits, and runs after the first. Two runs that skip the lock still leave one set current: the
swap locks the account row first (app.planning.recommend).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from app.models import Recommendation
from tests.app.planning.test_planning import _seed
from tests.support.jobs import job_record

# On SQLite too: a run reads and computes without the write lock (app.extensions
# defer_write_lock), so a queued run's record is written meanwhile and two unlocked runs swap
# one after the other.
both_databases = pytest.mark.parametrize("db_engine", ["sqlite", "postgresql"], indirect=True)


def _current(session: Any, seller_id: int) -> tuple[int, int]:
    """(current rows, distinct runs among them) of one seller."""
    rows = session.execute(
        select(func.count(), func.count(func.distinct(Recommendation.computed_at))).where(
            Recommendation.seller_account_id == seller_id, Recommendation.is_current.is_(True)
        )
    ).one()
    return int(rows[0]), int(rows[1])


def _trained_seller(live_app: Any) -> tuple[int, str]:
    from app.extensions import db
    from app.planning.train import train_seller
    from tests.conftest import Factory

    seller = _seed(Factory(db.session), db.session, days=90)
    train_seller(db.session, seller, seed=1)
    db.session.commit()
    return seller.id, seller.name


class HeldBatch:
    """recommend_batch, with the first caller held inside until released (the others pass)."""

    def __init__(self, real: Any, hold: int = 1) -> None:
        self.real = real
        self.hold = threading.Barrier(hold) if hold > 1 else None
        self.calls = 0
        self.first_inside = threading.Event()
        self.second_inside = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.calls += 1
            n = self.calls
        if self.hold is not None:
            self.hold.wait(60)  # every held caller is inside before any goes on
        elif n == 1:
            self.first_inside.set()
            self.release.wait(60)
        else:
            self.second_inside.set()
        return self.real(*args, **kwargs)


def _queue_one_meanwhile(batch: HeldBatch, seller_id: int, waiting: str, enqueue: Any) -> int:
    """While the direct run is held inside its computation, queue a run of the same seller."""
    assert batch.first_inside.wait(60), "the direct run never reached its computation"
    rid = int(enqueue(seller_id))  # what a retrain queues meanwhile
    # The queued run says on its record that it waits for the other one.
    deadline = time.monotonic() + 30
    record = job_record(rid)
    while record.message != waiting and time.monotonic() < deadline:
        time.sleep(0.1)
        record = job_record(rid)
    assert (record.status, record.message) == ("running", waiting)
    # And it does not compute while the direct run holds the lock.
    assert not batch.second_inside.wait(3)
    return rid


@both_databases
def test_a_queued_run_waits_for_a_direct_run_and_one_set_stays_current(
    live_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.commands.planning import recommend_command
    from app.extensions import db
    from app.planning import recommend
    from app.tasks import RECOMMEND_WAITING, enqueue_recommend
    from jobs.inline import runner_for

    seller_id, name = _trained_seller(live_app)
    batch = HeldBatch(recommend.recommend_batch)
    monkeypatch.setattr(recommend, "recommend_batch", batch)

    out: dict[str, Any] = {}

    def direct() -> None:  # `flask recommend --seller ...`, as a person runs it
        out["cli"] = live_app.test_cli_runner().invoke(recommend_command, ["--seller", name])

    cli = threading.Thread(target=direct)
    cli.start()
    try:
        rid = _queue_one_meanwhile(batch, seller_id, RECOMMEND_WAITING, enqueue_recommend)
    finally:
        batch.release.set()  # whatever failed, the direct run finishes (and its locks go)
    cli.join(120)
    assert runner_for(live_app).wait_idle(120)

    assert out["cli"].exit_code == 0, out["cli"].output
    assert job_record(rid).status == "succeeded"
    assert batch.calls == 2  # both ran, one after the other
    db.session.rollback()
    assert _current(db.session, seller_id) == (3, 1)


@both_databases
def test_two_runs_that_swap_at_once_leave_one_set_current(
    live_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.extensions import db
    from app.models import SellerAccount
    from app.planning import recommend

    seller_id, _ = _trained_seller(live_app)
    batch = HeldBatch(recommend.recommend_batch, hold=2)
    monkeypatch.setattr(recommend, "recommend_batch", batch)
    errors: list[BaseException] = []

    def run() -> None:  # a caller that forgot the lock: both compute, then both swap
        try:
            with live_app.app_context():
                account = db.session.get(SellerAccount, seller_id)
                recommend.recommend_seller(db.session, account)
                db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == [] and batch.calls == 2
    db.session.rollback()
    assert _current(db.session, seller_id) == (3, 1)


@both_databases
def test_the_recommend_lock_is_one_per_seller_and_says_it_waits(live_app: Any) -> None:
    from app.tasks import RECOMMEND_WAITING, recommend_lock
    from jobs.locks import LockBusy

    said: list[str] = []
    with recommend_lock(7):
        with pytest.raises(LockBusy), recommend_lock(7, wait=0.2, on_wait=said.append):
            pass
        with recommend_lock(8, on_wait=said.append):  # another seller's runs go on
            pass
    assert said == [RECOMMEND_WAITING]
    with recommend_lock(7, wait=0.2, on_wait=said.append):  # free again
        pass
    assert said == [RECOMMEND_WAITING]
