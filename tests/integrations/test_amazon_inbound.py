"""Inbound connector: v0 shipments and items, 2024-03-20 plans and Amazon's dates, typed and
exact against the simulator; paging, retries and malformed payloads with scripted answers."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import httpx
import pandas as pd
import pytest

from integrations.amazon.client import RetryPolicy, SellerConfig, SpApiClient
from integrations.amazon.errors import MalformedPayload
from integrations.amazon.limits import OPERATION_LIMITS, LocalBuckets, Pacer
from integrations.amazon.parse_inbound import (
    parse_plan_shipment,
    parse_shipment_items_page,
    parse_shipments_page,
)
from integrations.amazon.results import INBOUND_STATUSES, OPEN_INBOUND_STATUSES
from simulator.inbound import STATUSES as SIMULATED_STATUSES

CONFIG = SellerConfig(
    key="mock-inbound",
    endpoint="http://127.0.0.1:8999",
    token_url="http://127.0.0.1:8999/auth/o2/token",
    marketplace_id="ATVPDKIKX0DER",
    region="us-east-1",
    client_id="cid",
    client_secret="csecret-value",
    refresh_token="Atzr|refresh-value",
)


def _client(sim: Any, sim_config: Any) -> SpApiClient:
    return SpApiClient(
        sim_config(sim, key=f"inbound-{sim.base_url}"),
        pacer=Pacer(f"inbound-{sim.base_url}", buckets=LocalBuckets(), scale=1000),
    )


def _truth(sim: Any, name: str) -> pd.DataFrame:
    text = sim.get(f"/_sim/truth/{name}").text
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_shipments_and_items_are_exact_against_the_simulator(small_sim, sim_config) -> None:
    client = _client(small_sim, sim_config)
    shipments = client.inbound_shipments()
    truth = _truth(small_sim, "inbound_shipments.csv")
    assert [(s.shipment_id, s.status) for s in shipments] == list(
        zip(truth["shipment_id"], truth["status"], strict=True)
    )
    assert {s.status for s in shipments} >= set(SIMULATED_STATUSES)
    assert all(s.is_open == (s.status in OPEN_INBOUND_STATUSES) for s in shipments)
    open_ = client.inbound_shipments(OPEN_INBOUND_STATUSES)
    assert [s.shipment_id for s in open_] == [s.shipment_id for s in shipments if s.is_open]
    by_id = truth.set_index("shipment_id")
    for s in open_:
        (item,) = client.inbound_shipment_items(s.shipment_id)
        row = by_id.loc[s.shipment_id]
        assert (item.sku, item.quantity_shipped, item.quantity_received) == (
            row["sku"],
            int(row["quantity_shipped"]),
            int(row["quantity_received"]),
        )
        assert item.outstanding == int(row["quantity_shipped"]) - int(row["quantity_received"])
    since = dt.datetime.fromisoformat(truth["last_updated"].max().replace("Z", "+00:00"))
    recent = [
        i for page in client.inbound_item_pages(since - dt.timedelta(days=5)) for i in page.items
    ]
    expected = truth[
        truth["last_updated"] >= (since - dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ]
    assert [i.shipment_id for i in recent] == list(expected["shipment_id"])


def test_plan_shipments_carry_amazons_delivery_window(small_sim, sim_config) -> None:
    client = _client(small_sim, sim_config)
    truth = _truth(small_sim, "inbound_shipments.csv").set_index("shipment_id")
    found = list(client.plan_shipments())
    assert len(found) == int((truth["inbound_plan_id"] != "").sum())
    with_dates = [p for p in found if p.has_amazon_date]
    assert with_dates and len(with_dates) < len(found)
    for p in found:
        row = truth.loc[p.confirmation_id]
        assert (p.plan_id, p.shipment_id, p.status) == (
            row["inbound_plan_id"],
            row["sta_shipment_id"],
            row["status"],
        )
        assert p.ready_to_ship_start is not None
        assert (
            p.ready_to_ship_start.date().isoformat() == row["ship_date"]
            or row["status"] == "CANCELLED"
        )
        if p.has_amazon_date:
            assert p.delivery_window_start is not None and p.delivery_window_end is not None
            assert p.delivery_window_start.date().isoformat() == row["window_start"]
            assert p.delivery_window_end.date().isoformat() == row["window_end"]
        else:
            assert row["window_start"] == ""
    first = with_dates[0]
    items = client.plan_shipment_items(first.plan_id, first.shipment_id, page_size=1)
    row = truth.loc[first.confirmation_id]
    assert [(i.msku, i.quantity) for i in items] == [(row["sku"], int(row["quantity_shipped"]))]
    # A walk that only wants recent plans stops early.
    newest = next(client.inbound_plan_pages()).plans[0].last_updated_at
    calls = client.calls["getInboundPlan"]
    recent = list(client.plan_shipments(updated_after=newest))
    assert recent and client.calls["getInboundPlan"] - calls < len({p.plan_id for p in found})


def test_simulator_inbound_payloads_fit_the_models(small_sim, spapi_schema) -> None:
    mk = "ATVPDKIKX0DER"
    body = small_sim.get(
        "/fba/inbound/v0/shipments",
        {
            "MarketplaceId": mk,
            "QueryType": "SHIPMENT",
            "ShipmentStatusList": ",".join(INBOUND_STATUSES),
        },
    ).json()
    spapi_schema("fulfillmentInboundV0.json", "GetShipmentsResponse", body)
    page = parse_shipments_page(body["payload"])
    sid = page.shipments[0].shipment_id
    items = small_sim.get(f"/fba/inbound/v0/shipments/{sid}/items").json()
    spapi_schema("fulfillmentInboundV0.json", "GetShipmentItemsResponse", items)
    assert parse_shipment_items_page(items["payload"], sid).items[0].shipment_id == sid
    plans = small_sim.get("/inbound/fba/2024-03-20/inboundPlans").json()
    spapi_schema("fulfillmentInbound_2024-03-20.json", "ListInboundPlansResponse", plans)
    plan_id = plans["inboundPlans"][0]["inboundPlanId"]
    plan = small_sim.get(f"/inbound/fba/2024-03-20/inboundPlans/{plan_id}").json()
    spapi_schema("fulfillmentInbound_2024-03-20.json", "InboundPlan", plan)
    ship = small_sim.get(
        f"/inbound/fba/2024-03-20/inboundPlans/{plan_id}/shipments/{plan['shipments'][0]['shipmentId']}"
    ).json()
    spapi_schema("fulfillmentInbound_2024-03-20.json", "Shipment", ship)
    assert parse_plan_shipment(ship, plan_id).confirmation_id == ship["shipmentConfirmationId"]


def test_fee_estimate_answer_has_no_nulls(small_sim, sim_config, spapi_schema) -> None:
    client = _client(small_sim, sim_config)
    sku = str(small_sim.marketplace.sellers[0].world.catalog["sku"].iat[0])
    estimate = client.fees_estimate(sku, 24.99)
    assert estimate.total_fees is not None and estimate.referral_fee is not None
    from sp_api.api import ProductFees

    raw = client.api(ProductFees).get_product_fees_estimate_for_sku(sku, 24.99, is_fba=True)
    spapi_schema("productFeesV0.json", "GetMyFeesEstimateResponse", {"payload": raw.payload})
    assert "null" not in json.dumps(raw.payload)


# -- scripted answers -------------------------------------------------------------------------
class Script:
    """Answers API calls from a list; tokens always."""

    def __init__(self, answers: list[httpx.Response]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "tok", "expires_in": 3600})
        self.requests.append(request)
        return self.answers.pop(0)


def _scripted(answers: list[httpx.Response]) -> tuple[SpApiClient, Script]:
    script = Script(answers)
    client = SpApiClient(
        CONFIG,
        pacer=Pacer("mock-inbound", buckets=LocalBuckets(), scale=1000, sleep=lambda _s: None),
        retry=RetryPolicy(attempts=3, base=0.0),
        sleep=lambda _s: None,
        http=httpx.MockTransport(script),
    )
    return client, script


def _shipment(sid: str, status: str) -> dict[str, Any]:
    return {
        "ShipmentId": sid,
        "ShipmentStatus": status,
        "AreCasesRequired": False,
        "ShipFromAddress": {
            "Name": "n",
            "AddressLine1": "a",
            "City": "c",
            "CountryCode": "US",
            "PostalCode": "1",
            "StateOrProvinceCode": "NV",
        },
    }


def test_get_shipments_follows_next_token_with_the_documented_parameters() -> None:
    page1 = {"payload": {"ShipmentData": [_shipment("FBA1", "WORKING")], "NextToken": "t2"}}
    page2 = {"payload": {"ShipmentData": [_shipment("FBA2", "RECEIVING")]}}
    client, script = _scripted(
        [
            httpx.Response(429, json={"errors": []}),
            httpx.Response(200, json=page1),
            httpx.Response(200, json=page2),
        ]
    )
    got = client.inbound_shipments(["WORKING", "RECEIVING"])
    assert [(s.shipment_id, s.status) for s in got] == [("FBA1", "WORKING"), ("FBA2", "RECEIVING")]
    first, retried, second = (r.url.params for r in script.requests)
    assert first == retried and client.retries["getShipments"] == 1
    assert first["QueryType"] == "SHIPMENT" and first["ShipmentStatusList"] == "WORKING,RECEIVING"
    assert first["MarketplaceId"] == "ATVPDKIKX0DER"
    assert second["QueryType"] == "NEXT_TOKEN" and second["NextToken"] == "t2"
    assert "ShipmentStatusList" not in second


def test_date_range_query_sends_both_bounds() -> None:
    client, script = _scripted([httpx.Response(200, json={"payload": {"ShipmentData": []}})])
    after = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    before = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
    assert client.inbound_shipments(updated_after=after, updated_before=before) == []
    params = script.requests[0].url.params
    assert params["QueryType"] == "DATE_RANGE"
    assert (params["LastUpdatedAfter"], params["LastUpdatedBefore"]) == (
        "2026-11-01T00:00:00Z",
        "2026-11-20T12:00:00Z",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"ShipmentData": [{"ShipmentStatus": "WORKING"}]}, "payload.ShipmentData[0].ShipmentId"),
        (
            {"ShipmentData": [{"ShipmentId": "X", "ShipmentStatus": 3}]},
            "payload.ShipmentData[0].ShipmentStatus",
        ),
        ({"ShipmentData": {}}, "payload.ShipmentData"),
    ],
)
def test_malformed_shipments_name_the_field(payload: dict, field: str) -> None:
    with pytest.raises(MalformedPayload) as exc:
        parse_shipments_page(payload)
    assert exc.value.field == field


def test_malformed_items_and_shipment_mixups_are_refused() -> None:
    with pytest.raises(MalformedPayload) as exc:
        parse_shipment_items_page(
            {"ItemData": [{"SellerSKU": "A", "QuantityShipped": "5"}]}, "FBA1"
        )
    assert exc.value.field == "payload.ItemData[0].QuantityShipped"
    with pytest.raises(MalformedPayload):
        parse_shipment_items_page(
            {"ItemData": [{"ShipmentId": "FBA2", "SellerSKU": "A", "QuantityShipped": 5}]}, "FBA1"
        )
    page = parse_shipment_items_page(
        {"ItemData": [{"SellerSKU": "A", "QuantityShipped": 5}]}, "FBA1"
    )
    assert page.items[0].shipment_id == "FBA1" and page.items[0].quantity_received == 0
    with pytest.raises(MalformedPayload) as exc:
        parse_plan_shipment(
            {"shipmentId": "sh1", "selectedDeliveryWindow": {"startDate": "x"}}, "wf1"
        )
    assert exc.value.field.startswith("body.selectedDeliveryWindow")


def test_client_limits_are_the_simulators() -> None:
    from simulator.ratelimit import RATES

    for op in (
        "getShipments",
        "getShipmentItemsByShipmentId",
        "getShipmentItems",
        "listInboundPlans",
        "getInboundPlan",
        "getShipment",
        "listShipmentItems",
    ):
        assert (OPERATION_LIMITS[op].rate, OPERATION_LIMITS[op].burst) == RATES[op]
