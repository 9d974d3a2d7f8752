"""Simulated sellers in other marketplaces: local days (DST included), currency, report dates and
the region's endpoint paths."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
import requests

from simulator.marketplace import Marketplace
from simulator.markets import MARKETS, market
from simulator.reports import builders
from simulator.testing import running_simulator
from simulator.world import build_world

TODAY = date(2026, 4, 10)  # 40 days back spans the European (29 March) and US (8 March) changes


@pytest.mark.parametrize("code", sorted(MARKETS))
def test_every_order_is_bought_on_its_local_day(code) -> None:
    world = build_world(5, 6, 40, TODAY, marketplace=code)
    mk = world.market
    o = world.orders.o
    assert len(o["purchase_ts"])
    local = np.array([mk.ordinal_of(t) for t in o["purchase_ts"]])
    assert (local == o["day"]).all(), code
    # the day the clocks change is as long as it is there, and its orders fill it
    for d in range(world.start_ordinal, world.next_ordinal):
        hours = (mk.day_start(d + 1) - mk.day_start(d)) / 3600
        assert hours in (23, 24, 25)
        if code in ("UK", "DE") and d == date(2026, 3, 29).toordinal():
            assert hours == 23
        if code in ("US", "CA") and d == date(2026, 3, 8).toordinal():
            assert hours == 23
        if code == "JP":
            assert hours == 24


def test_currency_and_amounts() -> None:
    jp = build_world(5, 6, 30, TODAY, marketplace="JP")
    us = build_world(5, 6, 30, TODAY, marketplace="US")
    assert (jp.catalog["list_price"] % 10 == 0).all()  # whole yen, in tens
    assert (jp.daily("sale_cents") % 100 == 0).all()  # no fraction of a yen, even on sale
    ratio = jp.catalog["list_price"].to_numpy() / us.catalog["list_price"].to_numpy()
    assert ((ratio > 100) & (ratio < 200)).all()
    assert market("JP").amount(198000) == "1980" and market("UK").amount(1999) == "19.99"
    assert market("gb") is market("UK")
    with pytest.raises(ValueError, match="XX"):
        market("XX")


@pytest.mark.parametrize(
    ("code", "written"),
    [("US", "04/03/2026"), ("CA", "04/03/2026"), ("UK", "03/04/2026"), ("DE", "03.04.2026"),
     ("JP", "2026/04/03")],
)
def test_ledger_dates_are_written_the_marketplace_s_way(code, written) -> None:
    mk = Marketplace(seed=5, skus=4, history_days=30, today=TODAY, marketplace=code)
    seller = mk.sellers[0]
    day = date(2026, 4, 3).toordinal()
    start, end = mk.day_start(day), mk.day_start(day + 1) - 1
    text = builders()["GET_LEDGER_SUMMARY_VIEW_DATA"](seller, start, end, mk.now, {})
    ledger = pd.read_csv(io.StringIO(text), sep="\t", dtype=str)
    assert set(ledger["Date"]) == {written}
    assert set(ledger["Location"]) == {mk.market.country}


def test_the_clock_starts_after_the_local_day() -> None:
    uk = Marketplace(seed=5, skus=2, history_days=10, today=TODAY, marketplace="UK")
    assert uk.clock_iso() == "2026-04-10T23:05:00Z"  # 00:05 BST on 11 April
    jp = Marketplace(seed=5, skus=2, history_days=10, today=TODAY, marketplace="JP")
    assert jp.clock_iso() == "2026-04-10T15:05:00Z"  # 00:05 JST
    assert datetime.fromtimestamp(uk.now, UTC).date() == TODAY
    uk.advance(3600)  # 01:05 BST: no new day
    assert uk.sellers[0].world.last_day == TODAY
    uk.advance(23 * 3600)  # 00:05 BST on the 12th
    assert uk.sellers[0].world.last_day == date(2026, 4, 11)


def test_a_seller_is_served_on_its_region_s_paths_only() -> None:
    with running_simulator(seed=5, skus=3, history_days=20, today=TODAY, rate_scale=1e4,
                           marketplace="DE") as sim:
        assert sim.endpoint == sim.base_url + "/eu" and sim.token_url.endswith("/eu/auth/o2/token")
        ok = sim.get("/orders/v0/orders", {"CreatedAfter": "2026-04-01T00:00:00Z",
                                           "MarketplaceIds": sim.sellers[0]["marketplace_id"]})
        assert ok.status_code == 200, ok.text
        orders = ok.json()["payload"]["Orders"]
        priced = [o for o in orders if "OrderTotal" in o]
        assert priced and {o["OrderTotal"]["CurrencyCode"] for o in priced} == {"EUR"}
        assert {o["SalesChannel"] for o in orders} == {"Amazon.de"}
        token = sim.access_token()
        wrong = requests.get(
            sim.base_url + "/orders/v0/orders",
            params={"CreatedAfter": "2026-04-01T00:00:00Z"},
            headers={"x-amz-access-token": token}, timeout=10)
        assert wrong.status_code == 403 and "eu endpoint" in wrong.text
        lwa = requests.post(sim.base_url + "/fe/auth/o2/token", data={
            "grant_type": "refresh_token", "refresh_token": sim.sellers[0]["refresh_token"],
            "client_id": sim.sellers[0]["client_id"],
            "client_secret": sim.sellers[0]["client_secret"]}, timeout=10)
        assert lwa.status_code == 401
        assert sim.get("/_sim/clock").status_code == 200  # control paths under any prefix
