"""Server-side sessions: a copied cookie dies with logout, password change and "log out
everywhere"; idle and absolute lifetimes are enforced on the server."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import update

from app.models.tenancy import UserSession
from tests.support.web import csrf_token, login


def _cookie(client: Any) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _with_cookie(app: Any, value: str) -> Any:
    """A second browser holding a copy of someone's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", value)
    return thief


def test_a_cookie_copied_before_logout_opens_nothing_after(app, web) -> None:
    stolen = _with_cookie(app, _cookie(web))
    assert stolen.get("/").status_code == 200  # the copy works while the session lives
    assert web.post("/logout", data={"csrf_token": csrf_token(web, "/")}).status_code == 302
    for url in ("/", "/sellers/", "/account"):
        response = stolen.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_password_change_ends_the_other_sessions(app, client, web, seeded) -> None:
    other = app.test_client()
    assert login(other, seeded["email"], seeded["password"]).status_code == 302
    stolen = _with_cookie(app, _cookie(web))
    form = {
        "csrf_token": csrf_token(web, "/account"),
        "current": "wrong password!",
        "password": "a new long passphrase",
        "confirm": "a new long passphrase",
    }
    assert web.post("/account", data=form).status_code == 422  # wrong current password
    assert other.get("/").status_code == 200
    response = web.post("/account", data={**form, "current": seeded["password"]})
    assert response.status_code == 302
    assert web.get("/").status_code == 200  # the session that changed it lives on
    assert other.get("/").status_code == 302
    assert stolen.get("/").status_code == 200  # same session id as `web`: kept, like `web`
    fresh = app.test_client()
    assert login(fresh, seeded["email"], seeded["password"]).status_code == 401
    assert login(fresh, seeded["email"], "a new long passphrase").status_code == 302


def test_log_out_everywhere(app, web, seeded) -> None:
    other = app.test_client()
    assert login(other, seeded["email"], seeded["password"]).status_code == 302
    stolen = _with_cookie(app, _cookie(web))
    url = "/account/logout-everywhere"
    assert web.post(url, data={}).status_code == 400  # CSRF
    assert web.post(url, data={"csrf_token": csrf_token(web, "/account")}).status_code == 302
    for browser in (web, other, stolen):
        assert browser.get("/").status_code == 302


def test_idle_and_absolute_lifetimes_are_enforced(app, web, seeded, db_session) -> None:
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= dt.timedelta(hours=12)
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    assert idle <= dt.timedelta(hours=2)
    stolen = _with_cookie(app, _cookie(web))
    with web.session_transaction() as sess:
        sess["seen"] = int(time.time() - idle.total_seconds() - 5)
    assert web.get("/").status_code == 302  # idle too long, and the session is revoked...
    assert stolen.get("/").status_code == 302  # ...for every copy of its cookie
    fresh = app.test_client()
    assert login(fresh, seeded["email"], seeded["password"]).status_code == 302
    assert fresh.get("/").status_code == 200
    too_old = dt.datetime.now(dt.UTC) - app.config["SESSION_ABSOLUTE_LIFETIME"]
    db_session.execute(
        update(UserSession)
        .where(UserSession.user_id == seeded["user"].id)
        .values(created_at=too_old - dt.timedelta(minutes=1))
    )
    db_session.commit()
    assert fresh.get("/").status_code == 302  # active all along, but past the absolute limit
