"""Settings read from the environment, with embedded defaults that need no set-up."""

from __future__ import annotations

import datetime as dt
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
        # SQLite: how long a writer queues for the single write lock before giving up (seconds).
        "SQLITE_BUSY_TIMEOUT": float(env.get("SQLITE_BUSY_TIMEOUT") or 30),
        # Rendered dashboard tables kept per process, keyed by the summaries' write stamp
        # (app.web.dashboard.fragments; never stale). Megabytes per process; 0 turns it off.
        "DASHBOARD_CACHE_MB": float(env.get("DASHBOARD_CACHE_MB") or 32),
        **security_settings(env, production),
    }


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def security_settings(env: dict[str, str], production: bool) -> dict[str, Any]:
    """Outbound allowlist, session lifetimes, sign-up, webhook rotation and rate limits."""
    idle = int(env.get("SESSION_IDLE_MINUTES") or 120)
    absolute = int(env.get("SESSION_ABSOLUTE_HOURS") or 12)
    return {
        # Custom SP-API endpoints (the simulator): on for development and the demo, off in
        # production unless asked for; private network targets need their own opt-in.
        "ALLOW_CUSTOM_ENDPOINTS": _flag(env, "ALLOW_CUSTOM_ENDPOINTS", not production),
        "ALLOW_PRIVATE_ENDPOINTS": _flag(env, "ALLOW_PRIVATE_ENDPOINTS", False),
        "SESSION_IDLE_TIMEOUT": dt.timedelta(minutes=idle),
        "SESSION_ABSOLUTE_LIFETIME": dt.timedelta(hours=absolute),
        # The cookie never outlives the server-side session it names.
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=absolute),
        # Re-sign the cookie only when the session changes (login, the idle clock's once-a-minute
        # refresh, the chosen seller), not on every response: signing and compressing it was
        # about a third of a trivial request's CPU.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "ALLOW_SIGNUP": _flag(env, "ALLOW_SIGNUP", True),
        "INVITATION_MAX_AGE": dt.timedelta(days=int(env.get("INVITATION_DAYS") or 7)),
        "WEBHOOK_SECRET_GRACE": dt.timedelta(
            hours=float(env.get("WEBHOOK_SECRET_GRACE_HOURS") or 24)
        ),
        "RATELIMIT_ENABLED": _flag(env, "RATELIMIT_ENABLED", True),
        # The operator's e-mail channel (an Apprise mailto:// URL) for password-reset links.
        "MAIL_URL": env.get("MAIL_URL") or None,
        "PASSWORD_RESET_MAX_AGE": dt.timedelta(
            minutes=int(env.get("PASSWORD_RESET_MINUTES") or 60)
        ),
    }


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain postgres:// URLs, the driver this project pins."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
