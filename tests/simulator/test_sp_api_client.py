"""python-amazon-sp-api against the simulator: a year of orders, every report, truth agreement."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
import requests
from sp_api.api import Orders, Reports

from simulator.reports import REPORT_TYPES
from simulator.truth import clock_iso


def _truth(sim, name: str) -> pd.DataFrame:
    text = requests.get(f"{sim.base_url}/_sim/truth/{name}", timeout=30).text
    return pd.read_csv(io.StringIO(text))


def _report(sim, report_type: str, models=None, **kwargs) -> pd.DataFrame:
    reports = sim.sp_api_client(Reports)
    created = reports.create_report(reportType=report_type, **kwargs)
    if models is not None:
        models.validate("reports_2021-06-30", "createReport", 202, created.payload)
    report_id = created.payload["reportId"]
    statuses = []
    for _ in range(20):
        got = reports.get_report(report_id)
        if models is not None:
            models.validate("reports_2021-06-30", "getReport", 200, got.payload)
        statuses.append(got.payload["processingStatus"])
        if statuses[-1] == "DONE":
            break
        time.sleep(0.05)
    # (At this rate scale processing takes about a millisecond: tests/simulator/
    # test_report_processing.py follows the states on a clock of its own.)
    assert statuses[-1] == "DONE"
    doc = reports.get_report_document(got.payload["reportDocumentId"], download=True)
    if models is not None:
        meta = {k: v for k, v in doc.payload.items() if k != "document"}
        models.validate("reports_2021-06-30", "getReportDocument", 200, meta)
        assert meta["compressionAlgorithm"] == "GZIP"
    return pd.read_csv(
        io.StringIO(doc.payload["document"]), sep="\t", dtype=str, keep_default_na=False
    )


def test_sp_api_pages_through_a_year_of_orders(sim):
    orders = sim.sp_api_client(Orders)
    after = clock_iso(sim.marketplace.now - 365 * 86400)
    seen: dict[str, str] = {}
    res = orders.get_orders(LastUpdatedAfter=after, MaxResultsPerPage=100)
    pages = 1
    watermark = res.payload["LastUpdatedBefore"]
    while True:
        for o in res.payload["Orders"]:
            assert o["AmazonOrderId"] not in seen, "pages never repeat an order"
            seen[o["AmazonOrderId"]] = o["OrderStatus"]
        if not res.next_token:
            break
        res = orders.get_orders(NextToken=res.next_token)
        pages += 1
    assert pages > 10
    book = sim.marketplace.sellers[0].world.orders
    now = sim.marketplace.now
    expected = book.updated_between(now - 365 * 86400, now - 120, now)
    assert len(seen) == len(expected)
    assert watermark == clock_iso(now - 120)
    assert {"Shipped", "Canceled", "Pending"} <= set(seen.values())


def test_all_orders_report_equals_orders_daily(sim, models):
    world = sim.marketplace.sellers[0].world
    start = clock_iso(world.start_ordinal and sim.marketplace.now - 400 * 86400 - 3600)
    frame = _report(
        sim, "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", models, dataStartTime=start
    )
    assert {
        "amazon-order-id",
        "purchase-date",
        "last-updated-date",
        "order-status",
        "sku",
        "asin",
        "item-status",
        "quantity",
        "item-price",
        "item-promotion-discount",
    } <= set(frame.columns)
    live = frame[frame["order-status"] != "Cancelled"].copy()
    # orders_daily counts an order on its local purchase day (the US seller's: Pacific)
    zone = sim.marketplace.market.time_zone
    local = pd.to_datetime(live["purchase-date"], utc=True).dt.tz_convert(zone)
    live["date"] = local.dt.strftime("%Y-%m-%d")
    live["quantity"] = live["quantity"].astype(int)
    got = live.groupby(["sku", "date"])["quantity"].sum()
    truth = _truth(sim, "orders_daily.csv")
    truth = truth[truth["units"] > 0].set_index(["sku", "date"])["units"]
    pd.testing.assert_series_equal(got.sort_index(), truth.sort_index(), check_names=False)


def test_ledger_report_gives_the_stockout_days(sim, models):
    frame = _report(
        sim,
        "GET_LEDGER_SUMMARY_VIEW_DATA",
        models,
        dataStartTime=clock_iso(sim.marketplace.now - 500 * 86400),
        reportOptions={"aggregateByLocation": "COUNTRY", "aggregatedByTimePeriod": "DAILY"},
    )
    frame["date"] = pd.to_datetime(frame["Date"], format="%m/%d/%Y").dt.strftime("%Y-%m-%d")
    demand = _truth(sim, "demand.csv")
    merged = demand.merge(frame, left_on=["sku", "date"], right_on=["MSKU", "date"])
    assert len(merged) == len(demand) == len(frame)
    ending = merged["Ending Warehouse Balance"].astype(int)
    assert np.array_equal((ending > 0).astype(int), merged["in_stock"])
    assert np.array_equal(-merged["Customer Shipments"].astype(int), merged["sold"])
    assert (merged["in_stock"] == 0).any()


@pytest.mark.parametrize("report_type", REPORT_TYPES)
def test_every_report_downloads_and_decodes(sim, models, report_type):
    frame = _report(
        sim, report_type, models, dataStartTime=clock_iso(sim.marketplace.now - 60 * 86400)
    )
    assert len(frame.columns) > 5
    assert len(frame) > 0


def test_report_document_url_expires(sim, monkeypatch):
    reports = sim.sp_api_client(Reports)
    rid = reports.create_report(reportType="GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA").payload[
        "reportId"
    ]
    for _ in range(4):
        got = reports.get_report(rid).payload
    url = reports.get_report_document(got["reportDocumentId"]).payload["url"]
    assert requests.get(url, timeout=10).status_code == 200
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + timedelta(minutes=6).total_seconds())
    assert requests.get(url, timeout=10).status_code == 403


def test_sp_api_fees_finances_and_inbound(sim):
    from sp_api.api import Finances, FulfillmentInboundV20240320, ProductFees

    sku = str(sim.marketplace.sellers[0].world.catalog["sku"].iat[0])
    fees = sim.sp_api_client(ProductFees).get_product_fees_estimate_for_sku(sku, 19.99, is_fba=True)
    assert fees.payload["FeesEstimateResult"]["Status"] == "Success"
    events = sim.sp_api_client(Finances).list_financial_events(
        PostedAfter=clock_iso(sim.marketplace.now - 10 * 86400)
    )
    assert events.payload["FinancialEvents"]["ShipmentEventList"]
    inbound = sim.sp_api_client(FulfillmentInboundV20240320)
    plan = inbound.create_inbound_plan(
        destinationMarketplaces=["ATVPDKIKX0DER"],
        sourceAddress={
            "name": "W",
            "addressLine1": "1 Main St",
            "city": "Reno",
            "countryCode": "US",
            "postalCode": "89501",
            "phoneNumber": "5550100",
        },
        items=[{"msku": sku, "quantity": 12, "prepOwner": "NONE", "labelOwner": "SELLER"}],
    )
    status = inbound.get_inbound_operation_status(plan.payload["operationId"])
    assert status.payload["operationStatus"] in ("IN_PROGRESS", "SUCCESS")
