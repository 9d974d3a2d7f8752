"""API fixtures: two businesses with data, a bearer token each, and a recorder of enqueued syncs."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.timeline import planned_timeline


@dataclass
class ApiWorld:
    """Tenant A (the caller) and tenant B (the neighbour), with ids of what each owns."""

    a: Any
    b: Any
    user_a: Any
    user_b: Any
    seller_a: Any
    seller_b: Any
    token_a: str
    token_b: str
    products: dict[str, Any] = field(default_factory=dict)
    product_b: Any = None
    model_version: Any = None
    recommendation: Any = None
    plan: Any = None
    plan_b: Any = None
    job: Any = None
    job_b: Any = None

    def headers(self, which: str = "a") -> dict[str, str]:
        """Authorization header of tenant A's (or B's) user."""
        token = self.token_a if which == "a" else self.token_b
        return {"Authorization": f"Bearer {token}"}


@functools.cache
def _password_hash() -> str:
    # Hashing is deliberately slow; the API never checks passwords, so hash once per run.
    from werkzeug.security import generate_password_hash

    return generate_password_hash("correct horse 9")


def make_user(session: Any, tenant: Any, email: str) -> Any:
    """A user who is an owner of `tenant`."""
    from app.models import Membership, User

    user = User(email=email, password_hash=_password_hash())
    session.add(user)
    session.flush()
    session.add(Membership(tenant_id=tenant.id, user_id=user.id, role="owner"))
    session.flush()
    return user


def make_token(session: Any, tenant: Any, user: Any, name: str = "test") -> str:
    """Store a token's digest and return the secret, as `tokens create` does."""
    from app.models import ApiToken
    from app.models.tenancy import hash_token

    secret = ApiToken.generate()
    session.add(
        ApiToken(tenant_id=tenant.id, user_id=user.id, name=name, token_hash=hash_token(secret))
    )
    session.flush()
    return secret


def seed_world(factory: Any, session: Any) -> ApiWorld:
    """Two tenants; A has SKUs, a trained model, forecasts, recommendations, a plan and jobs."""
    from app.models import (
        Forecast,
        InventorySnapshot,
        JobRecord,
        ModelVersion,
        Recommendation,
        ShipmentPlan,
        ShipmentPlanLine,
        utcnow,
    )

    a, b = factory.tenant("Acme"), factory.tenant("Bolt")
    user_a, user_b = make_user(session, a, "ann@acme.test"), make_user(session, b, "bo@bolt.test")
    seller_a, seller_b = factory.seller(a, "acme-us"), factory.seller(b, "bolt-us")
    world = ApiWorld(
        a=a,
        b=b,
        user_a=user_a,
        user_b=user_b,
        seller_a=seller_a,
        seller_b=seller_b,
        token_a=make_token(session, a, user_a),
        token_b=make_token(session, b, user_b),
    )
    specs = [
        ("MUG-RED", "Red mug", 12, 24, 3.5),
        ("MUG-BLUE", "Blue mug", 6, 0, 3.25),
        ("TEA-100", "Tea 100% leaf_mix", 1, 0, None),
    ]
    for sku, title, case_pack, moq, cost in specs:
        world.products[sku] = factory.product(
            seller_a, sku, title=title, case_pack=case_pack, moq=moq, unit_cost=cost, price=19.99
        )
    world.product_b = factory.product(seller_b, "B-ONLY", title="Bolt's", case_pack=1)
    now = utcnow()
    old = ModelVersion(
        tenant_id=a.id, seller_account_id=seller_a.id, trained_at=now - dt.timedelta(days=7)
    )
    new = ModelVersion(tenant_id=a.id, seller_account_id=seller_a.id, trained_at=now)
    session.add_all([old, new])
    session.flush()
    today = dt.date(2026, 11, 27)
    for mv, level in ((old, 1.0), (new, 5.0)):
        for d in range(3):
            session.add(
                Forecast(
                    tenant_id=a.id,
                    seller_account_id=seller_a.id,
                    model_version_id=mv.id,
                    sku="MUG-RED",
                    date=today + dt.timedelta(days=d),
                    mean=level,
                    p10=level - 1,
                    p50=level,
                    p90=level + 2,
                )
            )
    world.model_version = new
    # MUG-RED's recommendation is a real timeline's (10 on hand, 12 inbound, ~5 a day);
    # MUG-BLUE's has no timeline (a row from before the planner stored them).
    tl = planned_timeline("MUG-RED", today, on_hand=10, inbound=12, rate=5.0, case_pack=12, moq=24)
    world.timeline = tl
    statuses = {"MUG-RED": (tl.status.value, tl.quantity), "MUG-BLUE": ("excess", 0)}
    for sku, (status, qty) in statuses.items():
        session.add(
            Recommendation(
                tenant_id=a.id,
                seller_account_id=seller_a.id,
                sku=sku,
                computed_at=now - dt.timedelta(days=1),
                is_current=False,
                quantity=999,
                status="healthy",
            )
        )
        red = sku == "MUG-RED"
        rec = Recommendation(
            tenant_id=a.id,
            seller_account_id=seller_a.id,
            sku=sku,
            computed_at=now,
            model_version_id=new.id,
            quantity=qty,
            ship_by=tl.ship_by if red else None,
            runs_out_on=tl.runs_out_on if red else None,
            status=status,
            stockout_probability=tl.stockout_prob_before_arrival if red else 0.0,
            cost_breakdown={"holding": 1.5},
            explanation=tl.explanation if red else "test",
            timeline={**tl.to_dict(columns=True), "notes": ["unit cost set"]} if red else None,
        )
        session.add(rec)
        if red:
            world.recommendation = rec
    session.add(
        InventorySnapshot(
            tenant_id=a.id,
            seller_account_id=seller_a.id,
            sku="MUG-RED",
            date=today,
            fulfillable=10,
            inbound_shipped=12,
        )
    )
    plan = ShipmentPlan(tenant_id=a.id, seller_account_id=seller_a.id, name="Week 48")
    plan.lines.append(
        ShipmentPlanLine(tenant_id=a.id, seller_account_id=seller_a.id, sku="MUG-RED", quantity=24)
    )
    plan_b = ShipmentPlan(tenant_id=b.id, seller_account_id=seller_b.id, name="Bolt plan")
    world.job = JobRecord(tenant_id=a.id, kind="sync", seller_account_id=seller_a.id)
    world.job_b = JobRecord(tenant_id=b.id, kind="sync", seller_account_id=seller_b.id)
    session.add_all([plan, plan_b, world.job, world.job_b])
    session.flush()
    world.plan, world.plan_b = plan, plan_b
    return world


@pytest.fixture
def world(factory: Any, db_session: Any) -> ApiWorld:
    """Seeded and committed (to the test's savepoint), so a route's rollback cannot undo it."""
    seeded = seed_world(factory, db_session)
    db_session.commit()
    return seeded


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """Records `app.tasks.enqueue_sync` calls instead of starting syncs."""
    calls: list[tuple[int, str]] = []

    def record(seller_account_id: int, stream: str) -> int:
        calls.append((seller_account_id, stream))
        return 1000 + len(calls)  # enqueue_sync returns the JobRecord id

    from app import tasks

    monkeypatch.setattr(tasks, "enqueue_sync", record)
    return calls
