"""World generation: determinism, prefix stability, stock accounting and the truth files."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from simulator.__main__ import main
from simulator.truth import start_clock, truth_texts
from simulator.world import build_world

TODAY = date(2026, 11, 26)


@pytest.fixture(scope="module")
def world():
    return build_world(7, 30, 400, TODAY)


def test_same_seed_same_world_and_other_seed_differs(world):
    again = build_world(7, 30, 400, TODAY)
    assert truth_texts(again) == truth_texts(world)
    other = build_world(8, 30, 400, TODAY)
    assert truth_texts(other)["demand.csv"] != truth_texts(world)["demand.csv"]


def test_a_sku_does_not_depend_on_how_many_skus_there_are(world):
    more = build_world(7, 35, 400, TODAY)
    assert np.array_equal(more.daily("demand")[:, :30], world.daily("demand"))
    assert more.catalog.iloc[:30].equals(world.catalog)


def test_extending_equals_generating_more_days(world):
    extended = build_world(7, 30, 400, TODAY)
    extended.extend_to(TODAY + timedelta(days=3))
    direct = build_world(7, 30, 400, TODAY, through=TODAY + timedelta(days=3))
    assert truth_texts(extended) == truth_texts(direct)
    # The first 400 days are those of the world that stopped at TODAY.
    assert np.array_equal(extended.daily("sold")[:400], world.daily("sold"))
    assert np.array_equal(extended.daily("on_hand_end")[:400], world.daily("on_hand_end"))


def test_stock_accounting_holds(world):
    sold, demand = world.daily("sold"), world.daily("demand")
    start, end = world.daily("start_balance"), world.daily("on_hand_end")
    receipts = world.daily("receipts")
    assert (sold <= demand).all() and (end >= 0).all()
    assert np.array_equal(start + receipts - sold, end)
    assert np.array_equal(start[1:], end[:-1])
    # Stockouts happen, and censor sales.
    assert ((end == 0) & (demand > sold)).any()
    assert (demand > sold).sum() > 0


def test_orders_carry_exactly_the_sold_units(world):
    book = world.orders
    lines = book.line
    real = book.o["canceled_ts"][lines["order"]] < 0
    per_day = np.zeros_like(world.daily("sold"))
    rows = book.o["day"][lines["order"]] - world.start_ordinal
    np.add.at(per_day, (rows[real], lines["sku"][real]), lines["qty"][real])
    assert np.array_equal(per_day, world.daily("sold"))
    assert (book.o["n_lines"] > 1).any(), "some orders hold several SKUs"
    assert (book.o["canceled_ts"] >= 0).any(), "some order attempts are cancelled"
    assert np.all(np.diff(book.o["purchase_ts"]) >= 0)


def test_truth_cli_writes_the_same_bytes(tmp_path, world):
    assert (
        main(
            [
                "truth",
                "--seed",
                "7",
                "--skus",
                "30",
                "--history-days",
                "400",
                "--today",
                TODAY.isoformat(),
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    texts = truth_texts(world)
    for name, text in texts.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text
    header = texts["skus.csv"].splitlines()[0].split(",")
    # Written out here rather than taken from truth.SKU_COLUMNS, so that
    # dropping one from the simulator fails this test.
    ids = ("sku", "asin", "fnsku", "title")
    money = ("unit_cost", "sale_price", "fulfillment_fee", "referral_rate")
    supply = ("cubic_feet", "size_tier", "lead_time_days", "case_pack", "moq", "initial_on_hand")
    required = [*ids, *money, *supply]
    assert [c for c in required if c not in header] == []


def test_orders_daily_counts_late_orders_not_yet_cancelled(world):
    import io

    import pandas as pd

    texts = truth_texts(world)
    demand = pd.read_csv(io.StringIO(texts["demand.csv"]))
    orders = pd.read_csv(io.StringIO(texts["orders_daily.csv"]))
    assert (orders["units"].to_numpy() >= demand["sold"].to_numpy()).all()
    now = start_clock(world.last_day)
    book = world.orders
    c = book.o["canceled_ts"]
    pending_cancels = (c > now).sum()
    extra = orders["units"].sum() - demand["sold"].sum()
    assert extra == pending_cancels


def test_catalog_is_varied(world):
    cat = world.catalog
    assert set(cat["size_tier"]) >= {"small_standard", "large_standard"}
    assert (world.traits["launch"] > world.start_ordinal).any(), "a new launch"
    assert (world.traits["discontinue"] < world.next_ordinal).any(), "a discontinued SKU"
