"""Recompute shipment recommendations for a seller from its latest model and inventory.

Each SKU's projected inventory timeline (forecasting.timeline, built by recommend_batch) is the
one source of the row: quantity, ship_by, runs_out_on, status, cover, stockout probability and
the explanation are copied from it, and it is stored whole (`Recommendation.timeline`, compact
columns) for the SKU page, the dashboard and GET /api/v1/skus/{id}/timeline. Inbound shipments
come with their own arrival dates (app.planning.arrivals); they are never counted as on hand.
The app's own remarks (unit cost assumed, no history) go to the timeline's `notes`, apart from
the explanation, whose every number is a field of the timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import queries
from app.models import Product, Recommendation, SellerAccount, utcnow
from app.planning.arrivals import inbound_for_seller
from app.planning.data import fee_estimates, latest_stock
from app.planning.settings import stockout_policy
from app.planning.versions import load_model
from forecasting.fees import FeeSchedule
from forecasting.policy import SkuPlanInput, recommend_batch

N_PATHS = 200
PATH_MARGIN_DAYS = 60
DEFAULT_COST_SHARE = 0.4  # unit cost assumed when the seller has not typed one (share of price)
DEFAULT_REFERRAL = 0.15
Progress = Callable[[float, str], None]


class NoModel(RuntimeError):
    """No trained model version exists yet for the seller."""


def recommend_seller(
    session: Session,
    account: SellerAccount,
    today: dt.date | None = None,
    progress: Progress | None = None,
    seed: int = 0,
) -> list[Recommendation]:
    """Compute and store current recommendations for every active SKU; caller commits."""
    say = progress or (lambda _p, _m: None)
    version = queries.latest_model(session, account.tenant_id, account.id)
    if version is None or version.artifact is None:
        raise NoModel(f"{account.name}: no trained model yet; run training first")
    model = load_model(version.artifact)
    cutoff = version.cutoff or dt.date.today()
    today = today or (cutoff + dt.timedelta(days=1))
    products = session.scalars(
        select(Product)
        .where(
            Product.tenant_id == account.tenant_id,
            Product.seller_account_id == account.id,
            Product.active.is_(True),
        )
        .order_by(Product.sku)
    ).all()
    stock = latest_stock(session, account.tenant_id, account.id)
    inbound = inbound_for_seller(session, account, today)
    fees = fee_estimates(session, account.tenant_id, account.id)
    review = account.review_days or 7
    longest = max([p.lead_time_days for p in products] or [30])
    horizon = longest + review + PATH_MARGIN_DAYS
    say(0.2, f"sampling demand for {len(products)} SKUs")
    paths = model.sample_paths(horizon, n_paths=N_PATHS, seed=seed)
    offset = max(0, (today - cutoff).days - 1)

    items, notes = [], {}
    for p in products:
        s = stock.get(p.sku)
        fee = fees.get(p.sku)
        price = p.price or (fee.price if fee else None) or 0.0
        note = []
        unit_cost = p.unit_cost
        if unit_cost is None:
            unit_cost = DEFAULT_COST_SHARE * price
            note.append("unit cost not set: assumed 40% of price")
        referral = DEFAULT_REFERRAL
        if fee and fee.referral_fee and price:
            referral = float(fee.referral_fee) / float(price)
        multiple, target = stockout_policy(
            p.stockout_cost_multiple,
            p.in_stock_target_pct,
            account.stockout_cost_multiple,
            account.in_stock_target_pct,
        )
        sku_paths = paths.get(p.sku)
        if sku_paths is None:
            sku_paths = np.zeros((1, horizon))
            note.append("no sales history: no demand forecast")
        items.append(
            SkuPlanInput(
                sku=p.sku,
                demand_paths=np.asarray(sku_paths)[:, offset:],
                on_hand=int(s.fulfillable) if s else 0,
                reserved=int(s.reserved) if s else 0,
                inbound=inbound.get(p.sku, []),
                lead_time_days=p.lead_time_days,
                lead_time_std_days=float(p.lead_time_spread_days or 0),
                review_days=review,
                unit_cost=float(unit_cost),
                sale_price=float(price),
                fulfillment_fee=float(fee.fulfillment_fee) if fee and fee.fulfillment_fee else 0.0,
                referral_rate=referral,
                cubic_feet=float(p.cubic_feet or 0.05),
                size_tier=p.size_tier or "large_standard",
                case_pack=max(1, p.case_pack or 1),
                moq=max(0, p.moq or 0),
                stockout_cost_multiple=multiple,
                in_stock_target=target,
            )
        )
        notes[p.sku] = note
    capacity = {}
    if account.capacity_standard_cuft:
        capacity["standard"] = float(account.capacity_standard_cuft)
    if account.capacity_bulky_cuft:
        capacity["oversize"] = float(account.capacity_bulky_cuft)
    say(0.4, "pricing candidate shipments")
    recs = recommend_batch(
        items,
        today,
        FeeSchedule(overrides=account.fee_overrides or None),
        capacity_cuft=capacity or None,
        seed=seed,
    )
    session.execute(
        update(Recommendation)
        .where(
            Recommendation.tenant_id == account.tenant_id,
            Recommendation.seller_account_id == account.id,
            Recommendation.is_current.is_(True),
        )
        .values(is_current=False)
    )
    now = utcnow()
    out = []
    for rec in recs:
        row = _row(rec, account, version.id, now, notes.get(rec.sku, []))
        session.add(row)
        out.append(row)
    session.flush()
    say(1.0, f"{len(out)} recommendations")
    return out


def _row(
    rec: Any, account: SellerAccount, version_id: int, now: dt.datetime, notes: list[str]
) -> Recommendation:
    """The stored recommendation: every field copied from the one timeline."""
    tl = rec.timeline
    if tl is None:  # recommend_batch runs with details: a timeline per SKU
        raise RuntimeError(f"{rec.sku}: recommendation without a timeline")
    stored = tl.to_dict(columns=True)
    stored["notes"] = list(notes)
    return Recommendation(
        tenant_id=account.tenant_id,
        seller_account_id=account.id,
        sku=rec.sku,
        computed_at=now,
        is_current=True,
        model_version_id=version_id,
        quantity=int(tl.quantity),
        ship_by=tl.ship_by,
        runs_out_on=tl.runs_out_on,
        status=tl.status.value,
        days_of_cover_without=_finite(tl.cover_days_without),
        days_of_cover_with=_finite(tl.cover_days_with),
        stockout_probability=float(tl.stockout_prob_before_arrival),
        cost_breakdown={
            "with": {k: round(v, 2) for k, v in rec.expected_cost_with.items()},
            "without": {k: round(v, 2) for k, v in rec.expected_cost_without.items()},
            "stockout_prob_next_cycle": rec.stockout_prob_next_cycle,
            "unconstrained_quantity": int(tl.unconstrained_quantity),
            "capacity_limited": bool(tl.capacity_limited),
            "as_of": tl.as_of.isoformat(),
        },
        explanation=tl.explanation,
        timeline=stored,
    )


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
