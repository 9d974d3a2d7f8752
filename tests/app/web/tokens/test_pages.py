"""API tokens from the web: owners create (shown once) and revoke; members cannot."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from app.models import ApiToken
from tests.support.web import login

SECRET = re.compile(r"<code class=\"token\" data-token>([^<]+)</code>")


def _create(client: Any, token: Any, name: str = "reporting script") -> Any:
    return client.post("/tokens/", data={"csrf_token": token(client, "/tokens/"), "name": name})


def _api(client: Any, secret: str) -> int:
    return int(
        client.get("/api/v1/sellers", headers={"Authorization": f"Bearer {secret}"}).status_code
    )


def test_owner_creates_a_token_shown_once_that_authenticates(
    web, token, db_session, seeded
) -> None:
    response = _create(web, token)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    (secret,) = SECRET.findall(page)
    row = db_session.scalars(select(ApiToken).where(ApiToken.name == "reporting script")).one()
    assert row.tenant_id == seeded["tenant"].id and row.user_id == seeded["user"].id
    assert secret not in row.token_hash
    assert _api(web, secret) == 200
    listing = web.get("/tokens/").get_data(as_text=True)
    assert "reporting script" in listing and secret not in listing and not SECRET.search(listing)


def test_owner_revokes_a_token_and_it_stops_working(web, token, db_session) -> None:
    (secret,) = SECRET.findall(_create(web, token).get_data(as_text=True))
    row = db_session.scalars(select(ApiToken).where(ApiToken.name == "reporting script")).one()
    response = web.post(f"/tokens/{row.id}/revoke", data={"csrf_token": token(web, "/tokens/")})
    assert response.status_code == 302
    db_session.refresh(row)
    assert row.revoked_at is not None
    assert _api(web, secret) == 401
    assert "revoked" in web.get("/tokens/").get_data(as_text=True)


def test_blank_name_or_missing_csrf_creates_nothing(web, token, db_session) -> None:
    before = db_session.scalar(select(func.count()).select_from(ApiToken))
    assert _create(web, token, name="   ").status_code == 400
    assert web.post("/tokens/", data={"name": "no csrf"}).status_code == 400
    assert db_session.scalar(select(func.count()).select_from(ApiToken)) == before


def test_members_cannot_see_create_or_revoke(
    client, db_session, seeded, factory, web, token
) -> None:
    (secret,) = SECRET.findall(_create(web, token).get_data(as_text=True))
    row = db_session.scalars(select(ApiToken).where(ApiToken.name == "reporting script")).one()
    web.post("/logout", data={"csrf_token": token(web, "/")})
    factory.user(seeded["tenant"], email="member@acme.example", role="member")
    db_session.commit()
    assert login(client, "member@acme.example", "correct horse 9").status_code == 302
    assert client.get("/tokens/").status_code == 403
    csrf = token(client, "/alerts/")
    assert client.post("/tokens/", data={"csrf_token": csrf, "name": "x"}).status_code == 403
    assert client.post(f"/tokens/{row.id}/revoke", data={"csrf_token": csrf}).status_code == 403
    db_session.refresh(row)
    assert row.revoked_at is None and _api(client, secret) == 200
    assert db_session.scalar(select(func.count()).select_from(ApiToken)) == 1
    assert "API tokens" not in client.get("/").get_data(as_text=True)
