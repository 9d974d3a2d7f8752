"""A seller in US and CA (the simulator's --marketplace US,CA) connected once, synced and planned
per marketplace: one connection with the credentials stored once, two accounts, dollars and
Canadian dollars never mixed (orders, fees, recommendations, pages, API), one pacing budget."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.support.web import login

TODAY = dt.date(2026, 10, 14)


@pytest.fixture(scope="module")
def na_sim() -> Iterator[Any]:
    from simulator.testing import running_simulator

    with running_simulator(
        seed=23, skus=8, history_days=90, today=TODAY, rate_scale=1000, marketplace="US,CA"
    ) as running:
        yield running


def _fast(app: Any) -> None:
    app.config.update(SPAPI_RATE_SCALE=1000, SPAPI_BACKOFF_BASE=0.02, SPAPI_TIMEOUT=10)


def _add(app: Any, sim: Any, marketplaces: str, name: str = "north") -> Any:
    creds = sim.sellers[0]
    args = [
        "sellers", "add", "--name", name, "--marketplace", marketplaces,
        "--endpoint", sim.base_url, "--token-url", sim.token_url,
        "--refresh-token", creds["refresh_token"], "--client-id", creds["client_id"],
        "--client-secret", creds["client_secret"], "--tenant", "na",
    ]  # fmt: skip
    return app.test_cli_runner().invoke(args=args)


@pytest.mark.slow
def test_us_and_ca_sync_and_plan_apart_in_their_currencies(live_app, na_sim) -> None:
    from app.extensions import db
    from app.models import (
        FeeEvent,
        Membership,
        OrderItem,
        Recommendation,
        SellerAccount,
        SellerConnection,
        User,
    )
    from app.sync.clients import client_for
    from app.tasks import recommend_for_seller, retrain_seller, run_sync

    _fast(live_app)
    result = _add(live_app, na_sim, "US,CA")
    assert result.exit_code == 0, result.output
    accounts = db.session.scalars(select(SellerAccount).order_by(SellerAccount.id)).all()
    assert [(a.name, a.marketplace, a.currency) for a in accounts] == [
        ("north US", "US", "USD"),
        ("north CA", "CA", "CAD"),
    ]
    us, ca = accounts
    # One connection: the credentials once, encrypted; the same pacing buckets for both.
    assert us.connection_id == ca.connection_id
    assert db.session.scalar(select(func.count()).select_from(SellerConnection)) == 1
    raw = db.session.execute(text("SELECT refresh_token FROM seller_connections")).scalar()
    assert na_sim.sellers[0]["refresh_token"] not in raw
    assert na_sim.sellers[0]["client_secret"] not in result.output
    us_client, ca_client = client_for(us, live_app.config), client_for(ca, live_app.config)
    try:
        assert us_client.pacer.seller_key == ca_client.pacer.seller_key
        assert us_client.config.marketplace_id == "ATVPDKIKX0DER"
        assert ca_client.config.marketplace_id == "A2EUQ1WTGCTBG2"
    finally:
        us_client.close()
        ca_client.close()

    for account in (us, ca):
        for stream in ("orders", "inventory", "reports", "fees"):
            outcome = run_sync(account.id, stream)
            assert outcome["status"] == "succeeded", (account.marketplace, stream, outcome)

    # Each account holds its own marketplace's orders, in its currency, and only those.
    def values(column: Any, account: Any) -> set[Any]:
        return set(db.session.scalars(select(column).where(
            column.class_.seller_account_id == account.id)))  # fmt: skip

    worlds = [m.world for m in na_sim.marketplace.sellers[0].marketplaces]
    for account, currency, world in ((us, "USD", worlds[0]), (ca, "CAD", worlds[1])):
        assert values(OrderItem.currency, account) == {currency}, account.marketplace
        # The financial events span both marketplaces; each account keeps its own.
        assert values(FeeEvent.currency, account) == {currency}, account.marketplace
        assert values(OrderItem.sku, account) <= set(world.catalog["sku"])
    us_orders = values(OrderItem.amazon_order_id, us)
    ca_orders = values(OrderItem.amazon_order_id, ca)
    assert us_orders and ca_orders and not us_orders & ca_orders

    for account in (us, ca):
        trained = retrain_seller(account.id)
        assert "model_version_id" in trained, trained
        assert recommend_for_seller(account.id)["recommendations"] > 0
    # (retrain also queues a recommend, which may run beside this one: count SKUs, not rows)
    recs = {
        a.marketplace: db.session.scalar(
            select(func.count(func.distinct(Recommendation.sku))).where(
                Recommendation.seller_account_id == a.id, Recommendation.is_current))  # fmt: skip
        for a in (us, ca)
    }
    assert recs["US"] > 0 and recs["CA"] > 0

    # The pages and the API: each account in its money, the overview never adds them up.
    from app.models import ApiToken
    from app.models.tenancy import hash_token

    user = User(email="owner@na.example")
    user.set_password("correct horse 9")
    db.session.add(user)
    db.session.flush()
    db.session.add(Membership(tenant_id=us.tenant_id, user_id=user.id, role="owner"))
    secret = ApiToken.generate()
    db.session.add(
        ApiToken(tenant_id=us.tenant_id, user_id=user.id, name="t", token_hash=hash_token(secret))
    )
    db.session.commit()
    web = live_app.test_client()
    api = {"Authorization": f"Bearer {secret}"}
    sellers = web.get("/api/v1/sellers", headers=api).get_json()["data"]
    assert {(s["marketplace"], s["currency"]) for s in sellers} == {("US", "USD"), ("CA", "CAD")}
    for account, currency in ((us, "USD"), (ca, "CAD")):
        listed = web.get(
            f"/api/v1/recommendations?seller={account.id}&limit=200", headers=api
        ).get_json()
        assert listed["pagination"]["total"] == recs[account.marketplace]
        assert {r["currency"] for r in listed["data"]} == {currency}
        assert {r["seller_account_id"] for r in listed["data"]} == {account.id}
    assert login(web, "owner@na.example", "correct horse 9").status_code == 302
    page = web.get("/marketplaces/").get_data(as_text=True)
    assert "north US" in page and "north CA" in page
    assert 'data-currency-total="USD"' in page and 'data-currency-total="CAD"' in page
    assert 'id="converted-total"' not in page  # no rates entered: nothing converted
    # Each marketplace's dashboard is its own, in its currency.
    from tests.support.web import csrf_token

    token = csrf_token(web, "/")
    web.post("/sellers/choose", data={"csrf_token": token, "seller": str(ca.id)})
    dashboard = web.get("/").get_data(as_text=True)
    assert "north CA" in dashboard


@pytest.mark.slow
def test_a_ca_report_reaching_the_us_account_is_handed_to_ca(live_app, na_sim, monkeypatch):
    import app.tasks as tasks
    from app.extensions import db
    from app.models import AmazonRestockRecommendation, SellerAccount
    from app.sync.clients import client_for
    from integrations.amazon import reports as rp

    _fast(live_app)
    assert _add(live_app, na_sim, "US,CA").exit_code == 0
    us, ca = db.session.scalars(select(SellerAccount).order_by(SellerAccount.id)).all()
    client = client_for(ca, live_app.config)
    try:
        report_id = client.create_report(rp.RESTOCK)
        client.wait_report(report_id)
    finally:
        client.close()
    handed: list[tuple[Any, ...]] = []
    monkeypatch.setattr(tasks, "enqueue_report", lambda *args: handed.append(args) or 1)
    # The forwarder posted the CA report's notification to the US account's URL.
    assert tasks.fetch_report(us.id, report_id, rp.RESTOCK)["rows_written"] == 0
    assert handed == [(ca.id, report_id, rp.RESTOCK)]

    def rows(account: Any) -> int:
        table = AmazonRestockRecommendation
        mine = table.seller_account_id == account.id
        return db.session.scalar(select(func.count()).select_from(table).where(mine))

    assert rows(us) == 0
    assert tasks.fetch_report(ca.id, report_id, rp.RESTOCK)["rows_written"] > 0
    assert rows(ca) > 0 and rows(us) == 0
