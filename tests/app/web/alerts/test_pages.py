"""The Alerts page (write-only channel, refused destinations, test button) and password reset."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from itsdangerous import timed
from sqlalchemy import text

from app.models import AlertSettings
from tests.support.receiver import json_receiver
from tests.support.web import csrf_token, login


def _save(client: Any, url: str, **kw: Any) -> Any:
    form = {
        "csrf_token": csrf_token(client, "/alerts/"), "channel_url": url,
        "events": ["out_of_stock"],
        "ship_by_days": "7", "reorder_by_days": "14", "sync_failures": "3", "time_zone": "UTC",
        "digest": "off",
        "digest_hour": "8", "clear_channel": "keep", **kw,
    }  # fmt: skip
    return client.post("/alerts/", data=form)


def test_channel_saved_encrypted_never_shown_and_test_sent(web: Any, db_session: Any) -> None:
    with json_receiver() as rx:
        assert _save(web, rx.url).status_code == 302
        row = db_session.query(AlertSettings).one()
        assert row.channel_url == rx.url
        raw = db_session.execute(text("SELECT channel_url FROM alert_settings")).scalar_one()
        assert rx.url not in raw
        page = web.get("/alerts/").get_data(as_text=True)
        assert rx.url not in page and "A channel is saved" in page
        response = web.post("/alerts/test", data={"csrf_token": csrf_token(web, "/alerts/")})
        assert response.status_code == 302
        assert [m["kind"] for m in rx.messages] == ["test"]
        rx.status = 500
        page = web.post(
            "/alerts/test", data={"csrf_token": csrf_token(web, "/alerts/")}, follow_redirects=True
        ).get_data(as_text=True)
        assert "did not go through" in page and "secret-response-body" not in page


@pytest.mark.parametrize(
    "url", ["json://169.254.169.254/latest", "json://10.0.0.5:8080/x", "json://127.0.0.1:6379/x"]
)
def test_refused_destinations(web: Any, db_session: Any, url: str) -> None:
    response = _save(web, url)
    assert response.status_code == 422
    assert db_session.query(AlertSettings).count() == 0


def test_loopback_needs_custom_endpoints(app: Any) -> None:
    from app.alerts.channels import ChannelRefused, check_channel_url
    from app.security.outbound import OutboundPolicy

    with pytest.raises(ChannelRefused, match="ALLOW_CUSTOM_ENDPOINTS"):
        check_channel_url("json://127.0.0.1:18950/x", OutboundPolicy(allow_custom=False))
    assert check_channel_url("json://127.0.0.1:18950/x", OutboundPolicy(allow_custom=True))


def test_forgot_without_mail_explains_the_cli(client: Any, seeded: dict[str, Any]) -> None:
    page = client.get("/forgot").get_data(as_text=True)
    assert "not set up" in page and "users set-password" in page


def _ask(client: Any, email: str) -> str:
    token = csrf_token(client, "/forgot")
    response = client.post(
        "/forgot", data={"csrf_token": token, "email": email}, follow_redirects=True
    )
    assert response.status_code == 200
    page = re.sub(re.escape(email), "EMAIL", response.get_data(as_text=True))
    # The CSRF token carries a timestamp: two answers a second apart differ there, not elsewhere.
    return re.sub(r'(?<=name="csrf_token" type="hidden" value=")[^"]+', "TOKEN", page)


def test_password_reset_end_to_end(
    app: Any, client: Any, seeded: dict[str, Any], monkeypatch: Any
) -> None:
    with json_receiver() as rx:
        # The operator's channel: a JSON hook on loopback stands in for mailto:// here.
        app.config["MAIL_URL"] = rx.url
        known = _ask(client, seeded["email"])
        unknown = _ask(client, "nobody@example.com")
        assert known == unknown
        [mail] = rx.messages
        link = re.search(r"http://\S+/reset\?token=\S+", mail["message"]).group(0)
        path = link.split("5000", 1)[1]
        other = app.test_client()
        assert login(other, seeded["email"], seeded["password"]).status_code == 302
        form = {"csrf_token": csrf_token(client, path), "password": "a new horse 42 x",
                "confirm": "a new horse 42 x"}  # fmt: skip
        assert client.post(path, data=form).status_code == 302
        assert other.get("/alerts/").status_code == 302  # the other session was revoked
        again = client.get(path)
        assert again.status_code == 404 and "expired or was already used" in again.get_data(
            as_text=True
        )
        assert login(app.test_client(), seeded["email"], "a new horse 42 x").status_code == 302

        # An expired link: signed two hours ago.
        rx.messages.clear()
        now = timed.TimestampSigner.get_timestamp
        monkeypatch.setattr(timed.TimestampSigner, "get_timestamp", lambda self: now(self) - 7200)
        _ask(client, seeded["email"])
        monkeypatch.undo()
        link = re.search(r"/reset\?token=\S+", rx.messages[0]["message"]).group(0)
        assert client.get(link).status_code == 404
        assert dt.timedelta(hours=1) == app.config["PASSWORD_RESET_MAX_AGE"]
