"""The two-stage replay (docs/replay-two-stage.md) on tiny hand-computable scenarios, its
baselines' rules, its input file and the CLI; and the single-stage mode unchanged."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest

from forecasting.replay import PolicyError, simulate
from forecasting.replay_cli import main
from forecasting.replay_io import ReplayInputError, load_input
from forecasting.replay_ours import OursPolicy
from forecasting.replay_runner import summarize
from forecasting.replay_two_stage import (
    TWO_STAGE_LINES,
    TwoStageInput,
    load_two_stage,
    simulate_two_stage,
)
from forecasting.replay_two_stage_ours import TwoStageOurs
from forecasting.replay_two_stage_policies import TwoStageDaysOfSupply, TwoStageForesight
from forecasting.replay_two_stage_runner import run_two_stage
from tests.forecasting.replay_helpers import PoissonForecaster, make_input

HERE = Path(__file__).resolve().parent / "data" / "single_stage"


def two_stage(demand: list[list[int]], start: dt.date = dt.date(2025, 1, 1),
              supplier_lead: int = 10, supplier_case_pack: int = 1, supplier_moq: int = 0,
              freight: float = 0.0, transfer_cost: float = 0.0, warehouse_rate: float = 0.5,
              initial_warehouse: int = 0, **sku) -> TwoStageInput:
    """A TwoStageInput of make_input (its `lead` is the transfer lead) and scalar extras."""
    base = make_input(demand, start=start, **sku)
    n = len(base.skus)

    def col(v, dtype):  # type: ignore[no-untyped-def]
        return np.array(v if isinstance(v, list) else [v] * n, dtype=dtype)

    return TwoStageInput(base, col(supplier_lead, np.int64), col(supplier_case_pack, np.int64),
                         col(supplier_moq, np.int64), col(freight, float),
                         col(transfer_cost, float), col(warehouse_rate, float),
                         col(initial_warehouse, np.int64))


class Scripted:
    """Fixed (transfer, order) per review index; records the states it saw."""

    name = "scripted"

    def __init__(self, plan: dict[int, tuple[list[int], list[int]]]) -> None:
        self.plan = plan
        self.seen: dict[int, tuple[int, int, int, int]] = {}

    def decide(self, state):  # type: ignore[no-untyped-def]
        n = len(state.inp.skus)
        self.seen[state.t] = (int(state.warehouse[0]), int(state.po_in_transit[0]),
                              int(state.on_hand[0]), int(state.in_transit[0]))
        move, order = self.plan.get(state.t, ([0] * n, [0] * n))
        return np.array(move), np.array(order)


def test_supplier_order_lands_on_the_right_day_and_is_transferred_from_there() -> None:
    # order 30 on day 0 (supplier lead 10): at the warehouse on day 10, before that day's
    # review; transferred on day 14 (review every 7 days: 0, 7, 14), at FBA on 14 + 5 = 19
    two = two_stage([[0] * 30], supplier_lead=10, lead=5)
    pol = Scripted({0: ([0], [30]), 14: ([30], [0])})
    res = simulate_two_stage(two, pol, 7)
    wh = res.warehouse_end[0]
    assert (wh[:10] == 0).all() and (wh[10:14] == 30).all() and (wh[14:] == 0).all()
    assert pol.seen[7] == (0, 30, 0, 0)      # still in flight on day 7
    assert pol.seen[14] == (30, 0, 0, 0)     # landed on day 10
    oh = res.on_hand_end[0]
    assert (oh[:19] == 0).all() and (oh[19:] == 30).all()
    assert res.orders == [(0, 0, 30, 10)] and res.transfers == [(0, 14, 30, 19)]


def test_transfer_cannot_ship_more_than_the_warehouse_holds() -> None:
    two = two_stage([[0] * 10], initial_warehouse=5, lead=3)
    with pytest.raises(PolicyError, match="more than the 5 units at the warehouse"):
        simulate_two_stage(two, Scripted({0: ([6], [0])}), 7)
    ok = simulate_two_stage(two, Scripted({0: ([5], [0])}), 7)
    assert ok.warehouse_end[0, 0] == 0 and ok.on_hand_end[0, 3] == 5


def test_orders_and_transfers_keep_their_case_pack_and_moq() -> None:
    two = two_stage([[0] * 10], initial_warehouse=50, supplier_case_pack=12, supplier_moq=24,
                    case_pack=5)
    with pytest.raises(PolicyError, match="supplier_case_pack=12"):
        simulate_two_stage(two, Scripted({0: ([0], [13])}), 7)
    with pytest.raises(PolicyError, match="supplier_moq=24"):
        simulate_two_stage(two, Scripted({0: ([0], [12])}), 7)
    with pytest.raises(PolicyError, match="case_pack=5"):
        simulate_two_stage(two, Scripted({0: ([7], [0])}), 7)
    simulate_two_stage(two, Scripted({0: ([10], [24])}), 7)


def test_each_cost_line_by_hand() -> None:
    # 2025-01-01.., supplier price 10, cubic feet 0.5, margin 30*0.85 - 5 - 10 = 10.5
    two = two_stage([[2, 2, 2, 2]], initial_warehouse=20, initial_on_hand=3, lead=2,
                    freight=0.4, transfer_cost=0.25, warehouse_rate=0.6)
    res = simulate_two_stage(two, Scripted({0: ([4], [12])}), 7)
    L = res.lines
    # warehouse after the day-0 transfer: 16 every day (the order lands after the window)
    assert list(res.warehouse_end[0]) == [16, 16, 16, 16]
    assert L["warehouse_storage"][0, 0] == pytest.approx(16 * 0.5 * 0.6 / 31)
    assert L["warehouse_capital"][0, 0] == pytest.approx(16 * 10 * 0.15 / 365)
    assert L["freight"][0].tolist() == pytest.approx([12 * 0.4, 0, 0, 0])
    assert L["transfer"][0].tolist() == pytest.approx([4 * 0.25, 0, 0, 0])
    # FBA: 3 on hand, sells 2, 1; day 1 sells 1 and loses 1; day 2 the transfer lands (4)
    assert list(res.on_hand_end[0]) == [1, 0, 2, 0]
    assert list(res.lost[0]) == [0, 1, 0, 0]
    assert L["lost_margin"][0, 1] == pytest.approx(10.5)
    assert L["storage"][0, 2] == pytest.approx(2 * 0.5 * 0.78 / 31)
    assert L["capital"][0, 2] == pytest.approx(2 * 10 * 0.15 / 365)
    totals = res.sku_totals()
    assert totals["total"][0] == pytest.approx(sum(L[k].sum() for k in TWO_STAGE_LINES))
    assert totals["units_ordered"][0] == 12 and totals["units_transferred"][0] == 4


def test_fba_side_is_the_single_stage_replay_of_the_transfers() -> None:
    rng = np.random.default_rng(3)
    demand = rng.poisson(4, size=(2, 120)).tolist()
    two = two_stage(demand, initial_warehouse=2000, initial_on_hand=30, lead=6,
                    case_pack=[1, 5])
    res = simulate_two_stage(two, TwoStageDaysOfSupply(7), 7)
    plan: dict[int, list[int]] = {}
    for i, t, q, _ in res.transfers:
        plan.setdefault(t, [0, 0])[i] = q

    class Replayed:
        name = "replayed"

        def decide(self, state):  # type: ignore[no-untyped-def]
            return np.array(plan.get(state.t, [0, 0]))

    single = simulate(two.base, Replayed(), 7)
    for k in single.lines:
        np.testing.assert_allclose(res.lines[k], single.lines[k])
    assert (res.sold == single.sold).all()


def test_days_of_supply_rule() -> None:
    # velocity 2 (29 history days of 2 and day 0's 2 sold, all in stock). Transfer lead 5,
    # supplier lead 20, R 7: FBA target 2 x (5 + 7 + 45) = 114, position 8 -> 106, whole cases
    # of 4 -> 108, capped by the warehouse's 100; order target 2 x (20 + 5 + 7 + 45) = 154,
    # echelon 100 + 8 -> 46, rounded up to cases of 10 -> 50
    seen = {}

    class Spy:
        name = "spy"

        def decide(self, state):  # type: ignore[no-untyped-def]
            seen["q"] = TwoStageDaysOfSupply(7).decide(state)
            return seen["q"]

    two = two_stage([[2, 0, 0]], initial_on_hand=10, initial_warehouse=100, lead=5,
                    supplier_lead=20, case_pack=4, supplier_case_pack=10,
                    hist_sold=[[2] * 30])
    simulate_two_stage(two, Spy(), 7)
    assert [x.tolist() for x in seen["q"]] == [[100], [50]]
    # echelon 148: 6 short -> 10, below the supplier MOQ 25: the MOQ in whole cases, 30
    two = two_stage([[2, 0, 0]], initial_on_hand=10, initial_warehouse=140, lead=5,
                    supplier_lead=20, supplier_case_pack=10, supplier_moq=25,
                    hist_sold=[[2] * 30])
    simulate_two_stage(two, Spy(), 7)
    assert seen["q"][1].tolist() == [30]


def test_foresight_rule() -> None:
    # demand 3/day over 20 days; transfer lead 2, supplier lead 5, R 7, both covers 0.
    seen = {}
    pol = TwoStageForesight(7, 0, 0)

    class Spy:
        name = "spy"

        def decide(self, state):  # type: ignore[no-untyped-def]
            seen.setdefault(state.t, pol.decide(state))
            return seen[state.t]

    two = two_stage([[3] * 20], initial_on_hand=9, initial_warehouse=50, lead=2,
                    supplier_lead=5)
    simulate_two_stage(two, Spy(), 7)
    # day 0: FBA 6 after sales. Transfer: on the morning of day 2, max(0, 6 - 3) = 3; need of
    # days 2..8 = 21 -> 18. Order: echelon 50 + 6 = 56 less the demand of days 1..6 (18) = 38;
    # need of days 7..13 = 21 -> nothing.
    assert [x.tolist() for x in seen[0]] == [[18], [0]]
    # day 7: FBA 3 (6 - 3 + 18 - 5 x 3 - 3), warehouse 32. Transfer: max(0, 3 - 3) = 0, need of
    # days 9..15 = 21 -> 21. Order: echelon 35 less days 8..13 (18) = 17; need of days 14..20:
    # six days in the window (18), day 20 is after it (none) -> 1.
    assert [x.tolist() for x in seen[7]] == [[21], [1]]
    # a warehouse holding less than the need caps the transfer
    seen.clear()
    simulate_two_stage(two_stage([[3] * 20], initial_on_hand=9, initial_warehouse=10, lead=2,
                                 supplier_lead=5), Spy(), 7)
    # transfer min(18, 10); order: echelon 16 less 18 -> 0 left, need 21 -> 21
    assert [x.tolist() for x in seen[0]] == [[10], [21]]


def _write_two_stage(tmp_path: Path, sku_rows=None) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(1)
    demand, skus = tmp_path / "demand.csv", tmp_path / "skus.csv"
    start = dt.date(2025, 3, 1)
    with open(demand, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sku", "date", "demand", "in_stock"])
        for sku, rate in (("A", 4.0), ("B", 0.5)):
            for k in range(-60, 90):
                w.writerow([sku, (start + dt.timedelta(days=k)).isoformat(),
                            int(rng.poisson(rate)), 1])
    with open(skus, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sku", "unit_cost", "sale_price", "fulfillment_fee", "cubic_feet",
                    "size_tier", "transfer_lead_days", "case_pack", "initial_on_hand",
                    "supplier_lead_days", "supplier_case_pack", "supplier_moq",
                    "freight_per_unit", "transfer_cost_per_unit", "initial_warehouse"])
        for row in sku_rows or [["A", 5, 19.99, 3.2, 0.1, "small_standard", 6, 4, 40, 30, 12,
                                 24, 0.2, 0.1, 150],
                                ["B", 12, 39.99, 6.1, 1.4, "large_standard", 10, 1, 5, 45, 1,
                                 0, 1.1, 0.6, 20]]:
            w.writerow(row)
    return demand, skus


def test_cli_two_stage_writes_transfers_orders_and_summary(tmp_path: Path) -> None:
    demand, skus = _write_two_stage(tmp_path)
    out = tmp_path / "out"
    code = main(["--two-stage", "--demand", str(demand), "--skus", str(skus), "--start",
                 "2025-03-01", "--end", "2025-05-29", "--policies", "days_of_supply,foresight",
                 "--out", str(out), "--daily"])
    assert code == 0
    doc = json.loads((out / "summary.json").read_text())
    assert doc["mode"] == "two_stage"
    for name in ("days_of_supply", "foresight"):
        s = doc["policies"][name]
        assert s["total"] == pytest.approx(sum(s[k] for k in TWO_STAGE_LINES))
        with open(out / "supplier_orders.csv") as fh:
            rows = [r for r in csv.DictReader(fh) if r["policy"] == name]
        assert len(rows) == s["supplier_orders"]
        assert s["freight"] == pytest.approx(sum(float(r["freight"]) for r in rows))
        with open(out / "shipments.csv") as fh:
            moves = [r for r in csv.DictReader(fh) if r["policy"] == name]
        assert sum(int(r["quantity"]) for r in moves) == s["units_transferred"]
        assert s["transfer"] == pytest.approx(sum(float(r["transfer_cost"]) for r in moves))
    per = doc["policies"]["foresight"]["per_sku"]["A"]
    assert {"b_order", "b_transfer"} <= set(per)
    with open(out / "daily.csv") as fh:
        assert "warehouse_end" in next(csv.reader(fh))


def test_two_stage_input_errors_name_the_column_and_row(tmp_path: Path) -> None:
    demand, skus = _write_two_stage(tmp_path, sku_rows=[
        ["A", 5, 19.99, 3.2, 0.1, "small_standard", 6, 4, 40, 0, 12, 24, 0.2, 0.1, 150],
        ["B", 12, 39.99, 6.1, 1.4, "large_standard", 10, 1, 5, 45, 1, 0, 1.1, 0.6, 20]])
    with pytest.raises(ReplayInputError, match="row 2: supplier_lead_days='0' is below 1"):
        load_two_stage(demand, skus, dt.date(2025, 3, 1), dt.date(2025, 5, 29))
    text = skus.read_text().replace("supplier_lead_days", "lead_days")
    skus.write_text(text)
    with pytest.raises(ReplayInputError, match="supplier_lead_days"):
        load_two_stage(demand, skus, dt.date(2025, 3, 1), dt.date(2025, 5, 29))


def test_ours_runs_the_product_two_stage_plan(tmp_path: Path) -> None:
    demand, skus = _write_two_stage(tmp_path)
    two = load_two_stage(demand, skus, dt.date(2025, 3, 1), dt.date(2025, 5, 29))
    pol = TwoStageOurs(two, 7, n_paths=40, forecaster_factory=PoissonForecaster)
    res = run_two_stage(two, ["ours"], 7, ours_factory=lambda: pol)["ours"]
    assert res.orders and res.transfers
    cp = dict(zip(two.base.skus, two.supplier_case_pack, strict=True))
    for i, _, q, _ in res.orders:
        assert q % cp[two.base.skus[i]] == 0 and q >= two.supplier_moq[i]
    assert res.sold.sum() / res.demand.sum() > 0.85


def test_single_stage_mode_is_unchanged(tmp_path: Path) -> None:
    """The CLI without --two-stage writes byte for byte what it wrote before the mode existed
    (golden files of commit 47e6217, tests/forecasting/data/single_stage/make.py)."""
    out = tmp_path / "out"
    code = main(["--demand", str(HERE / "demand.csv"), "--skus", str(HERE / "skus.csv"),
                 "--start", "2025-03-01", "--end", "2025-06-28", "--policies",
                 "days_of_supply,foresight", "--daily", "--out", str(out)])
    assert code == 0
    for name in ("shipments.csv", "summary.json", "daily.csv"):
        assert (out / name).read_bytes() == (HERE / "golden" / name).read_bytes(), name
    inp = load_input(HERE / "demand.csv", HERE / "skus.csv", dt.date(2025, 3, 1),
                     dt.date(2025, 6, 28))
    res = simulate(inp, OursPolicy(inp, 7, n_paths=50, forecaster_factory=PoissonForecaster), 7)
    golden = json.loads((HERE / "golden" / "ours_poisson.json").read_text())
    assert [list(s) for s in res.shipments] == golden["shipments"]
    assert json.loads(json.dumps(summarize(inp, {"ours": res}, 7))) == golden["summary"]


class ScriptedBackup(Scripted):
    """Scripted plus a backup order per review index (the third array of decide)."""

    def __init__(self, plan: dict[int, tuple[list[int], list[int]]],
                 backup: dict[int, list[int]]) -> None:
        super().__init__(plan)
        self.backup = backup

    def decide(self, state):  # type: ignore[no-untyped-def]
        move, order = super().decide(state)
        return move, order, np.array(self.backup.get(state.t, [0] * len(state.inp.skus)))


def _with_backup(two: TwoStageInput, lead: list[int], unit: list[float], freight: list[float],
                 moq: list[int] | None = None) -> TwoStageInput:
    two.backup_lead = np.array(lead, dtype=np.int64)
    two.backup_unit_cost = np.array(unit, dtype=float)
    two.backup_freight_per_unit = np.array(freight, dtype=float)
    two.backup_moq = np.array(moq or [0] * len(lead), dtype=np.int64)
    return two


def test_backup_order_lands_after_its_lead_and_pays_its_price_and_freight() -> None:
    # supplier price 10 (make_input's unit_cost); the backup's 12.5 with 1.2 freight, 3 days
    two = _with_backup(two_stage([[0] * 20], supplier_lead=15, freight=0.4, lead=2),
                       [3], [12.5], [1.2])
    res = simulate_two_stage(two, ScriptedBackup({0: ([0], [10])}, {0: [6]}), 7)
    assert res.backup_orders == [(0, 0, 6, 3)] and res.orders == [(0, 0, 10, 15)]
    wh = res.warehouse_end[0]
    assert (wh[:3] == 0).all() and (wh[3:15] == 6).all() and (wh[15:] == 16).all()
    assert res.lines["freight"][0, 0] == pytest.approx(10 * 0.4 + 6 * 1.2)
    assert res.lines["backup_premium"][0].tolist() == pytest.approx([6 * 2.5] + [0] * 19)
    totals = res.sku_totals()
    assert totals["backup_orders"][0] == 1 and totals["units_backup"][0] == 6
    assert totals["units_ordered"][0] == 10
    assert totals["total"][0] == pytest.approx(sum(res.lines[k].sum() for k in TWO_STAGE_LINES))


def test_backup_orders_keep_their_rules() -> None:
    two = _with_backup(two_stage([[0] * 10, [0] * 10], supplier_case_pack=6),
                       [4, 0], [11.0, 0.0], [0.5, 0.0], moq=[12, 0])
    with pytest.raises(PolicyError, match="backup_moq=12"):
        simulate_two_stage(two, ScriptedBackup({}, {0: [6, 0]}), 7)
    with pytest.raises(PolicyError, match="supplier_case_pack=6"):
        simulate_two_stage(two, ScriptedBackup({}, {0: [13, 0]}), 7)
    with pytest.raises(PolicyError, match="'S1' has no backup supplier"):
        simulate_two_stage(two, ScriptedBackup({}, {0: [0, 6]}), 7)
    simulate_two_stage(two, ScriptedBackup({}, {0: [12, 0]}), 7)
    # a policy answering two arrays orders nothing from a backup
    plain = simulate_two_stage(two, Scripted({0: ([0, 0], [6, 6])}), 7)
    assert plain.backup_orders == [] and plain.lines["backup_premium"].sum() == 0


def test_backup_columns_are_read_and_written(tmp_path: Path) -> None:
    demand, skus = _write_two_stage(tmp_path)
    lines = skus.read_text().splitlines()
    lines[0] += ",backup_lead_days,backup_unit_cost,backup_freight_per_unit,backup_moq"
    lines[1] += ",9,6.5,0.6,24"
    lines[2] += ",,,,"
    skus.write_text("\n".join(lines) + "\n")
    two = load_two_stage(demand, skus, dt.date(2025, 3, 1), dt.date(2025, 5, 29))
    assert two.has_backup.tolist() == [True, False]
    assert two.backup_unit_cost is not None and two.backup_unit_cost[0] == 6.5
    pol = TwoStageOurs(two, 7, n_paths=40, forecaster_factory=PoissonForecaster)
    res = run_two_stage(two, ["ours"], 7, ours_factory=lambda: pol)["ours"]
    for i, t, q, a in res.backup_orders:
        assert i == 0 and q % 12 == 0 and q >= 24 and a == t + 9
    out = tmp_path / "out"
    assert main(["--two-stage", "--demand", str(demand), "--skus", str(skus), "--start",
                 "2025-03-01", "--end", "2025-05-29", "--policies", "ours,days_of_supply",
                 "--out", str(out)]) == 0
    doc = json.loads((out / "summary.json").read_text())
    with open(out / "supplier_orders.csv") as fh:
        rows = list(csv.DictReader(fh))
    for name in ("ours", "days_of_supply"):
        s = doc["policies"][name]
        mine = [r for r in rows if r["policy"] == name]
        assert len([r for r in mine if r["supplier"] == "backup"]) == s["backup_orders"]
        assert s["freight"] == pytest.approx(sum(float(r["freight"]) for r in mine))
    assert doc["policies"]["days_of_supply"]["backup_orders"] == 0
