"""Behind a proxy and under password guessing: X-Forwarded-* trusted only when configured (HSTS,
client address), and failed logins limited per client and e-mail, across processes via Redis."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from app import create_app

PASSWORD = "correct horse 9"


def _app(tmp_path: Path, database_url: str, **env: str) -> Any:
    from cryptography.fernet import Fernet

    return create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "ENV": {"SECRET_KEY": "k", "ENCRYPTION_KEYS": Fernet.generate_key().decode(),
                "DATABASE_URL": database_url, **env},
    })


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    from app import migrate

    url = f"sqlite:///{tmp_path / 'proxy.db'}"
    migrate.upgrade(url)
    return url


def test_forwarded_https_gives_hsts_only_from_a_trusted_proxy(tmp_path, sqlite_url) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    direct = _app(tmp_path, sqlite_url).test_client()
    # No proxy configured: a client cannot claim HTTPS (or another address) by a header.
    assert "Strict-Transport-Security" not in direct.get("/login", headers=forwarded).headers
    proxied = _app(tmp_path, sqlite_url, TRUSTED_PROXIES="1").test_client()
    response = proxied.get("/login", headers=forwarded)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in proxied.get("/login").headers  # plain HTTP hop
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in csp


def _seed_user(app: Any) -> str:
    from app.extensions import db
    from app.models import Membership, Tenant, User

    with app.app_context():
        tenant = Tenant(name="limits")
        user = User(email="owner@limits.example")
        user.set_password(PASSWORD)
        db.session.add_all([tenant, user])
        db.session.flush()
        db.session.add(Membership(tenant_id=tenant.id, user_id=user.id, role="owner"))
        db.session.commit()
    return "owner@limits.example"


def _login(client: Any, email: str, password: str, ip: str | None = None) -> int:
    headers = {"X-Forwarded-For": ip} if ip else {}
    page = client.get("/login", headers=headers).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/login", headers=headers, data={
        "email": email, "password": password, "csrf_token": token}).status_code


def test_login_limit_is_shared_through_redis_by_every_web_process(
    tmp_path, sqlite_url, redis_url
) -> None:
    # Two app instances = two gunicorn workers (or machines) sharing one Redis.
    first = _app(tmp_path, sqlite_url, REDIS_URL=redis_url)
    second = _app(tmp_path, sqlite_url, REDIS_URL=redis_url)
    email = _seed_user(first)
    a, b = first.test_client(), second.test_client()
    for i in range(10):
        assert _login(a if i % 2 else b, email, "wrong password!") == 401
    # The eleventh attempt is refused on either process, even with the right password.
    assert _login(a, email, PASSWORD) == 429
    assert _login(b, email, PASSWORD) == 429
    # The limiter's keys are in Redis, hashed (no e-mail address stored there).
    import redis

    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("*")]
    assert any("fba" in k and "login:" in k for k in keys), keys
    assert not any("limits.example" in k for k in keys)
    # A process without Redis keeps its own count (the embedded default).
    alone = _app(tmp_path, sqlite_url).test_client()
    assert _login(alone, email, PASSWORD) == 302


def test_behind_a_proxy_the_limit_is_per_real_client(tmp_path, sqlite_url, redis_url) -> None:
    proxied = _app(tmp_path, sqlite_url, REDIS_URL=redis_url, TRUSTED_PROXIES="1")
    email = _seed_user(proxied)
    attacker, victim = proxied.test_client(), proxied.test_client()
    for _ in range(10):
        assert _login(attacker, email, "wrong password!", ip="198.51.100.66") == 401
    assert _login(attacker, email, PASSWORD, ip="198.51.100.66") == 429
    # The real owner, from another address through the same proxy, is not locked out.
    assert _login(victim, email, PASSWORD, ip="192.0.2.10") == 302
    # Without a trusted proxy, a spoofed X-Forwarded-For does not open a fresh bucket.
    direct = _app(tmp_path, sqlite_url, REDIS_URL=redis_url).test_client()
    for _ in range(10):
        _login(direct, email, "wrong password!", ip="198.51.100.1")
    assert _login(direct, email, PASSWORD, ip="198.51.100.2") == 429
