"""Account mail for real: the password-reset link and invitations go through MAIL_URL, an Apprise
mailto:// URL for plain SMTP, to an aiosmtpd server on loopback."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from app.models import Membership, User
from tests.support.smtp import SENDER, smtp_server
from tests.support.web import csrf_token, login

RESET_LINK = re.compile(r"https?://\S+/reset\?token=\S+")
INVITE_LINK = re.compile(r"https?://\S+/invite\?token=\S+")


def _path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_password_reset_mail_arrives_and_its_link_works(
    app: Any, client: Any, seeded: dict[str, Any]
) -> None:
    with smtp_server() as smtp:
        app.config["MAIL_URL"] = smtp.url()
        for email in (seeded["email"], "nobody@example.com"):
            form = {"csrf_token": csrf_token(client, "/forgot"), "email": email}
            assert client.post("/forgot", data=form).status_code == 302
        [mail] = smtp.mails  # the unknown address gets nothing
        assert mail.mail_from == SENDER and mail.rcpt_tos == [seeded["email"]]
        assert mail.message["Subject"] == "Reset your FBA Planner password"
        assert "within 60 minutes" in mail.text and "it works once" in mail.text
        path = _path(RESET_LINK.search(mail.text).group(0))
        new = "a new horse 42 x"
        form = {"csrf_token": csrf_token(client, path), "password": new, "confirm": new}
        assert client.post(path, data=form).status_code == 302
        assert login(app.test_client(), seeded["email"], new).status_code == 302
        assert client.get(path).status_code == 404  # once only


def _invite(web: Any, email: str) -> str:
    form = {"csrf_token": csrf_token(web, "/team"), "email": email, "role": "member"}
    response = web.post("/team", data=form)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_invitation_is_mailed_and_accepted_from_the_mail(
    app: Any, web: Any, seeded: dict[str, Any], db_session: Any
) -> None:
    with smtp_server() as smtp:
        app.config["MAIL_URL"] = smtp.url()
        assert "Send invitation" in web.get("/team").get_data(as_text=True)
        page = _invite(web, "carol@example.com")
        assert "Invitation for carol@example.com sent by e-mail" in page
        assert "/invite?token=" not in page  # the link went to the invitee only
        [mail] = smtp.to("carol@example.com")
        assert mail.message["Subject"] == "Join Acme on FBA Planner"
        assert seeded["email"] in mail.text and "within 7 days" in mail.text
        path = _path(INVITE_LINK.search(mail.text).group(0))

    invitee = app.test_client()
    password = "a fine passphrase"
    form = {"csrf_token": csrf_token(invitee, path), "password": password, "confirm": password}
    assert invitee.post(path, data=form).status_code == 302
    carol = db_session.scalar(select(User).where(User.email == "carol@example.com"))
    assert carol is not None
    roles = db_session.scalars(select(Membership.role).where(Membership.user_id == carol.id))
    assert list(roles) == ["member"]


def test_an_invitation_the_mail_server_refuses_shows_the_link(
    app: Any, web: Any, seeded: dict[str, Any]
) -> None:
    with smtp_server() as smtp:
        url = smtp.url()
    app.config["MAIL_URL"] = url  # nothing listens there any more
    page = _invite(web, "dave@example.com")
    assert "not accepted by the mail server" in page
    assert "sent by e-mail" not in page
    assert re.search(r'<code class="copy">https?://[^<]+/invite\?token=', page)


def test_without_mail_the_page_says_so_and_shows_the_link(app: Any, web: Any) -> None:
    app.config["MAIL_URL"] = None
    page = _invite(web, "erin@example.com")
    assert "e-mail is not set up (MAIL_URL)" in page and "Create invitation link" in page
    assert re.search(r'<code class="copy">https?://[^<]+/invite\?token=', page)
