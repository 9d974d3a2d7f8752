"""Every page route that takes an id answers 404 to another tenant (walks the URL map)."""

from __future__ import annotations

from sqlalchemy import select

from app.models import JobRecord, ShipmentPlan, ShipmentPlanLine

PAGE_BLUEPRINTS = ("auth", "dashboard", "sellers", "skus", "plans", "jobs_ui")


def test_tenant_b_gets_404_for_tenant_a_ids(app, client, db_session, seeded, token) -> None:
    a = seeded
    plan = ShipmentPlan(tenant_id=a["tenant"].id, seller_account_id=a["seller"].id, name="A plan")
    plan.lines = [
        ShipmentPlanLine(
            tenant_id=a["tenant"].id,
            seller_account_id=a["seller"].id,
            sku=a["products"][0].sku,
            quantity=12,
        )
    ]
    db_session.add(plan)
    db_session.commit()
    ids = {
        "product_id": a["products"][0].id,
        "seller_id": a["seller"].id,
        "plan_id": plan.id,
        "job_id": db_session.scalar(select(JobRecord.id)),
    }
    # Tenant B, with its own data, logs in.
    from tests.support import seed as seed_data
    from tests.support import web as helpers

    b = seed_data.seed(db_session, "Bravo", n_skus=2, days=5, horizon=5)
    db_session.commit()
    assert helpers.login(client, b["email"], b["password"]).status_code == 302
    csrf = token(client, "/")
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] not in PAGE_BLUEPRINTS or not rule.arguments:
            continue
        unknown = set(rule.arguments) - set(ids)
        assert not unknown, f"{rule.rule}: add an id for {unknown} to this test"
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", str(ids[arg]))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": csrf})
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
    assert checked >= 12
    # And tenant A's data is untouched.
    db_session.expire_all()
    assert db_session.get(ShipmentPlan, plan.id) is not None
