"""A task: a job body declared once with its queue, retries, record kind, job id and lock.

    SYNC = Task(run_sync, queue="default", kind=..., job_id=..., owner=...)
    SYNC.enqueue(seller_account_id, "orders")   # checked against run_sync's signature by mypy

`Task.enqueue` derives everything from the declaration; `enqueue(task, ...)` is the same with
every choice spelled out (tests, and callers that know the tenant already).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, NamedTuple, ParamSpec

from jobs import dispatch, registry
from jobs.queues import policy
from jobs.runner import JobSpec

P = ParamSpec("P")


class Owner(NamedTuple):
    """Who a job belongs to, as its record says: a tenant and, usually, one seller account."""

    tenant_id: int
    seller_account_id: int | None = None


class Task(Generic[P]):
    """A registered job body and how it is queued.

    `kind`, `job_id`, `lock_key` and `owner` are either fixed or computed from the job's
    arguments. A job id makes queuing idempotent (see jobs.dispatch); the lock (default: the job
    id) keeps two runs with the same key from overlapping on any worker. `rerun_if_started`: a
    request for a run already going queues one more behind it instead of merging into it (for a
    task whose request means "the inputs changed"). `retries` and
    `retry_intervals` default to the queue's policy (jobs.queues).
    """

    def __init__(
        self,
        func: Callable[P, Any],
        *,
        queue: str = "default",
        kind: str | Callable[..., str] | None = None,
        job_id: Callable[..., str | None] | None = None,
        lock_key: Callable[..., str | None] | None = None,
        owner: Callable[..., Owner] | None = None,
        retries: int | None = None,
        retry_intervals: tuple[int, ...] | None = None,
        rerun_if_started: bool = False,
    ) -> None:
        queue_policy = policy(queue)  # an unknown queue fails at import, not in a worker
        self.func = func
        self.queue = queue
        self.path = registry.register(func)
        self._kind = kind if kind is not None else func.__name__
        self._job_id = job_id
        self._lock_key = lock_key
        self._owner = owner
        self.rerun_if_started = rerun_if_started
        self.retries = queue_policy.retries if retries is None else retries
        self.retry_intervals = (
            queue_policy.retry_intervals if retry_intervals is None else tuple(retry_intervals)
        )

    def __repr__(self) -> str:
        return f"Task({self.path}, queue={self.queue!r})"

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> Any:
        """Run the body here and now (no record, no lock)."""
        return self.func(*args, **kwargs)

    def kind_of(self, *args: Any, **kwargs: Any) -> str:
        """The record kind of a job with these arguments."""
        return self._kind(*args, **kwargs) if callable(self._kind) else self._kind

    def job_id_of(self, *args: Any, **kwargs: Any) -> str | None:
        """The deterministic job id of these arguments (None: every call is a new job)."""
        return None if self._job_id is None else self._job_id(*args, **kwargs)

    def lock_key_of(self, job_id: str | None, *args: Any, **kwargs: Any) -> str | None:
        """The lock held around the body: the declared key, else the job id."""
        return job_id if self._lock_key is None else self._lock_key(*args, **kwargs)

    def enqueue(self, *args: P.args, **kwargs: P.kwargs) -> int:
        """Queue a run with these arguments on the task's queue; the job record's id."""
        return self.enqueue_on(self.queue, *args, **kwargs)

    def enqueue_on(self, queue: str, /, *args: P.args, **kwargs: P.kwargs) -> int:
        """`enqueue` on another queue (e.g. a webhook's sync on "high")."""
        if self._owner is None:
            raise TypeError(f"{self.path} declares no owner: use jobs.tasks.enqueue")
        owner = self._owner(*args, **kwargs)
        job_id = self.job_id_of(*args, **kwargs)
        return _submit(
            self,
            list(args),
            dict(kwargs),
            job_id=job_id,
            kind=self.kind_of(*args, **kwargs),
            owner=owner,
            queue=queue,
            lock_key=self.lock_key_of(job_id, *args, **kwargs),
        )


def enqueue(
    task: Task[Any],
    *args: Any,
    job_id: str | None = None,
    kind: str,
    tenant_id: int,
    seller_account_id: int | None = None,
    queue: str | None = None,
    lock_key: str | None = None,
    **kwargs: Any,
) -> int:
    """Run `task(*args, **kwargs, job_record_id=id)` in the background; the record id.

    `lock_key` (default: the task's, else the job id) names the lock held around the body.
    """
    if lock_key is None:
        lock_key = task.lock_key_of(job_id, *args, **kwargs)
    return _submit(
        task,
        list(args),
        kwargs,
        job_id=job_id,
        kind=kind,
        owner=Owner(tenant_id, seller_account_id),
        queue=queue or task.queue,
        lock_key=lock_key,
    )


def _submit(
    task: Task[Any],
    args: list[Any],
    kwargs: dict[str, Any],
    *,
    job_id: str | None,
    kind: str,
    owner: Owner,
    queue: str,
    lock_key: str | None,
) -> int:
    policy(queue)  # refuse unknown queues before anything is stored
    return dispatch.submit(
        JobSpec(
            func_path=task.path,
            args=args,
            kwargs=kwargs,
            queue=queue,
            job_id=job_id,
            lock_key=lock_key,
            retries=task.retries,
            retry_intervals=task.retry_intervals,
            rerun_if_started=task.rerun_if_started,
        ),
        kind=kind,
        tenant_id=owner.tenant_id,
        seller_account_id=owner.seller_account_id,
    )
