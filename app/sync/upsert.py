"""`INSERT ... ON CONFLICT DO UPDATE` for PostgreSQL and SQLite, touching only changed rows."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import JSON, Column, MetaData, Table, and_, false, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

# Above this many rows PostgreSQL gets them by COPY into a temporary table and one
# INSERT ... SELECT ... ON CONFLICT (several times faster than row-by-row upserts).
COPY_THRESHOLD = 300


def upsert(
    session: Session,
    model: type,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Iterable[str],
    touch: Iterable[str] = (),
    keep_existing: Iterable[str] = (),
    prefer_incoming: Iterable[str] = (),
    guard: Callable[[Any, Any], Any] | None = None,
) -> int:
    """Insert `rows`, or update the listed columns of rows whose `keys` already exist.

    Only rows whose `update` columns actually differ are written (so a re-run changes nothing,
    not even timestamps); `touch` columns (e.g. captured_at) are rewritten only with them.
    `keep_existing` columns are written only where the stored value is NULL (fill gaps, never
    overwrite); `prefer_incoming` columns take the incoming value unless it is NULL.
    `guard(table, excluded)` is an extra condition on the update, e.g. "incoming is newer".
    Returns the number of distinct rows given.
    """
    if not rows:
        return 0
    # One statement may not hit the same key twice (PostgreSQL refuses): the last row wins.
    key_of = itemgetter(*keys)
    rows = list({key_of(r): r for r in rows}.values())
    table: Table = model.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    update, keep, prefer, touch = (
        list(update),
        list(keep_existing),
        list(prefer_incoming),
        list(touch),
    )

    def on_conflict(ins: Any) -> Any:
        ex = ins.excluded
        set_: dict[str, Any] = {c: ex[c] for c in update}
        changed = [table.c[c].is_distinct_from(ex[c]) for c in update]
        for c in keep:
            # COALESCE(stored, incoming): fill a gap, never replace what is there.
            set_[c] = func.coalesce(table.c[c], ex[c])
            changed.append(and_(table.c[c].is_(None), ex[c].is_not(None)))
        for c in prefer:
            set_[c] = func.coalesce(ex[c], table.c[c])
            changed.append(and_(ex[c].is_not(None), table.c[c].is_distinct_from(ex[c])))
        for c in touch:
            set_[c] = ex[c]
        if not set_:
            return ins.on_conflict_do_nothing(index_elements=list(keys))
        where = or_(*changed) if changed else false()
        if guard is not None:
            where = and_(where, guard(table, ex))
        return ins.on_conflict_do_update(index_elements=list(keys), set_=set_, where=where)

    if dialect == "postgresql" and len(rows) >= COPY_THRESHOLD and _copyable(table, rows[0]):
        _copy_upsert(session, table, rows, on_conflict)
    else:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # A plain executemany: psycopg pipelines one prepared statement, sqlite3 loops in C.
        # (Multi-row VALUES batches cost more: psycopg re-parses every large statement.)
        session.execute(on_conflict(insert(table)), rows)
    return len(rows)


def _copyable(table: Table, row: dict[str, Any]) -> bool:
    """COPY sends Python values as they are: fine for our rows (aware datetimes, numbers,
    text), not for JSON columns, which need the dialect's serialiser."""
    return not any(isinstance(table.c[c].type, JSON) for c in row)


def _copy_upsert(
    session: Session, table: Table, rows: list[dict[str, Any]], on_conflict: Callable[[Any], Any]
) -> None:
    cols = list(rows[0])
    name = f"tmp_upsert_{table.name}"
    conn = session.connection()
    # Same column types as the target, no constraints; gone at commit or rollback.
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {name} ON COMMIT DROP AS "
        f"SELECT {', '.join(cols)} FROM {table.name} WITH NO DATA"
    )
    conn.exec_driver_sql(f"TRUNCATE {name}")
    raw: Any = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {name} ({', '.join(cols)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in cols])
    tmp = Table(name, MetaData(), *[Column(c, table.c[c].type) for c in cols])
    ins = postgresql.insert(table).from_select(cols, select(*[tmp.c[c] for c in cols]))
    conn.execute(on_conflict(ins))
