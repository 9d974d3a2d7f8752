"""Configuration from the environment and its embedded defaults."""

from __future__ import annotations

import pytest

from app.config import ConfigError, load_config, normalise_database_url


def test_embedded_defaults_generate_and_keep_secrets(tmp_path) -> None:
    first = load_config(str(tmp_path), {})
    second = load_config(str(tmp_path), {})
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 32
    assert first["ENCRYPTION_KEYS"] == second["ENCRYPTION_KEYS"]
    assert first["DATABASE_URL"].startswith("sqlite:///") and str(tmp_path) in first["DATABASE_URL"]
    assert first["REDIS_URL"] is None
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("var", ["FLASK_ENV", "APP_ENV"])
def test_production_refuses_to_start_without_a_secret_key(tmp_path, var) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path), {var: "production", "ENCRYPTION_KEYS": "x"})
    assert not (tmp_path / "secret_key").exists()


def test_production_needs_encryption_keys_and_marks_cookies_secure(tmp_path) -> None:
    with pytest.raises(ConfigError, match="ENCRYPTION_KEYS"):
        load_config(str(tmp_path), {"APP_ENV": "production", "SECRET_KEY": "k"})
    cfg = load_config(
        str(tmp_path),
        {
            "APP_ENV": "production",
            "SECRET_KEY": "k",
            "ENCRYPTION_KEYS": "a, b",
            "REDIS_URL": "redis://x/0",
        },
    )
    assert cfg["ENCRYPTION_KEYS"] == ["a", "b"]
    assert cfg["SESSION_COOKIE_SECURE"] is True and cfg["REDIS_URL"] == "redis://x/0"


def test_postgres_urls_use_psycopg3() -> None:
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
