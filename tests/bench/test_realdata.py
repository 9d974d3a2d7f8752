"""bench/realdata.py and bench/replay.py --source pasta: the real series as bench input."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from forecasting.replay_io import load_input

ROOT = Path(__file__).resolve().parents[2]


def _module(name: str):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def realdata():  # type: ignore[no-untyped-def]
    module = _module("realdata")
    try:
        module.data_path()
    except FileNotFoundError as exc:
        pytest.skip(f"the real pasta data is not here: {exc}")
    return module


def test_days_are_contiguous_and_closed_days_say_nothing(realdata) -> None:
    df = realdata.load_pasta()
    assert df["sku"].nunique() == 118
    per = df.groupby("sku")["date"].agg(["min", "max", "size"])
    assert (per["size"] == (per["max"] - per["min"]).dt.days + 1).all()
    closed = df[df["in_stock"] == 0]
    # the file has 1,798 trading days of 1,825 calendar days: the other 27 are inserted, closed
    assert df["date"].nunique() - 1798 == closed["date"].nunique() == 27
    assert (closed["demand"] == 0).all()
    assert (df["demand"] == df["sold"]).all()


def test_economics_are_drawn_with_the_seed(realdata) -> None:
    skus = [f"B1_{i}" for i in range(20)]
    a, b, c = (realdata.economics(skus, s) for s in (7, 7, 8))
    assert a.equals(b) and not a.equals(c)
    assert a["lead_time_days"].between(20, 90).all()
    assert (a["sale_price"] > 0).all() and (a["case_pack"] >= 1).all()


def test_pasta_replay_scenario_is_valid_replay_input(realdata, tmp_path: Path) -> None:
    replay = _module("replay")
    start, end = replay.make_pasta_scenario(7, 365, tmp_path)
    assert (end - start).days == 364
    inp = load_input(tmp_path / "demand.csv", tmp_path / "skus.csv", start, end)
    assert len(inp.skus) == 118 and inp.demand.shape[1] == 365
    assert inp.hist_valid.sum(axis=1).min() > 3 * 365  # four years of history before 2018
    assert (inp.initial_on_hand > 0).mean() > 0.9
    assert np.all(inp.hist_sold >= 0)
