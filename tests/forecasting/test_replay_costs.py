"""Replay cost lines computed by hand for small cases (replay-spec.md, 'Costs of day d')."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from forecasting.replay import PolicyError, simulate
from tests.forecasting.replay_helpers import make_input


class Scripted:
    """Ships fixed quantities on fixed review indices."""

    name = "scripted"

    def __init__(self, plan: dict[int, list[int]]) -> None:
        self.plan = plan

    def decide(self, state):
        n = len(state.inp.skus)
        return np.array(self.plan.get(state.t, [0] * n))


NONE = Scripted({})


def test_storage_uses_days_in_month_and_q4_rate():
    inp = make_input([[0, 0, 0, 0]], start=dt.date(2025, 9, 29), initial_on_hand=10,
                     cubic_feet=0.5)
    res = simulate(inp, NONE, 7)
    s = res.lines["storage"][0]
    assert s[0] == pytest.approx(10 * 0.5 * 0.78 / 30)   # Sep 29
    assert s[1] == pytest.approx(10 * 0.5 * 0.78 / 30)   # Sep 30
    assert s[2] == pytest.approx(10 * 0.5 * 2.40 / 31)   # Oct 1: peak rate
    assert s[3] == pytest.approx(10 * 0.5 * 2.40 / 31)


def test_storage_february_and_large_bulky():
    inp = make_input([[0, 0], [0, 0]], start=dt.date(2024, 2, 28), initial_on_hand=4,
                     cubic_feet=2.0, size_tier=["small_standard", "large_bulky"])
    res = simulate(inp, NONE, 7)
    assert res.lines["storage"][0, 0] == pytest.approx(4 * 2.0 * 0.78 / 29)  # leap year
    assert res.lines["storage"][1, 1] == pytest.approx(4 * 2.0 * 0.56 / 29)
    q4 = simulate(make_input([[0]], start=dt.date(2024, 12, 1), initial_on_hand=4, cubic_feet=2.0,
                             size_tier="large_bulky"), NONE, 7)
    assert q4.lines["storage"][0, 0] == pytest.approx(4 * 2.0 * 1.40 / 31)


def test_aged_surcharge_on_the_15th_every_tier_and_the_366_rule():
    start = dt.date(2025, 1, 1)
    T = 400
    inp = make_input([[0] * T, [0] * T], start=start, initial_on_hand=[10, 10],
                     cubic_feet=[0.5, 0.01])
    res = simulate(inp, NONE, 7)
    aged = res.lines["aged"]
    expect = {  # 15th -> (age, per-unit at cf 0.5, per-unit at cf 0.01)
        dt.date(2025, 7, 15): (195, 0.5 * 0.50, 0.01 * 0.50),
        dt.date(2025, 8, 15): (226, 0.5 * 1.00, 0.01 * 1.00),
        dt.date(2025, 9, 15): (257, 0.5 * 1.50, 0.01 * 1.50),
        dt.date(2025, 10, 15): (287, 0.5 * 5.45, 0.01 * 5.45),
        dt.date(2025, 11, 15): (318, 0.5 * 5.70, 0.01 * 5.70),
        dt.date(2025, 12, 15): (348, 0.5 * 5.90, 0.01 * 5.90),
        dt.date(2026, 1, 15): (379, 0.5 * 6.90, 0.15),   # max(cf x 6.90, 0.15)
        dt.date(2026, 2, 4): None,
    }
    for d, e in expect.items():
        t = (d - start).days
        if e is None:
            assert aged[:, t].sum() == 0
            continue
        age, big, small = e
        assert (d - start).days == age
        assert aged[0, t] == pytest.approx(10 * big)
        assert aged[1, t] == pytest.approx(10 * small)
    paid = {(start + dt.timedelta(days=int(t))) for t in np.flatnonzero(aged[0])}
    assert paid == {d for d, e in expect.items() if e is not None}
    # June 15th (age 165) and younger pay nothing.
    assert aged[:, (dt.date(2025, 6, 15) - start).days].sum() == 0


def test_fifo_sells_oldest_lot_first_and_ages_each_lot():
    start = dt.date(2025, 1, 1)
    T = 200
    demand = [0] * T
    demand[100] = 5  # after the second lot has landed on day 50
    inp = make_input([demand], start=start, initial_on_hand=10, lead=50, cubic_feet=1.0)
    res = simulate(inp, Scripted({0: [8]}), 7)
    # Jul 15 = day 195: initial lot age 195 with 10 - 5 = 5 units; the 8 received on day 50
    # are 145 days old and pay nothing.
    t = (dt.date(2025, 7, 15) - start).days
    assert res.lines["aged"][0, t] == pytest.approx(5 * 1.0 * 0.50)
    assert res.on_hand_end[0, t] == 13


def test_fifo_second_lot_ages_after_first_sold_out():
    start = dt.date(2025, 1, 1)
    T = 230
    demand = [0] * T
    demand[60] = 12  # sells all 10 initial units and 2 of the 8 received on day 20
    inp = make_input([demand], start=start, initial_on_hand=10, lead=20, cubic_feet=1.0)
    res = simulate(inp, Scripted({0: [8]}), 7)
    t = (dt.date(2025, 8, 15) - start).days  # day 226: second lot is 206 days old
    assert res.lines["aged"][0, t] == pytest.approx(6 * 0.50)


def test_arrival_is_sellable_on_its_day_and_lost_margin_counts():
    inp = make_input([[3, 3, 3, 3]], initial_on_hand=2, lead=2, sale_price=30.0,
                     referral_rate=0.15, fulfillment_fee=5.0, unit_cost=10.0)
    res = simulate(inp, Scripted({0: [4]}), 7)
    assert res.sold[0].tolist() == [2, 0, 3, 1]
    assert res.lost[0].tolist() == [1, 3, 0, 2]
    margin = 30 * 0.85 - 5 - 10
    expect = [margin, 3 * margin, 0, 2 * margin]
    assert res.lines["lost_margin"][0].tolist() == pytest.approx(expect)
    assert res.shipments == [(0, 0, 4, 2)]


def test_capital_charge():
    inp = make_input([[1, 1]], initial_on_hand=5, unit_cost=20.0)
    res = simulate(inp, NONE, 7)
    assert res.lines["capital"][0].tolist() == pytest.approx([4 * 20 * 0.15 / 365,
                                                              3 * 20 * 0.15 / 365])


@pytest.mark.parametrize(("initial", "rate"), [(100, 0.89), (200, 0.63), (260, 0.32), (300, 0.0)])
def test_low_inventory_bands(initial, rate):
    # Demand 10/day: day 1 is the first with 20 units sold over the last 7 days.
    # on hand ends at initial-10, initial-20 -> dos30 = dos90 = (initial - 15) / 10.
    inp = make_input([[10, 10]], initial_on_hand=initial)
    res = simulate(inp, NONE, 7)
    lif = res.lines["low_inventory"][0]
    assert lif[0] == 0  # 10 units in the last 7 days: exempt
    assert lif[1] == pytest.approx(10 * rate)


@pytest.mark.parametrize(("tier", "rates"), [
    ("large_standard", (0.97, 0.70, 0.36)), ("large_standard_heavy", (1.11, 0.87, 0.47)),
    ("large_bulky", (0.0, 0.0, 0.0))])
def test_low_inventory_rates_by_size_tier(tier, rates):
    inp = make_input([[10, 10]] * 3, initial_on_hand=[100, 200, 260], size_tier=tier)
    res = simulate(inp, NONE, 7)
    assert res.lines["low_inventory"][:, 1] == pytest.approx([10 * r for r in rates])


def test_low_inventory_twenty_unit_exemption_is_inclusive():
    inp = make_input([[9, 9, 9], [10, 10, 10]], initial_on_hand=100)
    res = simulate(inp, NONE, 7)
    lif = res.lines["low_inventory"]
    assert lif[0, 1] == 0  # 18 units over the 7 days: exempt
    assert lif[0, 2] == pytest.approx(9 * 0.89)  # 27 units; dos = (91+82+73)/3 / 9 = 9.1
    assert lif[1, 1] == pytest.approx(10 * 0.89)  # exactly 20 units: charged


@pytest.mark.parametrize(("initial", "rate"), [(700, 0.0), (600, 0.0)])
def test_low_inventory_needs_both_windows_under_28(initial, rate):
    # 10/day for 60 days, no arrivals: on day 59, dos30 = (S - 455) / 10 and dos90 (all 60
    # days) = (S - 305) / 10. S=700: 24.5 / 39.5; S=600: 14.5 / 29.5 -> no fee either way.
    res = simulate(make_input([[10] * 60], initial_on_hand=initial), NONE, 7)
    assert res.lines["low_inventory"][0, 59] == pytest.approx(10 * rate)


def test_low_inventory_band_comes_from_the_higher_of_the_two():
    # 20/day for 30 days then 10/day, S = 900: on day 59 stock is 0 after sales.
    # w30: mean on hand 145, mean sold 10 -> 14.5. w90 (60 days): (590 + 145) / 2 = 367.5 over
    # 15 sold/day -> 24.5. m = 24.5 -> band 21-28 (0.32), not 14-21 (0.63).
    res = simulate(make_input([[20] * 30 + [10] * 30], initial_on_hand=900), NONE, 7)
    assert res.on_hand_end[0, 59] == 0
    assert res.lines["low_inventory"][0, 59] == pytest.approx(10 * 0.32)


def test_infinite_days_of_supply_when_nothing_sold_raises_no_warning():
    inp = make_input([[0] * 40], initial_on_hand=5)
    res = simulate(inp, NONE, 7)  # filterwarnings=error: any division warning fails the test
    assert res.lines["low_inventory"].sum() == 0


@pytest.mark.parametrize(("q", "ok"), [(0, True), (8, True), (12, True), (4, False), (6, False),
                                       (-4, False)])
def test_case_pack_and_moq_rules_are_errors_not_rounding(q, ok):
    inp = make_input([[1] * 3], case_pack=4, moq=8)
    policy = Scripted({0: [q]})
    if ok:
        res = simulate(inp, policy, 7)
        assert sum(s[2] for s in res.shipments) == q
    else:
        with pytest.raises(PolicyError, match="S0"):
            simulate(inp, policy, 7)


def test_against_a_plain_loop_reference_on_random_cases():
    rng = np.random.default_rng(3)
    T = 120
    demand = rng.poisson([[2.0], [6.0], [0.3]], size=(3, T))
    inp = make_input(demand.tolist(), start=dt.date(2025, 3, 1), initial_on_hand=[30, 400, 5],
                     lead=[3, 10, 30], cubic_feet=[0.1, 0.4, 3.0],
                     size_tier=["small_standard", "large_standard_heavy", "large_bulky"])
    plan = {t: rng.integers(0, 40, size=3).tolist() for t in range(0, T, 7)}
    res = simulate(inp, Scripted(plan), 7)
    for i in range(3):
        ref = _reference(demand[i], plan, i, inp, T)
        for k, v in ref.items():
            assert res.lines[k][i] == pytest.approx(v), (i, k)


def _reference(demand, plan, i, inp, T):
    """Straight from the spec, one SKU, one day at a time, lots as a list."""
    lots = [[0, int(inp.initial_on_hand[i])]]
    arrivals: dict[int, int] = {}
    oh_hist, sold_hist = [], []
    out = {k: np.zeros(T) for k in ("storage", "aged", "low_inventory", "capital")}
    cf, tier = inp.cubic_feet[i], inp.size_tier[i]
    for t in range(T):
        d = inp.dates[t]
        if t in arrivals:
            lots.append([t, arrivals[t]])
        want = demand[t]
        on = sum(q for _, q in lots)
        sold = min(want, on)
        left = sold
        for lot in lots:
            take = min(lot[1], left)
            lot[1] -= take
            left -= take
        lots = [lot for lot in lots if lot[1] > 0]
        oh = on - sold
        oh_hist.append(oh)
        sold_hist.append(sold)
        if t % 7 == 0 and plan[t][i] > 0:
            arrivals[t + int(inp.lead[i])] = arrivals.get(t + int(inp.lead[i]), 0) + plan[t][i]
        import calendar
        dim = calendar.monthrange(d.year, d.month)[1]
        bulky = tier == "large_bulky"
        rate = (1.40 if bulky else 2.40) if d.month >= 10 else (0.56 if bulky else 0.78)
        out["storage"][t] = oh * cf * rate / dim
        if d.day == 15:
            for rec, q in lots:
                age = t - rec
                tiers = [(181, 210, .5), (211, 240, 1), (241, 270, 1.5), (271, 300, 5.45),
                         (301, 330, 5.7), (331, 365, 5.9)]
                per = next((cf * r for a, b, r in tiers if a <= age <= b), 0.0)
                if age >= 366:
                    per = max(cf * 6.9, 0.15)
                out["aged"][t] += q * per
        w30 = range(max(0, t - 29), t + 1)
        w90 = range(max(0, t - 89), t + 1)
        s30 = np.mean([sold_hist[k] for k in w30])
        s90 = np.mean([sold_hist[k] for k in w90])
        dos30 = np.mean([oh_hist[k] for k in w30]) / s30 if s30 else np.inf
        dos90 = np.mean([oh_hist[k] for k in w90]) / s90 if s90 else np.inf
        s7 = sum(sold_hist[max(0, t - 6): t + 1])
        if dos30 < 28 and dos90 < 28 and s7 >= 20:
            m = max(dos30, dos90)
            bands = {"small_standard": (.89, .63, .32), "large_standard": (.97, .7, .36),
                     "large_standard_heavy": (1.11, .87, .47), "large_bulky": (0, 0, 0)}[tier]
            out["low_inventory"][t] = sold * (bands[0] if m < 14 else bands[1] if m < 21
                                              else bands[2])
        out["capital"][t] = oh * inp.unit_cost[i] * 0.15 / 365
    return out
