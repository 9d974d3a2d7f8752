"""Which functions may run as jobs: every task registers its body here under its dotted path.

A queued job names its body by that path (RQ stores it); a worker imports the module, which
registers it, and refuses any path that is not a registered task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.utils import import_string

_TASKS: dict[str, Callable[..., Any]] = {}


class UnknownTask(LookupError):
    """A job names a function that is not a registered task (never retried)."""


def path_of(func: Callable[..., Any]) -> str:
    """The dotted path a job names `func` by."""
    return f"{func.__module__}.{func.__qualname__}"


def register(func: Callable[..., Any]) -> str:
    """Allow `func` to run as a job; its path. Two different functions may not share one."""
    path = path_of(func)
    known = _TASKS.get(path)
    if known is not None and known is not func:
        raise ValueError(f"another task is registered as {path}")
    _TASKS[path] = func
    return path


def resolve(path: str) -> Callable[..., Any]:
    """The body of the task registered as `path` (importing its module registers it)."""
    if path not in _TASKS:
        module = path.rsplit(".", 1)[0]
        try:
            import_string(module)
        except ImportError as exc:
            raise UnknownTask(f"{path}: {exc}") from None
    try:
        return _TASKS[path]
    except KeyError:
        raise UnknownTask(f"{path} is not a registered task") from None
