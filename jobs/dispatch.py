"""Queue a job: a record for the UI, then RQ (REDIS_URL set) or the in-process runner.

A deterministic `job_id` makes queuing idempotent: while a job with that id is queued, scheduled
for a retry or running, submitting it again returns the existing record instead of queuing it
again. A job that asks `rerun_if_started` is merged only into a run that has not started: one
already running read its inputs before this request's cause, so one more is queued behind it,
under `<job_id>:again` (merged in its turn). Callers queue tasks (jobs.tasks), which build the
`JobSpec`.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from typing import Any

import redis
from flask import current_app
from rq import Callback, Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.serializers import JSONSerializer

from jobs import host, inline, progress
from jobs.queues import DEDUPE_TTL, KEY_PREFIX, policy
from jobs.runner import JobSpec

log = logging.getLogger(__name__)
RUNNER = "jobs.runner.execute"
ON_FAILURE = "jobs.runner.on_failure"
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


def submit(spec: JobSpec, *, kind: str, tenant_id: int, seller_account_id: int | None) -> int:
    """Store the job's record and queue it (inside an app context); the record id."""
    policy(spec.queue)
    store = host.store()
    record_id = store.create(kind, tenant_id, seller_account_id, spec.job_id)
    job = replace(spec, record_id=record_id)
    try:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        existing = _queue(app, job)
        if (
            existing is not None
            and job.rerun_if_started
            and job.job_id is not None
            and progress.status_of(existing) == "running"
        ):
            existing = _queue(app, replace(job, job_id=again_id(job.job_id)))
    except Exception as exc:
        # Never leave a "queued" record behind for a job that was not queued.
        progress.finish(record_id, "failed", error=f"could not queue: {type(exc).__name__}: {exc}")
        raise
    if existing is not None:
        store.delete(record_id)
        return existing
    return record_id


def again_id(job_id: str) -> str:
    """The id of the one run queued behind a started run of `job_id` (see `submit`)."""
    return job_id if job_id.endswith(":again") else f"{job_id}:again"


def _queue(app: Any, job: JobSpec) -> int | None:
    """Hand the job to the app's backend; the record id of the same job in flight, if any."""
    if app.config.get("REDIS_URL"):
        return _enqueue_rq(job)
    if app.config.get("JOBS_INLINE"):
        inline.run_now(app, job)  # to its end, here: nothing can be in flight
        return None
    return inline.runner_for(app).submit(job)


def redis_connection(url: str | None = None) -> Any:
    """One Redis client per app (connection pools are thread-safe; sockets are not shared)."""
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


def _enqueue_rq(spec: JobSpec) -> int | None:
    """Queue on RQ unless the same job id is in flight; returns the existing record id if so."""
    conn = redis_connection()
    job_id = spec.job_id
    if job_id is not None:
        mine = f"{spec.record_id}:{time.time():.3f}"
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
    if progress.status_of(record_id) in ("queued", "running", "retrying"):
        progress.finish(
            record_id, "failed", error="lost: the job expired in the queue or Redis lost it"
        )


def _claim_is_stale(conn: Any, job_id: str, claim: str) -> bool:
    """A claim is live while its RQ job is queued, scheduled or running (or being enqueued)."""
    try:
        job = Job.fetch(rq_job_id(job_id), connection=conn, serializer=JSONSerializer)
        status = job.get_status(refresh=False)
    except NoSuchJobError:
        claimed_at = float(claim.split(":", 1)[1])
        return time.time() - claimed_at > CLAIM_GRACE
    # FINISHED/FAILED are written by RQ after the job's last touch of its hash, so reusing the id
    # from then on cannot be overwritten by the previous run's bookkeeping.
    return str(getattr(status, "value", status)) not in IN_FLIGHT


def _rq_enqueue(conn: Any, spec: JobSpec) -> None:
    p = policy(spec.queue)
    retry = Retry(max=spec.retries, interval=list(spec.retry_intervals)) if spec.retries else None
    q = Queue(spec.queue, connection=conn, serializer=JSONSerializer)
    q.enqueue_call(
        RUNNER,
        args=[spec.func_path, spec.args, spec.kwargs, spec.record_id, spec.lock_key],
        job_id=None if spec.job_id is None else rq_job_id(spec.job_id),
        timeout=p.timeout,
        ttl=p.ttl,
        result_ttl=p.result_ttl,
        failure_ttl=p.failure_ttl,
        retry=retry,
        on_failure=Callback(ON_FAILURE),
        description=f"{spec.func_path} record={spec.record_id}",
    )
