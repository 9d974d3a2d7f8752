"""bench/replay.py --two-stage: the scenario it builds and a small end-to-end run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.replay_two_stage import load_two_stage

ROOT = Path(__file__).resolve().parents[2]


def _module(name: str):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_scenario_draws_the_issue_lead_times_and_keeps_landed_costs(tmp_path: Path) -> None:
    bench = _module("replay_two_stage")
    start, end = bench.make_two_stage_scenario(7, 30, 90, tmp_path)
    two = load_two_stage(tmp_path / "demand.csv", tmp_path / "skus.csv", start, end)
    assert len(two.base.skus) == 30 and two.base.demand.shape[1] == 90
    assert two.supplier_lead.min() >= 30 and two.supplier_lead.max() <= 120
    assert two.base.lead.min() >= 5 and two.base.lead.max() <= 20
    assert (two.base.moq == 0).all() and (two.supplier_moq >= 0).all()
    raw = pd.read_csv(tmp_path / "raw" / "skus.csv").set_index("sku").loc[two.base.skus]
    landed = two.base.unit_cost + two.freight_per_unit + two.transfer_cost_per_unit
    np.testing.assert_allclose(landed, raw["unit_cost"].to_numpy(float), atol=1e-3)
    assert (two.freight_per_unit <= 0.2 * landed + 1e-9).all()
    # SKUs with history start with their pipeline covered
    assert (two.initial_warehouse > 0).mean() > 0.5
    # some SKUs have a backup supplier: faster and pricier than the primary, air freight dearer
    b = two.has_backup
    assert 0 < b.sum() < len(b)
    assert two.backup_lead is not None and two.backup_unit_cost is not None
    assert (two.backup_lead[b] < two.supplier_lead[b]).all() and (two.backup_lead[b] >= 7).all()
    assert (two.backup_unit_cost[b] > two.base.unit_cost[b]).all()
    assert two.backup_freight_per_unit is not None
    assert (two.backup_freight_per_unit[b] >= two.freight_per_unit[b]).all()
    again = tmp_path / "again"
    again.mkdir()
    bench.make_two_stage_scenario(7, 30, 90, again)
    assert (again / "skus.csv").read_bytes() == (tmp_path / "skus.csv").read_bytes()


def test_two_stage_bench_prints_every_ratio(capsys) -> None:  # type: ignore[no-untyped-def]
    replay = _module("replay")
    code = replay.main(["--two-stage", "--skus", "6", "--days", "60", "--paths", "20",
                        "--forecaster", "trailing", "--worst", "3"])
    assert code == 0
    out = capsys.readouterr().out
    for text in ("ours/dos", "ours/fore", "fill_rate", "by demand class", "where we lose",
                 "supplier_orders", "total - moves sold", "goal (ours <= 0.7",
                 "backup supplier:", "backup_premium", "largest lost margin of ours"):
        assert text in out, text
