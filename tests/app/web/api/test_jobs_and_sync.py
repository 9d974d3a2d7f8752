"""Jobs, recommendations and sellers through the API, and queueing a sync."""

from __future__ import annotations

from tests.support.web import problem


def test_jobs_are_scoped_and_filterable(client, world) -> None:
    body = client.get("/api/v1/jobs", headers=world.headers()).get_json()
    assert [j["id"] for j in body["data"]] == [world.job.id]
    assert body["data"][0]["status"] == "queued"
    one = client.get(f"/api/v1/jobs/{world.job.id}", headers=world.headers())
    assert one.status_code == 200 and one.get_json()["kind"] == "sync"
    assert client.get(f"/api/v1/jobs/{world.job_b.id}", headers=world.headers()).status_code == 404
    none = client.get("/api/v1/jobs?status=failed", headers=world.headers()).get_json()
    assert none["data"] == []
    assert client.get("/api/v1/jobs?status=lost", headers=world.headers()).status_code == 400


def test_recommendations_are_current_only_and_sorted(client, world) -> None:
    body = client.get("/api/v1/recommendations?sort=-quantity", headers=world.headers()).get_json()
    red = world.timeline.quantity
    assert red > 0
    assert [(r["sku"], r["quantity"]) for r in body["data"]] == [("MUG-RED", red), ("MUG-BLUE", 0)]
    by_status = client.get("/api/v1/recommendations?group=excess", headers=world.headers())
    assert [r["sku"] for r in by_status.get_json()["data"]] == ["MUG-BLUE"]
    # One stored row: the same status, dates and quantity as the timeline.
    red_row = body["data"][0]
    assert red_row["status"] == world.timeline.status.value
    assert red_row["ship_by"] == world.timeline.to_dict()["ship_by"]
    assert red_row["runs_out_on"] == world.timeline.to_dict()["runs_out_on"]
    assert all(r["is_current"] for r in body["data"])
    one = client.get(f"/api/v1/recommendations/{world.recommendation.id}", headers=world.headers())
    assert one.get_json()["cost_breakdown"] == {"holding": 1.5}
    other = client.get(
        f"/api/v1/recommendations/{world.recommendation.id}", headers=world.headers("b")
    )
    assert other.status_code == 404
    assert (
        client.get("/api/v1/recommendations", headers=world.headers("b")).get_json()["data"] == []
    )


def test_sellers_never_show_credentials(client, world) -> None:
    body = client.get("/api/v1/sellers", headers=world.headers()).get_json()
    assert [s["name"] for s in body["data"]] == ["acme-us"]
    # the currency of every amount and the zone of its days, from the marketplace
    assert {(s["currency"], s["time_zone"]) for s in body["data"]} == {
        ("USD", "America/Los_Angeles")
    }
    text = client.get(f"/api/v1/sellers/{world.seller_a.id}", headers=world.headers()).get_data(
        as_text=True
    )
    for secret in ("client-secret-value", "refresh-token-value", world.seller_a.webhook_secret):
        assert secret not in text


def test_sync_queues_every_stream_by_default(client, world, enqueued) -> None:
    response = client.post(f"/api/v1/sellers/{world.seller_a.id}/sync", headers=world.headers())
    assert response.status_code == 202, response.get_json()
    sid = world.seller_a.id
    streams = ("orders", "inventory", "inbound", "reports", "fees", "awd")
    assert enqueued == [(sid, s) for s in streams]
    assert response.get_json()["jobs"][0] == {"stream": "orders", "job_id": 1001}


def test_sync_of_chosen_streams(client, world, enqueued) -> None:
    response = client.post(
        f"/api/v1/sellers/{world.seller_a.id}/sync",
        json={"streams": ["fees", "orders", "fees"]},
        headers=world.headers(),
    )
    assert response.status_code == 202
    assert [s for _, s in enqueued] == ["fees", "orders"]


def test_bad_sync_bodies_queue_nothing(client, world, enqueued) -> None:
    bodies = [{"streams": []}, {"streams": ["ads"]}, {"streams": "orders"}, {"stream": ["orders"]}]
    for body in bodies:
        response = client.post(
            f"/api/v1/sellers/{world.seller_a.id}/sync", json=body, headers=world.headers()
        )
        assert response.status_code == 422, body
    assert enqueued == []


def test_sync_of_another_tenants_or_inactive_seller(client, world, db_session, enqueued) -> None:
    response = client.post(f"/api/v1/sellers/{world.seller_b.id}/sync", headers=world.headers())
    assert response.status_code == 404
    world.seller_a.active = False
    db_session.commit()
    response = client.post(f"/api/v1/sellers/{world.seller_a.id}/sync", headers=world.headers())
    assert response.status_code == 409
    assert enqueued == []


def test_the_api_knows_the_same_streams_as_the_sync_jobs() -> None:
    from app.sync.runner import RUNS
    from app.sync.streams import RUN_ORDER, Stream
    from app.web.api.operations import STREAMS

    assert tuple(STREAMS) == tuple(RUN_ORDER) == tuple(Stream) and set(RUNS) == set(Stream)


def test_a_queue_failure_is_a_clear_503(client, world, monkeypatch) -> None:
    from app import tasks

    def broken(seller_account_id: int, stream: str) -> int:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks, "enqueue_sync", broken)
    response = client.post(f"/api/v1/sellers/{world.seller_a.id}/sync", headers=world.headers())
    body = problem(response, 503, "queue_unavailable")
    assert "retry" in body["detail"]
    assert body["type"] == "tag:fba-planner,2025:problem:queue_unavailable"
