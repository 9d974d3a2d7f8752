"""The two reference policies on tiny inputs, checked by hand, and foresight's choice of b."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.replay import simulate
from forecasting.replay_policies import FORESIGHT_COVERS, DaysOfSupply, Foresight
from forecasting.replay_runner import run_foresight, summarize
from tests.forecasting.replay_helpers import make_input


def _first_shipments(res, n):
    out = [0] * n
    for i, t, q, _ in res.shipments:
        if t == 0:
            out[i] = q
    return out


def test_days_of_supply_by_hand():
    hist = np.zeros((4, 40), dtype=int)
    in_stock = np.ones((4, 40), dtype=bool)
    hist[0] = 2
    hist[0, -5:] = 0
    in_stock[0, -5:] = False  # censored days are skipped, older in-stock days used instead
    hist[1] = 50
    hist[2, -3] = 3           # 3 units over the last 30 in-stock days
    hist[3] = 1               # velocity exactly 1
    demand = [[3, 0], [0, 0], [0, 0], [0, 0]]
    inp = make_input(demand, hist_sold=hist, hist_in_stock=in_stock, lead=10, case_pack=6,
                     moq=20, initial_on_hand=[10, 5000, 0, 62])
    res = simulate(inp, DaysOfSupply(7), 7)
    q = _first_shipments(res, 4)
    # SKU0: velocity (3 + 29 x 2) / 30; target x (10 + 7 + 45) = 126.07; position 7 -> 119.07
    # -> rounded up to 120 (case 6), above MOQ.
    assert q[0] == 120
    assert q[1] == 0                     # position far above target
    # SKU2: on hand 0 so day 0 is out of stock; velocity 3/30; target 6.2 -> 12 < MOQ 20
    # -> MOQ rounded up to the case: 24.
    assert q[2] == 24
    # SKU3: target exactly 62 = position -> nothing (no float rounding up of an exact fit)
    assert q[3] == 0


def test_days_of_supply_counts_in_transit_and_no_history_means_no_velocity():
    inp = make_input([[1] * 14, [0] * 14], lead=20, initial_on_hand=[40, 0],
                     hist_sold=np.ones((2, 30), dtype=int) * np.array([[1], [0]]),
                     hist_in_stock=np.array([[True] * 30, [False] * 30]))
    res = simulate(inp, DaysOfSupply(7), 7)
    ships = {(i, t): q for i, t, q, _ in res.shipments}
    # Day 0: velocity 1 -> target 72, position 39 -> 33. Day 7: position 32 + 33 = 65 -> 7.
    assert ships[(0, 0)] == 33
    assert ships[(0, 7)] == 7
    assert not any(i == 1 for i, *_ in res.shipments)


def test_foresight_projection_and_need_by_hand():
    inp = make_input([[2] * 30], initial_on_hand=5, lead=3)
    res0 = simulate(inp, Foresight(7, 0), 7)
    res7 = simulate(inp, Foresight(7, 7), 7)
    # oh_end day 0 = 3; days 1, 2: 3 -> 1 -> 0; need days 3..9 = 14 (b=0), 3..16 = 28 (b=7).
    assert _first_shipments(res0, 1) == [14]
    assert _first_shipments(res7, 1) == [28]
    # Day 7: stock on morning of day 10 = 0 + 14 arrived day 3 minus days 3..9 -> 0; need 14.
    assert [q for _, t, q, _ in res0.shipments if t == 7] == [14]
    assert res0.lost[0, 3:].sum() == 0


def test_foresight_ignores_days_after_end_and_respects_case_and_moq():
    inp = make_input([[2] * 10], initial_on_hand=0, lead=8, case_pack=5, moq=12)
    res = simulate(inp, Foresight(7, 0), 7)
    # Day 0: need days 8..14, only 8 and 9 exist -> 4 -> case 5 -> MOQ 12 -> 15.
    assert _first_shipments(res, 1) == [15]


def test_foresight_picks_the_cheapest_b_per_sku_smallest_on_ties():
    rng = np.random.default_rng(1)
    demand = np.vstack([rng.poisson(12, 120), np.zeros(120, dtype=int), rng.poisson(0.5, 120)])
    inp = make_input(demand.tolist(), initial_on_hand=[100, 0, 2], lead=[10, 10, 30],
                     cubic_feet=[0.05, 0.5, 2.0])
    best = run_foresight(inp, 7)
    totals = np.stack([simulate(inp, Foresight(7, b), 7).sku_totals()["total"]
                       for b in FORESIGHT_COVERS])
    expect = np.array(FORESIGHT_COVERS)[np.argmin(totals, axis=0)]
    assert best.extra["b"].tolist() == expect.tolist()
    assert best.extra["b"][1] == 0  # no demand: every b costs 0, the smallest wins
    got = best.sku_totals()["total"]
    assert np.allclose(got, totals.min(axis=0))
    doc = summarize(inp, {"foresight": best}, 7)
    assert doc["policies"]["foresight"]["per_sku"]["S0"]["b"] == int(expect[0])
    assert doc["policies"]["foresight"]["total"] == pytest.approx(totals.min(axis=0).sum())
