"""`python -m forecasting replay` end to end on small files, and its input errors."""

from __future__ import annotations

import csv
import datetime as dt
import json

import numpy as np
import pytest

from forecasting.replay import simulate
from forecasting.replay_cli import main
from forecasting.replay_io import ReplayInputError, load_input
from forecasting.replay_ours import OursPolicy
from forecasting.replay_runner import run_replay
from tests.forecasting.replay_helpers import PoissonForecaster

START = dt.date(2025, 3, 1)


def _write(tmp_path, days=60, history=30, rows=None, sku_rows=None):
    rng = np.random.default_rng(0)
    demand = tmp_path / "demand.csv"
    skus = tmp_path / "skus.csv"
    with open(demand, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sku", "date", "demand", "price", "in_stock"])
        for sku, rate in (("A", 5.0), ("B", 0.5)):
            for k in range(-history, days):
                d = START + dt.timedelta(days=k)
                w.writerow([sku, d.isoformat(), int(rng.poisson(rate)), "19.99", 1])
        for row in rows or []:
            w.writerow(row)
    with open(skus, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sku", "unit_cost", "sale_price", "fulfillment_fee", "referral_rate",
                    "cubic_feet", "size_tier", "lead_time_days", "case_pack", "moq",
                    "initial_on_hand"])
        for row in sku_rows or [["A", 5, 19.99, 3.2, 0.15, 0.1, "small_standard", 10, 6, 12, 40],
                                ["B", 8, 29.99, 4.0, "", 0.3, "large_standard", 20, 1, "", 5]]:
            w.writerow(row)
    return demand, skus


def _args(demand, skus, out, end_days=59, extra=()):
    return ["--demand", str(demand), "--skus", str(skus), "--start", START.isoformat(),
            "--end", (START + dt.timedelta(days=end_days)).isoformat(), "--review-days", "7",
            "--out", str(out), *extra]


def test_cli_writes_the_three_files(tmp_path):
    demand, skus = _write(tmp_path)
    out = tmp_path / "out"
    code = main(_args(demand, skus, out, extra=["--policies", "days_of_supply,foresight",
                                                "--daily"]))
    assert code == 0
    doc = json.loads((out / "summary.json").read_text())
    assert set(doc["policies"]) == {"days_of_supply", "foresight"}
    for pol in doc["policies"].values():
        parts = sum(pol[k] for k in ("storage", "aged", "low_inventory", "lost_margin", "capital"))
        assert pol["total"] == pytest.approx(parts)
        assert pol["units_sold"] + pol["units_lost"] == pol["units_demand"]
        assert set(pol["per_sku"]) == {"A", "B"}
    assert "b" in doc["policies"]["foresight"]["per_sku"]["A"]
    with open(out / "shipments.csv") as fh:
        ships = list(csv.DictReader(fh))
    assert ships and set(ships[0]) == {"policy", "sku", "ship_date", "quantity", "arrival_date"}
    for s in ships:
        lead = 10 if s["sku"] == "A" else 20
        assert (dt.date.fromisoformat(s["arrival_date"])
                - dt.date.fromisoformat(s["ship_date"])).days == lead
        if s["sku"] == "A":
            assert int(s["quantity"]) % 6 == 0 and int(s["quantity"]) >= 12
    with open(out / "daily.csv") as fh:
        daily = list(csv.DictReader(fh))
    assert len(daily) == 2 * 2 * 60
    dos = [r for r in daily if r["policy"] == "days_of_supply"]
    assert sum(float(r["total"]) for r in dos) == pytest.approx(doc["policies"]["days_of_supply"]
                                                                ["total"])


@pytest.mark.parametrize(("rows", "sku_rows", "message"), [
    ([["A", "2025-13-01", 1, "", 1]], None, "row 182: date='2025-13-01'"),
    ([["A", "2025-06-01", -1, "", 1]], None, "row 182: demand='-1' is below 0"),
    ([["C", "2025-03-01", 1, "", 1]], None, "row 182: sku 'C' is not in"),
    (None, [["A", 5, 19.99, 3.2, 0.15, 0.1, "tiny", 10, 6, 12, 40]], "row 2: size_tier='tiny'"),
    (None, [["A", 5, 19.99, 3.2, 0.15, 0.1, "small_standard", 0, 6, 12, 40]],
     "row 2: lead_time_days='0'"),
    (None, [["A", 5, 19.99, 3.2, 0.15, 0.1, "small_standard", 10, 2.5, 12, 40]],
     "row 2: case_pack='2.5' is not a whole number"),
])
def test_malformed_input_names_the_row(tmp_path, capsys, rows, sku_rows, message):
    demand, skus = _write(tmp_path, rows=rows, sku_rows=sku_rows)
    code = main(_args(demand, skus, tmp_path / "out", extra=["--policies", "days_of_supply"]))
    assert code == 2
    assert message in capsys.readouterr().err


def test_gap_in_days_is_an_error(tmp_path):
    demand, skus = _write(tmp_path)
    lines = demand.read_text().splitlines()
    demand.write_text("\n".join(lines[:10] + lines[11:]) + "\n")
    with pytest.raises(ReplayInputError, match="row 11: sku 'A' date 2025-02-09: days not"):
        load_input(demand, skus, START, START + dt.timedelta(days=59))


def test_ours_runs_the_product_policy_on_a_forecaster(tmp_path):
    demand, skus = _write(tmp_path)
    inp = load_input(demand, skus, START, START + dt.timedelta(days=59))
    res = run_replay(inp, ["ours"], 7, ours_factory=lambda: OursPolicy(
        inp, 7, n_paths=50, forecaster_factory=PoissonForecaster))["ours"]
    assert res.shipments
    for i, _, q, _ in res.shipments:
        assert q % int(inp.case_pack[i]) == 0 and q >= inp.moq[i]
    assert res.sold.sum() / res.demand.sum() > 0.9
    again = simulate(inp, OursPolicy(inp, 7, n_paths=50, forecaster_factory=PoissonForecaster), 7)
    assert again.shipments == res.shipments  # seeded: the same replay twice


def test_ours_follows_sales_between_refits(tmp_path):
    demand, skus = _write(tmp_path)
    inp = load_input(demand, skus, START, START + dt.timedelta(days=59))
    pol = OursPolicy(inp, 7, n_paths=20, forecaster_factory=PoissonForecaster)
    simulate(inp, pol, 7)  # fits on days 0, 28 and 56
    from forecasting.replay import ReplayState  # noqa: F401  (type of the state below)

    class Fake:
        t = pol.fit_t + 14
        in_stock = np.ones((2, 100), dtype=bool)
        sold = np.zeros((2, 100), dtype=np.int64)

    means = pol._path_means["A"]
    Fake.sold[0, pol.fit_t + 1: Fake.t + 1] = np.round(3 * means[:14]).astype(int)
    up = pol._level_ratio(Fake, 0, "A")
    assert 1.5 < up <= 2.0  # sold ~3x the forecast for two weeks: half-way with the prior
    Fake.sold[0] = 0
    assert pol._level_ratio(Fake, 0, "A") == pytest.approx(0.5)  # clipped
