"""Bearer tokens: required, digest-only, revocable, and last use recorded at most once a minute."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select

from app.models import ApiToken, Membership, utcnow
from tests.support.web import problem


def _assert_error(response, status: int, code: str) -> dict:
    return problem(response, status, code)


def test_no_token_bad_scheme_and_unknown_token_are_401_json(client, world) -> None:
    err = _assert_error(client.get("/api/v1/skus"), 401, "unauthorized")
    assert "Bearer" in err["detail"]
    response = client.get("/api/v1/skus", headers={"Authorization": "Basic dXNlcjpwdw=="})
    _assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = client.get("/api/v1/skus", headers={"Authorization": "Bearer fbap_nope"})
    _assert_error(response, 401, "unauthorized")
    response = client.get("/api/v1/skus", headers={"Authorization": "Bearer "})
    _assert_error(response, 401, "unauthorized")


def test_a_valid_token_works_and_only_its_digest_is_stored(client, world, db_session) -> None:
    assert client.get("/api/v1/skus", headers=world.headers()).status_code == 200
    hashes = db_session.scalars(select(ApiToken.token_hash)).all()
    assert hashlib.sha256(world.token_a.encode()).hexdigest() in hashes
    assert world.token_a not in hashes


def test_revoked_token_inactive_user_and_removed_member_are_refused(client, world, db_session):
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == world.user_b.id))
    token.revoke()
    db_session.commit()
    _assert_error(client.get("/api/v1/skus", headers=world.headers("b")), 401, "unauthorized")

    assert client.get("/api/v1/jobs", headers=world.headers("a")).status_code == 200
    world.user_a.active = False
    db_session.commit()
    _assert_error(client.get("/api/v1/jobs", headers=world.headers("a")), 401, "unauthorized")
    world.user_a.active = True
    membership = db_session.scalar(select(Membership).where(Membership.user_id == world.user_a.id))
    db_session.delete(membership)
    db_session.commit()
    _assert_error(client.get("/api/v1/jobs", headers=world.headers("a")), 401, "unauthorized")


def test_last_used_at_is_written_at_most_once_a_minute(client, world, db_session) -> None:
    token = db_session.scalar(select(ApiToken).where(ApiToken.user_id == world.user_a.id))
    assert token.last_used_at is None
    client.get("/api/v1/skus", headers=world.headers())
    db_session.refresh(token)
    first = token.last_used_at
    assert first is not None and utcnow() - first < dt.timedelta(seconds=30)
    client.get("/api/v1/skus", headers=world.headers())
    db_session.refresh(token)
    assert token.last_used_at == first
    token.last_used_at = first - dt.timedelta(minutes=2)
    db_session.commit()
    client.get("/api/v1/skus", headers=world.headers())
    db_session.refresh(token)
    assert token.last_used_at > first - dt.timedelta(seconds=1)


def test_the_openapi_document_is_public(client) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.get_json()["openapi"].startswith("3.")


def test_the_api_does_not_need_a_csrf_token(client, world) -> None:
    response = client.post(
        "/api/v1/plans",
        json={"seller_account_id": world.seller_a.id, "name": "no csrf"},
        headers=world.headers(),
    )
    assert response.status_code == 201, response.get_json()


def test_the_tenant_scope_does_not_outlive_the_request(client, world, db_session) -> None:
    from app.tenancy import current_tenant

    client.get("/api/v1/skus", headers=world.headers("b"))
    assert current_tenant(db_session) is None
