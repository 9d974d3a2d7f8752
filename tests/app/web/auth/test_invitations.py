"""Invitations: a signed, expiring link the invitee accepts; no silent membership, and the team
form answers the same for known and unknown addresses."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from app.models import Membership, User
from tests.support.web import csrf_token, login

LINK = re.compile(r'<code class="copy">(https?://[^<]+/invite\?token=[^<]+)</code>')


def _invite(web: Any, email: str, role: str = "member") -> tuple[Any, str]:
    response = web.post(
        "/team", data={"csrf_token": csrf_token(web, "/team"), "email": email, "role": role}
    )
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    match = LINK.search(page)
    assert match, "no invitation link on the page"
    path = match.group(1).replace("&amp;", "&").split("://", 1)[1]
    return page, path[path.index("/") :]


def _memberships(db_session: Any, user_id: int) -> list[int]:
    return list(
        db_session.scalars(select(Membership.tenant_id).where(Membership.user_id == user_id))
    )


def test_inviting_an_existing_user_adds_nothing_until_they_accept(
    app, web, seeded, db_session, factory
) -> None:
    """Finding 4: owners added any existing user to their tenant, as owner, without consent."""
    other = factory.tenant("Other Co")
    bob = factory.user(other, email="bob@other.example")
    db_session.commit()
    known_page, link = _invite(web, "bob@other.example", role="owner")
    assert _memberships(db_session, bob.id) == [other.id]
    # Finding 5: the same answer for an address without an account.
    unknown_page, _ = _invite(web, "nobody@nowhere.example", role="owner")
    # The CSRF token carries a timestamp: two requests a second apart differ there, not elsewhere.
    strip = re.compile(
        r"bob@other\.example|nobody@nowhere\.example|token=[^<\"]+"
        r"|(?<=name=\"csrf_token\" type=\"hidden\" value=\")[^\"]+"
    )
    assert strip.sub("", known_page) == strip.sub("", unknown_page)
    assert db_session.scalar(select(User).where(User.email == "nobody@nowhere.example")) is None

    # Bob opens the link: he must log in, then accept.
    bob_browser = app.test_client()
    page = bob_browser.get(link).get_data(as_text=True)
    assert "Log in to accept" in page and "Acme" in page
    response = login(bob_browser, "bob@other.example", "correct horse 9")
    assert response.status_code == 302
    assert bob_browser.get(link).status_code == 200
    assert _memberships(db_session, bob.id) == [other.id]  # looking is not accepting
    accepted = bob_browser.post(link, data={"csrf_token": csrf_token(bob_browser, link)})
    assert accepted.status_code == 302
    db_session.expire_all()
    role = db_session.scalar(
        select(Membership.role).where(
            Membership.user_id == bob.id, Membership.tenant_id == seeded["tenant"].id
        )
    )
    assert role == "owner"
    assert "Acme" in bob_browser.get("/").get_data(as_text=True)


def test_a_new_person_creates_their_account_by_accepting(app, web, seeded, db_session) -> None:
    _, link = _invite(web, "new.hire@acme.example")
    browser = app.test_client()
    token = csrf_token(browser, link)
    short = browser.post(link, data={"csrf_token": token, "password": "x", "confirm": "x"})
    assert short.status_code == 422
    form = {"csrf_token": token, "password": "a fine passphrase", "confirm": "a fine passphrase"}
    assert browser.post(link, data=form).status_code == 302
    user = db_session.scalar(select(User).where(User.email == "new.hire@acme.example"))
    assert _memberships(db_session, user.id) == [seeded["tenant"].id]
    assert browser.get("/").status_code == 200
    assert browser.get("/team").status_code == 403  # invited as a member


def test_forged_expired_and_misdirected_links_do_nothing(
    app, web, seeded, db_session, factory
) -> None:
    _, link = _invite(web, "carol@acme.example")
    anonymous = app.test_client()
    assert anonymous.get(link[:-3] + "abc").status_code == 404  # forged
    assert anonymous.get("/invite").status_code == 404
    assert anonymous.get("/invite?token=" + "A" * 5000).status_code == 404
    # Someone else, logged in, cannot use Carol's link.
    dave = factory.user(factory.tenant("Dave Co"), email="dave@dave.example")
    db_session.commit()
    login(anonymous, "dave@dave.example", "correct horse 9")
    assert anonymous.get(link).status_code == 403
    anonymous.post(link, data={"csrf_token": csrf_token(anonymous, "/")})
    assert seeded["tenant"].id not in _memberships(db_session, dave.id)
    # Expired: the same link after INVITATION_MAX_AGE.
    import datetime as dt

    app.config["INVITATION_MAX_AGE"] = dt.timedelta(seconds=-1)
    assert app.test_client().get(link).status_code == 404
