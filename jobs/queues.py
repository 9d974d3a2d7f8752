"""Queue names, timeouts, retries and TTLs: every job and worker setting in one place."""

from __future__ import annotations

from dataclasses import dataclass

from integrations.amazon.errors import AuthError, PermanentError

# Deterministic job ids and Redis keys of this app live under this prefix (RQ keeps its own "rq:").
KEY_PREFIX = "fba"


@dataclass(frozen=True)
class QueuePolicy:
    """How jobs on one queue are run: timeouts, TTLs and retries."""

    timeout: int  # seconds a single attempt may run before RQ kills it
    ttl: int  # seconds a job may wait in the queue before RQ drops it
    result_ttl: int  # seconds a finished job's result is kept in Redis
    failure_ttl: int  # seconds a failed job is kept in the failed registry
    retries: int  # attempts after the first
    # Seconds before each retry. The first is 0: a worker that died (SIGKILL, OOM) or a transient
    # error the connector already backed off from is best retried at once, and an immediate retry
    # needs no scheduler (a dead worker's scheduler lock lingers for a minute).
    retry_intervals: tuple[int, ...]


QUEUES: dict[str, QueuePolicy] = {
    # Webhook- and user-triggered work: small, wanted now.
    "high": QueuePolicy(1800, 3600, 600, 7 * 86400, 3, (0, 60, 300)),
    # Scheduled syncs and reports.
    "default": QueuePolicy(3 * 3600, 6 * 3600, 600, 7 * 86400, 3, (0, 120, 600)),
    # Retraining and other long CPU work.
    "low": QueuePolicy(4 * 3600, 12 * 3600, 600, 7 * 86400, 2, (0, 900)),
}
QUEUE_ORDER = ("high", "default", "low")  # a worker listens in this order of priority

# Deterministic-id claims live at most this long even if every cleanup path failed; a claim whose
# RQ job is gone or finished is treated as stale long before that.
DEDUPE_TTL = 2 * 86400

# Worker liveness. RQ's defaults notice a SIGKILLed worker only after 7 minutes (an idle worker
# blocks 405 s in BLPOP and cleans registries every 10 min, the started entry outlives the last
# heartbeat by 60 s). With these values an abandoned job is requeued within about
# HEARTBEAT_GRACE + MONITORING_INTERVAL + max(MAINTENANCE_INTERVAL, WORKER_TTL - 15) seconds.
WORKER_TTL = 35  # an idle worker wakes every WORKER_TTL - 15 s to heartbeat and clean up
MONITORING_INTERVAL = 10  # the parent refreshes a running job's heartbeat this often
HEARTBEAT_GRACE = 20  # a job's started-registry entry expires this long after a heartbeat
MAINTENANCE_INTERVAL = 30  # how often a worker looks for abandoned jobs

# The (seller, stream) lock: a second run waits this long for the first to finish, then fails
# and is retried (a sync rarely takes longer; the retry sees the first one's results).
LOCK_WAIT = 1800
LOCK_POLL = 0.5

# In-process runner (no Redis): at most this many jobs at once in one process.
INLINE_WORKERS = 2
# How often the schedule is evaluated (the RQ tick and the in-process thread).
SCHEDULE_TICK = 60


def policy(queue: str) -> QueuePolicy:
    """The policy of `queue`; unknown names are refused rather than silently defaulted."""
    try:
        return QUEUES[queue]
    except KeyError:
        raise ValueError(f"unknown queue {queue!r} (one of {', '.join(QUEUES)})") from None


def is_retryable(exc: BaseException) -> bool:
    """Transient failures are retried; refused credentials, 4xx and programming errors are not."""
    permanent = (
        AuthError,
        PermanentError,
        TypeError,
        ValueError,
        LookupError,
        AttributeError,
        ImportError,
        NotImplementedError,
    )
    return not isinstance(exc, permanent)
