"""Marketplace secrets are unreadable in the database and rotate to the newest key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from app.cli import rotate_secrets
from app.extensions import init_keyring
from app.security.crypto import DecryptionError, KeyRing


def _raw(db_session, account_id: int) -> dict:
    row = db_session.execute(
        text(
            "SELECT c.lwa_client_secret, c.refresh_token, a.webhook_secret FROM seller_accounts a "
            "JOIN seller_connections c ON c.id = a.connection_id WHERE a.id = :id"
        ),
        {"id": account_id},
    ).one()
    return dict(row._mapping)


def test_secrets_are_encrypted_at_rest(factory, db_session) -> None:
    account = factory.seller(
        factory.tenant(), lwa_client_secret="s3cret-client", refresh_token="Atzr|very-secret"
    )
    raw = _raw(db_session, account.id)
    assert "s3cret-client" not in raw["lwa_client_secret"]
    assert "very-secret" not in raw["refresh_token"]
    assert raw["webhook_secret"] and raw["webhook_secret"] != account.webhook_secret
    db_session.expire_all()
    assert account.lwa_client_secret == "s3cret-client"


def test_rotation_re_encrypts_every_secret_under_the_newest_key(app, factory, db_session) -> None:
    old_key = app.config["ENCRYPTION_KEYS"][0]
    account = factory.seller(factory.tenant(), refresh_token="Atzr|rotate-me")
    db_session.commit()
    before = _raw(db_session, account.id)

    new_key = Fernet.generate_key().decode()
    app.config["ENCRYPTION_KEYS"] = [new_key, old_key]
    init_keyring(app)
    assert rotate_secrets() >= 3
    after = _raw(db_session, account.id)
    assert after["refresh_token"] != before["refresh_token"]
    # Readable with the new key alone: the old key can now be retired.
    only_new = KeyRing([new_key])
    assert only_new.decrypt(after["refresh_token"]) == "Atzr|rotate-me"
    with pytest.raises(DecryptionError):
        only_new.decrypt(before["refresh_token"])


def test_keyring_refuses_an_empty_key_list() -> None:
    with pytest.raises(ValueError):
        KeyRing([])
