"""The SKU page's wording of a timeline: every figure is the timeline's own field."""

from __future__ import annotations

import copy
import datetime as dt
import json

import numpy as np
import pytest

from app.web.skus import timeline as view
from forecasting.explain import fmt_date, fmt_money
from forecasting.inbound import Inbound
from forecasting.policy import SkuPlanInput, recommend

TODAY = dt.date(2025, 2, 3)


def _item(**kw) -> SkuPlanInput:
    paths = np.random.default_rng(0).poisson(kw.pop("rate", 5.0), size=(200, 200)).astype(float)
    base = {
        "sku": "A",
        "demand_paths": paths,
        "on_hand": 50,
        "lead_time_days": 30,
        "unit_cost": 8.0,
        "sale_price": 25.0,
        "fulfillment_fee": 4.0,
        "cubic_feet": 0.1,
        "size_tier": "small_standard",
        "case_pack": 6,
    }
    base.update(kw)
    return SkuPlanInput(**base)


CASES = {
    "out_of_stock": _item(
        on_hand=0, inbound=[Inbound(492, TODAY + dt.timedelta(days=12), "SHIPPED", "FBA-1")]
    ),
    "receiving": _item(on_hand=0, inbound=[Inbound(90, TODAY, "RECEIVING", "FBA-2")]),
    "estimated": _item(on_hand=120, inbound=[Inbound(150, None, "IN_TRANSIT", "FBA-4")]),
    "before_arrival": _item(on_hand=60),
    "ship_by": _item(on_hand=200, lead_time_days=10),
    "excess": _item(on_hand=3000, rate=2.0),
}


@pytest.fixture(scope="module")
def timelines() -> dict[str, dict]:
    out = {}
    for name, item in CASES.items():
        rec = recommend(item, TODAY)
        assert rec.timeline is not None
        out[name] = json.loads(json.dumps(rec.timeline.to_dict()))
    return out


def test_headline_says_the_stored_status_with_its_date(timelines):
    assert timelines["out_of_stock"]["status"] == "out_of_stock"
    h = view.headline(timelines["out_of_stock"])
    assert h["title"] == "Out of stock now"
    assert fmt_date(TODAY + dt.timedelta(days=12), TODAY) in h["detail"]
    tl = timelines["before_arrival"]
    assert tl["status"] == "stockout_before_arrival"
    lands = fmt_date(dt.date.fromisoformat(tl["arrives_if_shipped_today"]), TODAY)
    assert view.headline(tl)["title"] == (
        f"Runs out before anything shipped today can arrive (lands {lands})"
    )
    tl = timelines["ship_by"]
    assert tl["status"] == "ship_by", tl["status"]
    assert view.headline(tl)["title"] == (
        f"Ship by {fmt_date(dt.date.fromisoformat(tl['ship_by']), TODAY)}"
    )
    tl = timelines["excess"]
    assert tl["status"] == "excess"
    ex = tl["excess"]
    assert view.headline(tl)["title"] == (
        f"Excess: {ex['units']:,} units beyond need, {fmt_money(ex['monthly_cost'])}/month"
    )


def test_cost_table_puts_the_choice_first_with_one_total_each(timelines):
    for name, tl in timelines.items():
        table = view.cost_table(tl)
        assert table is not None, name
        cands = {c["quantity"]: c for c in tl["recommendation"]["candidates"]}
        cols = table["columns"]
        assert cols[0]["quantity"] == tl["recommendation"]["quantity"] and cols[0]["chosen"]
        assert {c["quantity"] for c in cols} == set(cands)
        if tl["recommendation"]["quantity"]:
            assert cols[1]["quantity"] == 0 and cols[1]["head"] == "Ship nothing now"
        for i, c in enumerate(cols):
            assert c["total"] == cands[c["quantity"]]["total"]
            shown = [row["cells"][i] for row in table["rows"]]
            # The printed lines add up to the printed total, to the cent.
            assert round(sum(shown), 2) == round(c["total"], 2), (name, c["quantity"])
        assert table["span"] and table["fees_apart"]


def test_inbound_marks_estimates_and_spreads_receiving(timelines):
    rows = view.inbound_rows(timelines["estimated"])
    assert rows[0]["estimated"] and rows[0]["arrival_source"] == "estimated"
    rows = view.inbound_rows(timelines["receiving"])
    assert not rows[0]["estimated"]
    assert rows[0]["spread"].startswith("arriving over ")
    days = [d for d in timelines["receiving"]["days"] if d["arrivals"]]
    assert rows[0]["spread"].startswith(f"arriving over {len(days)} days")


def test_excess_block_names_the_cheapest_option(timelines):
    block = view.excess_block(timelines["excess"])
    assert block is not None
    chosen = [o for o in block["options"] if o["chosen"]]
    assert len(chosen) == 1 and chosen[0]["action"] == timelines["excess"]["excess"]["choice"]
    assert {o["action"] for o in block["options"]} >= {"pause_reorders", "lower_price"}
    assert view.excess_block(timelines["ship_by"]) is None or (
        timelines["ship_by"]["excess"]["units"] > 0
    )


def test_excess_beside_a_shipment_or_order_is_not_advice_to_pause(timelines):
    """Units beyond need once the inbound lands, on a page that still ships (PET-0030 in the
    demo: the low-inventory-level fee) or orders: no option is called the cheapest, and the
    panel says what the plan does instead of "pause reorders"."""
    tl = copy.deepcopy(timelines["excess"])
    alone = view.excess_block(tl)
    assert alone is not None and alone["plan_note"] is None and alone["choice"]
    tl["recommendation"]["quantity"] = 396
    tl["recommendation"]["supplier_order"] = {"quantity": 186, "supplier_name": "Ningbo Co."}
    block = view.excess_block(tl)
    assert block is not None and block["choice"] is None
    assert not any(o["chosen"] for o in block["options"])
    assert block["plan_note"].startswith(
        "The plan above still ships 396 now and orders 186 from Ningbo Co.")
    assert f"{block['units']:,} units are what 9 in 10 forecasts still hold on" in (
        block["plan_note"])
    # the options are still priced, as they were
    assert [o["cost"] for o in block["options"]] == [o["cost"] for o in alone["options"]]


def test_chart_is_the_stored_days_unchanged(timelines):
    tl = timelines["ship_by"]
    chart = view.chart_data(tl)
    assert chart["on_hand_p50_with"] == [d["on_hand_p50_with"] for d in tl["days"]]
    assert chart["stockout_prob_without"] == [d["stockout_prob_without"] for d in tl["days"]]
    assert chart["date"][0] == tl["as_of"]


def test_running_out_with_nothing_to_ship_says_the_inbound_restocks_it(timelines):
    tl = json.loads(json.dumps(timelines["before_arrival"]))
    tl["recommendation"]["quantity"] = 0
    tl["next_inbound_on"] = (TODAY + dt.timedelta(days=20)).isoformat()
    detail = view.headline(tl)["detail"]
    assert (
        detail.startswith("Nothing more to ship now")
        and fmt_date(TODAY + dt.timedelta(days=20), TODAY) in detail
    )
    tl["next_inbound_on"] = None
    assert "faster route" in view.headline(tl)["detail"]


def test_headline_of_a_send_limited_by_upstream_stock() -> None:
    limited = recommend(_item(on_hand=200, lead_time_days=10, upstream_on_hand=12), TODAY)
    tl = json.loads(json.dumps(limited.timeline.to_dict()))
    assert tl["recommendation"]["upstream_limited"] and tl["recommendation"]["quantity"] == 12
    h = view.headline(tl)
    want = f"{tl['recommendation']['unconstrained_quantity']:,}"
    assert h["detail"].endswith(f": all the stock upstream allows ({want} without that limit).")
    empty = recommend(_item(on_hand=200, lead_time_days=10, upstream_on_hand=0), TODAY)
    tl = json.loads(json.dumps(empty.timeline.to_dict()))
    h = view.headline(tl)
    assert tl["recommendation"]["quantity"] == 0
    want = f"{tl['recommendation']['unconstrained_quantity']:,}"
    if tl["status"] in ("healthy", "excess"):
        assert h["title"] == "Nothing upstream to send" and h["tone"] == "warn"
    assert h["detail"] == f"{want} units would ship now, but nothing is upstream: see the " \
        "supplier order."
    assert view.present(tl)["upstream"]["on_hand"] == 0


def test_the_cost_table_names_the_fee_card_the_planner_used(timelines):
    tl = dict(next(iter(timelines.values())))
    assert view.cost_table(tl)["fee_card"] is None  # stored before fee cards were named
    tl["fee_card"] = "UK has no fee card here: monthly storage from your storage-fee report"
    assert view.cost_table(tl)["fee_card"] == tl["fee_card"]
