"""Units ordered per SKU per local day (`sku_daily_units`), kept exact as orders are written.

Every writer of orders or order lines goes through here: the orders sync's `write_orders` and
`write_items` wrap their writes in `recounting`; seeds and bulk loads, and a seller account whose
marketplace moves to another time zone (its days are then other days: an ORM event below), call
`rebuild`. Both count with the one aggregation, `_counted`: what counts is a line of an order
that is not cancelled, on the purchase instant's local day in the seller's time zone
(app.localtime), summed per SKU and day (`units`) and counted (`lines`), as the SKU page and the
forecaster counted before they read this table.

`recounting` counts the written orders' lines before and after the write (looked up by order
id) and adds the difference to their days' rows; a row whose last counted line is gone (its
order cancelled, moved to another day, its line removed or given another SKU) is deleted. So a
re-synced, changed or cancelled order leaves every day exactly as a fresh count would, and a
re-write that changes nothing changes nothing; no day is counted again from all its orders
(the orders have no SKU and the lines no day: a day's count is a range scan of all the seller's
orders that day). On PostgreSQL a transaction-level advisory lock per seller serialises the
writers of one seller's orders (the orders stream and a report of orders may run side by side),
so each difference is taken against every order committed before it; SQLite has one writer at
a time anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app import localtime
from app.models import Order, OrderItem, SellerAccount, SkuDailyUnits
from app.models.orders import item_order, not_cancelled
from integrations.amazon import marketplaces

# pg_advisory_xact_lock(LOCK_NAMESPACE, seller account id): the two-key space, apart from the
# job locks' one-key space (jobs.locks).
LOCK_NAMESPACE = 0x5D41
# Order ids per lookup of the lines they hold (well under SQLite's bound-parameter limit).
ID_CHUNK = 1000
TABLE: Table = SkuDailyUnits.__table__  # type: ignore[assignment]


def _conn(bind: Session | Connection) -> Connection:
    return bind if isinstance(bind, Connection) else bind.connection()


def seller_zone(bind: Session | Connection, tenant_id: int, seller_account_id: int) -> str:
    """The time zone of the seller's marketplace (its days), read without loading the account."""
    code = _conn(bind).execute(
        select(SellerAccount.marketplace).where(
            SellerAccount.tenant_id == tenant_id, SellerAccount.id == seller_account_id
        )
    ).scalar_one()
    return marketplaces.get(code).time_zone


def _lock(conn: Connection, seller_account_id: int) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:ns, :seller)"),
            {"ns": LOCK_NAMESPACE, "seller": seller_account_id},
        )


def _counted(conn: Connection, zone: str, tenant_id: int, seller_account_id: int) -> Any:
    """SELECT tenant, seller, sku, local day, units, lines from the orders: the one definition
    of a day's units (filter it further, e.g. by order id)."""
    day = localtime.day_sql(conn, Order.purchase_date, zone)
    return (
        select(
            OrderItem.tenant_id,
            OrderItem.seller_account_id,
            OrderItem.sku,
            day,
            func.coalesce(func.sum(OrderItem.quantity_ordered), 0),
            func.count(),
        )
        .join(Order, item_order())
        .where(
            OrderItem.tenant_id == tenant_id,
            OrderItem.seller_account_id == seller_account_id,
            not_cancelled(),
        )
        .group_by(OrderItem.tenant_id, OrderItem.seller_account_id, OrderItem.sku, day)
    )


def _recount(conn: Connection, tenant_id: int, seller_account_id: int, zone: str) -> None:
    """Replace all of the seller's rows with a fresh count."""
    conn.execute(
        delete(TABLE).where(
            TABLE.c.tenant_id == tenant_id, TABLE.c.seller_account_id == seller_account_id
        )
    )
    conn.execute(
        insert(TABLE).from_select(
            ["tenant_id", "seller_account_id", "sku", "date", "units", "lines"],
            _counted(conn, zone, tenant_id, seller_account_id),
        )
    )


Counts = dict[tuple[str, dt.date], tuple[int, int]]


def _counts_of(
    conn: Connection, tenant_id: int, seller_account_id: int, zone: str, order_ids: list[str]
) -> Counts:
    """What these orders' lines add to each (SKU, day), as stored now: (units, lines).

    The orders that count and their days, then their lines, each looked up on its own table by
    order id and added up here: a join of the two was planned from whichever table the
    statistics misjudged (a seller's rows written since the last ANALYZE), scanning it for
    every 1,000 orders (a two-year backfill on PostgreSQL took minutes instead of seconds).
    Which orders count and their day are the SQL of `_counted`.
    """
    out: Counts = {}
    day = localtime.day_sql(conn, Order.purchase_date, zone)
    for start in range(0, len(order_ids), ID_CHUNK):
        counted = {
            oid: localtime.as_date(d)
            for oid, d in conn.execute(
                select(Order.amazon_order_id, day).where(
                    Order.tenant_id == tenant_id,
                    Order.seller_account_id == seller_account_id,
                    Order.amazon_order_id.in_(order_ids[start : start + ID_CHUNK]),
                    not_cancelled(),
                )
            )
        }
        if not counted:
            continue
        lines = conn.execute(
            select(OrderItem.amazon_order_id, OrderItem.sku, OrderItem.quantity_ordered).where(
                OrderItem.tenant_id == tenant_id,
                OrderItem.seller_account_id == seller_account_id,
                OrderItem.amazon_order_id.in_(sorted(counted)),
            )
        )
        for oid, sku, qty in lines:
            key = (sku, counted[oid])
            was = out.get(key, (0, 0))
            out[key] = (was[0] + int(qty or 0), was[1] + 1)
    return out


def _add(conn: Connection, tenant_id: int, seller_account_id: int, before: Counts,
         after: Counts) -> None:  # fmt: skip
    """Add after - before to the rows; delete the rows left with no line."""
    rows: list[dict[str, Any]] = []
    for key in before.keys() | after.keys():
        b, a = before.get(key, (0, 0)), after.get(key, (0, 0))
        if a != b:
            rows.append({"tenant_id": tenant_id, "seller_account_id": seller_account_id,
                         "sku": key[0], "date": key[1], "units": a[0] - b[0],
                         "lines": a[1] - b[1]})  # fmt: skip
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    ins = dialect.insert(TABLE)
    conn.execute(
        ins.on_conflict_do_update(
            index_elements=["tenant_id", "seller_account_id", "sku", "date"],
            set_={
                "units": TABLE.c.units + ins.excluded.units,
                "lines": TABLE.c.lines + ins.excluded.lines,
            },
        ),
        rows,
    )
    emptied = [(r["sku"], r["date"]) for r in rows if int(r["lines"]) < 0]
    for start in range(0, len(emptied), ID_CHUNK):
        conn.execute(
            delete(TABLE).where(
                TABLE.c.tenant_id == tenant_id,
                TABLE.c.seller_account_id == seller_account_id,
                tuple_(TABLE.c.sku, TABLE.c.date).in_(emptied[start : start + ID_CHUNK]),
                TABLE.c.lines <= 0,
            )
        )


@contextmanager
def recounting(
    session: Session, tenant_id: int, seller_account_id: int, order_ids: Iterable[str]
) -> Iterator[None]:
    """Around a write of these orders or their lines (in the session's transaction): afterwards
    every (SKU, day) their lines counted on before or count on now holds what they add now."""
    ids = sorted(set(order_ids))
    if not ids:
        yield
        return
    conn = session.connection()
    _lock(conn, seller_account_id)
    zone = seller_zone(conn, tenant_id, seller_account_id)
    before = _counts_of(conn, tenant_id, seller_account_id, zone, ids)
    yield
    session.flush()
    _add(conn, tenant_id, seller_account_id, before,
         _counts_of(conn, tenant_id, seller_account_id, zone, ids))  # fmt: skip


def rebuild(
    bind: Session | Connection, tenant_id: int, seller_account_id: int, zone: str | None = None
) -> None:
    """Count all of a seller's days again (after a bulk load of orders, or a new time zone)."""
    if isinstance(bind, Session):
        bind.flush()
    conn = _conn(bind)
    _lock(conn, seller_account_id)
    zone = zone or seller_zone(conn, tenant_id, seller_account_id)
    _recount(conn, tenant_id, seller_account_id, zone)


def units_by_day(
    bind: Session | Connection,
    tenant_id: int,
    seller_account_id: int,
    sku: str,
    first: dt.date,
    last: dt.date,
) -> dict[dt.date, int]:
    """One SKU's units per day, first..last (days without a row: none sold)."""
    rows = _conn(bind).execute(
        _one_sku,
        {"tenant_id": tenant_id, "seller_id": seller_account_id, "sku": sku,
         "first": first, "last": last},
    )  # fmt: skip
    return {localtime.as_date(d): int(n) for d, n in rows}


def all_units(
    bind: Session | Connection, tenant_id: int, seller_account_id: int
) -> list[tuple[str, dt.date, int]]:
    """Every (sku, date, units) of a seller (plain tuples: pandas builds a frame of a million
    of them in a fraction of the time it takes for result rows)."""
    stmt = select(TABLE.c.sku, TABLE.c.date, TABLE.c.units).where(
        TABLE.c.tenant_id == tenant_id, TABLE.c.seller_account_id == seller_account_id
    )
    return [tuple(r) for r in _conn(bind).execute(stmt)]


# Built once with bound parameters (building a SELECT cost about as much CPU as running it).
_one_sku = select(TABLE.c.date, TABLE.c.units).where(
    TABLE.c.tenant_id == bindparam("tenant_id"),
    TABLE.c.seller_account_id == bindparam("seller_id"),
    TABLE.c.sku == bindparam("sku"),
    TABLE.c.date >= bindparam("first"),
    TABLE.c.date <= bindparam("last"),
)


@event.listens_for(SellerAccount, "after_update")
def _time_zone_moved(mapper: Any, connection: Connection, target: SellerAccount) -> None:
    # A marketplace in another time zone has other days: every order may fall on another one.
    moved = inspect(target).attrs.marketplace.history.deleted
    if moved and moved[0] and marketplaces.get(moved[0]).time_zone != target.time_zone:
        rebuild(connection, target.tenant_id, target.id, target.time_zone)
