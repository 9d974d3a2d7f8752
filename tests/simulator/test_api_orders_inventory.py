"""Orders, inventory and LWA answers: Amazon's shapes, paging, and agreement with the truth."""

from __future__ import annotations

import io
import time
from datetime import date

import pandas as pd
import pytest
import requests

from simulator.testing import running_simulator
from simulator.truth import clock_iso


def test_token_endpoint_checks_credentials(sim):
    creds = sim.sellers[0]
    ok = requests.post(
        sim.token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": creds["refresh_token"],
            "client_id": creds["client_id"],
            "client_secret": creds["client_secret"],
        },
        timeout=5,
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 3600
    bad = requests.post(
        sim.token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": creds["refresh_token"],
            "client_id": creds["client_id"],
            "client_secret": "wrong",
        },
        timeout=5,
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"


def test_missing_or_bad_token_gets_amazons_403(sim, models):
    for headers in ({}, {"x-amz-access-token": "Atza|nope"}):
        resp = requests.get(
            sim.base_url + "/orders/v0/orders",
            params={"LastUpdatedAfter": "2026-11-01T00:00:00Z"},
            headers=headers,
            timeout=5,
        )
        assert resp.status_code == 403
        assert resp.json()["errors"][0]["code"] == "Unauthorized"
        assert resp.json()["errors"][0]["message"] == "Access to requested resource is denied."
        models.validate("ordersV0", "getOrders", 403, resp.json())


def test_get_orders_pages_validate_and_are_stable(sim, models):
    params = {
        "LastUpdatedAfter": "2026-10-01T00:00:00Z",
        "MaxResultsPerPage": "50",
        "MarketplaceIds": "ATVPDKIKX0DER",
        "marketplace_ids": "x",
        "unknown": "1",
    }
    first = sim.get("/orders/v0/orders", params)
    assert first.status_code == 200
    assert first.headers["x-amzn-RateLimit-Limit"]
    body = first.json()
    models.validate("ordersV0", "getOrders", 200, body)
    now = sim.marketplace.now
    assert body["payload"]["LastUpdatedBefore"] == clock_iso(now - 120)
    nt = body["payload"]["NextToken"]
    a = sim.get("/orders/v0/orders", {"NextToken": nt}).json()
    b = sim.get("/orders/v0/orders", {"NextToken": nt}).json()
    assert a == b
    updates = [o["LastUpdateDate"] for o in body["payload"]["Orders"] + a["payload"]["Orders"]]
    assert updates == sorted(updates)
    ids = [o["AmazonOrderId"] for o in body["payload"]["Orders"]]
    items = sim.get(f"/orders/v0/orders/{ids[0]}/orderItems").json()
    models.validate("ordersV0", "getOrderItems", 200, items)
    assert items["payload"]["AmazonOrderId"] == ids[0]
    one = sim.get(f"/orders/v0/orders/{ids[0]}").json()
    models.validate("ordersV0", "getOrder", 200, one)


def test_get_orders_refuses_a_before_time_too_recent(sim, models):
    resp = sim.get(
        "/orders/v0/orders",
        {
            "LastUpdatedAfter": "2026-11-01T00:00:00Z",
            "LastUpdatedBefore": clock_iso(sim.marketplace.now - 60),
        },
    )
    assert resp.status_code == 400
    models.validate("ordersV0", "getOrders", 400, resp.json())
    assert sim.get("/orders/v0/orders", {}).status_code == 400


def test_pending_orders_have_no_prices(sim, models):
    resp = sim.get(
        "/orders/v0/orders",
        {"CreatedAfter": clock_iso(sim.marketplace.now - 86400), "OrderStatuses": "Pending"},
    )
    body = resp.json()
    models.validate("ordersV0", "getOrders", 200, body)
    assert body["payload"]["Orders"], "orders bought late yesterday are still pending"
    order = body["payload"]["Orders"][0]
    assert order["OrderStatus"] == "Pending" and "OrderTotal" not in order
    items = sim.get(f"/orders/v0/orders/{order['AmazonOrderId']}/orderItems").json()
    assert all("ItemPrice" not in i for i in items["payload"]["OrderItems"])


def test_inventory_summaries_validate_and_match_truth(sim, models):
    truth = pd.read_csv(
        io.StringIO(requests.get(sim.base_url + "/_sim/truth/skus.csv", timeout=10).text)
    )
    seen = {}
    params = {
        "granularityType": "Marketplace",
        "granularityId": "ATVPDKIKX0DER",
        "marketplaceIds": "ATVPDKIKX0DER",
        "details": "true",
    }
    while True:
        resp = sim.get("/fba/inventory/v1/summaries", params)
        body = resp.json()
        models.validate("fbaInventory", "getInventorySummaries", 200, body)
        for s in body["payload"]["inventorySummaries"]:
            seen[s["sellerSku"]] = s["inventoryDetails"]["fulfillableQuantity"]
        nt = body.get("pagination", {}).get("nextToken")
        if not nt:
            break
        params = {
            "nextToken": nt,
            "granularityType": "Marketplace",
            "granularityId": "ATVPDKIKX0DER",
        }
    assert seen == dict(zip(truth["sku"], truth["initial_on_hand"], strict=True))


@pytest.mark.parametrize("missing", ["granularityType", "granularityId"])
def test_inventory_needs_granularity(sim, models, missing):
    params = {"granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER"}
    del params[missing]
    resp = sim.get("/fba/inventory/v1/summaries", params)
    assert resp.status_code == 400
    models.validate("fbaInventory", "getInventorySummaries", 400, resp.json())


def test_truth_endpoint_equals_truth_files(sim):
    from simulator.truth import truth_texts
    from simulator.world import build_world

    world = build_world(7, 12, 400, sim.marketplace.today)
    for name, text in truth_texts(world).items():
        assert requests.get(f"{sim.base_url}/_sim/truth/{name}", timeout=10).text == text
    assert world.last_day == sim.marketplace.today


def test_access_tokens_expire():
    with running_simulator(
        seed=2,
        skus=2,
        history_days=20,
        today=date(2026, 1, 10),
        rate_scale=1e5,
        SIM_TOKEN_LIFETIME=1,
    ) as short:
        token = short.access_token()
        params = {"CreatedAfter": "2026-01-05T00:00:00Z"}
        assert short.get("/orders/v0/orders", params, token=token).status_code == 200
        time.sleep(1.2)
        expired = short.get("/orders/v0/orders", params, token=token)
        assert expired.status_code == 403
        assert expired.json()["errors"][0]["code"] == "Unauthorized"


def test_unknown_paths_answer_in_amazons_error_shape(sim):
    resp = sim.get("/orders/v0/nothing/here/at/all")
    assert resp.status_code == 404
    assert resp.json()["errors"][0]["code"] == "NotFound"


def test_a_token_works_on_another_simulator_of_the_same_seller(sim):
    # sp_api caches tokens process-wide; a second simulator with the same seed accepts them.
    token = sim.access_token()
    with running_simulator(seed=7, skus=3, history_days=20, today=date(2026, 11, 26)) as other:
        assert (
            other.get(
                "/fba/inventory/v1/summaries",
                {"granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER"},
                token=token,
            ).status_code
            == 200
        )
        forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
        assert (
            other.get(
                "/fba/inventory/v1/summaries",
                {"granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER"},
                token=forged,
            ).status_code
            == 403
        )


def test_date_header_is_the_simulated_clock(sim):
    from email.utils import parsedate_to_datetime

    resp = sim.get("/orders/v0/orders", {"CreatedAfter": "2026-11-20T00:00:00Z"})
    assert parsedate_to_datetime(resp.headers["Date"]).timestamp() == sim.marketplace.now


def test_inventory_start_date_time_keeps_recent_changes(sim):
    base = {"granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER"}
    full = sim.get("/fba/inventory/v1/summaries", base).json()["payload"]["inventorySummaries"]
    since = clock_iso(sim.marketplace.now - 3 * 3600)
    recent = sim.get("/fba/inventory/v1/summaries", {**base, "startDateTime": since}).json()
    got = {s["sellerSku"] for s in recent["payload"]["inventorySummaries"]}
    want = {s["sellerSku"] for s in full if s["lastUpdatedTime"] >= since}
    assert got == want and 0 < len(got) < len(full)
