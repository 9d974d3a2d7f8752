"""Finances, fee estimates and inbound plans: Amazon's shapes and their effect on the world."""

from __future__ import annotations

from datetime import date

import pytest

from simulator.testing import running_simulator
from simulator.truth import clock_iso

ADDRESS = {
    "name": "Warehouse",
    "addressLine1": "1 Main St",
    "city": "Reno",
    "countryCode": "US",
    "postalCode": "89501",
    "phoneNumber": "5550100",
    "stateOrProvinceCode": "NV",
}


def test_financial_events_page_and_validate(sim, models):
    now = sim.marketplace.now
    params = {"PostedAfter": clock_iso(now - 60 * 86400), "MaxResultsPerPage": "50"}
    resp = sim.get("/finances/v0/financialEvents", params)
    assert resp.status_code == 200 and resp.headers["x-amzn-RateLimit-Limit"]
    body = resp.json()
    models.validate("financesV0", "listFinancialEvents", 200, body)
    events = body["payload"]["FinancialEvents"]
    assert events["ShipmentEventList"]
    fee_types = {
        f["FeeType"]
        for e in events["ShipmentEventList"]
        for item in e["ShipmentItemList"]
        for f in item["ItemFeeList"]
    }
    assert fee_types == {"FBAPerUnitFulfillmentFee", "Commission"}
    seen_refund = False
    token = body["payload"].get("NextToken")
    pages = 1
    while token:
        page = sim.get("/finances/v0/financialEvents", {"NextToken": token}).json()
        models.validate("financesV0", "listFinancialEvents", 200, page)
        seen_refund |= bool(page["payload"]["FinancialEvents"]["RefundEventList"])
        token = page["payload"].get("NextToken")
        pages += 1
    assert pages > 2 and seen_refund
    order_id = events["ShipmentEventList"][0]["AmazonOrderId"]
    by_order = sim.get(f"/finances/v0/orders/{order_id}/financialEvents").json()
    models.validate("financesV0", "listFinancialEventsByOrderId", 200, by_order)
    assert (
        by_order["payload"]["FinancialEvents"]["ShipmentEventList"][0]["AmazonOrderId"] == order_id
    )


def test_financial_events_window_is_limited(sim, models):
    now = sim.marketplace.now
    too_wide = sim.get(
        "/finances/v0/financialEvents",
        {"PostedAfter": clock_iso(now - 200 * 86400), "PostedBefore": clock_iso(now - 3600)},
    )
    assert too_wide.status_code == 400
    models.validate("financesV0", "listFinancialEvents", 400, too_wide.json())
    too_late = sim.get(
        "/finances/v0/financialEvents",
        {"PostedAfter": clock_iso(now - 86400), "PostedBefore": clock_iso(now)},
    )
    assert too_late.status_code == 400


def test_fees_estimate_for_sku(sim, models):
    sku = sim.marketplace.sellers[0].world.catalog["sku"].iat[0]
    body = {
        "FeesEstimateRequest": {
            "MarketplaceId": "ATVPDKIKX0DER",
            "IsAmazonFulfilled": True,
            "Identifier": "req-1",
            "PriceToEstimateFees": {"ListingPrice": {"CurrencyCode": "USD", "Amount": 20.0}},
        }
    }
    resp = sim.post(f"/products/fees/v0/listings/{sku}/feesEstimate", body)
    assert resp.status_code == 200
    models.validate("productFeesV0", "getMyFeesEstimateForSKU", 200, resp.json())
    result = resp.json()["payload"]["FeesEstimateResult"]
    fees = {d["FeeType"]: d["FinalFee"]["Amount"] for d in result["FeesEstimate"]["FeeDetailList"]}
    cat = sim.marketplace.sellers[0].world.catalog
    assert fees["FBAFees"] == pytest.approx(cat["fulfillment_fee"].iat[0])
    assert fees["ReferralFee"] == pytest.approx(round(20.0 * cat["referral_rate"].iat[0], 2))
    bad = sim.post("/products/fees/v0/listings/NOPE/feesEstimate", body)
    assert bad.status_code == 400
    models.validate("productFeesV0", "getMyFeesEstimateForSKU", 400, bad.json())


def test_inbound_plan_arrives_after_its_lead_time(models):
    with running_simulator(
        seed=3, skus=4, history_days=120, today=date(2026, 5, 1), rate_scale=1000.0
    ) as sim:
        world = sim.marketplace.sellers[0].world
        sku = str(world.catalog["sku"].iat[1])
        lead = int(world.catalog["lead_time_days"].iat[1])
        plan = {
            "destinationMarketplaces": ["ATVPDKIKX0DER"],
            "sourceAddress": ADDRESS,
            "items": [{"msku": sku, "quantity": 500, "prepOwner": "NONE", "labelOwner": "SELLER"}],
        }
        resp = sim.post("/inbound/fba/2024-03-20/inboundPlans", plan)
        assert resp.status_code == 202
        models.validate("fulfillmentInbound_2024-03-20", "createInboundPlan", 202, resp.json())
        op = resp.json()["operationId"]
        statuses = []
        for _ in range(2):
            got = sim.get(f"/inbound/fba/2024-03-20/operations/{op}")
            models.validate(
                "fulfillmentInbound_2024-03-20", "getInboundOperationStatus", 200, got.json()
            )
            statuses.append(got.json()["operationStatus"])
        assert statuses == ["IN_PROGRESS", "SUCCESS"]
        plan_id = resp.json()["inboundPlanId"]
        got = sim.get(f"/inbound/fba/2024-03-20/inboundPlans/{plan_id}")
        models.validate("fulfillmentInbound_2024-03-20", "getInboundPlan", 200, got.json())
        listed = sim.get("/inbound/fba/2024-03-20/inboundPlans").json()
        models.validate("fulfillmentInbound_2024-03-20", "listInboundPlans", 200, listed)
        assert listed["inboundPlans"][0]["inboundPlanId"] == plan_id  # the latest update

        def inbound_and_receipts():
            params = {
                "granularityType": "Marketplace",
                "granularityId": "ATVPDKIKX0DER",
                "details": "true",
                "sellerSkus": sku,
            }
            s = sim.get("/fba/inventory/v1/summaries", params).json()
            d = s["payload"]["inventorySummaries"][0]["inventoryDetails"]
            return (
                d["inboundWorkingQuantity"]
                + d["inboundShippedQuantity"]
                + d["inboundReceivingQuantity"]
            )

        before = inbound_and_receipts()
        assert before >= 500
        sim.advance(days=lead - 1)
        assert world.daily("receipts")[:, 1][-lead + 1 :].sum() < 500 or before > 500
        (arrival,) = [s for s in world.shipments if s.plan_id == plan_id]
        assert arrival.arrival_day == world.next_ordinal + 1
        sim.advance(days=2 + len(arrival.receipts))
        assert arrival.last_receipt_day < world.next_ordinal
        rows = slice(
            arrival.arrival_day - world.start_ordinal,
            arrival.last_receipt_day - world.start_ordinal + 1,
        )
        assert world.daily("receipts")[rows, 1].sum() >= 500
        bad = sim.post(
            "/inbound/fba/2024-03-20/inboundPlans",
            {
                **plan,
                "items": [{"msku": sku, "quantity": 5, "prepOwner": "ME", "labelOwner": "SELLER"}],
            },
        )
        assert bad.status_code == 400
        models.validate("fulfillmentInbound_2024-03-20", "createInboundPlan", 400, bad.json())
