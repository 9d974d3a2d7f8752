"""AWD connector: inventory and inbound shipments typed and exact against the simulator, the
model's own examples parsed, paging with the same arguments, units in cases converted, bad
answers refused with the path of the bad field, and 404 told apart."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import pandas as pd
import pytest

from integrations.amazon.awd import is_not_enrolled
from integrations.amazon.client import RetryPolicy, SellerConfig, SpApiClient
from integrations.amazon.errors import MalformedPayload, PermanentError
from integrations.amazon.limits import OPERATION_LIMITS, LocalBuckets, Pacer
from integrations.amazon.parse_awd import parse_inventory_page, parse_shipment, parse_shipments_page

MODEL = "awd_2024-05-09.json"
CONFIG = SellerConfig(
    key="mock-awd",
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
        sim_config(sim, key=f"awd-{sim.base_url}"),
        pacer=Pacer(f"awd-{sim.base_url}", buckets=LocalBuckets(), scale=1000),
    )


def _truth(sim: Any, name: str) -> pd.DataFrame:
    text = sim.get(f"/_sim/truth/{name}").text
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def test_inventory_and_shipments_are_exact_against_the_simulator(small_sim, sim_config) -> None:
    client = _client(small_sim, sim_config)
    inventory = client.awd_inventory()
    truth = _truth(small_sim, "awd_inventory.csv")
    assert [
        (i.sku, i.total_onhand, i.available, i.reserved, i.replenishment, i.total_inbound)
        for i in inventory
    ] == [
        (r.sku, int(r.onhand), int(r.available), int(r.reserved), int(r.replenishment),
         int(r.inbound))
        for r in truth.sort_values("sku").itertuples()
    ]  # fmt: skip
    assert all(i.distributable == i.available for i in inventory)
    ships = _truth(small_sim, "awd_shipments.csv")
    listed = client.awd_shipments()
    assert sorted((s.shipment_id, s.order_id, s.status) for s in listed) == sorted(
        zip(ships["shipment_id"], ships["order_id"], ships["status"], strict=True)
    )
    stamps = [s.updated_at for s in listed]
    assert stamps == sorted(stamps)  # asked oldest update first
    for row in ships.itertuples():
        got = client.awd_shipment(row.shipment_id)
        assert got.status == row.status and got.is_final == (row.status in ("CLOSED", "CANCELLED"))
        (line,) = got.skus
        assert (line.sku, line.expected, line.received) == (
            row.sku, int(row.quantity), int(row.received)
        )  # fmt: skip
        assert line.outstanding == int(row.quantity) - int(row.received)
        assert got.received_units == int(row.received)
        assert got.ship_by is not None and got.ship_by.date().isoformat() == (
            row.ship_date or got.ship_by.date().isoformat()
        )
    # Only what changed since a time.
    pivot = sorted(stamps)[len(stamps) // 2]
    assert [s.shipment_id for s in client.awd_shipments(updated_after=pivot)] == [
        s.shipment_id for s in listed if s.updated_at >= pivot
    ]
    assert client.calls["listInventory"] == 1


def test_a_seller_outside_awd_gets_a_404_the_connector_names(sim_config) -> None:
    from simulator.testing import running_simulator

    with running_simulator(seed=7, skus=4, history_days=30, rate_scale=1000,
                           marketplace="DE") as de:  # fmt: skip
        client = SpApiClient(
            SellerConfig(**{**sim_config(de, key="awd-de").__dict__, "endpoint": de.endpoint,
                            "token_url": de.token_url}),  # fmt: skip
            pacer=Pacer("awd-de", buckets=LocalBuckets(), scale=1000),
        )
        with pytest.raises(PermanentError) as err:
            client.awd_inventory()
        assert is_not_enrolled(err.value)
        assert client.calls["listInventory"] == 1  # a 404 is not retried
    assert not is_not_enrolled(PermanentError("400", status=400))


def _model_example(spapi_model: dict, path: str, status: str = "200") -> Any:
    op = spapi_model["paths"][path]["get"]
    return op["responses"][status]["x-amzn-api-sandbox"]["static"][0]["response"]


@pytest.fixture(scope="module")
def spapi_model(shared_dir) -> dict:
    return json.loads((shared_dir / "spapi-models" / "models" / MODEL).read_text())


def test_the_models_own_examples_parse(spapi_model) -> None:
    inv = parse_inventory_page(_model_example(spapi_model, "/awd/2024-05-09/inventory"))
    got = [(i.sku, i.total_onhand, i.total_inbound, i.available, i.reserved) for i in inv.items]
    assert got == [
        ("100TestSKU1Pen", 20, 10, 10, 10),
        ("2U-BKEX-VW4D", 20, 5, 10, 10),
    ]
    page = parse_shipments_page(_model_example(spapi_model, "/awd/2024-05-09/inboundShipments"))
    assert [(s.shipment_id, s.order_id, s.status) for s in page.shipments] == [
        ("TestShipmentId", "TestOrderId", "CREATED")
    ]
    assert page.next_token is None
    shipment = parse_shipment(
        _model_example(spapi_model, "/awd/2024-05-09/inboundShipments/{shipmentId}")
    )
    # 2 cases expected, in cases of 20 (the example's packages): 40 units, none received.
    (line,) = shipment.skus
    assert (line.sku, line.expected, line.received) == ("testPen", 40, 0)
    assert shipment.received_units is None  # the example counts cases, not units


def _detail(**over: Any) -> dict[str, Any]:
    body = {
        "shipmentId": "S1",
        "orderId": "O1",
        "shipmentStatus": "IN_TRANSIT",
        "destinationAddress": {"name": "d", "addressLine1": "a", "countryCode": "US",
                               "stateOrRegion": "CA"},
        "originAddress": {"name": "o", "addressLine1": "a", "countryCode": "US",
                          "stateOrRegion": "NV"},
        "shipmentContainerQuantities": [
            {"count": 3, "distributionPackage": {
                "type": "PALLET",
                "measurements": {"weight": {"unitOfMeasurement": "POUNDS", "weight": 400}},
                "contents": {"packages": [{"count": 10, "distributionPackage": {
                    "type": "CASE",
                    "measurements": {"weight": {"unitOfMeasurement": "POUNDS", "weight": 30}},
                    "contents": {"products": [{"sku": "A", "quantity": 12}]}}}]}}},
        ],
    }  # fmt: skip
    body.update(over)
    return body


def test_units_in_cases_and_pallets_become_product_units(spapi_schema) -> None:
    body = _detail(
        shipmentSkuQuantities=[
            {
                "sku": "A",
                "expectedQuantity": {"quantity": 3, "unitOfMeasurement": "PALLETS"},
                "receivedQuantity": {"quantity": 5, "unitOfMeasurement": "CASES"},
            }
        ]
    )
    spapi_schema(MODEL, "InboundShipment", body)
    (line,) = parse_shipment(body).skus
    assert (line.expected, line.received, line.outstanding) == (360, 60, 300)
    # Without SKU quantities: the packages' contents, received unknown.
    (plain,) = parse_shipment(_detail()).skus
    assert (plain.sku, plain.expected, plain.received) == ("A", 360, None)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (_detail(shipmentStatus="LOST"), "body.shipmentStatus"),
        ({k: v for k, v in _detail().items() if k != "orderId"}, "body.orderId"),
        ({k: v for k, v in _detail().items() if k != "shipmentContainerQuantities"},
         "body.shipmentContainerQuantities"),
        (_detail(shipmentSkuQuantities=[{"sku": "B", "expectedQuantity": {
            "quantity": 2, "unitOfMeasurement": "CASES"}}]),
         "body.shipmentSkuQuantities[0].expectedQuantity.unitOfMeasurement"),
        (_detail(shipmentSkuQuantities=[{"sku": "A", "expectedQuantity": {
            "quantity": -1, "unitOfMeasurement": "PRODUCT_UNITS"}}]),
         "body.shipmentSkuQuantities[0].expectedQuantity.quantity"),
        (_detail(shipmentSkuQuantities=[{"sku": "A", "expectedQuantity": {
            "quantity": 1.5, "unitOfMeasurement": "PRODUCT_UNITS"}}]),
         "body.shipmentSkuQuantities[0].expectedQuantity.quantity"),
    ],
)  # fmt: skip
def test_bad_shipments_are_refused_naming_the_field(body, where) -> None:
    with pytest.raises(MalformedPayload) as err:
        parse_shipment(body)
    assert err.value.field == where


def test_bad_inventory_is_refused_whole() -> None:
    with pytest.raises(MalformedPayload) as err:
        parse_inventory_page({"inventory": [{"sku": "A", "totalOnhandQuantity": 3},
                                            {"sku": "B", "totalOnhandQuantity": -2}]})  # fmt: skip
    assert err.value.field == "body.inventory[1].totalOnhandQuantity"
    with pytest.raises(MalformedPayload):
        parse_inventory_page({"nextToken": "x"})  # `inventory` is required


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
        pacer=Pacer("mock-awd", buckets=LocalBuckets(), scale=1000, sleep=lambda _s: None),
        retry=RetryPolicy(attempts=3, base=0.0),
        sleep=lambda _s: None,
        http=httpx.MockTransport(script),
    )
    return client, script


def test_pages_follow_next_token_with_the_same_arguments_through_empty_pages() -> None:
    summary = {"shipmentId": "S1", "orderId": "O1", "shipmentStatus": "CLOSED",
               "updatedAt": "2026-11-01T10:00:00Z"}  # fmt: skip
    client, script = _scripted(
        [
            httpx.Response(200, json={"shipments": [], "nextToken": "t1"}),
            httpx.Response(429, json={"errors": [{"code": "QuotaExceeded", "message": "q"}]}),
            httpx.Response(200, json={"shipments": [summary]}),
        ]
    )
    import datetime as dt

    after = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    got = client.awd_shipments(updated_after=after)
    assert [s.shipment_id for s in got] == ["S1"]
    first, _retried, second = (dict(r.url.params) for r in script.requests)
    assert first["updatedAfter"] == "2026-10-01T00:00:00Z" and "nextToken" not in first
    assert second["nextToken"] == "t1"
    for key in ("updatedAfter", "sortBy", "sortOrder", "maxResults"):
        assert second[key] == first[key]
    assert client.retries["listInboundShipments"] == 1


def test_client_limits_are_the_documented_ones() -> None:
    from simulator.ratelimit import RATES

    for op in ("listInventory", "listInboundShipments", "getInboundShipment"):
        assert (OPERATION_LIMITS[op].rate, OPERATION_LIMITS[op].burst) == RATES[op]
