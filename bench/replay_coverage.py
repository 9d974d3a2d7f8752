"""How well ours' demand paths cover what then sold, inside the two-stage replay (issue 19).

`bench/forecast.py` scores 28-day totals at three cutoffs; the plan decides on lead-time totals
at every weekly review. This runs the two-stage replay's `ours` (bench/replay_two_stage.py's
scenario, the product's forecaster refit every 28 days) and, at each review, ranks the true
demand of the next h days (today, whose sales are past, and the h-1 after it) among the 100
paths' totals the policy was handed, for h = 14, 28, 56, 91, 120 days and for each SKU's own
supplier lead + transfer lead + one review period. Printed:
the share at or under the paths' P90 and P98, the share under their P10, and the bias (true
total / mean path total - 1), by horizon and, for the lead-time totals, by demand class (ADI/CV²
of each SKU's history). A P90 that covers 0.90 is calibrated.

    python bench/replay_coverage.py [--skus 240] [--forecaster-params holdout_p90=0.90]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from replay import forecaster_factory  # noqa: E402
from replay_two_stage import make_two_stage_scenario  # noqa: E402

import forecasting.replay_two_stage_ours as two_stage_ours  # noqa: E402
from forecasting.demand_class import CLASSES, classify  # noqa: E402
from forecasting.replay_two_stage import load_two_stage, simulate_two_stage  # noqa: E402
from forecasting.replay_two_stage_ours import TwoStageOurs  # noqa: E402

HORIZONS = (14, 28, 56, 91, 120)


def _summary(g: pd.DataFrame) -> pd.Series:
    return pd.Series({"n": len(g), "skus": g["i"].nunique(), "p90_cover": (g.pit <= 0.9).mean(),
                      "p98_cover": (g.pit <= 0.98).mean(), "p10_below": (g.pit < 0.1).mean(),
                      "bias": g["real"].sum() / g["mean"].sum() - 1})


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skus", type=int, default=240)
    ap.add_argument("--paths", type=int, default=100)
    ap.add_argument("--forecaster-params", default="",
                    help="DemandForecaster parameters other than the defaults, e.g. "
                         "holdout_p90=0.90")
    ap.add_argument("--threads", type=int, default=1, help="LightGBM threads")
    args = ap.parse_args(argv)
    args.forecaster = "product"
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        start, end = make_two_stage_scenario(args.seed, args.skus, 365, where)
        two = load_two_stage(where / "demand.csv", where / "skus.csv", start, end)
    skus = list(two.base.skus)
    factory = forecaster_factory(args, start, end)
    ours = TwoStageOurs(two, 7, retrain_days=28, n_paths=args.paths,
                        **({"forecaster_factory": factory} if factory else {}))
    seen: list[tuple[int, int, dict[int, np.ndarray]]] = []
    decide = two_stage_ours.decide

    def watching(item, today, fees=None, money=None):  # type: ignore[no-untyped-def]
        i = skus.index(item.sku)
        totals = np.cumsum(np.asarray(item.demand_paths, float), axis=1)
        lead = int(two.supplier_lead[i] + two.base.lead[i]) + 7
        wanted = {h: h for h in HORIZONS} | {0: lead}   # key 0: the lead-time total
        seen.append((i, (today - start).days,
                     {k: np.sort(totals[:, h - 1]) for k, h in wanted.items()
                      if h <= totals.shape[1]} | {-1: np.array([lead])}))
        return decide(item, today, fees, money)

    two_stage_ours.decide = watching  # type: ignore[assignment]
    try:
        res = simulate_two_stage(two, ours, 7)
    finally:
        two_stage_ours.decide = decide  # type: ignore[assignment]
    rows = []
    for i, t, q in seen:
        lead = int(q.pop(-1)[0])
        for k, s in q.items():
            h = lead if k == 0 else k
            # the paths' day 0 is today, whose sales are past (a column of zeros): their
            # h-day total is days t+1 .. t+h-1
            if t + h <= res.demand.shape[1] and s.mean() > 0:
                real = res.demand[i, t + 1:t + h].sum()
                pit = (s < real).mean() + 0.5 * (s == real).mean()
                rows.append((i, t, k, pit, s.mean(), real))
    df = pd.DataFrame(rows, columns=["i", "t", "h", "pit", "mean", "real"])
    inp = two.base
    klass = classify(inp.hist_sold.astype(float), inp.hist_in_stock & inp.hist_valid)
    df["class"] = [CLASSES[int(k)] for k in klass[df["i"].to_numpy()]]
    pd.set_option("display.width", 160)
    print(f"two-stage scenario, seed {args.seed}, {len(skus)} SKUs, {start}..{end}; ours' "
          f"paths at every review, forecaster {args.forecaster_params or 'defaults'}")
    print("by horizon (days):")
    print(df[df.h > 0].groupby("h").apply(_summary).round(3).to_string())
    print("supplier lead + transfer lead + 7 days, by demand class:")
    lt = df[df.h == 0]
    out = lt.groupby("class").apply(_summary)
    out.loc["all"] = _summary(lt)
    print(out.round(3).to_string())
    total = sum(v.sum() for v in res.lines.values())
    print(f"replay: ours ${total:,.0f}, fill {res.sold.sum() / max(res.demand.sum(), 1):.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
