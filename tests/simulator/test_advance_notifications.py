"""Moving the clock: new days equal generated days; signed, at-least-once notifications."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import date, timedelta

import pytest
import requests
from flask import Flask, request

from simulator.testing import running_simulator, start_server
from simulator.truth import truth_texts
from simulator.world import build_world

TODAY = date(2026, 7, 10)
SECRET = "whsec-test"


class Receiver:
    """A webhook endpoint that records raw deliveries and can fail the first attempts."""

    def __init__(self, fail_first: int = 0) -> None:
        self.received: list[tuple[dict, bytes]] = []
        self.fail_first = fail_first
        self.lock = threading.Lock()
        app = Flask("receiver")

        @app.post("/hook")
        def hook():
            with self.lock:
                if self.fail_first > 0:
                    self.fail_first -= 1
                    return "try again", 500
                self.received.append((dict(request.headers), request.get_data()))
            return "", 204

        self.server, self.thread = start_server(app)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver():
    r = Receiver()
    yield r
    r.close()


def _sim(**kw):
    return running_simulator(seed=9, skus=8, history_days=200, today=TODAY, rate_scale=1e5, **kw)


def test_advancing_equals_generating_more_days():
    with _sim() as sim:
        start_text = requests.get(sim.base_url + "/_sim/truth/demand.csv", timeout=10).text
        resp = requests.post(sim.base_url + "/_sim/advance", params={"days": 3}, timeout=30)
        assert resp.status_code == 200
        assert requests.get(sim.base_url + "/_sim/clock", timeout=5).json()["now"] == (
            "2026-07-14T07:05:00Z"  # 00:05 Pacific (summer time): the US seller's day
        )
        direct = build_world(9, 8, 200, TODAY, through=TODAY + timedelta(days=3))
        for name, text in truth_texts(direct).items():
            served = requests.get(f"{sim.base_url}/_sim/truth/{name}", timeout=10).text
            assert served == text, name
        assert served != start_text
        assert (
            direct.daily("sold")[:200].tolist()
            == build_world(9, 8, 200, TODAY).daily("sold").tolist()
        )
        # hours move the clock without generating a day until midnight passes
        requests.post(sim.base_url + "/_sim/advance", params={"hours": 5}, timeout=30)
        assert sim.marketplace.sellers[0].world.last_day == TODAY + timedelta(days=3)


def test_pending_orders_move_on_when_time_advances():
    with _sim() as sim:
        pending = sim.get(
            "/orders/v0/orders",
            {"CreatedAfter": "2026-07-10T00:00:00Z", "OrderStatuses": "Pending"},
        ).json()
        ids = [o["AmazonOrderId"] for o in pending["payload"]["Orders"]]
        assert ids
        sim.advance(days=3)
        after = [sim.get(f"/orders/v0/orders/{i}").json()["payload"] for i in ids]
        assert all(o["OrderStatus"] in ("Shipped", "Canceled") for o in after)
        assert all(o["LastUpdateDate"] >= "2026-07-11T00:05:00Z" for o in after)
        newer = sim.get("/orders/v0/orders", {"LastUpdatedAfter": "2026-07-12T00:00:00Z"})
        assert newer.json()["payload"]["Orders"]


def _deliveries(receiver):
    out = []
    for headers, raw in receiver.received:
        stamp = headers["X-Webhook-Timestamp"]
        expected = (
            "v1="
            + hmac.new(SECRET.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
        )
        assert headers["X-Webhook-Signature"] == expected
        out.append(json.loads(raw))
    return out


def _run_notifications(receiver) -> list[dict]:
    with _sim() as sim:
        requests.post(
            sim.base_url + "/_sim/webhook",
            timeout=5,
            json={"seller": 0, "url": receiver.url, "secret": SECRET},
        )
        # Two days: enough notifications (about 70) for the seeded duplicates and swaps to show.
        sim.advance(days=2)
        notifier = sim.app.config["SIM_NOTIFIER"]
        assert notifier.wait_idle(30)
        log = requests.get(sim.base_url + "/_sim/notifications", timeout=10).json()
        assert log and all(entry["delivered"] for entry in log)
        return _deliveries(receiver)


def test_notifications_are_signed_valid_and_at_least_once(receiver, notification_validators):
    bodies = _run_notifications(receiver)
    types = {b.get("NotificationType") for b in bodies}
    assert {"ORDER_CHANGE", "FBA_INVENTORY_AVAILABILITY_CHANGES"} <= types
    for body in bodies:
        notification_validators[body["NotificationType"]].validate(body)
    ids = [b["NotificationMetadata"]["NotificationId"] for b in bodies]
    assert len(ids) > len(set(ids)), "some notifications are delivered twice"
    times = [b["EventTime"] for b in bodies if b["NotificationType"] == "ORDER_CHANGE"]
    assert times != sorted(times), "some arrive out of order"
    again = Receiver()
    try:
        assert [
            b["NotificationMetadata"]["NotificationId"] for b in _run_notifications(again)
        ] == ids
    finally:
        again.close()


def test_failed_deliveries_are_retried_and_reports_notify(notification_validators):
    receiver = Receiver(fail_first=2)
    try:
        with _sim(webhook_url=receiver.url, webhook_secret=SECRET) as sim:
            rid = sim.post(
                "/reports/2021-06-30/reports",
                {
                    "reportType": "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
                    "marketplaceIds": ["ATVPDKIKX0DER"],
                },
            ).json()["reportId"]
            for _ in range(4):
                sim.get(f"/reports/2021-06-30/reports/{rid}")
            assert sim.app.config["SIM_NOTIFIER"].wait_idle(30)
            log = sim.app.config["SIM_NOTIFIER"].sent_log()
            assert log[0]["attempts"] == 3 and log[0]["delivered"]
        bodies = _deliveries(receiver)
        assert bodies[0]["notificationType"] == "REPORT_PROCESSING_FINISHED"
        notification_validators["REPORT_PROCESSING_FINISHED"].validate(bodies[0])
        assert bodies[0]["payload"]["reportProcessingFinishedNotification"]["reportId"] == rid
    finally:
        receiver.close()
