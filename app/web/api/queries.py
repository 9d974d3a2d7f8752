"""Query helpers only the API needs (totals for paging, search patterns).

The shared read-side rules (newest model, current recommendation, latest snapshot) are in
app/queries.py; the tenant lookup that answers 404 is app.tenancy.owned_or_404.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def count(session: Session, stmt: Select[*tuple[Any, ...]]) -> int:
    """Number of rows `stmt` would return (ignoring its ordering and paging)."""
    sub = stmt.order_by(None).limit(None).offset(None).subquery()
    return int(session.scalar(select(func.count()).select_from(sub)) or 0)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
