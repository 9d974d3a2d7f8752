"""Units ordered per SKU per local day (`sku_daily_units`), kept exact as orders are written.

Every writer of orders or order lines goes through here: the orders sync's `write_orders` and
`write_items` wrap their writes in `recounting`; seeds and bulk loads, and a seller account whose
marketplace moves to another time zone (its days are then other days: an ORM event below), call
`rebuild`. Both count from the orders themselves with the one aggregation, `_counted`: what
counts is a line of an order that is not cancelled, on the purchase instant's local day in the
seller's time zone (app.localtime), summed per SKU and day, as the SKU page and the forecaster
counted before they read this table. So a re-synced, changed or cancelled order leaves every
day it was counted on, and every day it counts on now, exactly as a fresh count would.

A recount deletes and re-inserts every (SKU, day) with a SKU among the touched orders' lines and
a day among their days, before and after the write: a superset of the pairs that can change,
and each row of it is a fresh count, so widening it costs time, never correctness (past
`MAX_SKUS` SKUs it takes every SKU of those days). On PostgreSQL a transaction-level advisory
lock per seller serialises the writers of one seller's orders (the orders stream and a report
of orders may run side by side), so a recount sees every order committed before it; SQLite has
one writer at a time anyway.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
)
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
# A recount of more SKUs than this recounts every SKU of its days (one range scan of orders
# instead of a long IN list; the same rows either way).
MAX_SKUS = 500
TABLE: Table = SkuDailyUnits.__table__  # type: ignore[assignment]


def _conn(bind: Session | Connection) -> Connection:
    return bind if isinstance(bind, Connection) else bind.connection()


def _zone(conn: Connection, tenant_id: int, seller_account_id: int) -> str:
    code = conn.execute(
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
    """SELECT tenant, seller, sku, local day, units from the orders: the one definition of a
    day's units (filter it further by SKU and purchase instant)."""
    day = localtime.day_sql(conn, Order.purchase_date, zone)
    return (
        select(
            OrderItem.tenant_id,
            OrderItem.seller_account_id,
            OrderItem.sku,
            day,
            func.coalesce(func.sum(OrderItem.quantity_ordered), 0),
        )
        .join(Order, item_order())
        .where(
            OrderItem.tenant_id == tenant_id,
            OrderItem.seller_account_id == seller_account_id,
            not_cancelled(),
        )
        .group_by(OrderItem.tenant_id, OrderItem.seller_account_id, OrderItem.sku, day)
    )


def _runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[dt.date, dt.date]] = []
    for d in sorted(days):
        if runs and d - runs[-1][1] <= dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    return runs


def _recount(
    conn: Connection,
    tenant_id: int,
    seller_account_id: int,
    zone: str,
    skus: set[str] | None = None,
    days: set[dt.date] | None = None,
) -> None:
    """Replace the rows of these SKUs on these days (None: all) with a fresh count."""
    if skus is not None and len(skus) > MAX_SKUS:
        skus = None
    drop = [TABLE.c.tenant_id == tenant_id, TABLE.c.seller_account_id == seller_account_id]
    count = _counted(conn, zone, tenant_id, seller_account_id)
    if skus is not None:
        drop.append(TABLE.c.sku.in_(sorted(skus)))
        count = count.where(OrderItem.sku.in_(sorted(skus)))
    if days is not None:
        runs = _runs(days)
        drop.append(or_(*(TABLE.c.date.between(a, b) for a, b in runs)))
        bounds = [localtime.day_bounds(a, b, zone) for a, b in runs]
        count = count.where(
            or_(*(and_(Order.purchase_date >= s, Order.purchase_date < e) for s, e in bounds))
        )
    conn.execute(delete(TABLE).where(*drop))
    conn.execute(
        insert(TABLE).from_select(["tenant_id", "seller_account_id", "sku", "date", "units"], count)
    )


def _touched(
    conn: Connection, tenant_id: int, seller_account_id: int, zone: str, order_ids: list[str]
) -> tuple[set[str], set[dt.date]]:
    """The SKUs of these orders' lines and the local days of those orders, as stored now."""
    day = localtime.day_sql(conn, Order.purchase_date, zone)
    skus: set[str] = set()
    days: set[dt.date] = set()
    for start in range(0, len(order_ids), ID_CHUNK):
        rows = conn.execute(
            select(OrderItem.sku, day)
            .join(Order, item_order())
            .where(
                OrderItem.tenant_id == tenant_id,
                OrderItem.seller_account_id == seller_account_id,
                OrderItem.amazon_order_id.in_(order_ids[start : start + ID_CHUNK]),
            )
            .distinct()
        )
        for sku, d in rows:
            skus.add(sku)
            days.add(localtime.as_date(d))
    return skus, days


@contextmanager
def recounting(
    session: Session, tenant_id: int, seller_account_id: int, order_ids: Iterable[str]
) -> Iterator[None]:
    """Around a write of these orders or their lines (in the session's transaction): afterwards
    every (SKU, day) their lines counted on before or count on now is counted again."""
    ids = sorted(set(order_ids))
    if not ids:
        yield
        return
    conn = session.connection()
    _lock(conn, seller_account_id)
    zone = _zone(conn, tenant_id, seller_account_id)
    skus, days = _touched(conn, tenant_id, seller_account_id, zone, ids)
    yield
    session.flush()
    now_skus, now_days = _touched(conn, tenant_id, seller_account_id, zone, ids)
    skus |= now_skus
    days |= now_days
    if skus:
        _recount(conn, tenant_id, seller_account_id, zone, skus, days)


def rebuild(
    bind: Session | Connection, tenant_id: int, seller_account_id: int, zone: str | None = None
) -> None:
    """Count all of a seller's days again (after a bulk load of orders, or a new time zone)."""
    if isinstance(bind, Session):
        bind.flush()
    conn = _conn(bind)
    _lock(conn, seller_account_id)
    _recount(conn, tenant_id, seller_account_id, zone or _zone(conn, tenant_id, seller_account_id))


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


def all_units(bind: Session | Connection, tenant_id: int, seller_account_id: int) -> list[Any]:
    """Every (sku, date, units) row of a seller."""
    return list(
        _conn(bind).execute(
            select(TABLE.c.sku, TABLE.c.date, TABLE.c.units).where(
                TABLE.c.tenant_id == tenant_id, TABLE.c.seller_account_id == seller_account_id
            )
        )
    )


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
