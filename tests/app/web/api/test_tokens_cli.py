"""`flask tokens create/list/revoke`: the secret is printed once and only its digest is kept."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from app.models import ApiToken


def _runner(app):
    return app.test_cli_runner()


def test_create_prints_a_working_token_once(app, client, world, db_session) -> None:
    result = _runner(app).invoke(
        args=["tokens", "create", "--email", "ANN@acme.test", "--name", "reporting"]
    )
    assert result.exit_code == 0, result.output + result.stderr
    secret = result.stdout.strip()
    assert secret.startswith("fbap_") and "\n" not in secret
    row = db_session.scalar(select(ApiToken).where(ApiToken.name == "reporting"))
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert row.tenant_id == world.a.id and row.user_id == world.user_a.id
    response = client.get("/api/v1/skus", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.get_json()["pagination"]["total"] == 3

    listed = _runner(app).invoke(args=["tokens", "list", "--email", "ann@acme.test"])
    assert "reporting" in listed.stdout and secret not in listed.stdout

    revoked = _runner(app).invoke(args=["tokens", "revoke", str(row.id)])
    assert revoked.exit_code == 0
    response = client.get("/api/v1/skus", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_create_refuses_unknown_users_and_ambiguous_businesses(app, world, db_session) -> None:
    from app.models import Membership

    result = _runner(app).invoke(args=["tokens", "create", "--email", "x@y.z", "--name", "n"])
    assert result.exit_code != 0 and "no user" in result.stderr
    db_session.add(Membership(tenant_id=world.b.id, user_id=world.user_a.id))
    db_session.commit()
    result = _runner(app).invoke(
        args=["tokens", "create", "--email", "ann@acme.test", "--name", "n"]
    )
    assert result.exit_code != 0 and "--tenant" in result.stderr
    result = _runner(app).invoke(
        args=["tokens", "create", "--email", "ann@acme.test", "--name", "n", "--tenant", "Bolt"]
    )
    assert result.exit_code == 0
    row = db_session.scalar(select(ApiToken).where(ApiToken.name == "n"))
    assert row.tenant_id == world.b.id
