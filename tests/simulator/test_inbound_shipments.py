"""Inbound shipments: v0 and 2024-03-20 answers fit Amazon's models, page, agree with the truth,
cover every status, and the units really arrive, gradually, on the dates reported."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from simulator.inbound import STATUSES
from simulator.inventory import snapshot
from simulator.ratelimit import RATES
from simulator.testing import running_simulator
from simulator.truth import clock_iso, start_clock
from simulator.world import build_world

from .conftest import shared_dir

V0 = "fulfillmentInboundV0"
STA = "fulfillmentInbound_2024-03-20"
MK = "ATVPDKIKX0DER"
PLANS = "/inbound/fba/2024-03-20/inboundPlans"


def _truth(sim, name: str) -> pd.DataFrame:
    text = sim.get(f"/_sim/truth/{name}").text
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _all_shipments(sim, models, params: dict) -> tuple[list[dict], int]:
    """Every page of a getShipments query, each validated; (shipments, pages)."""
    body = sim.get("/fba/inbound/v0/shipments", {"MarketplaceId": MK, **params})
    assert body.status_code == 200, body.text
    page = body.json()
    models.validate(V0, "getShipments", 200, page)
    out, pages = list(page["payload"]["ShipmentData"]), 1
    token = page["payload"].get("NextToken")
    while token:
        query = {"MarketplaceId": MK, "QueryType": "NEXT_TOKEN", "NextToken": token}
        page = sim.get("/fba/inbound/v0/shipments", query).json()
        models.validate(V0, "getShipments", 200, page)
        out += page["payload"]["ShipmentData"]
        token = page["payload"].get("NextToken")
        pages += 1
    return out, pages


def _items(sim, models, shipment_id: str) -> list[dict]:
    got = sim.get(f"/fba/inbound/v0/shipments/{shipment_id}/items")
    assert got.status_code == 200, got.text
    models.validate(V0, "getShipmentItemsByShipmentId", 200, got.json())
    return got.json()["payload"]["ItemData"]


def test_get_shipments_pages_cover_every_status_and_match_the_truth(sim, models):
    everything = ",".join(STATUSES)
    found, pages = _all_shipments(
        sim, models, {"QueryType": "SHIPMENT", "ShipmentStatusList": everything}
    )
    truth = _truth(sim, "inbound_shipments.csv")
    assert pages >= 3
    assert [s["ShipmentId"] for s in found] == list(truth["shipment_id"])
    assert [s["ShipmentStatus"] for s in found] == list(truth["status"])
    assert set(Counter(s["ShipmentStatus"] for s in found)) == set(STATUSES)
    first = sim.get(
        "/fba/inbound/v0/shipments",
        {"MarketplaceId": MK, "QueryType": "SHIPMENT", "ShipmentStatusList": everything},
    ).json()
    token = first["payload"]["NextToken"]
    again = {"MarketplaceId": MK, "QueryType": "NEXT_TOKEN", "NextToken": token}
    assert (
        sim.get("/fba/inbound/v0/shipments", again).json()
        == sim.get("/fba/inbound/v0/shipments", again).json()
    )


def test_status_and_id_filters_intersect(sim, models):
    receiving, _ = _all_shipments(
        sim, models, {"QueryType": "SHIPMENT", "ShipmentStatusList": "RECEIVING"}
    )
    assert receiving and {s["ShipmentStatus"] for s in receiving} == {"RECEIVING"}
    closed, _ = _all_shipments(
        sim, models, {"QueryType": "SHIPMENT", "ShipmentStatusList": "CLOSED"}
    )
    ids = [receiving[0]["ShipmentId"], closed[0]["ShipmentId"]]
    by_id, _ = _all_shipments(
        sim, models, {"QueryType": "SHIPMENT", "ShipmentIdList": ",".join(ids)}
    )
    assert sorted(s["ShipmentId"] for s in by_id) == sorted(ids)
    both, _ = _all_shipments(
        sim,
        models,
        {"QueryType": "SHIPMENT", "ShipmentIdList": ",".join(ids), "ShipmentStatusList": "CLOSED"},
    )
    assert [s["ShipmentId"] for s in both] == [closed[0]["ShipmentId"]]
    for bad in (
        {"QueryType": "SHIPMENT"},
        {"QueryType": "SHIPMENT", "ShipmentStatusList": "LOST"},
        {"QueryType": "DATE_RANGE", "LastUpdatedAfter": "2026-11-01T00:00:00Z"},
        {"QueryType": "ANY"},
    ):
        resp = sim.get("/fba/inbound/v0/shipments", {"MarketplaceId": MK, **bad})
        assert resp.status_code == 400, bad
        models.validate(V0, "getShipments", 400, resp.json())
    missing = sim.get("/fba/inbound/v0/shipments/FBA000NOPE/items")
    assert missing.status_code == 404
    models.validate(V0, "getShipmentItemsByShipmentId", 404, missing.json())


def test_date_range_queries_select_by_last_update(sim, models):
    now = sim.marketplace.now
    after, before = clock_iso(now - 10 * 86400), clock_iso(now - 3 * 86400)
    truth = _truth(sim, "inbound_shipments.csv")
    expected = truth[(truth["last_updated"] >= after) & (truth["last_updated"] <= before)]
    assert 0 < len(expected) < len(truth)
    query = {"QueryType": "DATE_RANGE", "LastUpdatedAfter": after, "LastUpdatedBefore": before}
    found, _ = _all_shipments(sim, models, query)
    assert [s["ShipmentId"] for s in found] == list(expected["shipment_id"])
    got = sim.get("/fba/inbound/v0/shipmentItems", {"MarketplaceId": MK, **query})
    models.validate(V0, "getShipmentItems", 200, got.json())
    items = got.json()["payload"]["ItemData"]
    wide = {
        "QueryType": "DATE_RANGE",
        "LastUpdatedAfter": clock_iso(now - 400 * 86400),
        "LastUpdatedBefore": clock_iso(now),
    }
    page = sim.get("/fba/inbound/v0/shipmentItems", {"MarketplaceId": MK, **wide}).json()
    all_items, pages = list(page["payload"]["ItemData"]), 1
    while page["payload"].get("NextToken"):
        nxt = {
            "MarketplaceId": MK,
            "QueryType": "NEXT_TOKEN",
            "NextToken": page["payload"]["NextToken"],
        }
        page = sim.get("/fba/inbound/v0/shipmentItems", nxt).json()
        models.validate(V0, "getShipmentItems", 200, page)
        all_items += page["payload"]["ItemData"]
        pages += 1
    assert pages >= 2 and len(all_items) == len(truth)
    assert [i["ShipmentId"] for i in items] == list(expected["shipment_id"])
    by_id = truth.set_index("shipment_id")
    for item in all_items:
        row = by_id.loc[item["ShipmentId"]]
        assert item["SellerSKU"] == row["sku"]
        assert item["QuantityShipped"] == int(row["quantity_shipped"])
        assert item["QuantityReceived"] == int(row["quantity_received"])


def test_inventory_inbound_totals_are_sums_over_open_shipments(sim, models):
    found, _ = _all_shipments(
        sim, models, {"QueryType": "SHIPMENT", "ShipmentStatusList": ",".join(STATUSES)}
    )
    sums: dict[str, Counter] = {}
    for s in found:
        (item,) = _items(sim, models, s["ShipmentId"])
        c = sums.setdefault(item["SellerSKU"], Counter())
        status = s["ShipmentStatus"]
        if status == "WORKING":
            c["working"] += item["QuantityShipped"]
        elif status in ("SHIPPED", "IN_TRANSIT", "DELIVERED", "CHECKED_IN"):
            c["shipped"] += item["QuantityShipped"]
            assert item["QuantityReceived"] == 0
        elif status == "RECEIVING":
            assert 0 < item["QuantityReceived"] < item["QuantityShipped"]
            c["receiving"] += item["QuantityShipped"] - item["QuantityReceived"]
        elif status == "CLOSED":
            assert item["QuantityReceived"] == item["QuantityShipped"]
    params = {"granularityType": "Marketplace", "granularityId": MK, "details": "true"}
    summaries = sim.get("/fba/inventory/v1/summaries", params).json()["payload"][
        "inventorySummaries"
    ]
    assert summaries
    for row in summaries:
        d = row["inventoryDetails"]
        c = sums.get(row["sellerSku"], Counter())
        assert d["inboundWorkingQuantity"] == c["working"], row["sellerSku"]
        assert d["inboundShippedQuantity"] == c["shipped"], row["sellerSku"]
        assert d["inboundReceivingQuantity"] == c["receiving"], row["sellerSku"]


def test_plans_page_validate_and_join_the_v0_shipments(sim, models):
    pages, plans, token = 0, [], None
    while True:
        params = {"pageSize": "7", **({"paginationToken": token} if token else {})}
        page = sim.get(PLANS, params).json()
        models.validate(STA, "listInboundPlans", 200, page)
        plans += page["inboundPlans"]
        pages += 1
        token = (page.get("pagination") or {}).get("nextToken")
        if not token:
            break
    assert pages >= 2
    updated = [p["lastUpdatedAt"] for p in plans]
    assert updated == sorted(updated, reverse=True)
    asc = sim.get(PLANS, {"pageSize": "30", "sortBy": "CREATION_TIME", "sortOrder": "ASC"}).json()
    created = [p["createdAt"] for p in asc["inboundPlans"]]
    assert created == sorted(created)
    active = sim.get(PLANS, {"pageSize": "30", "status": "ACTIVE"}).json()["inboundPlans"]
    assert active and {p["status"] for p in active} == {"ACTIVE"}
    truth = _truth(sim, "inbound_shipments.csv").set_index("shipment_id")
    seen, multi = 0, None
    for plan in plans:
        got = sim.get(f"{PLANS}/{plan['inboundPlanId']}").json()
        models.validate(STA, "getInboundPlan", 200, got)
        if len(got["shipments"]) > 1:
            multi = plan["inboundPlanId"]
        for ref in got["shipments"]:
            url = f"{PLANS}/{plan['inboundPlanId']}/shipments/{ref['shipmentId']}"
            shipment = sim.get(url).json()
            models.validate(STA, "getShipment", 200, shipment)
            row = truth.loc[shipment["shipmentConfirmationId"]]
            assert row["sta_shipment_id"] == ref["shipmentId"] == shipment["shipmentId"]
            assert shipment["status"] == ref["status"] == row["status"]
            window = shipment.get("selectedDeliveryWindow")
            assert (window is None) == (row["window_start"] == "")
            if window:
                assert window["startDate"][:10] == row["window_start"]
                assert window["endDate"][:10] == row["window_end"]
                assert row["window_start"] <= row["delivery_date"] <= row["window_end"]
            items = sim.get(f"{url}/items").json()
            models.validate(STA, "listShipmentItems", 200, items)
            assert [(i["msku"], i["quantity"]) for i in items["items"]] == [
                (row["sku"], int(row["quantity_shipped"]))
            ]
            seen += 1
    in_plans = truth[truth["inbound_plan_id"] != ""]
    assert seen == len(in_plans) and len(in_plans) < len(truth)  # some are v0-only
    assert multi is not None
    first = sim.get(f"{PLANS}/{multi}/items", {"pageSize": "1"}).json()
    models.validate(STA, "listInboundPlanItems", 200, first)
    assert len(first["items"]) == 1 and first["pagination"]["nextToken"]
    bad = sim.get(f"{PLANS}/short")
    assert bad.status_code == 400
    models.validate(STA, "getInboundPlan", 400, bad.json())
    unknown = sim.get(f"{PLANS}/wf" + "0" * 36)
    assert unknown.status_code == 404
    models.validate(STA, "getShipment", 404, unknown.json())


def test_fees_estimate_from_sp_api_has_no_nulls(sim, models):
    from sp_api.api import ProductFees

    sku = str(sim.marketplace.sellers[0].world.catalog["sku"].iat[0])
    res = sim.sp_api_client(ProductFees).get_product_fees_estimate_for_sku(sku, 19.99, is_fba=True)
    body = {"payload": res.payload}
    models.validate("productFeesV0", "getMyFeesEstimateForSKU", 200, body)
    assert "null" not in json.dumps(body)


def test_inbound_rates_are_the_documented_usage_plans():
    ops = (
        "getShipments",
        "getShipmentItemsByShipmentId",
        "getShipmentItems",
        "listInboundPlans",
        "getInboundPlan",
        "getShipment",
        "listShipmentItems",
        "listInboundPlanItems",
    )
    documented = {}
    for model in (V0, STA):
        spec = json.loads((shared_dir() / "spapi-models" / "models" / f"{model}.json").read_text())
        for path_ops in spec["paths"].values():
            for op in path_ops.values():
                if isinstance(op, dict) and op.get("operationId") in ops:
                    rate, burst = re.findall(r"\| *([\d.]+) *\| *(\d+) *\|", op["description"])[0]
                    documented[op["operationId"]] = (float(rate), int(burst))
    assert set(documented) == set(ops)
    assert {op: RATES[op] for op in ops} == documented


@pytest.mark.parametrize("today", [date(2025, 12, 28), date(2026, 11, 26)])
def test_demo_seller_has_out_of_stock_skus_with_inbound_and_overstock(today):
    world = build_world(7, 40, 730, today)
    snap = snapshot(world, start_clock(world.last_day))
    inbound = snap.inbound_working + snap.inbound_shipped + snap.inbound_receiving
    assert int(((snap.fulfillable == 0) & (inbound > 0)).sum()) >= 2
    cover = snap.fulfillable / np.maximum(world.state.velocity, 0.05)
    assert int((cover > 120).sum()) >= 1


def _next_day(text: str) -> str:
    return (date.fromisoformat(text) + timedelta(days=1)).isoformat()


def _v0_status(sim, shipment_id: str) -> tuple[str, int, int]:
    q = {"MarketplaceId": MK, "QueryType": "SHIPMENT", "ShipmentIdList": shipment_id}
    (s,) = sim.get("/fba/inbound/v0/shipments", q).json()["payload"]["ShipmentData"]
    (item,) = sim.get(f"/fba/inbound/v0/shipments/{shipment_id}/items").json()["payload"][
        "ItemData"
    ]
    return s["ShipmentStatus"], item["QuantityReceived"], item["QuantityShipped"]


def _fulfillable(sim) -> dict[str, int]:
    params = {"granularityType": "Marketplace", "granularityId": MK, "details": "true"}
    rows = sim.get("/fba/inventory/v1/summaries", params).json()["payload"]["inventorySummaries"]
    return {r["sellerSku"]: r["inventoryDetails"]["fulfillableQuantity"] for r in rows}


def test_shipments_arrive_gradually_on_the_dates_reported(models):
    with running_simulator(
        seed=3, skus=8, history_days=120, today=date(2026, 5, 1), rate_scale=1000.0
    ) as sim:
        truth = _truth(sim, "inbound_shipments.csv")
        watched = truth[truth["status"].isin(["RECEIVING", "CHECKED_IN", "DELIVERED"])]
        assert set(watched["status"]) == {"RECEIVING", "CHECKED_IN", "DELIVERED"}
        windows = {}
        for _, row in watched.iterrows():
            if row["inbound_plan_id"]:
                url = f"{PLANS}/{row['inbound_plan_id']}/shipments/{row['sta_shipment_id']}"
                windows[row["shipment_id"]] = sim.get(url).json().get("selectedDeliveryWindow")
        history: dict[str, list[tuple[str, str, int]]] = {sid: [] for sid in watched["shipment_id"]}
        stock = [(_fulfillable(sim), sim.get("/_sim/clock").json()["last_full_day"])]
        for _ in range(8):
            for sid in history:
                status, received, _ = _v0_status(sim, sid)
                day = sim.get("/_sim/clock").json()["now"][:10]
                history[sid].append((day, status, received))
            sim.advance(days=1)
            stock.append((_fulfillable(sim), sim.get("/_sim/clock").json()["last_full_day"]))
        demand = _truth(sim, "demand.csv")
        receipts = _truth(sim, "inbound_receipts.csv")
        final = _truth(sim, "inbound_shipments.csv").set_index("shipment_id")
        for sid, seen in history.items():
            row = final.loc[sid]
            statuses = [s for _, s, _ in seen]
            assert statuses[-1] == "CLOSED", (sid, statuses)
            received = [r for _, _, r in seen]
            assert received == sorted(received) and received[-1] == int(row["quantity_shipped"])
            receiving_days = [d for d, s, _ in seen if s == "RECEIVING"]
            assert len(receiving_days) >= 1
            # Receiving is gradual: units land on at least two different days.
            assert len(receipts[receipts["shipment_id"] == sid]) >= 2
            # The status first reads RECEIVING on the day after the first receipt day, CLOSED
            # on the day after the last.
            first_receiving = next((d for d, s, _ in seen if s == "RECEIVING"), None)
            if first_receiving and seen[0][1] != "RECEIVING":
                assert first_receiving == _next_day(row["first_receipt_date"])
            closed_on = next(d for d, s, _ in seen if s == "CLOSED")
            assert closed_on == _next_day(row["closed_date"])
            window = windows.get(sid)
            if window:
                assert window["startDate"][:10] <= row["delivery_date"] <= window["endDate"][:10]
                assert row["first_receipt_date"] == _next_day(_next_day(row["delivery_date"]))
        # Fulfillable grows by exactly the units received, less what sold that day.
        for (before, _), (after, day) in zip(stock[:-1], stock[1:], strict=True):
            for sku in after:
                got = receipts[(receipts["sku"] == sku) & (receipts["date"] == day)]
                sold = demand[(demand["sku"] == sku) & (demand["date"] == day)]["sold"]
                expect = (
                    before[sku] + int(got["units"].astype(int).sum()) - int(sold.astype(int).sum())
                )
                assert after[sku] == expect, (sku, day)
