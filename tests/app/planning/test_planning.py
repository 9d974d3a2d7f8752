"""Retraining and recommendations from synced rows: the product glue around the library."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from sqlalchemy import func, select

from app.models import (
    Forecast,
    InventorySnapshot,
    ModelVersion,
    Order,
    OrderItem,
    Recommendation,
    SyncState,
)
from app.planning.recommend import NoModel, recommend_seller
from app.planning.train import FORECAST_HORIZON, NotEnoughHistory, train_seller
from app.sync import daily

END = dt.date(2026, 6, 30)


def _seed(factory, db_session, days: int = 150) -> object:
    """Three SKUs: steady seller out of stock now, steady seller drowning in stock, a slow one."""
    tenant = factory.tenant()
    seller = factory.seller(tenant)
    rng = np.random.default_rng(3)
    plans = {
        "FAST-EMPTY": {"rate": 12.0, "stock": 0, "price": 20.0},
        "FAST-FULL": {"rate": 12.0, "stock": 5000, "price": 20.0},
        "SLOW": {"rate": 0.3, "stock": 40, "price": 35.0},
    }
    for sku, p in plans.items():
        factory.product(
            seller,
            sku,
            unit_cost=6.0,
            price=p["price"],
            cubic_feet=0.1,
            size_tier="large_standard",
            case_pack=6,
            moq=0,
            lead_time_production_days=10,
            lead_time_transit_days=10,
            lead_time_receiving_days=5,
        )
    own = {"tenant_id": tenant.id, "seller_account_id": seller.id}
    n = 0
    for i in range(days):
        day = END - dt.timedelta(days=days - 1 - i)
        when = dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)
        for sku, p in plans.items():
            units = int(rng.poisson(p["rate"]))
            # The last day of FAST-EMPTY is a stockout day: no sales, no stock.
            if sku == "FAST-EMPTY" and i == days - 1:
                units = 0
            if units:
                n += 1
                oid = f"111-{n:07d}"
                db_session.add(
                    Order(
                        **own,
                        amazon_order_id=oid,
                        purchase_date=when,
                        last_update_date=when,
                        status="Shipped",
                    )
                )
                db_session.add(
                    OrderItem(
                        **own,
                        amazon_order_id=oid,
                        order_item_id="1",
                        sku=sku,
                        quantity_ordered=units,
                        quantity_shipped=units,
                        item_price=p["price"] * units,
                    )
                )
            stock = p["stock"] if i == days - 1 else 500
            db_session.add(
                InventorySnapshot(
                    **own,
                    sku=sku,
                    date=day,
                    fulfillable=stock,
                    source="ledger",
                )
            )
    db_session.add(
        SyncState(
            **own,
            stream="orders",
            # 00:03 Pacific the day after END: END is the US seller's last whole day
            watermark=dt.datetime.combine(
                END + dt.timedelta(days=1), dt.time(0, 3), tzinfo=ZoneInfo("America/Los_Angeles")
            ),
        )
    )
    daily.rebuild(db_session, tenant.id, seller.id)  # as the orders sync keeps them
    return seller


def test_train_then_recommend_prices_both_risks(factory, db_session) -> None:
    seller = _seed(factory, db_session)
    version = train_seller(db_session, seller, seed=1)
    assert version.artifact and version.cutoff == END
    models = version.metrics["backtest"]["models"]
    assert {"model", "seasonal_naive", "ma28"} <= set(models)
    assert np.isfinite(models["model"]["rmsse"])
    count = db_session.scalar(
        select(func.count()).select_from(Forecast).where(Forecast.model_version_id == version.id)
    )
    assert count == 3 * FORECAST_HORIZON

    recs = {r.sku: r for r in recommend_seller(db_session, seller)}
    assert set(recs) == {"FAST-EMPTY", "FAST-FULL", "SLOW"}
    empty, full = recs["FAST-EMPTY"], recs["FAST-FULL"]
    assert empty.quantity > 0 and empty.quantity % 6 == 0
    assert empty.status == "out_of_stock" and empty.ship_by is not None
    assert full.quantity == 0 and full.status == "excess" and full.ship_by is None
    assert "ship" in empty.explanation and empty.cost_breakdown["with"]["total"] >= 0
    # Every stored number is the stored timeline's own.
    for rec in recs.values():
        tl = rec.timeline
        assert tl["status"] == rec.status and tl["ship_by"] == (
            rec.ship_by.isoformat() if rec.ship_by else None
        )
        assert tl["runs_out_on"] == (rec.runs_out_on.isoformat() if rec.runs_out_on else None)
        assert tl["recommendation"]["quantity"] == rec.quantity
        assert tl["recommendation"]["explanation"] == rec.explanation
        assert isinstance(tl["days"]["date"], list)  # stored compact: one list per field
    assert empty.timeline["days"]["on_hand_p50_without"][0] == 0
    assert empty.runs_out_on == END + dt.timedelta(days=1)  # today: nothing on hand
    # The app's remarks are notes, never appended to the sentence.
    assert all(r.timeline["notes"] == [] for r in recs.values())
    # Each says which fee card priced it (a US seller: Amazon's US card).
    assert all("US fee card" in r.timeline["fee_card"] for r in recs.values())
    assert all(r.cost_breakdown["fee_card"] == r.timeline["fee_card"] for r in recs.values())
    # A 12/day seller with 25 days of lead time needs at least the lead-time demand.
    assert empty.quantity >= 12 * 25 * 0.8


def test_a_retrain_carries_the_previous_models_forecast_errors(factory, db_session) -> None:
    seller = _seed(factory, db_session)
    state = db_session.scalars(
        select(SyncState).where(SyncState.seller_account_id == seller.id)
    ).one()
    final = state.watermark
    state.watermark = final - dt.timedelta(days=28)
    db_session.flush()
    first = train_seller(db_session, seller, seed=1)
    assert first.cutoff == END - dt.timedelta(days=28)
    assert "tracked_skus" not in first.metrics["fit"]
    state.watermark = final
    db_session.flush()
    second = train_seller(db_session, seller, seed=1)
    assert second.cutoff == END
    # each SKU's last four weeks were compared with the first model's forecast of them
    assert second.metrics["fit"]["tracked_skus"] == 3
    assert db_session.get(ModelVersion, first.id).status == "superseded"


def test_recomputing_keeps_one_current_recommendation_per_sku(factory, db_session) -> None:
    seller = _seed(factory, db_session, days=100)
    train_seller(db_session, seller)
    recommend_seller(db_session, seller)
    recommend_seller(db_session, seller, today=END + dt.timedelta(days=2))
    current = db_session.scalars(
        select(Recommendation).where(
            Recommendation.seller_account_id == seller.id, Recommendation.is_current.is_(True)
        )
    ).all()
    assert sorted(r.sku for r in current) == ["FAST-EMPTY", "FAST-FULL", "SLOW"]
    # A retrain supersedes the previous version and replaces its forecasts.
    second = train_seller(db_session, seller)
    statuses = db_session.scalars(
        select(ModelVersion.status)
        .where(ModelVersion.seller_account_id == seller.id)
        .order_by(ModelVersion.id)
    ).all()
    assert statuses == ["superseded", "ready"]
    versions = set(
        db_session.scalars(
            select(Forecast.model_version_id).where(Forecast.seller_account_id == seller.id)
        )
    )
    assert versions == {second.id}


def test_clear_errors_without_history_or_model(factory, db_session) -> None:
    seller = factory.seller(factory.tenant())
    factory.product(seller, "NEW")
    with pytest.raises(NotEnoughHistory, match="at least"):
        train_seller(db_session, seller)
    with pytest.raises(NoModel, match="no trained model"):
        recommend_seller(db_session, seller)


def test_retrain_job_queues_recommendations(app, factory, db_session) -> None:
    from app.tasks import retrain_seller

    seller = _seed(factory, db_session, days=90)
    db_session.commit()
    app.config["JOBS_INLINE"] = True  # the follow-up job runs in this thread, on this session
    out = retrain_seller(seller.id)
    assert out["model_version_id"]
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(Recommendation)
            .where(
                Recommendation.seller_account_id == seller.id, Recommendation.is_current.is_(True)
            )
        )
        == 3
    )
    assert retrain_seller(10**6) == {"skipped": "seller account gone or inactive"}


def test_training_and_a_recommend_run_leave_the_dashboard_rows_current(
    factory, db_session
) -> None:
    from app import queries, summaries
    from app.models import SkuSummary, SummaryState

    seller = _seed(factory, db_session, days=100)
    version = train_seller(db_session, seller)
    db_session.commit()
    state = db_session.scalars(select(SummaryState)).one()
    assert state.model_version_id == version.id and state.recommendation_id is None
    recommend_seller(db_session, seller)
    db_session.commit()
    state = db_session.scalars(select(SummaryState)).one()
    # Written by the run itself: a page finds the rows current and rebuilds nothing.
    assert summaries.Marks.of_state(state) == summaries.live_marks(
        db_session, seller.tenant_id, seller.id
    )
    rows = {r.sku: r for r in db_session.scalars(select(SkuSummary))}
    assert sorted(rows) == ["FAST-EMPTY", "FAST-FULL", "SLOW"]
    start = END + dt.timedelta(days=1)
    for sku, row in rows.items():
        rec = queries.current_recommendation(db_session, seller.tenant_id, seller.id, sku)
        assert (row.recommendation_id, row.rec_qty) == (rec.id, rec.quantity)
        assert row.status == rec.status
        means = db_session.scalars(
            select(Forecast.mean).where(
                Forecast.model_version_id == version.id,
                Forecast.sku == sku,
                Forecast.date >= start,
                Forecast.date < start + dt.timedelta(days=30),
            )
        ).all()
        assert row.fc30 == pytest.approx(sum(means), rel=1e-9)
        assert row.fulfillable == {"FAST-EMPTY": 0, "FAST-FULL": 5000, "SLOW": 40}[sku]
    assert state.stockout == sum(1 for r in rows.values() if r.status in ("out_of_stock",
                                 "stockout_before_arrival"))  # fmt: skip


def test_recommend_reads_the_skus_stockout_settings_else_the_accounts(factory, db_session) -> None:
    from app.models import Product

    seller = _seed(factory, db_session)
    train_seller(db_session, seller, seed=1)
    seller.in_stock_target_pct, seller.stockout_cost_multiple = 90, 4
    slow = db_session.scalar(select(Product).where(Product.sku == "SLOW"))
    slow.in_stock_target_pct, slow.stockout_cost_multiple = 99, 0
    db_session.flush()
    recs = {r.sku: r for r in recommend_seller(db_session, seller)}
    own = recs["SLOW"].timeline["recommendation"]
    inherited = recs["FAST-EMPTY"].timeline["recommendation"]
    assert (own["in_stock_target"], own["stockout_cost_multiple"]) == (0.99, 0.0)
    assert (inherited["in_stock_target"], inherited["stockout_cost_multiple"]) == (0.9, 4.0)
    # the SKU without a ranking cost prices none; the others price it
    assert recs["SLOW"].cost_breakdown["without"]["lost_ranking"] == 0.0
    assert recs["FAST-EMPTY"].cost_breakdown["without"]["lost_ranking"] > 0.0


def test_the_price_history_is_what_buyers_paid(factory, db_session) -> None:
    """A deal is ItemPrice less PromotionDiscount: the day's price is the one paid per unit."""
    from app.planning.data import daily_prices

    tenant = factory.tenant()
    seller = factory.seller(tenant)
    own = {"tenant_id": tenant.id, "seller_account_id": seller.id}
    for n, (day, units, price, discount) in enumerate(
        ((1, 2, 20.0, None), (2, 4, 40.0, 10.0), (2, 1, 10.0, 0.0))
    ):
        when = dt.datetime(2026, 6, day, 18, tzinfo=dt.UTC)
        db_session.add(Order(**own, amazon_order_id=f"O-{n}", purchase_date=when,
                             last_update_date=when, status="Shipped"))  # fmt: skip
        db_session.add(OrderItem(**own, amazon_order_id=f"O-{n}", order_item_id="1", sku="A",
                                 quantity_ordered=units, quantity_shipped=units,
                                 item_price=price, promotion_discount=discount))  # fmt: skip
    db_session.flush()
    prices = daily_prices(db_session, tenant.id, seller.id)
    by_day = {d.day: round(p, 4) for d, p in zip(prices["date"], prices["price"], strict=True)}
    # June 1: $20 for 2, no deal; June 2: $40 - $10 for 4 and $10 for 1 -> $40 for 5 units
    assert by_day == {1: 10.0, 2: 8.0}
