"""Report documents built directly from a world: consistency between reports and the truth."""

from __future__ import annotations

import io
from datetime import date

import numpy as np
import pandas as pd
import pytest

from simulator.marketplace import Marketplace
from simulator.reports import REPORT_TYPES, builders
from simulator.reports_planning import fifo_ages

DAY = 86400


@pytest.fixture(scope="module")
def market():
    return Marketplace(seed=4, skus=10, history_days=300, today=date(2026, 10, 31))


def _doc(market, report_type, days=400, **options):
    s = market.sellers[0]
    text = builders()[report_type](s, market.now - days * DAY, market.now, market.now, options)
    return pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)


def test_fifo_ages_take_the_latest_receipts_first():
    assert fifo_ages(np.array([5, 0, 3]), 6, 2) == [(0, 3), (2, 3)]
    assert fifo_ages(np.array([1, 0, 0]), 4, 2) == [(2, 1), (3, 3)]
    assert fifo_ages(np.array([1, 2]), 0, 1) == []


def test_planning_age_buckets_add_up_to_available(market):
    frame = _doc(market, "GET_FBA_INVENTORY_PLANNING_DATA")
    ages = frame[[c for c in frame.columns if c.startswith("inv-age-")]].astype(int).sum(axis=1)
    assert (ages == frame["available"].astype(int)).all()
    on_hand = market.sellers[0].world.on_hand_now()
    assert frame["available"].astype(int).tolist() == on_hand.tolist()


def test_weekly_and_monthly_ledgers_roll_up_the_daily_one(market):
    daily = _doc(market, "GET_LEDGER_SUMMARY_VIEW_DATA")
    monthly = _doc(market, "GET_LEDGER_SUMMARY_VIEW_DATA", aggregatedByTimePeriod="MONTHLY")
    weekly = _doc(market, "GET_LEDGER_SUMMARY_VIEW_DATA", aggregatedByTimePeriod="WEEKLY")
    flows = ["Receipts", "Customer Shipments"]
    for frame in (daily, monthly, weekly):
        frame[flows] = frame[flows].astype(int)
    assert monthly[flows].sum().tolist() == daily[flows].sum().tolist()
    assert weekly[flows].sum().tolist() == daily[flows].sum().tolist()
    assert set(monthly["Date"].str.len()) == {7}
    for frame in (daily, monthly, weekly):
        start = frame["Starting Warehouse Balance"].astype(int)
        end = frame["Ending Warehouse Balance"].astype(int)
        assert (start + frame["Receipts"] + frame["Customer Shipments"] == end).all()


def test_storage_fees_follow_the_rate_card(market):
    frame = _doc(market, "GET_FBA_STORAGE_FEE_CHARGES_DATA", days=120)
    assert set(frame["base_rate"]) <= {"0.78", "2.40", "0.56", "1.40"}
    oct_rows = frame[frame["month_of_charge"] == "2026-10"]
    assert set(oct_rows["base_rate"]) <= {"2.40", "1.40"}
    fee = (
        oct_rows["average_quantity_on_hand"].astype(float)
        * oct_rows["item_volume"].astype(float)
        * oct_rows["base_rate"].astype(float)
    )
    assert np.allclose(fee, oct_rows["estimated_monthly_storage_fee"].astype(float), atol=1e-3)


@pytest.mark.parametrize("report_type", REPORT_TYPES)
def test_every_report_has_a_header_and_rows(market, report_type):
    frame = _doc(market, report_type, days=60)
    assert len(frame) > 0 and len(frame.columns) >= 10


def test_reports_honour_the_data_window(market):
    s = market.sellers[0]
    # three whole days of the marketplace (local midnight to local midnight)
    today = market.today_ordinal()
    start, end = market.day_start(today - 13), market.day_start(today - 10) - 1
    text = builders()["GET_LEDGER_SUMMARY_VIEW_DATA"](s, start, end, market.now, {})
    ledger = pd.read_csv(io.StringIO(text), sep="\t", dtype=str)
    assert ledger["Date"].nunique() == 3
    text = builders()["GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"](
        s, start, end, market.now, {}
    )
    orders = pd.read_csv(io.StringIO(text), sep="\t", dtype=str, keep_default_na=False)
    updated = pd.to_datetime(orders["last-updated-date"]).map(lambda t: t.timestamp())
    assert len(orders) > 0 and updated.between(start, end).all()
