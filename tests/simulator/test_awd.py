"""AWD (simulator.awd): answers fit Amazon's model, page and filter as it documents, agree with
the truth files, and the stock moves: shipments arrive into AWD, replenishments leave it."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pandas as pd
import pytest

from simulator.ratelimit import RATES
from simulator.testing import running_simulator
from simulator.truth import truth_texts
from simulator.world import build_world

MODEL = "awd_2024-05-09"
BASE = "/awd/2024-05-09"
TODAY = date(2026, 11, 26)


def _truth(sim, name: str) -> pd.DataFrame:
    text = sim.get(f"/_sim/truth/{name}").text
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


def _pages(sim, models, path: str, op: str, key: str, params: dict) -> tuple[list[dict], int]:
    """Every page of a list operation, each validated; (items, pages)."""
    got = sim.get(path, params)
    assert got.status_code == 200, got.text
    assert got.headers["x-amzn-RateLimit-Limit"]
    body = got.json()
    models.validate(MODEL, op, 200, body)
    out, pages = list(body[key]), 1
    while body.get("nextToken"):
        got = sim.get(path, {**params, "nextToken": body["nextToken"]})
        assert got.status_code == 200, got.text
        body = got.json()
        models.validate(MODEL, op, 200, body)
        out += body[key]
        pages += 1
    return out, pages


def test_inventory_fits_the_model_pages_and_matches_the_truth(sim, models):
    rows, pages = _pages(
        sim, models, f"{BASE}/inventory", "listInventory", "inventory",
        {"details": "SHOW", "maxResults": 2},
    )  # fmt: skip
    truth = _truth(sim, "awd_inventory.csv")
    assert len(rows) == len(truth) >= 2 and pages == -(-len(truth) // 2)
    assert [r["sku"] for r in rows] == sorted(truth["sku"])
    by_sku = {r["sku"]: r for r in rows}
    for t in truth.itertuples():
        r = by_sku[t.sku]
        assert r["totalOnhandQuantity"] == int(t.onhand)
        assert r["totalInboundQuantity"] == int(t.inbound)
        d = r["inventoryDetails"]
        assert d["availableDistributableQuantity"] == int(t.available)
        assert d["reservedDistributableQuantity"] == int(t.reserved)
        assert d["replenishmentQuantity"] == int(t.replenishment)
        assert d["availableDistributableQuantity"] + d["reservedDistributableQuantity"] == int(
            t.onhand
        )
    # Without details only the totals; a SKU filter; descending order.
    hidden = sim.get(f"{BASE}/inventory").json()
    models.validate(MODEL, "listInventory", 200, hidden)
    assert all("inventoryDetails" not in r for r in hidden["inventory"])
    one = sim.get(f"{BASE}/inventory", {"sku": rows[0]["sku"]}).json()["inventory"]
    assert [r["sku"] for r in one] == [rows[0]["sku"]]
    desc = sim.get(f"{BASE}/inventory", {"sortOrder": "DESCENDING", "maxResults": 200}).json()
    assert [r["sku"] for r in desc["inventory"]] == sorted(truth["sku"], reverse=True)


def test_inbound_shipments_fit_the_model_filter_sort_and_page(sim, models):
    truth = _truth(sim, "awd_shipments.csv")
    assert len(truth) >= 4
    listed, pages = _pages(
        sim, models, f"{BASE}/inboundShipments", "listInboundShipments", "shipments",
        {"maxResults": 3},
    )  # fmt: skip
    assert pages == -(-len(truth) // 3)
    assert sorted(s["shipmentId"] for s in listed) == sorted(truth["shipment_id"])
    # Default: most recently updated first.
    stamps = [s["updatedAt"] for s in listed]
    assert stamps == sorted(stamps, reverse=True)
    status = dict(zip(truth["shipment_id"], truth["status"], strict=True))
    assert {s["shipmentId"]: s["shipmentStatus"] for s in listed} == status
    assert {"CREATED", "CLOSED"} <= set(status.values())
    assert set(status.values()) & {"SHIPPED", "IN_TRANSIT", "DELIVERED", "RECEIVING"}
    # Status filter, created-at ascending, update window (inclusive).
    closed, _ = _pages(
        sim, models, f"{BASE}/inboundShipments", "listInboundShipments", "shipments",
        {"shipmentStatus": "CLOSED", "sortBy": "CREATED_AT", "sortOrder": "ASCENDING"},
    )  # fmt: skip
    assert {s["shipmentId"] for s in closed} == {k for k, v in status.items() if v == "CLOSED"}
    created = [s["createdAt"] for s in closed]
    assert created == sorted(created)
    pivot = sorted(stamps)[len(stamps) // 2]
    recent, _ = _pages(
        sim, models, f"{BASE}/inboundShipments", "listInboundShipments", "shipments",
        {"updatedAfter": pivot},
    )  # fmt: skip
    assert {s["shipmentId"] for s in recent} == {s["shipmentId"] for s in listed
                                                 if s["updatedAt"] >= pivot}  # fmt: skip
    older = sim.get(f"{BASE}/inboundShipments", {"updatedBefore": pivot, "maxResults": 200})
    assert {s["shipmentId"] for s in older.json()["shipments"]} == {
        s["shipmentId"] for s in listed if s["updatedAt"] <= pivot
    }


def test_get_inbound_shipment_fits_the_model_and_counts_units(sim, models):
    truth = _truth(sim, "awd_shipments.csv")
    for t in truth.itertuples():
        got = sim.get(f"{BASE}/inboundShipments/{t.shipment_id}", {"skuQuantities": "SHOW"})
        assert got.status_code == 200, got.text
        body = got.json()
        models.validate(MODEL, "getInboundShipment", 200, body)
        assert body["shipmentStatus"] == t.status
        (line,) = body["shipmentSkuQuantities"]
        assert line["sku"] == t.sku
        assert line["expectedQuantity"]["quantity"] == int(t.quantity)
        assert line["receivedQuantity"]["quantity"] == int(t.received)
        packed = sum(
            c["count"] * p["quantity"]
            for c in body["shipmentContainerQuantities"]
            for p in c["distributionPackage"]["contents"]["products"]
        )
        assert packed == int(t.quantity)
    hidden = sim.get(f"{BASE}/inboundShipments/{truth['shipment_id'][0]}").json()
    assert "shipmentSkuQuantities" not in hidden
    missing = sim.get(f"{BASE}/inboundShipments/STAR-NOPE")
    assert missing.status_code == 404
    models.validate(MODEL, "getInboundShipment", 404, missing.json())


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("inventory", {"maxResults": 0}),
        ("inventory", {"maxResults": 201}),
        ("inventory", {"details": "YES"}),
        ("inboundShipments", {"sortBy": "TEST"}),
        ("inboundShipments", {"shipmentStatus": "WORKING"}),
        ("inboundShipments", {"updatedAfter": "yesterday"}),
        ("inboundShipments", {"nextToken": "not-a-token"}),
    ],
)
def test_bad_input_is_400_in_the_model_shape(sim, models, path, params):
    got = sim.get(f"{BASE}/{path}", params)
    assert got.status_code == 400, got.text
    op = "listInventory" if path == "inventory" else "listInboundShipments"
    models.validate(MODEL, op, 400, got.json())


def test_rates_are_the_documented_ones():
    assert RATES["listInventory"] == (2.0, 2)
    assert RATES["listInboundShipments"] == (1.0, 1)
    assert RATES["getInboundShipment"] == (2.0, 2)


def test_stock_moves_and_the_ledger_adds_up():
    """Advancing equals generating; each day's ledger balances; receipts are the shipments'."""
    w = build_world(7, 12, 400, TODAY, through=date(2026, 12, 31))
    texts = truth_texts(w)
    ledger = pd.read_csv(io.StringIO(texts["awd_ledger.csv"]))
    ships = pd.read_csv(io.StringIO(texts["awd_shipments.csv"]), keep_default_na=False)
    assert (ledger.starting_onhand + ledger.received - ledger.replenished_out
            == ledger.ending_onhand).all()  # fmt: skip
    assert (ledger.available + ledger.reserved == ledger.ending_onhand).all()
    assert (ledger[["ending_onhand", "available", "reserved", "inbound"]] >= 0).all().all()
    assert ledger.received.sum() == ships.received.sum() > 0
    assert ledger.replenished_out.sum() > 0
    # The next day of a sku starts where the previous one ended.
    for _sku, g in ledger.groupby("sku"):
        assert (g.starting_onhand.to_numpy()[1:] == g.ending_onhand.to_numpy()[:-1]).all()
    # The same days generated by advancing.
    w2 = build_world(7, 12, 400, TODAY)
    w2.extend_to(date(2026, 12, 31))
    assert truth_texts(w2)["awd_ledger.csv"] == texts["awd_ledger.csv"]
    assert truth_texts(w2)["awd_shipments.csv"] == texts["awd_shipments.csv"]
    # SKU i does not depend on how many SKUs there are.
    def inventory(n: int) -> pd.DataFrame:
        text = truth_texts(build_world(7, n, 400, TODAY))["awd_inventory.csv"]
        return pd.read_csv(io.StringIO(text))

    more, first = inventory(40), inventory(12)
    assert first.to_dict("records") == more[more.sku.isin(first.sku)].to_dict("records")
    # Statuses move on: by the end some shipments that were open at the start are closed.
    start = pd.read_csv(
        io.StringIO(truth_texts(build_world(7, 12, 400, TODAY))["awd_shipments.csv"])
    )
    was_open = set(start.shipment_id[~start.status.isin(["CLOSED", "CANCELLED"])])
    now = dict(zip(ships.shipment_id, ships.status, strict=True))
    assert any(now[s] == "CLOSED" for s in was_open)
    assert Counter(now.values())["CLOSED"] > Counter(start.status)["CLOSED"]


def test_no_awd_outside_the_us_and_when_turned_off(models):
    with running_simulator(seed=7, skus=6, history_days=200, today=TODAY,
                           rate_scale=100_000.0, marketplace="UK") as uk:  # fmt: skip
        got = uk.get(f"{BASE}/inventory")
        assert got.status_code == 404
        models.validate(MODEL, "listInventory", 404, got.json())
        assert uk.get("/_sim/truth/awd_inventory.csv").text.strip() == (
            "sku,onhand,reserved,available,replenishment,inbound"
        )
    with running_simulator(seed=7, skus=6, history_days=200, today=TODAY,
                           rate_scale=100_000.0, awd=False) as off:  # fmt: skip
        inv = off.get(f"{BASE}/inventory").json()
        ships = off.get(f"{BASE}/inboundShipments").json()
        assert inv == {"inventory": []} and ships == {"shipments": []}
        models.validate(MODEL, "listInventory", 200, inv)
        assert off.get(f"{BASE}/inboundShipments/STAR-X").status_code == 404
