"""`INSERT ... ON CONFLICT DO UPDATE` for PostgreSQL and SQLite, touching only changed rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import and_, false, func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def upsert(
    session: Session,
    model: type,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Iterable[str],
    touch: Iterable[str] = (),
    keep_existing: Iterable[str] = (),
    prefer_incoming: Iterable[str] = (),
    guard: Any = None,
) -> int:
    """Insert `rows`, or update the listed columns of rows whose `keys` already exist.

    Only rows whose `update` columns actually differ are written (so a re-run changes nothing,
    not even timestamps); `touch` columns (e.g. captured_at) are rewritten only with them.
    `keep_existing` columns are written only where the stored value is NULL (fill gaps, never
    overwrite); `prefer_incoming` columns take the incoming value unless it is NULL.
    `guard` is an extra condition on the update, e.g. "incoming is newer".
    Returns the number of rows given.
    """
    if not rows:
        return 0
    # One statement may not hit the same key twice (PostgreSQL refuses): the last row wins.
    rows = list({tuple(r[k] for k in keys): r for r in rows}.values())
    table = model.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    update = list(update)
    keep = list(keep_existing)
    prefer = list(prefer_incoming)
    touch = list(touch)
    # One compiled statement run as executemany: SQLAlchemy batches it into multi-row
    # INSERTs itself ("insertmanyvalues"), far cheaper than compiling a huge VALUES list.
    stmt = insert(table)
    ex = stmt.excluded
    set_: dict[str, Any] = {c: ex[c] for c in update}
    for c in keep:
        # COALESCE(stored, incoming): fill a gap, never replace what is there.
        set_[c] = func.coalesce(table.c[c], ex[c])
    changed = [table.c[c].is_distinct_from(ex[c]) for c in update]
    changed += [and_(table.c[c].is_(None), ex[c].is_not(None)) for c in keep]
    for c in prefer:
        set_[c] = func.coalesce(ex[c], table.c[c])
        changed.append(and_(ex[c].is_not(None), table.c[c].is_distinct_from(ex[c])))
    for c in touch:
        set_[c] = ex[c]
    where = or_(*changed) if changed else false()
    if guard is not None:
        where = and_(where, guard(table, ex))
    if not set_:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    else:
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=set_, where=where)
    session.execute(stmt, list(rows))
    return len(rows)
