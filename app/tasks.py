"""Every background task, declared once: its body, queue, retries, record kind, job id and lock.

Bodies are thin: load the seller account (skipping one that is gone or inactive), call the
service (app.sync, app.planning), return plain values. Queue them through the typed `enqueue_*`
functions below, never by a dotted path; the schedule (SCHEDULE, `tick`) queues them too.
`configure_jobs` hands the jobs layer its factory, its job store and this tick.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any, Concatenate, ParamSpec

from flask import Flask, current_app
from sqlalchemy import func, select

from app import queries
from app.alerts.channels import DeliveryFailed
from app.alerts.service import run_for_seller
from app.extensions import db
from app.jobstore import SqlJobStore, seller_owner
from app.models import JobRecord, SellerAccount
from app.planning.arrivals import refresh_after_sync
from app.planning.recommend import NoModel, recommend_seller
from app.planning.train import NotEnoughHistory, train_seller
from app.sync import runner as sync_runner
from app.sync.clients import client_for
from app.sync.streams import Stream, parse_stream
from integrations.amazon import marketplaces
from jobs import host, progress
from jobs.locks import LockBusy, app_lock
from jobs.schedule import LOOKBACK, Entry, due_jobs
from jobs.tasks import Owner, Task, enqueue

log = logging.getLogger(__name__)
P = ParamSpec("P")
Result = dict[str, Any]
TRAIN_KIND = "train"
RECOMMEND_KIND = "recommend"
ALERTS_KIND = "alerts"


# --- Job ids and locks ----------------------------------------------------------------------


def sync_job_id(seller_account_id: int, stream: str) -> str:
    """The deterministic id of a (seller, stream) sync."""
    return f"sync:{seller_account_id}:{stream}"


def sync_lock_key(seller_account_id: int, stream: str) -> str:
    """The lock every run of one (seller, stream) holds, whatever its job id."""
    return f"stream:{seller_account_id}:{stream}"


def stream_lock(
    seller_account_id: int, stream: str, wait: float | None = None
) -> AbstractContextManager[None]:
    """The lock a sync job of one (seller, stream) holds: for code that syncs outside a job
    (the CLI's foreground sync), so it never overlaps a worker's run of the same stream."""
    return app_lock(sync_lock_key(seller_account_id, stream), wait)


def recommend_lock_key(seller_account_id: int) -> str:
    """The lock every recommend run of one seller holds: queued jobs and direct runs alike."""
    return f"recommend:{seller_account_id}"


RECOMMEND_WAITING = "waiting for this seller's other recommend run to finish"


@contextmanager
def recommend_lock(
    seller_account_id: int,
    wait: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the seller's recommend lock for the block: one run at a time computes and stores
    its current recommendations, so a retrain's queued run and a direct one (the CLI, the demo)
    never both leave a set current. A run that finds it held says so through `on_wait`, then
    waits for it (JOBS_LOCK_WAIT, LockBusy after: a queued run is retried) and runs after it, on
    the data as it is by then."""
    key = recommend_lock_key(seller_account_id)
    with ExitStack() as held:
        try:
            held.enter_context(app_lock(key, wait=0))
        except LockBusy:
            if on_wait is not None:
                on_wait(RECOMMEND_WAITING)
            held.enter_context(app_lock(key, wait))
        yield


# --- Bodies -----------------------------------------------------------------------------------


def seller_job(
    body: Callable[Concatenate[SellerAccount, P], Result],
) -> Callable[Concatenate[int, P], Result]:
    """A job body about one seller account, called with its id: the account is loaded in the
    job's session, and a gone or inactive account is skipped (nothing to retry)."""

    @functools.wraps(body)
    def run(seller_account_id: int, /, *args: P.args, **kwargs: P.kwargs) -> Result:
        account = db.session.get(SellerAccount, seller_account_id)
        if account is None or not account.active:
            return {"skipped": "seller account gone or inactive"}
        return body(account, *args, **kwargs)

    return run


@seller_job
def run_sync(
    account: SellerAccount,
    stream: str,
    job_record_id: int | None = None,
    backfill_days: int | None = None,
) -> Result:
    """Sync one stream of one seller account, then queue the planning it makes due."""
    client = client_for(account, current_app.config)
    try:
        run = sync_runner.run_stream(
            db.session,
            account,
            stream,
            client,
            job_record_id=job_record_id,
            backfill_days=backfill_days,
            on_progress=progress.reporter(job_record_id),
        )
    except Exception:
        # The failed run is recorded: failing syncs and refused credentials are alerts.
        alerts_after(account.id, account.tenant_id)
        raise
    finally:
        client.close()
    if run.stream == Stream.INBOUND:
        # The pages show the stored arrival dates: bring them up to what was just synced.
        refresh_after_sync(db.session, account)
        db.session.commit()
    follow_up(account.id, account.tenant_id, stream)
    alerts_after(account.id, account.tenant_id)
    return sync_runner.summary(run)


@seller_job
def fetch_report(
    account: SellerAccount,
    report_id: str,
    report_type: str | None = None,
    job_record_id: int | None = None,
) -> Result:
    """Download and store one finished report (REPORT_PROCESSING_FINISHED notifications)."""
    client = client_for(account, current_app.config)
    try:
        run, written = sync_runner.fetch_report(
            db.session,
            account,
            report_id,
            report_type,
            client,
            job_record_id=job_record_id,
            on_progress=progress.reporter(job_record_id),
            hand_off=enqueue_report,
        )
    finally:
        client.close()
    return {"report_id": report_id, "rows_written": written, "sync_run_id": run.id}


@seller_job
def retrain_seller(account: SellerAccount, job_record_id: int | None = None) -> Result:
    """Train the seller's forecaster and store forecasts; then queue fresh recommendations."""
    try:
        version = train_seller(db.session, account, progress=progress.reporter(job_record_id))
    except NotEnoughHistory as exc:
        # Not worth retrying: a seller this new has too few days; the nightly run tries again.
        return {"skipped": str(exc)}
    db.session.commit()
    enqueue_recommend(account.id, tenant_id=account.tenant_id)
    return {"model_version_id": version.id, "metrics": version.metrics}


def recommend_for_seller(seller_account_id: int, job_record_id: int | None = None) -> Result:
    """Recompute and store the seller's current recommendations, one run per seller at a time
    (a run that finds another going says so on its record, and waits for it)."""
    say = progress.reporter(job_record_id)

    def waiting(why: str) -> None:
        if say is not None:
            say(0.0, why)

    # Taken before the account is read: no transaction stays open while the other run finishes.
    with recommend_lock(seller_account_id, on_wait=waiting):
        return _recommend(seller_account_id, job_record_id)


@seller_job
def _recommend(account: SellerAccount, job_record_id: int | None = None) -> Result:
    try:
        recs = recommend_seller(db.session, account, progress=progress.reporter(job_record_id))
    except NoModel as exc:
        # Not an error worth retrying: the nightly retrain (or the first sync) will make one.
        return {"skipped": str(exc)}
    db.session.commit()
    alerts_after(account.id, account.tenant_id)
    return {"recommendations": len(recs), "to_ship": sum(1 for r in recs if r.quantity > 0)}


@seller_job
def alert_seller(account: SellerAccount, job_record_id: int | None = None) -> Result:
    """Announce the seller's alert state changes and deliver what is due to each user.

    A channel that refused a message fails the job after the rest is committed, so it is
    retried (the message stays pending) and its error shows on the jobs page.
    """
    result = run_for_seller(db.session, account, current_app.config)
    db.session.commit()
    if result.failed:
        raise DeliveryFailed(
            f"{result.failed} alert message(s) not delivered: {'; '.join(result.errors[:3])}"
        )
    return result.as_dict()


def alerts_after(seller_account_id: int, tenant_id: int) -> None:
    """Queue the seller's alerts after a recommend or sync run; never fails that run."""
    # Off under TESTING unless a test asks, like planning after a sync.
    if not current_app.config.get("ALERTS_AFTER_RUNS", not current_app.testing):
        return
    try:
        db.session.commit()  # end the read before the job store writes (SQLite's one lock)
        enqueue_alerts(seller_account_id, tenant_id=tenant_id)
    except Exception:  # noqa: BLE001 - the run itself is done; the schedule evaluates again
        log.exception("could not queue alerts for seller %s", seller_account_id)


def follow_up(seller_account_id: int, tenant_id: int, stream: str) -> None:
    """Planning that a finished sync makes due: a first model once orders are in, fresh
    recommendations after each inventory or AWD pass. Never fails the sync it follows."""
    # Off under TESTING unless a test asks: background training would race the test's own writes.
    if not current_app.config.get("PLANNING_AFTER_SYNC", not current_app.testing):
        return
    try:
        account = db.session.get(SellerAccount, seller_account_id)
        if account is None:
            return
        has_model = queries.latest_model(db.session, account.tenant_id, account.id) is not None
        # End this read before the job store writes on a connection of its own: on SQLite the
        # open transaction would hold the one write lock the store then waits for.
        db.session.commit()
        if stream == Stream.ORDERS and not has_model:
            enqueue_train(seller_account_id, tenant_id=tenant_id)
        elif stream in (Stream.INVENTORY, Stream.AWD) and has_model:
            # New FBA stock, or new stock upstream at AWD to ship from.
            enqueue_recommend(seller_account_id, tenant_id=tenant_id)
    except Exception:  # noqa: BLE001 - the sync itself succeeded; the schedule retries planning
        log.exception("could not queue planning after %s sync", stream)


# --- The registry -----------------------------------------------------------------------------

SYNC = Task(
    run_sync,
    queue="default",
    kind=lambda _seller, stream, *_a, **_k: f"sync:{stream}",
    job_id=lambda seller, stream, *_a, **_k: sync_job_id(seller, stream),
    lock_key=lambda seller, stream, *_a, **_k: sync_lock_key(seller, stream),
    owner=seller_owner,
)
REPORT = Task(
    fetch_report,
    queue="high",
    kind="report",
    job_id=lambda seller, report_id, *_a, **_k: f"report:{seller}:{report_id}",
    owner=seller_owner,
)
TRAIN = Task(
    retrain_seller,
    queue="low",
    kind=TRAIN_KIND,
    job_id=lambda seller, *_a, **_k: f"train:{seller}",
    owner=seller_owner,
)
RECOMMEND = Task(
    recommend_for_seller,
    queue="low",
    kind=RECOMMEND_KIND,
    job_id=lambda seller, *_a, **_k: f"recommend:{seller}",
    lock_key=lambda *_a, **_k: None,  # the body holds recommend_lock (it says when it waits)
    owner=seller_owner,
    # A retrain or a sync asks because the model or the stock changed: a run already computing
    # read the old ones, so one more follows it (recommend:<seller>:again).
    rerun_if_started=True,
)
ALERTS = Task(
    alert_seller,
    queue="high",
    kind=ALERTS_KIND,
    job_id=lambda seller, *_a, **_k: f"alerts:{seller}",
    owner=seller_owner,
)


def enqueue_sync(seller_account_id: int, stream: str, queue: str = "default") -> int:
    """Queue a sync of one stream of one seller (job id `sync:<seller>:<stream>`); its record.

    ValueError for an unknown stream, LookupError for an unknown seller account.
    """
    return SYNC.enqueue_on(queue, seller_account_id, parse_stream(stream).value)


def enqueue_report(
    seller_account_id: int, report_id: str, report_type: str | None, queue: str = "high"
) -> int:
    """Queue the download of one finished report (id `report:<seller>:<reportId>`)."""
    return REPORT.enqueue_on(queue, seller_account_id, report_id, report_type)


def enqueue_train(seller_account_id: int, tenant_id: int | None = None) -> int:
    """Queue a retraining of the seller's model (id `train:<seller>`); then it recommends."""
    return _enqueue_for_seller(TRAIN, seller_account_id, tenant_id)


def enqueue_recommend(seller_account_id: int, tenant_id: int | None = None) -> int:
    """Queue a recomputation of the seller's recommendations (id `recommend:<seller>`)."""
    return _enqueue_for_seller(RECOMMEND, seller_account_id, tenant_id)


def enqueue_alerts(seller_account_id: int, tenant_id: int | None = None) -> int:
    """Queue an alerts pass for the seller (id `alerts:<seller>`): evaluate and deliver."""
    return _enqueue_for_seller(ALERTS, seller_account_id, tenant_id)


def _enqueue_for_seller(
    task: Task[Any], seller_account_id: int, tenant_id: int | None
) -> int:
    # A caller that knows the tenant already spares the lookup.
    if tenant_id is None:
        return task.enqueue(seller_account_id)
    owner = Owner(tenant_id, seller_account_id)
    return enqueue(
        task,
        seller_account_id,
        job_id=task.job_id_of(seller_account_id),
        kind=task.kind_of(seller_account_id),
        tenant_id=owner.tenant_id,
        seller_account_id=owner.seller_account_id,
    )


# --- The schedule -----------------------------------------------------------------------------

# Orders every 15 minutes, inventory, inbound shipments and AWD hourly, fees and reports daily,
# retraining nightly, for every active seller account.
SCHEDULE: tuple[Entry, ...] = (
    Entry(Stream.ORDERS, every=dt.timedelta(minutes=15)),
    Entry(Stream.INVENTORY, every=dt.timedelta(hours=1)),
    Entry(Stream.INBOUND, every=dt.timedelta(hours=1)),
    Entry(Stream.AWD, every=dt.timedelta(hours=1)),
    Entry(Stream.FEES, every=dt.timedelta(days=1)),
    Entry(Stream.REPORTS, every=dt.timedelta(days=1)),
    # Nightly at 03:00 of the seller's local day (after its day has ended and the day's fees and
    # reports have had a chance to land); a seller that has never synced has nothing to train on.
    Entry(TRAIN_KIND, daily_at=dt.time(3, 0), requires=Stream.ORDERS),
    # Alerts: held messages go out when quiet hours end, and digests at each user's hour (each
    # sync and recommend run queues a pass of its own; a seller never synced has nothing yet).
    Entry(ALERTS_KIND, every=dt.timedelta(minutes=15), requires=Stream.ORDERS),
)
OWN_KINDS = (TRAIN_KIND, ALERTS_KIND)


def kind_of(name: str) -> str:
    """The JobRecord kind of a schedule entry ("sync:orders", ..., "train", "alerts")."""
    return name if name in OWN_KINDS else f"sync:{name}"


def tick(now: dt.datetime | None = None) -> list[int]:
    """Queue every due job for every active seller (inside an app context); returns record ids."""
    now = now or dt.datetime.now(dt.UTC)
    session = db.new_session()
    try:
        active = session.execute(
            select(SellerAccount.id, SellerAccount.tenant_id, SellerAccount.marketplace).where(
                SellerAccount.active
            )
        ).all()
        sellers = {seller: tenant for seller, tenant, _ in active}
        # Nightly jobs run at their hour of the seller's own day (its marketplace's zone).
        zones = {seller: marketplaces.get(code).time_zone for seller, _, code in active}
        kinds = {kind_of(e.name): e.name for e in SCHEDULE}
        # The window keeps this query small however long the job history grows.
        since = now - LOOKBACK
        rows = session.execute(
            select(JobRecord.seller_account_id, JobRecord.kind, func.max(JobRecord.created_at))
            .where(
                JobRecord.kind.in_(kinds),
                JobRecord.seller_account_id.is_not(None),
                JobRecord.created_at >= since,
            )
            .group_by(JobRecord.seller_account_id, JobRecord.kind)
        ).all()
        succeeded = session.execute(
            select(JobRecord.seller_account_id, JobRecord.kind)
            .where(
                JobRecord.kind.in_(kinds),
                JobRecord.status == "succeeded",
                JobRecord.created_at >= since,
            )
            .distinct()
        ).all()
    finally:
        session.close()
    last_runs = {
        (seller, kinds[kind]): _aware(at) for seller, kind, at in rows if seller is not None
    }
    ok = {(seller, kinds[kind]) for seller, kind in succeeded if seller is not None}
    queued = []
    for seller, name in due_jobs(now, sellers, last_runs, SCHEDULE, succeeded=ok, zones=zones):
        try:
            if name == TRAIN_KIND:
                queued.append(enqueue_train(seller, tenant_id=sellers[seller]))
            elif name == ALERTS_KIND:
                queued.append(enqueue_alerts(seller, tenant_id=sellers[seller]))
            else:
                queued.append(enqueue_sync(seller, name))
        except Exception:  # noqa: BLE001 - one seller's failure must not starve the others
            log.exception("schedule could not queue %s for seller %s", name, seller)
    return queued


def _aware(value: dt.datetime) -> dt.datetime:
    # SQL's max() bypasses the column type, so SQLite hands back a naive (UTC) value.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def configure_jobs(factory: Callable[[], Flask]) -> None:
    """Hand the jobs layer the app factory, the job store and the schedule's tick."""
    host.configure(host.Host(factory=factory, store=SqlJobStore(), tick=tick))
