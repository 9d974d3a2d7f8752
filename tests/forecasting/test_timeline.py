"""The projected inventory timeline: its invariants on varied SKUs, and the words built from it."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np
import pytest

from forecasting.explain import fmt_date, fmt_money, fmt_pct, fmt_units
from forecasting.inbound import (
    RECEIVING_SPREAD_DAYS,
    Inbound,
    arrivals_by_day,
    estimate_arrival,
)
from forecasting.policy import SkuPlanInput, allowed, recommend, recommend_batch
from forecasting.policy_sim import COST_LINES
from forecasting.status import PlanStatus
from forecasting.timeline import DAY_FIELDS, days_from_columns

TODAY = dt.date(2025, 2, 3)


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _paths(rate: float, days: int = 200, n: int = 200, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).poisson(rate, size=(n, days)).astype(float)


def _item(**kw) -> SkuPlanInput:
    base = {"sku": "A", "demand_paths": _paths(5.0), "on_hand": 50, "lead_time_days": 30,
            "unit_cost": 8.0, "sale_price": 25.0, "fulfillment_fee": 4.0, "cubic_feet": 0.1,
            "size_tier": "small_standard"}
    base.update(kw)
    return SkuPlanInput(**base)


CASES = {
    "out of stock, inbound in 12 days": _item(on_hand=0, inbound=[
        Inbound(492, _days(12), "SHIPPED", "FBA-1")]),
    "out of stock, nothing inbound": _item(on_hand=0),
    "out of stock, receiving": _item(on_hand=0, inbound=[
        Inbound(90, _days(-1), "RECEIVING", "FBA-2")]),
    "working, no date": _item(on_hand=100, inbound=[Inbound(200, None, "WORKING", "FBA-3")]),
    "shipped, estimated": _item(on_hand=120, inbound=[
        Inbound(150, None, "IN_TRANSIT", "FBA-4")]),
    "checked in": _item(on_hand=10, inbound=[Inbound(60, None, "CHECKED_IN", "FBA-5")]),
    "closed shipment brings nothing": _item(on_hand=60, inbound=[
        Inbound(500, _days(3), "CLOSED", "FBA-6")]),
    "several statuses": _item(on_hand=40, reserved=7, inbound=[
        Inbound(30, _days(0), "RECEIVING", "FBA-7"), Inbound(80, _days(9), "SHIPPED", "FBA-8"),
        Inbound(120, None, "WORKING", "FBA-9")]),
    "runs out before arrival": _item(on_hand=60),
    "ship by later": _item(on_hand=200, lead_time_days=10),
    "healthy": _item(on_hand=260, lead_time_days=10),
    "excess": _item(on_hand=3000, demand_paths=_paths(2.0)),
    "excess, dated lots": _item(on_hand=900, demand_paths=_paths(1.0), on_hand_lots=[
        (TODAY - dt.timedelta(days=200), 500), (TODAY - dt.timedelta(days=20), 400)],
        shipping_weight_lb=0.8),
    "excess still inbound": _item(on_hand=5, demand_paths=_paths(1.0), inbound=[
        Inbound(2000, _days(5), "SHIPPED", "FBA-10")]),
    "case pack 12": _item(on_hand=20, case_pack=12),
    "MOQ 40, case 5": _item(on_hand=0, case_pack=5, moq=40),
    "big MOQ on a slow seller": _item(on_hand=0, demand_paths=_paths(0.2), moq=300,
                                      case_pack=100, cubic_feet=1.0, sale_price=16.0),
    "slow seller": _item(on_hand=4, demand_paths=_paths(0.3)),
    "no demand": _item(on_hand=10, demand_paths=np.zeros((1, 1))),
    "large bulky with placement": _item(on_hand=30, size_tier="large_standard",
                                        demand_paths=_paths(3.0), cubic_feet=0.6),
    "lead time spread": _item(on_hand=80, lead_time_std_days=8),
    "in-stock floor and stockout cost drive it": _item(
        on_hand=30, lead_time_days=20, demand_paths=_paths(2.0), sale_price=16.0,
        fulfillment_fee=4.0, cubic_feet=1.5, size_tier="large_standard", in_stock_target=0.98,
        stockout_cost_multiple=2.0),
    "float paths": _item(on_hand=70, demand_paths=np.random.default_rng(3).gamma(
        2.0, 2.0, size=(150, 160))),
}


@pytest.fixture(scope="module")
def timelines():
    out = {}
    for name, item in CASES.items():
        rec = recommend(item, TODAY)
        assert rec.timeline is not None
        out[name] = (item, rec, rec.timeline, json.loads(json.dumps(rec.timeline.to_dict())))
    return out


def _get(d, path: str):
    for part in path.split("."):
        d = d[int(part)] if isinstance(d, list) else d[part]
    return d


def test_the_chosen_quantity_is_the_cheapest_of_its_candidates(timelines):
    for name, (item, rec, _, d) in timelines.items():
        r = d["recommendation"]
        cands = r["candidates"]
        qs = [c["quantity"] for c in cands]
        assert 0 in qs and r["quantity"] in qs, name
        assert all(allowed(q, item.case_pack, item.moq) for q in qs), name
        # among the quantities that meet the seller's in-stock floor, when there is one
        risk = rec.candidate_lines["stockout_prob"]
        meets = (risk <= 1 - item.in_stock_target + 1e-12 if item.in_stock_target is not None
                 else np.ones(len(risk), bool))
        ok = {int(q) for q in rec.candidates[meets]}
        chosen = next(c for c in cands if c["quantity"] == r["quantity"])
        assert all(chosen["total"] <= c["total"] for c in cands if c["quantity"] in ok), name
        # ... and of every quantity priced, not only those shown
        assert rec.candidate_costs[np.flatnonzero(rec.candidates == rec.quantity)[0]] == \
            rec.candidate_costs[meets].min(), name
        # the table shows one case less and one case more where they are allowed
        q, cp = r["quantity"], item.case_pack
        if q > 0:
            assert q + cp in qs, name
            if allowed(q - cp, cp, item.moq):
                assert q - cp in qs, name
        else:
            assert len(qs) == 2 and qs[1] == max(cp, -(-item.moq // cp) * cp), name


def test_total_is_exactly_the_sum_of_the_lines(timelines):
    for name, (_, rec, _, d) in timelines.items():
        for c in d["recommendation"]["candidates"]:
            assert list(c["lines"]) == list(COST_LINES), name
            assert c["total"] == sum(c["lines"].values()), name
        assert rec.expected_cost_with["total"] == sum(rec.expected_cost_with[k]
                                                      for k in COST_LINES)


def test_placement_is_a_per_unit_line_of_the_total(timelines):
    _, rec, tl, _ = timelines["large bulky with placement"]
    for c in tl.candidates:
        assert c.lines["placement"] == pytest.approx(0.18 * c.quantity)
        # units left when the next shipment lands (and sold later) pay placement either way
        assert -c.lines["placement"] - 1e-12 <= c.lines["placement_stand_in"] <= 0.0
    assert any(c.lines["placement"] + c.lines["placement_stand_in"] > 0 for c in tl.candidates)


def test_day_zero_is_fulfillable_plus_only_what_lands_today(timelines):
    for name, (item, _, tl, d) in timelines.items():
        day0 = d["days"][0]
        assert day0["date"] == TODAY.isoformat(), name
        assert day0["on_hand_p50_without"] == item.on_hand + day0["arrivals"], name
        assert day0["arrivals"] == arrivals_by_day(item.inbound, item.reserved,
                                                   item.lead_time_days, TODAY).get(0, 0), name
        assert len(d["days"]) == d["horizon_days"] == tl.horizon_days, name
        assert set(d["days"][0]) == set(DAY_FIELDS), name
    # inbound is not on hand: 492 on the way, none sellable today
    d = timelines["out of stock, inbound in 12 days"][3]
    assert d["days"][0]["on_hand_p50_without"] == 0
    assert d["days"][12]["arrivals"] == 492 and d["days"][12]["on_hand_p50_without"] >= 492


def test_runs_out_on_is_the_first_empty_day_with_demand(timelines):
    for name, (_, _, _, d) in timelines.items():
        expected = next((day["date"] for day in d["days"]
                         if day["on_hand_p50_without"] == 0 and day["demand_p50"] > 0), None)
        assert d["runs_out_on"] == expected, name
    assert timelines["out of stock, nothing inbound"][3]["runs_out_on"] == TODAY.isoformat()
    assert timelines["no demand"][3]["runs_out_on"] is None


def test_ship_by_is_null_exactly_when_nothing_ships(timelines):
    for name, (_, rec, tl, d) in timelines.items():
        q = d["recommendation"]["quantity"]
        assert (d["ship_by"] is None) == (q == 0), name
        assert rec.latest_ship_date == tl.ship_by, name
        if q > 0:
            assert TODAY.isoformat() <= d["ship_by"], name
    assert any(d["ship_by"] is None for *_, d in timelines.values())
    assert any(d["ship_by"] is not None for *_, d in timelines.values())


def test_status_out_of_stock_exactly_when_nothing_is_sellable(timelines):
    for name, (item, _, _, d) in timelines.items():
        assert (d["status"] == "out_of_stock") == (item.on_hand == 0), name
        assert d["status"] in {s.value for s in PlanStatus}, name


def test_each_status_from_its_own_fields(timelines):
    status = {name: d["status"] for name, (*_, d) in timelines.items()}
    assert status["runs out before arrival"] == PlanStatus.STOCKOUT_BEFORE_ARRIVAL
    assert status["healthy"] == PlanStatus.HEALTHY
    assert status["excess"] == PlanStatus.EXCESS
    for name, (*_, d) in timelines.items():
        if d["status"] == "ship_now":
            assert d["ship_by"] == d["as_of"], name
        if d["status"] == "ship_by":
            assert d["ship_by"] > d["as_of"], name
        if d["status"] in ("healthy", "excess"):
            assert d["recommendation"]["quantity"] == 0, name
        if d["status"] == "excess":
            assert d["excess"]["units"] > 0 and d["excess"]["choice"], name
        if d["status"] == "stockout_before_arrival":
            early = d["runs_out_on"] is not None and d["runs_out_on"] < \
                d["arrives_if_shipped_today"]
            assert early or d["recommendation"]["stockout_prob_before_arrival"] >= 0.5, name
    later = timelines["ship by later"][3]
    assert later["status"] == "ship_by" and later["ship_by"] > later["as_of"]
    assert later["ship_by"] < later["runs_out_on"]


def _risk_before(item: SkuPlanInput, day: int) -> float:
    """Independent check: share of paths with unmet demand on some day before `day`."""
    arrivals = arrivals_by_day(item.inbound, item.reserved, item.lead_time_days, TODAY)
    paths = np.asarray(item.demand_paths, float)
    hit = np.zeros(len(paths), bool)
    stock = np.full(len(paths), float(item.on_hand))
    for k in range(day):
        stock += arrivals.get(k, 0)
        want = paths[:, k] if k < paths.shape[1] else paths[:, -28:].mean(axis=1)
        hit |= want > stock + 1e-9
        stock = np.maximum(stock - want, 0)
    return float(hit.mean())


def test_ship_by_is_the_latest_date_that_keeps_the_risk_under_target(timelines):
    checked = 0
    for name, (item, _, tl, d) in timelines.items():
        if d["ship_by"] is None:
            continue
        lead = tl.lead_time_days
        j = (dt.date.fromisoformat(d["ship_by"]) - TODAY).days
        if j == 0:  # even a shipment sent today cannot keep the risk under the target
            assert _risk_before(item, lead + 1) > 0.05 or tl.quantity > 0, name
            continue
        assert _risk_before(item, j + lead) <= 0.05, name
        assert _risk_before(item, j + 1 + lead) > 0.05, name
        checked += 1
    assert checked


DATE = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}(?:, \d{4})?")
PCT = re.compile(r"\d+%")
MONEY = re.compile(r"-?\$[\d,]+\.\d\d")


def _shown(value, text: str) -> str:
    if DATE.fullmatch(text):
        return fmt_date(dt.date.fromisoformat(value), TODAY)
    if PCT.fullmatch(text):
        return fmt_pct(value)
    if MONEY.fullmatch(text):
        return fmt_money(value)
    return fmt_units(value)


def test_every_figure_in_the_explanation_is_a_field(timelines):
    for name, (_, _, tl, d) in timelines.items():
        text = d["recommendation"]["explanation"]
        assert text == tl.explanation and text, name
        shown = tl.explanation_fields
        for path, piece in shown.items():
            assert piece in text, (name, path)
            assert _shown(_get(d, path), piece) == piece, (name, path)
        # nothing in the sentence that is not one of them
        for rx in (DATE, PCT, MONEY):
            for hit in rx.findall(text):
                assert hit in shown.values(), (name, hit)
        numbers = re.sub(r"|".join(re.escape(p) for p in sorted(shown.values(), key=len,
                                                                   reverse=True)), "", text)
        assert not re.search(r"\d", numbers), (name, numbers)


def test_the_words_name_the_floor_and_the_stockout_cost_when_they_drive_it(timelines):
    _, rec, tl, d = timelines["in-stock floor and stockout cost drive it"]
    r = d["recommendation"]
    assert r["floor_extra_units"] > 0 and r["stockout_cost_extra_units"] > 0
    assert (r["quantity"] == r["quantity_without_floor"] + r["floor_extra_units"]
            == r["quantity_without_stockout_cost"] + r["floor_extra_units"]
            + r["stockout_cost_extra_units"])
    assert "because you asked for 98% in-stock" in r["explanation"]
    assert "for the ranking a stockout would cost" in r["explanation"]
    _, _, _, plain = timelines["healthy"]
    assert "in-stock" not in plain["recommendation"]["explanation"]


def test_the_words_name_the_low_inventory_fee_when_it_is_what_the_shipment_saves(timelines):
    """Equal stockout risks with and without, yet the shipment pays: the fee says why."""
    d = timelines["ship by later"][3]
    r = d["recommendation"]
    lines = {c["quantity"]: c["lines"] for c in r["candidates"]}
    saved = lines[0]["low_inventory"] - lines[r["quantity"]]["low_inventory"]
    totals = {c["quantity"]: c["total"] for c in r["candidates"]}
    assert saved >= 0.5 * (totals[0] - totals[r["quantity"]]) > 0
    assert (f"mainly Amazon's low-inventory-level fee ({fmt_money(lines[0]['low_inventory'])} "
            f"without the shipment, {fmt_money(lines[r['quantity']]['low_inventory'])} with it)"
            ) in r["explanation"]
    # A shipment that saves stockouts says so with its risks, not with the fee.
    out = timelines["out of stock, nothing inbound"][3]["recommendation"]["explanation"]
    assert "low-inventory" not in out


def test_the_words_follow_the_status(timelines):
    d = timelines["out of stock, inbound in 12 days"][3]
    text = d["recommendation"]["explanation"]
    assert text.startswith("Out of stock now")
    assert f"the next inbound shipment lands on {fmt_date(_days(12), TODAY)}" in text
    d = timelines["working, no date"][3]
    assert "(estimated)" in d["recommendation"]["explanation"]
    d = timelines["excess"][3]
    assert d["recommendation"]["explanation"].startswith("Ship nothing now; ")
    assert "beyond need through" in d["recommendation"]["explanation"]


def test_inbound_is_listed_with_dates_and_their_source(timelines):
    d = timelines["several statuses"][3]
    got = {s["shipment_id"]: s for s in d["inbound"]}
    assert got["FBA-8"]["expected_arrival"] == _days(9).isoformat()
    assert got["FBA-8"]["arrival_source"] == "amazon"
    assert got["FBA-9"]["expected_arrival"] == _days(30).isoformat()
    assert got["FBA-9"]["arrival_source"] == "estimated"
    assert d["next_inbound_on"] == TODAY.isoformat()
    assert "FBA-6" not in {s["shipment_id"] for s in timelines[
        "closed shipment brings nothing"][3]["inbound"]}
    assert timelines["closed shipment brings nothing"][3]["next_inbound_on"] is None


def test_receiving_units_arrive_over_several_days(timelines):
    d = timelines["out of stock, receiving"][3]
    # started yesterday: the 90 remaining units over the 4 days left of the 5-day spread
    arrivals = [day["arrivals"] for day in d["days"][:RECEIVING_SPREAD_DAYS + 1]]
    assert arrivals[:4] == [23, 23, 22, 22] and arrivals[4:] == [0, 0]
    spread = Inbound(10, TODAY, "receiving").units_by_day(TODAY)
    assert spread == {0: 2, 1: 2, 2: 2, 3: 2, 4: 2}
    assert Inbound(10, _days(3), "shipped").units_by_day(TODAY) == {3: 10}
    assert Inbound(7, _days(-10), "receiving").units_by_day(TODAY) == {0: 7}


def test_estimated_arrivals_by_status():
    assert estimate_arrival("WORKING", 30, TODAY) == _days(30)
    assert estimate_arrival("READY_TO_SHIP", 30, TODAY) == _days(30)
    assert estimate_arrival("SHIPPED", 30, TODAY) == _days(15)
    assert estimate_arrival("IN_TRANSIT", 30, TODAY) == _days(15)
    assert estimate_arrival("DELIVERED", 30, TODAY) == _days(1)
    assert estimate_arrival("CHECKED_IN", 30, TODAY) == _days(1)
    assert estimate_arrival("RECEIVING", 30, TODAY) == TODAY
    assert arrivals_by_day([], 5, 30, TODAY) == {1: 5}  # reserved: sellable from tomorrow


def test_excess_gets_a_number_and_the_cheapest_choice(timelines):
    ex = timelines["excess"][3]["excess"]
    assert ex["units"] > 2000 and ex["monthly_cost"] > 0
    assert ex["aged_from"] is not None and ex["aged_cost_12m"] > 0
    priced = {o["action"]: o["cost"] for o in ex["options"] if o["cost"] is not None}
    assert set(priced) == {"pause_reorders", "removal_order"}
    assert ex["choice"] == min(priced, key=priced.__getitem__) == "removal_order"
    assert ex["break_even_price"] < 25.0
    # units 200 days old pay aged surcharges on the next 15th
    dated = timelines["excess, dated lots"][3]["excess"]
    assert dated["ages_known"] and dated["aged_from"] == "2025-02-15"
    assert dated["removal_fee_per_unit"] == 1.53 and not dated["weight_assumed"]
    inbound = timelines["excess still inbound"][3]["excess"]
    assert inbound["units"] > 0 and inbound["removable_units"] <= 5


def test_to_dict_columns_round_trip_and_stay_compact(timelines):
    _, _, tl, d = timelines["several statuses"]
    cols = tl.to_dict(columns=True)
    assert days_from_columns(cols["days"]) == d["days"]
    assert len(json.dumps(cols)) < 20_000


def test_capacity_limited_candidates_say_so():
    dense = _item(sku="dense", cubic_feet=0.05, sale_price=40.0)
    bulky = _item(sku="bulky", cubic_feet=1.0, sale_price=26.0)
    free = recommend_batch([dense, bulky], TODAY)
    limit = 50 * 1.0 + 50 * 0.05 + free[0].quantity * 0.05 + 0.3 * free[1].quantity
    capped = recommend_batch([dense, bulky], TODAY, capacity_cuft={"standard": limit})
    tl = capped[1].timeline
    assert tl is not None and tl.capacity_limited and tl.quantity == capped[1].quantity
    inside = [c for c in tl.candidates if c.within_capacity]
    assert tl.chosen() in inside and all(tl.chosen().total <= c.total for c in inside)
    assert "capacity limit" in tl.explanation


def test_removal_fee_card_is_dated_and_overridable():
    from forecasting.fees import FeeSchedule

    fees = FeeSchedule()
    assert fees.card_for(dt.date(2023, 6, 1)).removal_per_unit("small_standard", 0.3) == 0.97
    assert fees.card_for(dt.date(2024, 6, 1)).removal_per_unit("small_standard", 0.3) == 1.04
    assert fees.card_for(dt.date(2026, 6, 1)).removal_per_unit("small_standard", 0.3) == 0.84
    card = fees.card_for(dt.date(2025, 6, 1))
    assert card.removal_per_unit("large_standard", 3.2) == pytest.approx(2.89 + 2 * 1.06)
    assert card.removal_per_unit("large_bulky", 12.5) == pytest.approx(14.32 + 3 * 1.06)
    cheap = FeeSchedule({"removal.standard.0.5-1": 0.5}).card_for(dt.date(2025, 6, 1))
    assert cheap.removal_per_unit("small_standard", 0.7) == 0.5


def _pounds(x: float) -> str:
    """A stand-in for the app's formatter (app.money): pounds, the sign before the symbol."""
    x = round(x, 2) or 0.0
    return f"-£{-x:,.2f}" if x < 0 else f"£{x:,.2f}"


@pytest.mark.parametrize("name", ["excess", "excess, dated lots", "ship by later",
                                  "runs out before arrival"])
def test_the_explanation_writes_money_with_the_schedule_s_formatter(name):
    from forecasting.fees import FeeSchedule

    tl = recommend(CASES[name], TODAY, FeeSchedule(money=_pounds)).timeline
    us = recommend(CASES[name], TODAY).timeline
    d = tl.to_dict()
    money_fields = {p: t for p, t in tl.explanation_fields.items() if "£" in t}
    assert money_fields, name
    assert "$" not in tl.explanation, tl.explanation
    for path, text in money_fields.items():
        assert text == _pounds(_get(d, path)), (name, path)
        # the same figure as the dollar sentence, only written in the seller's currency
        assert us.explanation_fields[path] == fmt_money(_get(d, path)), (name, path)
    if tl.excess is not None and tl.excess.options:
        words = [tl.excess.reason, *(o.note for o in tl.excess.options)]
        assert not any("$" in w for w in words), words
        assert "£" in tl.excess.reason
