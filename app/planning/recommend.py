"""Recompute shipment recommendations for a seller from its latest model and inventory.

Each SKU's projected inventory timeline (forecasting.timeline, built by recommend_batch) is the
one source of the row: quantity, ship_by, runs_out_on, status, cover, stockout probability and
the explanation are copied from it, and it is stored whole (`Recommendation.timeline`, compact
columns) for the SKU page, the dashboard and GET /api/v1/skus/{id}/timeline. Inbound shipments
come with their own arrival dates (app.planning.arrivals); they are never counted as on hand.
The app's own remarks (unit cost assumed, no history) go to the timeline's `notes`, apart from
the explanation, whose every number is a field of the timeline.

Two-stage SKUs (supplier terms or stock upstream, app.planning.supply): the FBA shipment is
capped by the units upstream, the timeline carries the upstream position (`upstream`, with the
locations and arrivals behind it), and `recommendation.supplier_order` the supplier order
(null for every other SKU, and for one that needs no order); its quantity, supplier and
order-by date are copied to the row's reorder_* columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app import queries, summaries
from app.extensions import defer_write_lock
from app.models import Product, Recommendation, SellerAccount, utcnow
from app.money import seller_formatter
from app.planning import supply
from app.planning.arrivals import inbound_for_seller
from app.planning.data import fee_estimates, latest_stock
from app.planning.fee_cards import priced_by
from app.planning.settings import stockout_policy
from app.planning.versions import load_model
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
    """Compute and store current recommendations for every active SKU; caller commits.

    Callers hold `app.tasks.recommend_lock` around this and the commit, one run per seller.
    """
    say = progress or (lambda _p, _m: None)
    defer_write_lock(session)  # SQLite: no write lock while the paths are drawn and priced
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
    book = supply.load(session, account)
    card = priced_by(session, account)
    review = account.review_days or 7
    longest = max([p.lead_time_days for p in products] or [30])
    horizon = longest + review + PATH_MARGIN_DAYS
    say(0.2, f"sampling demand for {len(products)} SKUs")
    paths = model.sample_paths(horizon, n_paths=N_PATHS, seed=seed)
    offset = max(0, (today - cutoff).days - 1)

    items, notes = [], {}
    ups: dict[str, supply.UpstreamPlan] = {}
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
        up = supply.upstream_plan(book, p, today) if book.two_stage(p.sku) else None
        if up is not None:
            ups[p.sku] = up
            note.extend(up.notes)
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
                upstream_on_hand=up.on_hand if up is not None else None,
                upstream_holding_per_cuft_month=(
                    up.holding_per_cuft_month if up is not None else None
                ),
                upstream_arrivals=up.arrivals if up is not None else (),
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
    schedule = card.schedule
    recs = recommend_batch(
        items,
        today,
        schedule,
        capacity_cuft=capacity or None,
        seed=seed,
    )
    if ups:
        say(0.8, f"pricing supplier orders for {len(ups)} SKUs")
    orders: dict[str, dict[str, Any] | None] = {}
    by_sku = {p.sku: p for p in products}
    # One formatter for the run: whether the business writes US$ / CA$ is asked of the
    # database once, not once per SKU.
    order_money = seller_formatter(account, digits=0) if ups else None
    for item in items:
        up = ups.get(item.sku)
        if up is None:
            continue
        ctx, why = supply.supply_input(book, by_sku[item.sku], item, up, today)
        notes[item.sku].extend(why)
        if ctx is not None:
            orders[item.sku] = supply.decide_order(
                ctx, today, schedule, book.currency, order_money
            )[1]
    # Runs hold the seller's recommend lock (app.tasks.recommend_lock); this orders any two
    # transactions that still swap at once. Unordered, neither UPDATE sees the other's new rows
    # and both sets stay current. With the account row locked first, PostgreSQL makes the second
    # wait here for the first's commit, and its UPDATE (a new snapshot) then retires those rows;
    # SQLite ignores FOR UPDATE and has one writer at a time anyway.
    session.execute(
        select(SellerAccount.id).where(SellerAccount.id == account.id).with_for_update()
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
        up = ups.get(rec.sku)
        row = _row(
            rec,
            account,
            version.id,
            now,
            notes.get(rec.sku, []),
            up.detail if up is not None else None,
            orders.get(rec.sku),
            card.source,
        )
        session.add(row)
        out.append(row)
    session.flush()
    summaries.refresh(session, account)  # the dashboard's rows, committed with these
    say(1.0, f"{len(out)} recommendations")
    return out


def _row(
    rec: Any,
    account: SellerAccount,
    version_id: int,
    now: dt.datetime,
    notes: list[str],
    upstream: dict[str, Any] | None = None,
    order: dict[str, Any] | None = None,
    fee_card: str = "",
) -> Recommendation:
    """The stored recommendation: every field copied from the one timeline (and which fee card
    priced it, app.planning.fee_cards)."""
    tl = rec.timeline
    if tl is None:  # recommend_batch runs with details: a timeline per SKU
        raise RuntimeError(f"{rec.sku}: recommendation without a timeline")
    stored = tl.to_dict(columns=True)
    stored["notes"] = list(notes)
    if stored.get("upstream") is not None and upstream is not None:
        stored["upstream"].update(upstream)
    stored["recommendation"]["supplier_order"] = order
    stored["fee_card"] = fee_card
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
            "upstream_limited": bool(tl.upstream_limited),
            "as_of": tl.as_of.isoformat(),
            "fee_card": fee_card,
        },
        explanation=tl.explanation,
        timeline=stored,
        reorder_by=dt.date.fromisoformat(order["order_by"]) if order else None,
        reorder_quantity=int(order["quantity"]) if order else None,
        reorder_supplier_id=int(order["supplier_id"]) if order else None,
    )


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
