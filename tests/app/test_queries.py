"""The read-side rules of app/queries.py, as every consumer sees them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app import queries, summaries
from app.models import Recommendation
from app.web.dashboard.table import TableQuery, table_rows
from app.web.plans.builder import candidates


def _stale_twin(db_session: Any, product: Any) -> tuple[Recommendation, Recommendation]:
    """A second 'current' row for one SKU: computed earlier, but with the higher id."""
    newest = db_session.scalars(
        select(Recommendation).where(
            Recommendation.seller_account_id == product.seller_account_id,
            Recommendation.sku == product.sku,
        )
    ).one()
    stale = Recommendation(
        tenant_id=product.tenant_id,
        seller_account_id=product.seller_account_id,
        sku=product.sku,
        computed_at=newest.computed_at - dt.timedelta(days=3),
        is_current=True,
        quantity=newest.quantity + 777,
        risk="ok",
    )
    db_session.add(stale)
    db_session.commit()
    assert stale.id > newest.id
    return newest, stale


def test_current_recommendation_is_the_newest_computed_then_id(db_session, seeded) -> None:
    product = seeded["products"][0]
    newest, _ = _stale_twin(db_session, product)
    got = queries.current_recommendation(
        db_session, product.tenant_id, product.seller_account_id, product.sku
    )
    assert got is not None and got.id == newest.id
    cur = queries.current_recommendation_ids(product.tenant_id, product.seller_account_id)
    ids = set(db_session.scalars(select(cur.c.rec_id)))
    assert newest.id in ids and len(ids) == len(seeded["products"])


def test_pages_show_one_row_per_sku_with_the_current_recommendation(
    db_session, seeded, web
) -> None:
    product = seeded["products"][0]
    newest, stale = _stale_twin(db_session, product)
    seller = seeded["seller"]
    state = summaries.ensure(db_session, seller.tenant_id, seller.id)
    rows, total = table_rows(db_session, state, TableQuery(sort="sku"), 0, 200)
    assert total == len(seeded["products"]) == len(rows)
    (row,) = [r for r in rows if r["sku"] == product.sku]
    assert row["rec_qty"] == newest.quantity
    skus = [p.sku for p, _ in candidates(db_session, seller)]
    assert len(skus) == len(set(skus))
    page = web.get(f"/skus/{product.id}").get_data(as_text=True)
    assert f"{stale.quantity:,}" not in page


def test_newest_model_and_latest_snapshot(db_session, seeded) -> None:
    seller, product = seeded["seller"], seeded["products"][0]
    assert queries.latest_model_id(db_session, seller.tenant_id, seller.id) == (
        seeded["model_version"].id
    )
    snap = queries.latest_snapshot(db_session, seller.tenant_id, seller.id, product.sku)
    day = queries.latest_snapshot_day(db_session, seller.tenant_id, seller.id)
    assert snap is not None and snap.date == day
    every = db_session.scalars(queries.latest_snapshots_select(seller.tenant_id, seller.id)).all()
    assert {s.sku for s in every} == {p.sku for p in seeded["products"]}
    assert all(s.date == day for s in every)
