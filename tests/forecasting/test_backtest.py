"""The backtest library call and the `python -m forecasting backtest` command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from forecasting.backtest import run_backtest
from forecasting.backtest_cli import main
from forecasting.synthetic import synthetic_demand

ROOT = Path(__file__).resolve().parents[2]
FAST = {"num_boost_round": 60, "n_origins": 8, "horizons_per_origin": 6}


@pytest.fixture(scope="module")
def sales_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    df, _ = synthetic_demand(12, 260, seed=5, stockout_rate=0.1)
    path = tmp_path_factory.mktemp("sales") / "sales.csv"
    out = df.rename(columns={"sold": "units"})[["sku", "date", "units", "price", "in_stock"]]
    out.assign(date=out["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    return path


@pytest.fixture(autouse=True)
def fast_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fewer trees: these tests check the plumbing, test_model checks the forecasts."""
    from forecasting import model

    monkeypatch.setattr(model, "DEFAULTS", {**model.DEFAULTS, **FAST})


def test_cli_single_cutoff_writes_the_three_files(sales_csv: Path, tmp_path: Path) -> None:
    assert (
        main(
            [
                "--sales",
                str(sales_csv),
                "--cutoff",
                "2024-08-31",
                "--horizon",
                "10",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    fc = pd.read_csv(tmp_path / "forecasts.csv")
    assert list(fc.columns) == ["sku", "date", "mean", "p10", "p50", "p90"]
    assert len(fc) == 12 * 10
    assert fc["date"].min() == "2024-09-01" and fc["date"].max() == "2024-09-10"
    tot = pd.read_csv(tmp_path / "totals.csv")
    assert list(tot.columns) == ["sku", "mean", "p10", "p50", "p90"] and len(tot) == 12
    m = json.loads((tmp_path / "metrics.json").read_text())
    assert set(m["models"]) == {"model", "seasonal_naive", "ma28"}
    for scores in m["models"].values():
        for key in ("rmsse", "mase", "pinball", "coverage_p90", "total_coverage_p90"):
            assert key in scores


def test_cli_without_actuals_writes_no_metrics(sales_csv: Path, tmp_path: Path) -> None:
    assert (
        main(
            [
                "--sales",
                str(sales_csv),
                "--cutoff",
                "2024-09-16",
                "--horizon",
                "5",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert (tmp_path / "forecasts.csv").exists()
    assert not (tmp_path / "metrics.json").exists()


def test_cli_several_cutoffs_one_folder_each(sales_csv: Path, tmp_path: Path) -> None:
    assert (
        main(
            [
                "--sales",
                str(sales_csv),
                "--cutoffs",
                "2024-08-10,2024-08-31",
                "--horizon",
                "7",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    for cut in ("2024-08-10", "2024-08-31"):
        fc = pd.read_csv(tmp_path / cut / "forecasts.csv")
        assert fc["date"].min() == str((pd.Timestamp(cut) + pd.Timedelta(days=1)).date())
        assert (tmp_path / cut / "metrics.json").exists()
    summary = json.loads((tmp_path / "metrics.json").read_text())
    assert summary["cutoffs"] == ["2024-08-10", "2024-08-31"]
    assert "model" in summary["mean"]


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda df: df.drop(columns="units"), "missing column(s): units"),
        (lambda df: df.assign(date=df["date"].where(df.index != 4, "2024-02-30")), "row 5"),
        (lambda df: pd.concat([df, df.iloc[[2]]], ignore_index=True), "duplicate of row 3"),
        (lambda df: df.assign(units=df["units"].where(df.index != 7, -1)), "row 8"),
    ],
)
def test_cli_rejects_malformed_input_naming_the_row(
    sales_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], edit, needle
) -> None:
    bad = tmp_path / "bad.csv"
    edit(pd.read_csv(sales_csv, dtype=str)).to_csv(bad, index=False)
    code = main(
        [
            "--sales",
            str(bad),
            "--cutoff",
            "2024-08-31",
            "--horizon",
            "7",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code != 0
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "out" / "forecasts.csv").exists()


def test_cli_process_fails_without_traceback(sales_csv: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    pd.read_csv(sales_csv, dtype=str).drop(columns="date").to_csv(bad, index=False)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "forecasting",
            "backtest",
            "--sales",
            str(bad),
            "--cutoff",
            "2024-08-31",
            "--horizon",
            "7",
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "missing column(s): date" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_run_backtest_scores_every_model(sales_csv: Path) -> None:
    sales = pd.read_csv(sales_csv)
    res = run_backtest(sales, ["2024-08-31"], 14)
    m = res.metrics["2024-08-31"]
    assert set(m) == {"model", "seasonal_naive", "ma28"}
    assert m["model"]["rmsse"] > 0 and 0 <= m["model"]["coverage_p90"] <= 1
    assert res.summary()["model"]["rmsse"] == pytest.approx(m["model"]["rmsse"])
