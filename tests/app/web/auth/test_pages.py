"""Sign-up, login (new session, rate limit, safe redirects), logout, team membership."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.models import Membership, Tenant, User


def _signup(client, token, **overrides):
    data = {
        "csrf_token": token(client, "/signup"),
        "business": "Birch & Co",
        "email": "Founder@Birch.example",
        "password": "a long password",
        "confirm": "a long password",
    }
    data.update(overrides)
    return client.post("/signup", data=data)


def test_signup_creates_tenant_and_owner(client, db_session, token) -> None:
    response = _signup(client, token)
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    user = db_session.scalar(select(User).where(User.email == "founder@birch.example"))
    assert user is not None and user.password_hash != "a long password"
    assert user.check_password("a long password")
    tenant = db_session.scalar(select(Tenant).where(Tenant.name == "Birch & Co"))
    membership = db_session.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership.tenant_id == tenant.id and membership.role == "owner"
    assert _login(client, token, "founder@birch.example", "a long password").status_code == 302
    assert client.get("/sellers/").status_code == 200


def test_signup_rejects_bad_input_and_saves_nothing(client, db_session, token) -> None:
    cases = [
        ({"email": "not-an-email"}, "Enter an e-mail address"),
        ({"password": "short", "confirm": "short"}, "at least 10 characters"),
        ({"confirm": "something else"}, "The passwords differ."),
        ({"business": ""}, "This field is required."),
    ]
    for override, message in cases:
        response = _signup(client, token, **override)
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert db_session.scalar(select(Tenant).where(Tenant.name == "Birch & Co")) is None


def test_signup_does_not_tell_which_addresses_have_accounts(client, db_session, token) -> None:
    """Finding 5: sign-up said "An account with this e-mail exists"."""
    new = _signup(client, token)
    new_page = client.get(new.headers["Location"]).get_data(as_text=True)
    known = _signup(client, token, business="Other", password="another long pw",
                    confirm="another long pw")  # fmt: skip
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    assert (new.status_code, new.headers["Location"]) == (
        known.status_code,
        known.headers["Location"],
    )
    assert "exists" not in known_page and "log in to start" in known_page
    token_value = re.compile(r'value="[^"]*"')
    assert token_value.sub("", new_page) == token_value.sub("", known_page)
    # Nothing was created or changed for the known address.
    assert db_session.scalar(select(Tenant).where(Tenant.name == "Other")) is None
    user = db_session.scalar(select(User).where(User.email == "founder@birch.example"))
    assert user.check_password("a long password")


def test_signup_can_be_switched_off(app, client, token) -> None:
    assert "Sign up" in client.get("/login").get_data(as_text=True)
    app.config["ALLOW_SIGNUP"] = False
    assert client.get("/signup").status_code == 404
    assert client.post("/signup", data={}).status_code in (400, 404)
    assert "Sign up" not in client.get("/login").get_data(as_text=True)


def _login(client, token, email, password, next_url=""):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(
        url, data={"csrf_token": token(client, "/login"), "email": email, "password": password}
    )


def _session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_login_starts_a_new_session_and_logout_ends_it(client, seeded, token) -> None:
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    before = _session_cookie(client)
    response = _login(client, token, seeded["email"].upper(), seeded["password"])
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with client.session_transaction() as sess:
        assert "planted" not in sess and sess["uid"] == seeded["user"].id
    assert _session_cookie(client) != before
    assert client.get("/").status_code == 200
    # Logout needs a POST with the CSRF token.
    assert client.get("/logout").status_code == 405
    assert client.post("/logout", data={}).status_code == 400
    assert client.post("/logout", data={"csrf_token": token(client, "/")}).status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_and_unknown_user_look_the_same(client, seeded, token) -> None:
    wrong = _login(client, token, seeded["email"], "wrong password!")
    unknown = _login(client, token, "nobody@nowhere.example", "wrong password!")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong e-mail or password." in wrong.get_data(as_text=True)
    assert "Wrong e-mail or password." in unknown.get_data(as_text=True)


def test_login_is_rate_limited_per_ip_and_email(app, client, seeded, token) -> None:
    # The in-memory limiter (no REDIS_URL here); each app gets its own.
    for _ in range(10):
        assert _login(client, token, seeded["email"], "wrong password!").status_code == 401
    blocked = _login(client, token, seeded["email"], seeded["password"])
    assert blocked.status_code == 429 and "Too many failed attempts" in blocked.get_data(
        as_text=True
    )
    # Another e-mail from the same client is not blocked by this one's failures.
    assert _login(client, token, "other@nowhere.example", "x" * 12).status_code == 401


def test_signup_and_password_change_are_limited(app, client, web, seeded, token) -> None:
    """Finding 9: sign-up had no limit at all."""
    fresh = app.test_client()
    for i in range(10):
        response = _signup(fresh, token, business=f"Biz {i}", email=f"f{i}@birch.example")
        assert response.status_code == 302
    assert _signup(fresh, token, business="Biz 10", email="f10@birch.example").status_code == 429
    form = {"current": "wrong password!", "password": "a new long passphrase",
            "confirm": "a new long passphrase"}  # fmt: skip
    for _ in range(10):
        assert (
            web.post("/account", data={**form, "csrf_token": token(web, "/account")}).status_code
            == 422
        )
    blocked = web.post("/account", data={**form, "csrf_token": token(web, "/account")})
    assert blocked.status_code == 429


def test_common_and_trivial_passwords_are_refused(client, web, seeded, token) -> None:
    """Finding 9: a 10-character password like `aaaaaaaaaa` was accepted."""
    for weak in ("aaaaaaaaaa", "1234567890", "Password123!", "qwertyuiop", "abcabcabcabc",
                 "founder@birch"):  # fmt: skip
        response = _signup(client, token, password=weak, confirm=weak)
        assert response.status_code == 422, weak
    form = {"csrf_token": token(web, "/account"), "current": seeded["password"],
            "password": "sunshine2024", "confirm": "sunshine2024"}  # fmt: skip
    response = web.post("/account", data=form)
    assert response.status_code == 422 and "most common passwords" in response.get_data(
        as_text=True
    )


def test_next_only_follows_local_paths(client, seeded, token) -> None:
    ok = _login(client, token, seeded["email"], seeded["password"], next_url="/plans/")
    assert ok.headers["Location"] == "/plans/"
    client.post("/logout", data={"csrf_token": token(client, "/")})
    evil = _login(client, token, seeded["email"], seeded["password"], next_url="//evil.example/x")
    assert evil.headers["Location"] == "/"


def test_next_with_control_characters_is_refused_never_a_500(client, seeded, token) -> None:
    """Finding 6: `/%09/evil.example` redirected to //evil.example; `/%0D%0A/x` raised a 500."""
    hostile = [
        "/%09/evil.example",
        "/%0D%0A/x",
        "/%0A/evil.example",
        "///evil.example",
        "/%5Cevil.example",
        "https://evil.example/",
        "/%E2%80%8B/evil.example",  # zero-width space
        "javascript:alert(1)",
    ]
    for next_url in hostile:
        client.post("/logout", data={"csrf_token": token(client, "/")})
        response = _login(client, token, seeded["email"], seeded["password"], next_url=next_url)
        assert response.status_code == 302, next_url
        assert response.headers["Location"] == "/", (next_url, response.headers["Location"])
