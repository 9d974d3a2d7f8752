"""Settings read from the environment, with embedded defaults that need no set-up."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

PRODUCTION_NAMES = {"production", "prod"}


class ConfigError(RuntimeError):
    """Raised when the environment is not safe to start in (e.g. production without a key)."""


def is_production(env: dict[str, str]) -> bool:
    """True when FLASK_ENV or APP_ENV names production."""
    return any(env.get(k, "").lower() in PRODUCTION_NAMES for k in ("FLASK_ENV", "APP_ENV"))


def _kept_secret(path: Path, make: Any) -> str:
    """Read a generated secret from instance/, creating it (mode 0600) the first time."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def load_config(instance_path: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the app settings from environment variables (or `env` for tests)."""
    env = dict(os.environ if env is None else env)
    instance = Path(instance_path)
    production = is_production(env)

    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError("SECRET_KEY must be set when FLASK_ENV/APP_ENV is production")
        secret_key = _kept_secret(instance / "secret_key", lambda: secrets.token_hex(32))

    keys = env.get("ENCRYPTION_KEYS")
    if not keys:
        if production:
            raise ConfigError("ENCRYPTION_KEYS must be set when FLASK_ENV/APP_ENV is production")
        keys = _kept_secret(instance / "encryption_keys", lambda: Fernet.generate_key().decode())

    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'fba_planner.db'}"
    return {
        "PRODUCTION": production,
        "SECRET_KEY": secret_key,
        "ENCRYPTION_KEYS": [k.strip() for k in keys.split(",") if k.strip()],
        "DATABASE_URL": normalise_database_url(database_url),
        "REDIS_URL": env.get("REDIS_URL") or None,
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production or env.get("SESSION_COOKIE_SECURE") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        "JOBS_INLINE": False,
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        # Reverse proxies in front of the app whose X-Forwarded-* headers are trusted (0: none).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES") or 0),
    }


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain postgres:// URLs, the driver this project pins."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
