"""Alerts over e-mail for real: an Apprise mailto:// channel (plain SMTP on a custom port, no TLS)
delivers to an aiosmtpd server on loopback."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.alerts.channels import DeliveryFailed, Message, send
from app.alerts.service import ALL_EVENTS, run_for_seller
from app.models import AlertMessage, AlertSettings, Recommendation
from app.security.outbound import OutboundPolicy
from tests.support.smtp import SENDER, smtp_server

NOON = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def test_an_out_of_stock_alert_arrives_by_mail(app: Any, factory: Any, db_session: Any) -> None:
    tenant = factory.tenant()
    user = factory.user(tenant)
    seller = factory.seller(tenant, name="acme-us")
    with smtp_server() as smtp:
        db_session.add(
            AlertSettings(
                tenant_id=tenant.id, user_id=user.id, channel_url=smtp.url(to=user.email),
                events=list(ALL_EVENTS),
            )
        )  # fmt: skip
        for sku, status in {"MUG-1": "out_of_stock", "CUP-2": "healthy"}.items():
            db_session.add(
                Recommendation(
                    tenant_id=tenant.id, seller_account_id=seller.id, sku=sku,
                    computed_at=NOON, status=status,
                )
            )  # fmt: skip
        db_session.flush()
        result = run_for_seller(db_session, seller, app.config, NOON)
        assert (result.sent, result.failed) == (1, 0)
        [mail] = smtp.mails
        assert mail.mail_from == SENDER and mail.rcpt_tos == [user.email]
        assert mail.message["To"] == user.email
        assert mail.message["Subject"] == "FBA Planner: Out of stock now"
        [row] = db_session.query(AlertMessage).all()
        assert row.sent_at is not None and row.sku == "MUG-1"
        assert mail.text.strip() == row.text and "MUG-1" in mail.text

        # The state holds: nothing more is mailed.
        later = NOON + dt.timedelta(hours=1)
        assert run_for_seller(db_session, seller, app.config, later).sent == 0
        assert len(smtp.mails) == 1


def test_a_mail_server_that_is_gone_is_a_failed_delivery() -> None:
    with smtp_server() as smtp:
        url = smtp.url(to="someone@example.com")
    # The server stopped: nothing listens on its port any more.
    with pytest.raises(DeliveryFailed, match="did not accept"):
        send(url, Message("t", "b"), OutboundPolicy(allow_custom=True))
