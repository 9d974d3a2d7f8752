"""Shipment recommendation: rules, behaviour on a known demand distribution, capacity, words."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from forecasting.explain import fmt_date
from forecasting.fees import FeeSchedule
from forecasting.policy import (
    Inbound,
    SkuPlanInput,
    allowed,
    paths_from_quantiles,
    recommend,
    recommend_batch,
)

TODAY = dt.date(2025, 2, 3)


def _paths(rate: float, days: int = 200, n: int = 200, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).poisson(rate, size=(n, days)).astype(float)


def _item(**kw) -> SkuPlanInput:
    base = {"sku": "A", "demand_paths": _paths(5.0), "on_hand": 50, "lead_time_days": 30,
            "unit_cost": 8.0, "sale_price": 25.0, "fulfillment_fee": 4.0, "cubic_feet": 0.1,
            "size_tier": "small_standard"}
    base.update(kw)
    return SkuPlanInput(**base)


def test_quantity_respects_case_pack_and_moq():
    for cp, moq in ((12, 0), (5, 40), (1, 7)):
        rec = recommend(_item(case_pack=cp, moq=moq), TODAY)
        assert allowed(rec.quantity, cp, moq)
        assert rec.quantity > 0


def test_covers_lead_time_plus_review_at_a_high_service_level():
    # Poisson(5): 37 days (30 lead + 7 review) average 185; with 50 on hand the order lands
    # at least near 185 - 50 plus safety stock.
    rec = recommend(_item(), TODAY)
    assert 140 <= rec.quantity <= 400
    assert rec.stockout_prob_next_cycle < 0.1
    assert rec.stockout_prob_next_cycle_without > 0.9
    assert rec.expected_cost_with["total"] < rec.expected_cost_without["total"]


def test_more_stock_means_smaller_shipment_and_fewer_stockouts():
    q, risk = [], []
    for on_hand in (0, 100, 200, 400, 500):
        rec = recommend(_item(on_hand=on_hand), TODAY)
        q.append(rec.quantity)
        risk.append(rec.stockout_prob_next_cycle_without)
    assert q == sorted(q, reverse=True) and q[0] > q[-1]
    assert risk == sorted(risk, reverse=True) and risk[0] > risk[-1]
    # 400 units cover the 37 days, but a few of the 200 paths dip under 28 days of supply in
    # the week after arrival (the low-inventory fee's proxy): a unit or two may pay for itself;
    # 500 leave nothing to ship.
    assert q[-2] <= 2 and q[-1] == 0


def test_stockout_probability_falls_as_the_candidate_quantity_grows():
    rec = recommend(_item(), TODAY)
    probs = rec.candidate_lines["stockout_prob"]
    assert np.all(np.diff(probs) <= 1e-12)


def test_inbound_counts_as_stock():
    base = recommend(_item(on_hand=200), TODAY).quantity
    with_inbound = recommend(_item(on_hand=200, inbound=[Inbound(100, TODAY
                                                                 + dt.timedelta(days=10))]),
                             TODAY).quantity
    assert base - 110 <= with_inbound <= base - 90
    # With nothing on hand, stock runs out before either lands: lost sales are gone, so
    # inbound arriving before the gap does not reduce what the window after arrival needs.
    gone = recommend(_item(on_hand=0, inbound=[Inbound(100, TODAY + dt.timedelta(days=2))]),
                     TODAY).quantity
    assert gone == recommend(_item(on_hand=0), TODAY).quantity


def test_low_margin_ships_less_and_no_margin_ships_nothing():
    high = recommend(_item(sale_price=40.0), TODAY).quantity
    low = recommend(_item(sale_price=13.5), TODAY).quantity
    none = recommend(_item(sale_price=12.0), TODAY).quantity  # margin 12*.85-4-8 < 0
    assert high >= low and none == 0


def test_fast_seller_keeps_enough_cover_to_avoid_the_low_inventory_fee():
    rec = recommend(_item(demand_paths=_paths(40.0), on_hand=0, cubic_feet=0.05), TODAY)
    lines = rec.candidate_lines
    # The cheapest answer is well above the smallest quantity that covers the week after
    # arrival at a 95% service level: it pays storage to keep clear of the fee.
    lean = int(np.flatnonzero(lines["stockout_prob"] < 0.05)[0])
    assert rec.quantity > 2 * rec.candidates[lean]
    assert rec.expected_cost_with["low_inventory"] < 0.1 * lines["low_inventory"][lean]


def test_q4_storage_is_priced_higher():
    item = _item(demand_paths=_paths(0.5), on_hand=0, cubic_feet=2.0, case_pack=50)
    march = recommend(item, dt.date(2025, 3, 1))
    sept = recommend(item, dt.date(2025, 9, 1))  # lands in October
    q = 50
    i_m = int(np.flatnonzero(march.candidates == q)[0])
    i_s = int(np.flatnonzero(sept.candidates == q)[0])
    assert sept.candidate_lines["storage"][i_s] > 2 * march.candidate_lines["storage"][i_m]


def test_big_moq_on_a_slow_seller_pays_aged_surcharge_and_may_skip():
    slow = _item(demand_paths=_paths(0.2), on_hand=0, moq=300, case_pack=100, cubic_feet=1.0,
                 sale_price=16.0)
    rec = recommend(slow, TODAY)
    i = int(np.flatnonzero(rec.candidates == 300)[0])
    assert rec.candidate_lines["aged"][i] > 0
    assert rec.quantity == 0  # 300 units at 0.2/day would sit for years: not worth it


def test_capacity_goes_to_the_most_value_per_cubic_foot():
    dense = _item(sku="dense", cubic_feet=0.05, sale_price=40.0)
    bulky = _item(sku="bulky", cubic_feet=1.0, sale_price=26.0)
    free = recommend_batch([dense, bulky], TODAY)
    assert all(r.quantity > 0 for r in free)
    used = (50 + free[0].quantity) * 0.05 + 50 * 1.0
    limit = used + 0.3 * free[1].quantity * 1.0
    capped = recommend_batch([dense, bulky], TODAY, capacity_cuft={"standard": limit})
    # The dense SKU saves far more per cubic foot: it keeps all but the last few dollars of
    # what its free quantity saves; the bulky one gets some of the room, not all it wanted.
    d_free, d_cap = free[0].expected_cost_with["total"], capped[0].expected_cost_with["total"]
    assert d_cap - d_free < 0.01 * (free[0].expected_cost_without["total"] - d_free)
    assert 0 < capped[1].quantity < free[1].quantity and capped[1].capacity_limited
    total = sum((50 + r.quantity) * it.cubic_feet for r, it in zip(capped, (dense, bulky),
                                                                    strict=True))
    assert total <= limit + 1e-9
    # Giving the room to the cheaper total: the capped plan beats dense-first-then-bulky.
    capped_cost = sum(r.expected_cost_with["total"] for r in capped)
    j = int(np.flatnonzero(free[1].candidates * 1.0 <= limit - used + 1e-9)[-1])
    dense_first = d_free + float(free[1].candidate_costs[: j + 1].min())
    assert capped_cost <= dense_first + 1e-9
    assert "capacity limit" in capped[1].explanation


def test_explanation_names_the_dates():
    rec = recommend(_item(on_hand=200), TODAY)
    tl = rec.timeline
    assert tl is not None and rec.quantity > 0
    text = rec.explanation
    assert text.startswith(f"Ship {rec.quantity} ")
    assert tl.runs_out_on is not None
    assert f"stock runs out on {fmt_date(tl.runs_out_on, TODAY)}" in text
    arrive = TODAY + dt.timedelta(days=30)
    assert f"a shipment sent today lands on {fmt_date(arrive, TODAY)}" in text
    assert rec.latest_ship_date == tl.ship_by and tl.ship_by <= tl.runs_out_on
    nothing = recommend(_item(on_hand=1000), TODAY)
    assert nothing.quantity == 0 and nothing.explanation.startswith("Ship nothing now")
    assert nothing.latest_ship_date is None


def test_days_of_cover_with_and_without():
    # 100 units at exactly 5/day last 20 days (days 0..19); a 10-day lead lands in time.
    rec = recommend(_item(on_hand=100, lead_time_days=10, demand_paths=np.full((10, 300), 5.0)),
                    TODAY)
    assert rec.days_of_cover_without == 20
    assert rec.days_of_cover_with == pytest.approx((100 + rec.quantity) // 5, abs=1)
    # Cover honours arrival dates: a shipment landing on day 30 cannot extend a gap from day 20.
    late = recommend(_item(on_hand=100, demand_paths=np.full((10, 300), 5.0)), TODAY)
    assert late.quantity > 0 and late.days_of_cover_with == 20


def test_lead_time_spread_raises_the_quantity():
    fixed = recommend(_item(), TODAY).quantity
    spread = recommend(_item(lead_time_std_days=10), TODAY).quantity
    assert spread > fixed


def test_paths_from_quantiles_keep_the_spread_of_totals():
    days = 30
    p = paths_from_quantiles(np.full(days, 2.0), np.full(days, 5.0), np.full(days, 8.0), 2000)
    totals = p.sum(axis=1)
    assert np.quantile(totals, 0.1) == pytest.approx(60, rel=0.1)
    assert np.quantile(totals, 0.9) == pytest.approx(240, rel=0.1)


def test_uses_the_fee_schedule_overrides():
    item = _item(demand_paths=_paths(0.5), on_hand=0, cubic_feet=1.0)
    base = recommend(item, TODAY)
    pricey = recommend(item, TODAY, FeeSchedule({"storage.standard.off_peak": 30.0}))
    assert pricey.quantity < base.quantity


def test_replay_mode_chooses_the_same_quantities():
    items = [_item(sku=str(k), on_hand=30 * k) for k in range(4)]
    full = recommend_batch(items, TODAY)
    bare = recommend_batch(items, TODAY, details=False)
    assert [r.quantity for r in full] == [r.quantity for r in bare]


# a bulky, thin-margin SKU: holding costs enough that the cheapest quantity risks a stockout
THIN = {"on_hand": 30, "lead_time_days": 20, "demand_paths": _paths(2.0), "sale_price": 16.0,
        "unit_cost": 8.0, "fulfillment_fee": 4.0, "cubic_feet": 1.5,
        "size_tier": "large_standard"}


def test_stockout_cost_prices_lost_ranking_and_raises_the_quantity():
    plain = recommend(_item(**THIN, stockout_cost_multiple=0.0), TODAY)
    ranked = recommend(_item(**THIN, stockout_cost_multiple=3.0), TODAY)
    assert plain.expected_cost_with["lost_ranking"] == 0.0
    assert ranked.quantity > plain.quantity
    assert ranked.stockout_prob_next_cycle < plain.stockout_prob_next_cycle
    # the line is three margins per expected lost unit, the same units lost_margin prices
    margin = 16.0 * 0.85 - 4.0 - 8.0
    assert ranked.expected_cost_with["lost_ranking"] == pytest.approx(
        3.0 * ranked.expected_cost_with["lost_margin"], rel=1e-9)
    assert ranked.expected_cost_with["lost_margin"] > 0 and margin > 0
    assert ranked.quantity_without_stockout_cost == plain.quantity
    tl = ranked.timeline
    assert tl is not None and tl.stockout_cost_extra_units == ranked.quantity - plain.quantity
    assert "for the ranking a stockout would cost" in ranked.explanation
    # a SKU sold at a loss has no ranking worth buying stock for
    loss = recommend(_item(**{**THIN, "sale_price": 12.0}, stockout_cost_multiple=5.0), TODAY)
    assert loss.expected_cost_with["lost_ranking"] == 0.0


def test_in_stock_floor_holds_the_risk_after_arrival_under_what_the_seller_asked():
    free = recommend(_item(**THIN), TODAY)
    floored = recommend(_item(**THIN, in_stock_target=0.98), TODAY)
    assert free.stockout_prob_next_cycle > 0.02
    assert floored.stockout_prob_next_cycle <= 0.02
    assert floored.quantity > free.quantity
    assert floored.quantity_without_floor == free.quantity
    # the least the floor allows: one case less breaks it
    j = int(np.flatnonzero(floored.candidates == floored.quantity - 1)[0])
    assert floored.candidate_lines["stockout_prob"][j] > 0.02
    tl = floored.timeline
    assert tl is not None and tl.floor_extra_units == floored.quantity - free.quantity
    assert tl.floor_extra_days > 0
    assert (f"holding {tl.floor_extra_days} extra days ({tl.floor_extra_units} units) because "
            "you asked for 98% in-stock once it lands") in floored.explanation
    d = tl.to_dict()["recommendation"]
    assert d["in_stock_target"] == 0.98 and d["quantity_without_floor"] == free.quantity
    # a floor the cheapest quantity already meets changes nothing and is not mentioned
    easy = recommend(_item(**THIN, in_stock_target=0.5), TODAY)
    assert easy.quantity == free.quantity and "in-stock" not in easy.explanation


def test_a_floor_no_quantity_can_meet_ships_the_least_risky_and_bad_targets_are_refused():
    rec = recommend(_item(**THIN, in_stock_target=0.99999), TODAY)
    assert rec.stockout_prob_next_cycle == rec.candidate_lines["stockout_prob"].min()
    for bad in (0.0, 1.0, 98.0, -0.1):
        with pytest.raises(ValueError, match="in_stock_target"):
            recommend(_item(**THIN, in_stock_target=bad), TODAY)
