"""Real stored timelines for seeded SKUs: each scenario's stock and inbound planned by forecasting
and stored the way the planner stores it (app.planning.recommend), so pages read what a run
would write rather than hand-made numbers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy import select, update

from forecasting.fees import FeeSchedule
from forecasting.inbound import Inbound
from forecasting.policy import SkuPlanInput, recommend

# scenario -> (fulfillable, demand per day, lead time, inbound as (units, days from today or
# None, status)); the status each one is expected to get is checked by the tests that use it.
SCENARIOS: dict[str, tuple[int, float, int, list[tuple[int, int | None, str]]]] = {
    "out_of_stock": (0, 5.0, 30, [(492, 12, "SHIPPED")]),
    "stockout_before_arrival": (60, 5.0, 30, []),
    "ship_by": (200, 5.0, 10, []),
    "excess": (3000, 2.0, 30, []),
    "receiving": (0, 5.0, 30, [(90, 0, "RECEIVING")]),
    "estimated": (120, 5.0, 30, [(150, None, "IN_TRANSIT")]),
    "healthy": (400, 5.0, 10, []),
}


def plan(session: Any, products: list[Any], scenarios: list[str], today: dt.date) -> dict[str, str]:
    """Give products[i] the i-th scenario: its newest snapshot, and a current recommendation
    with its timeline planned by forecasting; returns sku -> scenario."""
    from app.models import InventorySnapshot, Recommendation, SellerAccount
    from app.planning.recommend import _row

    out = {}
    for i, (product, name) in enumerate(zip(products, scenarios, strict=False)):
        on_hand, rate, lead, inbound = SCENARIOS[name]
        shipments = [
            Inbound(
                units,
                today + dt.timedelta(days=d) if d is not None else None,
                status,
                f"FBA{i:04d}{k}",
                "amazon" if d is not None else "estimated",
            )
            for k, (units, d, status) in enumerate(inbound)
        ]
        # The SKU's own settings say the scenario's lead time, as the planner would read it.
        product.lead_time_production_days, product.lead_time_transit_days = lead, 0
        product.lead_time_receiving_days = 0
        paths = np.random.default_rng(i).poisson(rate, size=(200, 200)).astype(float)
        item = SkuPlanInput(
            sku=product.sku,
            demand_paths=paths,
            on_hand=on_hand,
            inbound=shipments,
            lead_time_days=lead,
            unit_cost=float(product.unit_cost or 8.0),
            sale_price=float(product.price or 25.0),
            fulfillment_fee=4.0,
            cubic_feet=0.14,
            size_tier="large_standard",
            case_pack=max(1, product.case_pack or 1),
            moq=max(0, product.moq or 0),
        )
        rec = recommend(item, today, FeeSchedule())
        account = session.get(SellerAccount, product.seller_account_id)
        old = session.scalar(
            select(Recommendation).where(
                Recommendation.tenant_id == product.tenant_id,
                Recommendation.seller_account_id == product.seller_account_id,
                Recommendation.sku == product.sku,
                Recommendation.is_current.is_(True),
            )
        )
        session.execute(
            update(Recommendation)
            .where(
                Recommendation.tenant_id == product.tenant_id,
                Recommendation.seller_account_id == product.seller_account_id,
                Recommendation.sku == product.sku,
            )
            .values(is_current=False)
        )
        row = _row(rec, account, old.model_version_id if old else None, _now(), [])
        session.add(row)
        snap = session.scalar(
            select(InventorySnapshot)
            .where(
                InventorySnapshot.tenant_id == product.tenant_id,
                InventorySnapshot.seller_account_id == product.seller_account_id,
                InventorySnapshot.sku == product.sku,
            )
            .order_by(InventorySnapshot.date.desc())
            .limit(1)
        )
        if snap is not None:
            snap.fulfillable = on_hand
            snap.inbound_working = 0
            snap.inbound_receiving = sum(u for u, _, s in inbound if s == "RECEIVING")
            snap.inbound_shipped = sum(u for u, _, s in inbound if s != "RECEIVING")
        out[product.sku] = name
    session.flush()
    return out


def _now() -> dt.datetime:
    # After the seed's own computed_at, so the planned row is the newest.
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)


def api_token(session: Any, seeded: dict[str, Any]) -> str:
    """A bearer token of the seeded owner (the digest stored as `tokens create` stores it)."""
    from app.models import ApiToken
    from app.models.tenancy import hash_token

    secret = ApiToken.generate()
    session.add(
        ApiToken(
            tenant_id=seeded["tenant"].id,
            user_id=seeded["user"].id,
            name="pages",
            token_hash=hash_token(secret),
        )
    )
    session.flush()
    return secret
