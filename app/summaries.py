"""The dashboard's read model (app.models.summary): built here, and only here.

`refresh(session, account, skus=None)` rebuilds a seller's rows (all, or those SKUs') from the
sources, the same rules the dashboard computed per request before:
- the product's newest snapshot (app.queries), its current recommendation (app.queries), the
  newest ready model's mean forecast summed over the 30 and 90 days after the seller's newest
  snapshot day;
- the headline parts of each row on the seller's newest snapshot day: stock at cost
  ((fulfillable + reserved + inbound) x unit cost) and sales at risk
  (max(0, forecast - fulfillable - inbound) x price, over 30 and 90 days);
then the seller's SummaryState: the totals, and the marks of the sources it was built from.
The caller commits (so a recommend run and its summaries land together).

The jobs that change the sources call it: the recommend run, the inventory sync, training, and
product edits (web form, CSV import, API). `ensure` is the read side's guard for every other
path (a first read after the migration, a writer that does not call refresh, a failed hook):
it compares the stored marks with the live ones (four index lookups in one statement) and
rebuilds the seller when any differs, so a page never shows a summary older than its sources'
marks. What the marks cannot see is a change of a snapshot's values on the same day without a
new row; only the inventory sync writes those, and it refreshes.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from app import queries
from app.models import (
    Forecast,
    InventorySnapshot,
    ModelVersion,
    Product,
    Recommendation,
    SellerAccount,
    risk,
    utcnow,
)
from app.models.summary import NO_STATUS_RANK, SkuSummary, SummaryState

# A refresh of more SKUs than this rebuilds the whole seller (one pass, no long IN lists).
PARTIAL_LIMIT = 500
# PostgreSQL: at least this many changed rows are written by COPY instead of upserts.
COPY_THRESHOLD = 300
# Columns of a summary row that refresh writes (all but the keys and refreshed_at).
VALUE_COLUMNS = (
    "sku",
    "title",
    "unit_cost",
    "price",
    "fulfillable",
    "reserved",
    "inbound",
    "snapshot_date",
    "recommendation_id",
    "status",
    "status_rank",
    "runs_out_on",
    "ship_by",
    "rec_qty",
    "stockout_probability",
    "excess_units",
    "excess_monthly",
    "reorder_by",
    "reorder_quantity",
    "fc30",
    "fc90",
    "value",
    "risk30",
    "risk90",
)


@dataclass(frozen=True)
class Marks:
    """What a seller's summaries depend on, as aggregates the indexes answer in one lookup each.

    No product nor recommendation is ever deleted but with its seller, so: a product created,
    edited or switched off moves the products' newest `updated_at`; a recommend run inserts rows
    with higher ids (and a row made current by hand does too); a sync's new day moves `as_of`,
    a training run the model.
    """

    as_of: dt.date | None
    model_version_id: int | None
    products_changed_at: dt.datetime | None
    recommendation_id: int | None

    @classmethod
    def of_state(cls, state: SummaryState) -> Marks:
        """The marks a state row was built from."""
        return cls(
            state.as_of,
            state.model_version_id,
            _aware(state.products_changed_at),
            state.recommendation_id,
        )


def _aware(value: Any) -> dt.datetime | None:
    """A datetime from SQL (SQLite's max() hands back a naive UTC value, or text) as aware."""
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _mark_columns() -> list[Any]:
    """The live marks as labelled scalar subqueries, each one index lookup (parameters
    `tenant_id`, `seller_id`)."""
    s, p, r = InventorySnapshot, Product, Recommendation
    tenant_id: Any = bindparam("tenant_id")
    seller_id: Any = bindparam("seller_id")
    current = (r.tenant_id == tenant_id, r.seller_account_id == seller_id, r.is_current.is_(True))
    model = queries.latest_model_select(tenant_id, seller_id).with_only_columns(ModelVersion.id)
    return [
        select(func.max(s.date))
        .where(s.tenant_id == tenant_id, s.seller_account_id == seller_id)
        .scalar_subquery()
        .label("as_of"),
        model.scalar_subquery().label("model_version_id"),
        select(func.max(p.updated_at))
        .where(p.tenant_id == tenant_id, p.seller_account_id == seller_id)
        .scalar_subquery()
        .label("p_at"),
        select(func.max(r.id)).where(*current).scalar_subquery().label("rec_id"),
    ]


@functools.cache
def _marks_statement() -> Any:
    # Built once: building these SELECTs costs more CPU than running them.
    return select(*_mark_columns())


@functools.cache
def _ensure_statement() -> Any:
    """The state row (NULLs when missing) and the live marks, for one seller of one tenant."""
    return (
        select(SellerAccount.id, SummaryState, *_mark_columns())
        .select_from(SellerAccount)
        .outerjoin(
            SummaryState,
            and_(
                SummaryState.tenant_id == SellerAccount.tenant_id,
                SummaryState.seller_account_id == SellerAccount.id,
            ),
        )
        .where(
            SellerAccount.id == bindparam("seller_id"),
            SellerAccount.tenant_id == bindparam("tenant_id"),
        )
    )


def _marks(row: Any) -> Marks:
    return Marks(_as_date(row.as_of), row.model_version_id, _aware(row.p_at), row.rec_id)


def live_marks(session: Session, tenant_id: int, seller_id: int) -> Marks:
    """The sources' marks now."""
    params = {"tenant_id": tenant_id, "seller_id": seller_id}
    return _marks(session.execute(_marks_statement(), params).one())


def ensure(session: Session, tenant_id: int, seller_id: int) -> SummaryState | None:
    """The seller's summary state, rebuilt first if its sources moved (then committed).

    One statement reads the state and the live marks. None when the seller is not the tenant's.
    """
    params = {"tenant_id": tenant_id, "seller_id": seller_id}
    row = session.execute(_ensure_statement(), params).one_or_none()
    if row is None:
        return None
    state = row.SummaryState
    if state is not None and Marks.of_state(state) == _marks(row):
        return state
    account = session.get(SellerAccount, seller_id)
    if account is None:  # deleted between the two statements
        return None
    state = _refresh(session, account, None, only_if_stale=True)
    session.commit()
    return state


def refresh(
    session: Session, account: SellerAccount, skus: Iterable[str] | None = None
) -> SummaryState:
    """Rebuild the seller's summaries (all, or those of `skus`) and its state; caller commits.

    Holds the state row's lock (PostgreSQL: FOR UPDATE; SQLite: the write lock) throughout, so
    concurrent refreshes of one seller take turns.
    """
    return _refresh(session, account, skus)


def _refresh(
    session: Session,
    account: SellerAccount,
    skus: Iterable[str] | None,
    only_if_stale: bool = False,
) -> SummaryState:
    """refresh; with `only_if_stale`, a state that matches the live marks once the lock is held
    (another refresh just finished) is returned as it is."""
    tenant_id, seller_id = account.tenant_id, account.id
    state = _lock_state(session, tenant_id, seller_id)
    marks = live_marks(session, tenant_id, seller_id)
    wanted = None if skus is None else sorted(set(skus))
    if wanted is not None and (not state.complete or len(wanted) > PARTIAL_LIMIT):
        wanted = None  # never built, or most of it: build everything
    if only_if_stale and Marks.of_state(state) == marks:
        return state
    rows = compute_rows(session, tenant_id, seller_id, marks.as_of, marks.model_version_id, wanted)
    _write_rows(session, tenant_id, seller_id, rows, wanted)
    if wanted is None:
        _set_marks(state, marks)
    else:
        # Only these SKUs' rows are new. The products mark may move if no other product changed
        # since the state was built; every other mark stays (a difference still rebuilds all).
        others = select(func.max(Product.updated_at)).where(
            Product.tenant_id == tenant_id, Product.seller_account_id == seller_id
        )
        if wanted:
            others = others.where(Product.sku.not_in(wanted))
        others_at = _aware(session.scalar(others))
        built_at = _aware(state.products_changed_at)
        if others_at is None or (built_at is not None and others_at <= built_at):
            state.products_changed_at = marks.products_changed_at
    _set_totals(session, state, marks.model_version_id is not None)
    state.refreshed_at = utcnow()
    session.flush()
    return state


def refresh_all(session: Session) -> int:
    """Rebuild every seller's summaries, committing after each; how many sellers."""
    ids = list(session.scalars(select(SellerAccount.id).order_by(SellerAccount.id)))
    for seller_id in ids:
        account = session.get(SellerAccount, seller_id)
        if account is not None:
            refresh(session, account)
            session.commit()
    return len(ids)


def _lock_state(session: Session, tenant_id: int, seller_id: int) -> SummaryState:
    """The seller's state row, created if missing, locked for this transaction."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(SummaryState)
        .values(
            tenant_id=tenant_id,
            seller_account_id=seller_id,
            complete=False,
            sku_count=0,
            stockout=0,
            ship=0,
            excess=0,
            value=0.0,
            missing_cost=0,
            refreshed_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["tenant_id", "seller_account_id"])
    )
    stmt = select(SummaryState).where(
        SummaryState.tenant_id == tenant_id, SummaryState.seller_account_id == seller_id
    )
    # populate_existing: a state loaded earlier in this session shows what the lock protects.
    return session.scalars(
        stmt.with_for_update().execution_options(populate_existing=True)
    ).one()


def _set_marks(state: SummaryState, marks: Marks) -> None:
    state.as_of = marks.as_of
    state.model_version_id = marks.model_version_id
    state.products_changed_at = marks.products_changed_at
    state.recommendation_id = marks.recommendation_id
    state.complete = True


def forecast_sums(
    tenant_id: int,
    seller_id: int,
    model_version_id: int,
    start: dt.date,
    days: tuple[int, ...],
    skus: Sequence[str] | None = None,
) -> Any:
    """SELECT per SKU: the sum of the model's mean forecast over the d days from `start`."""
    f = Forecast
    end = start + dt.timedelta(days=max(days))
    cols = [
        func.sum(case((f.date < start + dt.timedelta(days=d), f.mean), else_=0.0)).label(f"fc{d}")
        for d in days
    ]
    stmt = (
        select(f.sku, *cols)
        .where(
            f.tenant_id == tenant_id,
            f.seller_account_id == seller_id,
            f.model_version_id == model_version_id,
            f.date >= start,
            f.date < end,
        )
        .group_by(f.sku)
    )
    if skus is not None:
        stmt = stmt.where(f.sku.in_(skus))
    return stmt


def forecast_start(as_of: dt.date | None) -> dt.date:
    """First forecast day counted in "next 30 days": the day after the newest inventory."""
    return (as_of or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1)


def compute_rows(
    session: Session,
    tenant_id: int,
    seller_id: int,
    as_of: dt.date | None,
    model_version_id: int | None,
    skus: Sequence[str] | None = None,
) -> list[dict[str, Any]]:
    """Summary rows of the seller's active products (those of `skus`), from the sources."""
    p = Product
    r = aliased(Recommendation, name="rec")
    snap = aliased(InventorySnapshot, name="snap")
    inbound = snap.inbound_working + snap.inbound_shipped + snap.inbound_receiving
    stmt = select(
        p.id.label("product_id"),
        p.sku,
        p.title,
        p.unit_cost,
        p.price,
        snap.fulfillable,
        snap.reserved,
        inbound.label("inbound"),
        snap.date.label("snapshot_date"),
        r.id.label("recommendation_id"),
        r.status,
        r.runs_out_on,
        r.ship_by,
        r.quantity.label("rec_qty"),
        r.stockout_probability,
        r.reorder_by,
        r.reorder_quantity,
        # The excess block's two numbers, read from the stored timeline's JSON in SQL.
        r.timeline["excess"]["units"].as_integer().label("excess_units"),
        r.timeline["excess"]["monthly_cost"].as_float().label("excess_monthly"),
    ).select_from(p)
    # The newest snapshot of each product: one index probe per product.
    stmt = stmt.outerjoin(snap, snap.id == queries.latest_snapshot_id_of_product())
    stmt = queries.join_current_recommendation(stmt, r, tenant_id, seller_id)
    stmt = stmt.where(
        p.tenant_id == tenant_id, p.seller_account_id == seller_id, p.active.is_(True)
    )
    if skus is not None:
        stmt = stmt.where(p.sku.in_(skus))
    rows = [dict(m) for m in session.execute(stmt.order_by(p.id)).mappings()]
    sums: dict[str, Any] = {}
    if model_version_id is not None and rows:
        fc = forecast_sums(
            tenant_id, seller_id, model_version_id, forecast_start(as_of), (30, 90), skus
        )
        sums = {s.sku: s for s in session.execute(fc)}
    ranks = {word: i for i, word in enumerate(risk.STATUSES)}
    for row in rows:
        row["snapshot_date"] = _as_date(row["snapshot_date"])
        row["reorder_by"] = _as_date(row["reorder_by"])
        row["status_rank"] = ranks.get(row["status"], NO_STATUS_RANK)
        s = sums.get(row["sku"])
        row["fc30"] = None if s is None else float(s.fc30)
        row["fc90"] = None if s is None else float(s.fc90)
        # The headline counts stock on the seller's newest day only (the newest snapshot of a
        # SKU is that day's exactly when it has one that day).
        today = as_of is not None and row["snapshot_date"] == as_of
        fulfillable = (row["fulfillable"] or 0) if today else 0
        reserved = (row["reserved"] or 0) if today else 0
        inbound_units = (row["inbound"] or 0) if today else 0
        row["value"] = float((fulfillable + reserved + inbound_units) * (row["unit_cost"] or 0))
        price = row["price"] or 0
        for d in (30, 90):
            forecast = row[f"fc{d}"]
            short = 0.0 if forecast is None else forecast - fulfillable - inbound_units
            row[f"risk{d}"] = float(short * price) if short > 0 else 0.0
    return rows


def _write_rows(
    session: Session,
    tenant_id: int,
    seller_id: int,
    rows: list[dict[str, Any]],
    skus: Sequence[str] | None,
) -> int:
    """Write the rows that differ from the stored ones (new or changed), delete the rows of
    products no longer active or gone (of the seller, or of `skus`); how many rows changed."""
    s = SkuSummary
    cols = [s.__table__.c[c] for c in VALUE_COLUMNS]
    stored_q = select(s.product_id, *cols).where(
        s.tenant_id == tenant_id, s.seller_account_id == seller_id
    )
    if skus is not None:
        stored_q = stored_q.where(s.sku.in_(skus))
    stored = {r[0]: tuple(r[1:]) for r in session.execute(stored_q)}
    keep = {row["product_id"] for row in rows}
    gone = [pid for pid in stored if pid not in keep]
    if gone:
        session.execute(delete(s).where(s.tenant_id == tenant_id, s.product_id.in_(gone)))
    now = utcnow()
    changed = [
        {
            "tenant_id": tenant_id,
            "seller_account_id": seller_id,
            "product_id": row["product_id"],
            **{c: row[c] for c in VALUE_COLUMNS},
            "refreshed_at": now,
        }
        for row in rows
        if stored.get(row["product_id"]) != tuple(row[c] for c in VALUE_COLUMNS)
    ]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and len(changed) >= COPY_THRESHOLD:
        # Many rows (a first build, a new day): delete and COPY them, several times faster than
        # upserts. Safe: only refresh writes these rows, under the state row's lock.
        ids = [row["product_id"] for row in changed]
        session.execute(delete(s).where(s.tenant_id == tenant_id, s.product_id.in_(ids)))
        names = list(changed[0])
        raw: Any = session.connection().connection.driver_connection
        sql = f"COPY {s.__tablename__} ({', '.join(names)}) FROM STDIN"
        with raw.cursor() as cur, cur.copy(sql) as copy:
            for row in changed:
                copy.write_row([row[c] for c in names])
    elif changed:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        ins = insert(s)
        stmt = ins.on_conflict_do_update(
            index_elements=["product_id"],
            set_={c: ins.excluded[c] for c in (*VALUE_COLUMNS, "refreshed_at")},
        )
        session.execute(stmt, changed)
    return len(changed) + len(gone)


def _set_totals(session: Session, state: SummaryState, have_model: bool) -> None:
    """The headline totals over the seller's rows."""
    s = SkuSummary
    groups = risk.status_groups()

    def count_of(words: tuple[str, ...]) -> Any:
        return func.coalesce(func.sum(case((s.status.in_(words), 1), else_=0)), 0)

    totals = session.execute(
        select(
            func.count().label("sku_count"),
            count_of(groups[risk.STOCKOUT]).label("stockout"),
            count_of(groups[risk.SHIP]).label("ship"),
            count_of(groups[risk.EXCESS]).label("excess"),
            func.coalesce(func.sum(s.value), 0.0).label("value"),
            func.coalesce(func.sum(case((s.unit_cost.is_(None), 1), else_=0)), 0).label(
                "missing_cost"
            ),
            func.coalesce(func.sum(s.risk30), 0.0).label("risk30"),
            func.coalesce(func.sum(s.risk90), 0.0).label("risk90"),
        ).where(s.tenant_id == state.tenant_id, s.seller_account_id == state.seller_account_id)
    ).one()
    state.sku_count = int(totals.sku_count)
    state.stockout = int(totals.stockout)
    state.ship = int(totals.ship)
    state.excess = int(totals.excess)
    state.value = float(totals.value)
    state.missing_cost = int(totals.missing_cost)
    state.risk30 = float(totals.risk30) if have_model else None
    state.risk90 = float(totals.risk90) if have_model else None

