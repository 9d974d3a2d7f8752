"""Seller accounts: connect (secrets encrypted), webhook set-up, sync now, switching."""

from __future__ import annotations

from sqlalchemy import select, text

from app.models import SellerAccount


def _connect(web, token, **overrides):
    data = {
        "csrf_token": token(web, "/sellers/"),
        "name": "Acme CA",
        "marketplace": "CA",
        "lwa_client_id": "amzn1.application-oa2-client.abc",
        "lwa_client_secret": "very-secret-lwa",
        "refresh_token": "Atzr|very-secret-refresh",
        "endpoint_choice": "custom",
        "endpoint": "http://127.0.0.1:8100/",
        "token_url": "http://127.0.0.1:8100/auth/o2/token",
        "review_days": "14",
        "capacity_standard_cuft": "250",
        "capacity_bulky_cuft": "",
        "in_stock_target_pct": "97",
        "stockout_cost_multiple": "",
    }
    data.update(overrides)
    return web.post("/sellers/", data=data)


def test_connect_stores_secrets_encrypted(web, seeded, db_session, token, app) -> None:
    response = _connect(web, token)
    assert response.status_code == 302
    account = db_session.scalar(select(SellerAccount).where(SellerAccount.name == "Acme CA"))
    assert account.tenant_id == seeded["tenant"].id
    assert (account.marketplace_id, account.endpoint, account.review_days) == (
        "A2EUQ1WTGCTBG2",
        "http://127.0.0.1:8100",
        14,
    )
    assert account.capacity_standard_cuft == 250 and account.capacity_bulky_cuft is None
    # every SKU's stockout settings: a 97% floor, the planner's stockout cost
    assert (account.in_stock_target_pct, account.stockout_cost_multiple) == (97, None)
    raw = db_session.execute(
        text(
            "SELECT c.lwa_client_secret, c.refresh_token FROM seller_connections c "
            "JOIN seller_accounts a ON a.connection_id = c.id WHERE a.id = :i"
        ),
        {"i": account.id},
    ).one()
    assert "very-secret" not in raw[0] + raw[1] and account.refresh_token.startswith("Atzr|")
    page = web.get(f"/sellers/{account.id}").get_data(as_text=True)
    assert f"http://127.0.0.1:5000/webhooks/sp-api/{account.public_id}" in page
    assert account.webhook_secret in page
    # The stored LWA secret and refresh token are never sent back to the browser.
    assert "very-secret" not in page


def test_connect_validation(web, seeded, db_session, token) -> None:
    cases = [
        ({"lwa_client_secret": ""}, "Enter the lwa client secret."),
        ({"endpoint": ""}, "Enter the endpoint URL"),
        ({"endpoint": "http://[::1]:6379"}, "Port 6379 belongs to a database"),
        ({"endpoint": "https://169.254.169.254/"}, "resolves to a metadata address"),
        ({"token_url": "http://127.0.0.1:8100/t?x=1"}, "must not have a query string"),
        ({"review_days": "0"}, "Number must be between 1 and 90."),
        ({"in_stock_target_pct": "30"}, "Between 50 and 99%."),
        ({"name": seeded["seller"].name}, "You already have an account with this name."),
    ]
    for override, message in cases:
        response = _connect(web, token, **override)
        assert response.status_code == 422, override
        assert message in response.get_data(as_text=True), override
    names = db_session.scalars(select(SellerAccount.name)).all()
    assert names == [seeded["seller"].name]


def test_edit_keeps_secrets_when_left_blank(web, seeded, db_session, token) -> None:
    sid = seeded["seller"].id
    url = f"/sellers/{sid}"
    data = {
        "csrf_token": token(web, url),
        "name": "Renamed",
        "marketplace": "US",
        "lwa_client_id": "amzn1.application-oa2-client.test",
        "lwa_client_secret": "",
        "refresh_token": "",
        "endpoint_choice": "amazon",
        "endpoint": "",
        "token_url": "",
        "review_days": "7",
    }
    assert web.post(url, data=data).status_code == 302
    db_session.expire_all()
    account = db_session.get(SellerAccount, sid)
    assert account.name == "Renamed" and account.refresh_token == "Atzr|refresh-token-value"
    assert account.endpoint == "https://sellingpartnerapi-na.amazon.com"


def test_sync_now_enqueues_every_stream(web, seeded, token, monkeypatch) -> None:
    from app import tasks

    calls = []
    monkeypatch.setattr(
        tasks, "enqueue_sync", lambda sid, stream: calls.append((sid, stream)) or 1
    )
    sid = seeded["seller"].id
    response = web.post(f"/sellers/{sid}/sync", data={"csrf_token": token(web, f"/sellers/{sid}")})
    assert response.status_code == 302
    assert calls == [(sid, s) for s in ("orders", "inventory", "inbound", "reports", "fees", "awd")]


def test_rotate_webhook_secret_keeps_the_previous(web, seeded, db_session, token) -> None:
    sid = seeded["seller"].id
    old = seeded["seller"].webhook_secret
    web.post(
        f"/sellers/{sid}/rotate-webhook-secret", data={"csrf_token": token(web, f"/sellers/{sid}")}
    )
    db_session.expire_all()
    account = db_session.get(SellerAccount, sid)
    assert account.previous_webhook_secret == old and account.webhook_secret != old
    assert account.webhook_secret_rotated_at is not None


def test_switching_seller_accounts(web, seeded, db_session, token) -> None:
    _connect(web, token)
    other = db_session.scalar(select(SellerAccount).where(SellerAccount.name == "Acme CA"))
    web.post("/sellers/choose", data={"csrf_token": token(web, "/"), "seller": str(other.id)})
    page = web.get("/").get_data(as_text=True)
    assert "Acme CA" in page and "No SKUs match" in page
    assert (
        web.post(
            "/sellers/choose", data={"csrf_token": token(web, "/"), "seller": "999999"}
        ).status_code
        == 404
    )


def test_jobs_page_and_progress_json(web, seeded, db_session) -> None:
    from app.models import JobRecord

    job = db_session.scalar(select(JobRecord))
    page = web.get("/jobs/").get_data(as_text=True)
    assert f'data-job-id="{job.id}"' in page and "page 4 of 10" in page
    data = web.get(f"/jobs/{job.id}.json").get_json()
    assert data["progress"] == 0.4 and data["active"] is True and data["status"] == "running"
    many = web.get(f"/jobs/status.json?ids={job.id},x,99999").get_json()
    assert [j["id"] for j in many["jobs"]] == [job.id]
    assert web.get("/jobs/99999.json").status_code == 404


def _member(client, db_session, seeded, factory):
    from tests.support.web import login

    factory.user(seeded["tenant"], email="member@acme.example", role="member")
    db_session.commit()
    assert login(client, "member@acme.example", "correct horse 9").status_code == 302
    return client


def _settings(web, token, url, **overrides):
    data = {
        "csrf_token": token(web, url),
        "name": "Acme US",
        "marketplace": "US",
        "lwa_client_id": "amzn1.application-oa2-client.test",
        "lwa_client_secret": "",
        "refresh_token": "",
        "endpoint_choice": "amazon",
        "endpoint": "",
        "token_url": "",
        "review_days": "9",
    }
    data.update(overrides)
    return web.post(url, data=data)


def test_a_member_cannot_redirect_the_stored_credentials(
    client, seeded, db_session, token, factory
) -> None:
    """Finding 1: a member posted a new token URL with blank secrets and synced to steal them."""
    member = _member(client, db_session, seeded, factory)
    sid = seeded["seller"].id
    url = f"/sellers/{sid}"
    hostile = {
        "endpoint_choice": "custom",
        "endpoint": "http://127.0.0.1:9/",
        "token_url": "http://127.0.0.1:9/auth/o2/token",
        "lwa_client_id": "attacker",
        "marketplace": "DE",
    }
    response = _settings(member, token, url, **hostile)
    assert response.status_code == 302  # the planning settings a member may change are saved
    db_session.expire_all()
    account = db_session.get(SellerAccount, sid)
    assert account.review_days == 9
    assert (account.endpoint, account.token_url, account.lwa_client_id, account.marketplace) == (
        "https://sellingpartnerapi-na.amazon.com",
        "https://api.amazon.com/auth/o2/token",
        "amzn1.application-oa2-client.test",
        "US",
    )
    page = member.get(url).get_data(as_text=True)
    assert account.webhook_secret not in page and 'name="token_url"' not in page
    rotate = member.post(f"{url}/rotate-webhook-secret", data={"csrf_token": token(member, url)})
    assert rotate.status_code == 403
    connect = _connect(member, token)
    assert connect.status_code == 403
    assert db_session.scalar(select(SellerAccount).where(SellerAccount.name == "Acme CA")) is None
    # Members still see the accounts and may sync them.
    assert member.get("/sellers/").status_code == 200


def test_moving_an_account_needs_the_secrets_again(web, seeded, db_session, token) -> None:
    sid = seeded["seller"].id
    url = f"/sellers/{sid}"
    moved = {"endpoint_choice": "custom", "endpoint": "http://127.0.0.1:8100"}
    refused = _settings(web, token, url, **moved)
    assert refused.status_code == 422
    assert "Enter the lwa client secret to change the endpoint" in refused.get_data(as_text=True)
    token_only = _settings(web, token, url, token_url="http://127.0.0.1:8100/auth/o2/token")
    assert token_only.status_code == 422
    db_session.expire_all()
    assert db_session.get(SellerAccount, sid).endpoint == "https://sellingpartnerapi-na.amazon.com"
    secrets = {"lwa_client_secret": "new-secret", "refresh_token": "Atzr|new-refresh"}
    assert _settings(web, token, url, **moved, **secrets).status_code == 302
    db_session.expire_all()
    account = db_session.get(SellerAccount, sid)
    assert (
        account.endpoint == "http://127.0.0.1:8100" and account.refresh_token == "Atzr|new-refresh"
    )


def test_amazon_endpoint_follows_the_marketplace_region(web, seeded, db_session, token) -> None:
    secrets = {"lwa_client_secret": "s", "refresh_token": "Atzr|r"}
    url = f"/sellers/{seeded['seller'].id}"
    assert _settings(web, token, url, marketplace="DE", **secrets).status_code == 302
    db_session.expire_all()
    account = db_session.get(SellerAccount, seeded["seller"].id)
    assert account.endpoint == "https://sellingpartnerapi-eu.amazon.com"
