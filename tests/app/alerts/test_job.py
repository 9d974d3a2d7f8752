"""An alerts job whose channel fails, through the in-process job runner: retried, then failed with
its error on /jobs; the message stays pending and goes out once the channel accepts again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.alerts.service import ALL_EVENTS
from app.models import AlertMessage, AlertSettings, Recommendation
from tests.support.jobs import job_record
from tests.support.smtp import smtp_server
from tests.support.web import login


def test_a_failing_channel_is_retried_then_reported_on_the_jobs_page(live_app: Any) -> None:
    from app.extensions import db
    from app.tasks import enqueue_alerts
    from jobs.inline import runner_for
    from jobs.queues import policy
    from tests.conftest import Factory

    live_app.config["JOBS_RETRY_INTERVALS"] = [0]
    factory = Factory(db.session)
    tenant = factory.tenant("Acme")
    user = factory.user(tenant, email="owner@example.com")
    seller = factory.seller(tenant, name="acme-us")
    with smtp_server() as smtp:
        smtp.refuse = True
        db.session.add_all(
            [
                AlertSettings(
                    tenant_id=tenant.id, user_id=user.id, channel_url=smtp.url(to=user.email),
                    events=list(ALL_EVENTS),
                ),
                Recommendation(
                    tenant_id=tenant.id, seller_account_id=seller.id, sku="MUG-1",
                    computed_at=dt.datetime.now(dt.UTC), status="out_of_stock",
                ),
            ]
        )  # fmt: skip
        db.session.commit()
        rid = enqueue_alerts(seller.id, tenant_id=tenant.id)
        runner = runner_for(live_app)
        assert runner.wait_idle(60)

        attempts = policy("high").retries + 1
        assert smtp.refused == attempts and smtp.mails == []
        record = job_record(rid)
        assert (record.kind, record.status) == ("alerts", "failed")
        assert record.error.startswith("DeliveryFailed: 1 alert message(s) not delivered")
        message = db.session.scalars(select(AlertMessage)).one()
        db.session.refresh(message)
        # Announced once (the retries found it pending, not new), tried on every attempt.
        assert message.sent_at is None and message.attempts == attempts

        client = live_app.test_client()
        assert login(client, "owner@example.com", "correct horse 9").status_code == 302
        page = client.get("/jobs/").get_data(as_text=True)
        assert "badge-failed" in page and "1 alert message(s) not delivered" in page
        db.session.commit()

        # The channel accepts again: the next pass delivers the pending message, once.
        smtp.refuse = False
        again = enqueue_alerts(seller.id, tenant_id=tenant.id)
        assert runner.wait_idle(60)
        assert job_record(again).status == "succeeded"
        [mail] = smtp.mails
        assert "MUG-1" in mail.text
