"""Queue a job: a JobRecord for the UI, then RQ (REDIS_URL set) or the in-process runner.

A deterministic `job_id` makes queuing idempotent: while a job with that id is queued, scheduled
for a retry or running, enqueue returns the existing record instead of queuing it again.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from flask import current_app
from sqlalchemy import delete

from app.extensions import db
from app.models import JobRecord, SellerAccount
from jobs.queues import DEDUPE_TTL, KEY_PREFIX, policy

log = logging.getLogger(__name__)
SYNC_FUNC = "jobs.sync.run_sync"
REPORT_FUNC = "jobs.sync.fetch_report"
RUNNER = "jobs.runner.execute"
# A claim whose RQ job does not exist yet is being enqueued; only after this long is it stale.
CLAIM_GRACE = 30.0
IN_FLIGHT = {"queued", "started", "scheduled", "deferred"}

# Compare-and-set: replace a stale claim only if nobody replaced it first.
_SWAP = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""


def sync_job_id(seller_account_id: int, stream: str) -> str:
    """The deterministic id of a (seller, stream) sync."""
    return f"sync:{seller_account_id}:{stream}"


def sync_lock_key(seller_account_id: int, stream: str) -> str:
    """The lock every run of one (seller, stream) holds, whatever its job id."""
    return f"stream:{seller_account_id}:{stream}"


def enqueue(
    func_path: str,
    *args: Any,
    job_id: str | None = None,
    kind: str,
    tenant_id: int,
    seller_account_id: int | None = None,
    queue: str = "default",
    lock_key: str | None = None,
    **kwargs: Any,
) -> int:
    """Run `func_path(*args, **kwargs, job_record_id=id)` in the background; returns the record id.

    `lock_key` (default: the job id) names the lock held around the job body, so two runs with
    that key never overlap, on any worker.
    """
    policy(queue)  # refuse unknown queues before anything is stored
    if lock_key is None:
        if func_path == SYNC_FUNC and len(args) >= 2:
            lock_key = sync_lock_key(args[0], args[1])
        else:
            lock_key = job_id
    record_id = _create_record(kind, tenant_id, seller_account_id, job_id)
    spec = {
        "func_path": func_path,
        "args": list(args),
        "kwargs": kwargs,
        "record_id": record_id,
        "lock_key": lock_key,
        "queue": queue,
        "job_id": job_id,
    }
    try:
        if current_app.config.get("REDIS_URL"):
            existing = _enqueue_rq(spec)
        elif current_app.config.get("JOBS_INLINE"):
            from jobs.inline import run_now

            existing = run_now(current_app._get_current_object(), spec)  # type: ignore[attr-defined]
        else:
            from jobs.inline import runner_for

            existing = runner_for(current_app._get_current_object()).submit(spec)  # type: ignore[attr-defined]
    except Exception as exc:
        # Never leave a "queued" record behind for a job that was not queued.
        from jobs.progress import finish

        finish(record_id, "failed", error=f"could not queue: {type(exc).__name__}: {exc}")
        raise
    if existing is not None:
        _delete_record(record_id)
        return existing
    return record_id


def enqueue_sync(seller_account_id: int, stream: str, queue: str = "default") -> int:
    """Queue a sync of one stream of one seller (job id `sync:<seller>:<stream>`); its record."""
    from jobs.sync import STREAMS

    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r} (one of {', '.join(STREAMS)})")
    tenant_id = _tenant_of(seller_account_id)
    return enqueue(
        SYNC_FUNC,
        seller_account_id,
        stream,
        job_id=sync_job_id(seller_account_id, stream),
        kind=f"sync:{stream}",
        tenant_id=tenant_id,
        seller_account_id=seller_account_id,
        queue=queue,
    )


def enqueue_report(
    seller_account_id: int, report_id: str, report_type: str | None, queue: str = "high"
) -> int:
    """Queue the download of one finished report (id `report:<seller>:<reportId>`)."""
    return enqueue(
        REPORT_FUNC,
        seller_account_id,
        report_id,
        report_type,
        job_id=f"report:{seller_account_id}:{report_id}",
        kind="report",
        tenant_id=_tenant_of(seller_account_id),
        seller_account_id=seller_account_id,
        queue=queue,
    )


def _tenant_of(seller_account_id: int) -> int:
    session = db.new_session()
    try:
        account = session.get(SellerAccount, seller_account_id)
        if account is None:
            raise LookupError(f"seller account {seller_account_id} not found")
        return account.tenant_id
    finally:
        session.close()


def _create_record(
    kind: str, tenant_id: int, seller_account_id: int | None, job_id: str | None
) -> int:
    # Its own committed transaction: the worker (another process) must see it, and the caller's
    # transaction may still roll back without taking the job's record with it.
    session = db.new_session()
    try:
        record = JobRecord(
            kind=kind[:40],
            tenant_id=tenant_id,
            seller_account_id=seller_account_id,
            rq_job_id=job_id,
        )
        session.add(record)
        session.commit()
        return record.id
    finally:
        session.close()


def _delete_record(record_id: int) -> None:
    session = db.new_session()
    try:
        session.execute(delete(JobRecord).where(JobRecord.id == record_id))
        session.commit()
    finally:
        session.close()


def redis_connection(url: str | None = None) -> Any:
    """One Redis client per app (connection pools are thread-safe; sockets are not shared)."""
    import redis

    url = url or current_app.config["REDIS_URL"]
    cache = current_app.extensions.setdefault("fba_redis", {})
    if url not in cache:
        cache[url] = redis.Redis.from_url(url)
    return cache[url]


def rq_job_id(job_id: str) -> str:
    """RQ 3 allows only letters, digits, "_" and "-" in ids: `sync:1:orders` -> `sync-1-orders`."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", job_id.replace(":", "-"))


def claim_key(job_id: str) -> str:
    """The Redis key holding the record id of the in-flight job with this deterministic id."""
    return f"{KEY_PREFIX}:job:{job_id}"


def _enqueue_rq(spec: dict[str, Any]) -> int | None:
    """Queue on RQ unless the same job id is in flight; returns the existing record id if so."""
    conn = redis_connection()
    job_id = spec["job_id"]
    if job_id is not None:
        mine = f"{spec['record_id']}:{time.time():.3f}"
        key = claim_key(job_id)
        while not conn.set(key, mine, nx=True, ex=DEDUPE_TTL):
            current = conn.get(key)
            if current is None:
                continue  # released between our SET and GET: try again
            current = current.decode()
            if not _claim_is_stale(conn, job_id, current):
                return int(current.split(":", 1)[0])
            if conn.eval(_SWAP, 1, key, current, mine, DEDUPE_TTL):
                _close_lost(int(current.split(":", 1)[0]))
                break
    _rq_enqueue(conn, spec)
    return None


def _close_lost(record_id: int) -> None:
    """A replaced claim's record that never finished (expired in the queue, or RQ lost it)."""
    from jobs.progress import finish, status_of

    if status_of(record_id) in ("queued", "running", "retrying"):
        finish(record_id, "failed", error="lost: the job expired in the queue or Redis lost it")


def _claim_is_stale(conn: Any, job_id: str, claim: str) -> bool:
    """A claim is live while its RQ job is queued, scheduled or running (or being enqueued)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job
    from rq.serializers import JSONSerializer

    try:
        job = Job.fetch(rq_job_id(job_id), connection=conn, serializer=JSONSerializer)
        status = job.get_status(refresh=False)
    except NoSuchJobError:
        claimed_at = float(claim.split(":", 1)[1])
        return time.time() - claimed_at > CLAIM_GRACE
    # FINISHED/FAILED are written by RQ after the job's last touch of its hash, so reusing the id
    # from then on cannot be overwritten by the previous run's bookkeeping.
    return str(getattr(status, "value", status)) not in IN_FLIGHT


def _rq_enqueue(conn: Any, spec: dict[str, Any]) -> None:
    from rq import Callback, Queue, Retry
    from rq.serializers import JSONSerializer

    p = policy(spec["queue"])
    q = Queue(spec["queue"], connection=conn, serializer=JSONSerializer)
    q.enqueue_call(
        RUNNER,
        args=[spec["func_path"], spec["args"], spec["kwargs"], spec["record_id"], spec["lock_key"]],
        job_id=None if spec["job_id"] is None else rq_job_id(spec["job_id"]),
        timeout=p.timeout,
        ttl=p.ttl,
        result_ttl=p.result_ttl,
        failure_ttl=p.failure_ttl,
        retry=Retry(max=p.retries, interval=list(p.retry_intervals)),
        on_failure=Callback("jobs.runner.on_failure"),
        description=f"{spec['func_path']} record={spec['record_id']}",
    )
