"""Seeds one tenant with realistic planning data (loaded by path from the web test conftests)."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

from sqlalchemy import insert

PASSWORD = "correct horse 9"
ADJECTIVES = (
    "Bamboo",
    "Stainless steel",
    "Silicone",
    "Organic cotton",
    "Ceramic",
    "Glass",
    "Cast iron",
    "Linen",
    "Recycled",
    "Copper",
)
NOUNS = (
    "cutting board",
    "mixing bowl set",
    "tea towel",
    "spice jar",
    "water bottle",
    "lunch box",
    "coffee scoop",
    "baking mat",
    "storage container",
    "pour-over kettle",
    "utensil holder",
)


def seed(
    session: Any,
    name: str = "Acme",
    n_skus: int = 12,
    days: int = 90,
    horizon: int = 60,
    skus: list[str] | None = None,
    titles: list[str] | None = None,
    build_summaries: bool = True,
) -> dict[str, Any]:
    """A tenant, owner, seller, products, orders, snapshots, a model with forecasts, recs."""
    from app.models import (
        AmazonRestockRecommendation,
        FeeEstimate,
        FeeEvent,
        Forecast,
        InventorySnapshot,
        JobRecord,
        Membership,
        ModelVersion,
        Order,
        OrderItem,
        Product,
        Recommendation,
        SellerAccount,
        Tenant,
        User,
    )
    from app.sync import daily

    rng = random.Random(7)
    today = dt.datetime.now(dt.UTC).date()
    tenant = Tenant(name=name)
    user = User(email=f"owner@{name.lower()}.example")
    user.set_password(PASSWORD)
    session.add_all([tenant, user])
    session.flush()
    session.add(Membership(tenant_id=tenant.id, user_id=user.id, role="owner"))
    seller = SellerAccount(
        tenant_id=tenant.id,
        name=f"{name} US",
        lwa_client_id="amzn1.application-oa2-client.test",
        lwa_client_secret="client-secret-value",
        refresh_token="Atzr|refresh-token-value",
        capacity_standard_cuft=400.0,
    )
    session.add(seller)
    session.flush()
    t, s = tenant.id, seller.id
    skus = skus or [f"{name[:3].upper()}-{i:04d}" for i in range(n_skus)]
    titles = titles or [
        f"{ADJECTIVES[i % len(ADJECTIVES)]} {NOUNS[(i * 7) % len(NOUNS)]}, {2 + i % 5}-pack"
        for i in range(len(skus))
    ]
    products = []
    for i, sku in enumerate(skus):
        products.append(
            Product(
                tenant_id=t,
                seller_account_id=s,
                sku=sku,
                title=titles[i],
                asin=f"B0{i:08d}",
                fnsku=f"X0{i:08d}",
                unit_cost=4.0 + i % 7,
                price=19.99 + i % 5,
                length_in=10,
                width_in=6,
                height_in=4,
                case_pack=(12 if i % 3 == 0 else 1),
                moq=(24 if i % 4 == 0 else 0),
                lead_time_production_days=14,
                lead_time_transit_days=21,
                lead_time_receiving_days=7,
                size_tier="Large standard",
            )
        )
    session.add_all(products)
    session.flush()
    mv = ModelVersion(tenant_id=t, seller_account_id=s, cutoff=today, status="ready")
    session.add(mv)
    session.flush()
    orders, items, snaps, fcs, recs = [], [], [], [], []
    for i, sku in enumerate(skus):
        level = 2 + (i * 7) % 15
        stock = 40 + (i * 37) % 300
        for k in range(days):
            day = today - dt.timedelta(days=days - 1 - k)
            out = i % 4 == 1 and days - 30 <= k < days - 22  # some SKUs had a stockout
            units = 0 if out else max(0, int(rng.gauss(level * (1 + 0.2 * math.sin(k / 9)), 2)))
            if units:
                oid = f"{i:03d}-{k:07d}-{s:07d}"
                ts = dt.datetime.combine(day, dt.time(15, 0), dt.UTC)
                orders.append(
                    {
                        "tenant_id": t,
                        "seller_account_id": s,
                        "amazon_order_id": oid,
                        "purchase_date": ts,
                        "last_update_date": ts,
                        "status": "Shipped",
                    }
                )
                items.append(
                    {
                        "tenant_id": t,
                        "seller_account_id": s,
                        "amazon_order_id": oid,
                        "order_item_id": f"I{oid}",
                        "sku": sku,
                        "quantity_ordered": units,
                        "quantity_shipped": units,
                        "item_price": 19.99 * units,
                    }
                )
            snaps.append(
                {
                    "tenant_id": t,
                    "seller_account_id": s,
                    "sku": sku,
                    "date": day,
                    "fulfillable": 0 if out else stock,
                    "inbound_shipped": (24 if i % 5 == 0 else 0),
                    "source": "ledger",
                }
            )
        for k in range(1, horizon + 1):
            mean = level * (1 + 0.2 * math.sin((days + k) / 9))
            fcs.append(
                {
                    "tenant_id": t,
                    "seller_account_id": s,
                    "model_version_id": mv.id,
                    "sku": sku,
                    "date": today + dt.timedelta(days=k),
                    "mean": mean,
                    "p10": mean * 0.6,
                    "p50": mean * 0.95,
                    "p90": mean * 1.5,
                }
            )
        pack = products[i].case_pack
        qty = 0 if i % 6 == 2 else math.ceil(level * 30 / pack) * pack
        qty = max(qty, products[i].moq) if qty else 0
        recs.append(
            {
                "tenant_id": t,
                "seller_account_id": s,
                "sku": sku,
                "model_version_id": mv.id,
                "computed_at": dt.datetime.now(dt.UTC),
                "is_current": True,
                "quantity": qty,
                # The planner's rule: a ship-by date exactly when something is to ship.
                "ship_by": today + dt.timedelta(days=3 + i % 20) if qty else None,
                "days_of_cover_without": round(stock / level, 1),
                "days_of_cover_with": round((stock + qty) / level, 1),
                "stockout_probability": round(0.1 + (i % 5) / 10, 2),
                "status": ("ship_by" if qty else "healthy") if stock else "out_of_stock",
                "cost_breakdown": {
                    "with": {"lost_margin": 12.5 + i, "storage": 14.2, "aged": 0.0, "capital": 6.1},
                    "without": {
                        "lost_margin": 220.0 + i,
                        "storage": 3.1,
                        "aged": 0.0,
                        "capital": 0.0,
                    },
                    "stockout_prob_next_cycle": 0.05,
                    "capacity_limited": False,
                },
                "explanation": f"Ship {qty} now: stock runs out in about {stock // level} days.",
            }
        )
    for model, rows in (
        (Order, orders),
        (OrderItem, items),
        (InventorySnapshot, snaps),
        (Forecast, fcs),
        (Recommendation, recs),
    ):
        if rows:
            session.execute(insert(model), rows)
    daily.rebuild(session, t, s)  # the daily units the orders sync would have written
    session.add(
        FeeEstimate(
            tenant_id=t,
            seller_account_id=s,
            sku=skus[0],
            price=19.99,
            fulfillment_fee=5.4,
            referral_fee=3.0,
            total_fees=8.4,
        )
    )
    session.add(
        FeeEvent(
            tenant_id=t,
            seller_account_id=s,
            event_key=f"k-{s}",
            event_kind="shipment",
            sku=skus[0],
            fee_type="FBAPerUnitFulfillmentFee",
            amount=-5.4,
            posted_date=dt.datetime.now(dt.UTC) - dt.timedelta(days=3),
        )
    )
    session.add(
        AmazonRestockRecommendation(
            tenant_id=t,
            seller_account_id=s,
            sku=skus[0],
            recommended_quantity=300,
            alert="Reorder now",
        )
    )
    session.add(
        JobRecord(
            tenant_id=t,
            kind="sync:orders",
            seller_account_id=s,
            status="running",
            progress=0.4,
            message="page 4 of 10",
        )
    )
    session.flush()
    if build_summaries:
        # The dashboard's read model, as the recommend run that wrote these rows would leave it.
        from app import summaries

        summaries.refresh(session, seller)
        session.flush()
    return {
        "tenant": tenant,
        "user": user,
        "seller": seller,
        "products": products,
        "email": user.email,
        "password": PASSWORD,
        "model_version": mv,
    }
