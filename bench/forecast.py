"""Forecast benchmark: our model vs seasonal naive, MA28, AutoETS, Croston and mlforecast LightGBM.

Usage (peers need statsforecast/mlforecast, which pin pandas<3: use a separate venv, see
requirements-bench.txt):
    python bench/forecast.py --source simulator --seed 7 --skus 500 --days 730 \
        --cutoffs 3 --horizon 28 [--peer-skus 200] [--long-horizon 120] [--speed-skus 1000]
    python bench/forecast.py --source csv --csv sales.csv   # real data: sku,date,units[,demand]
    python bench/forecast.py --source pasta --cutoffs 3 --horizon 28  # ../shared/data (real)

Scores every method on the same cutoffs against true demand (simulator) and against sales on
in-stock days, prints RMSSE, MASE, scaled pinball and total pinball as ratios to seasonal naive,
coverage of daily and window-total P90 as plain shares, the stockout-bias table and fit times.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from forecasting.backtest import actuals_after  # noqa: E402
from forecasting.baselines import MovingAverage, SeasonalNaive  # noqa: E402
from forecasting.demand_class import CLASSES, classify_history  # noqa: E402
from forecasting.metrics import daily_scores, scales, total_scores  # noqa: E402
from forecasting.model import DemandForecaster  # noqa: E402
from forecasting.synthetic import synthetic_demand  # noqa: E402

RATIO_KEYS = ("rmsse", "mase", "mase_p50", "pinball", "total_pinball", "total_mape")
SHOW_KEYS = ("coverage_p90", "coverage_p10", "total_coverage_p90", "total_coverage_p10", "bias")


def load_simulator(seed: int, skus: int, days: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the simulator's truth command into a temp dir and read demand.csv and skus.csv."""
    out = Path(tempfile.mkdtemp(prefix="fc-bench-"))
    cmd = [
        sys.executable,
        "-m",
        "simulator",
        "truth",
        "--seed",
        str(seed),
        "--skus",
        str(skus),
        "--history-days",
        str(days),
        "--out",
        str(out),
    ]
    subprocess.run(cmd, check=True, cwd=Path(__file__).resolve().parents[1])
    demand = pd.read_csv(out / "demand.csv", parse_dates=["date"])
    static = pd.read_csv(out / "skus.csv")[["sku", "category", "size_tier"]]
    return demand, static


def load_data(args: argparse.Namespace) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Frame with sku,date,demand,sold,in_stock,price and optional static attributes."""
    if args.source == "simulator":
        return load_simulator(args.seed, args.skus, args.days)
    if args.source == "pasta":
        from realdata import economics, load_pasta

        df = load_pasta()
        df["price"] = np.nan
        econ = economics(sorted(df["sku"].unique()), args.seed)
        static = econ[["sku", "size_tier"]].assign(
            category=econ["sku"].str.split("_").str[0]
        )
        return df.drop(columns=["promo", "brand"]), static
    if args.source == "synthetic":
        df, static = synthetic_demand(
            args.skus, args.days, seed=args.seed, stockout_rate=0.1, young_share=0.05
        )
        return df.drop(columns="true_mean"), static
    df = pd.read_csv(args.csv, parse_dates=["date"])
    df = df.rename(columns={"units": "sold"})
    if "demand" not in df.columns:
        df["demand"] = df["sold"]
    if "in_stock" not in df.columns:
        df["in_stock"] = 1
    if "price" not in df.columns:
        df["price"] = np.nan
    return df, None


class StatsPeer:
    """statsforecast model; Croston gets conformal intervals since it has none of its own."""

    def __init__(self, kind: str, horizon: int) -> None:
        self.kind, self.horizon = kind, horizon

    def fit(self, history: pd.DataFrame, static: pd.DataFrame | None = None) -> StatsPeer:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS, CrostonOptimized
        from statsforecast.utils import ConformalIntervals

        if self.kind == "ets":
            model = AutoETS(season_length=7)
        else:
            model = CrostonOptimized(
                prediction_intervals=ConformalIntervals(h=self.horizon, n_windows=2)
            )
        df = history.rename(columns={"sku": "unique_id", "date": "ds", "units": "y"})
        self.sf = StatsForecast(models=[model], freq="D", n_jobs=2)
        self.df = df[["unique_id", "ds", "y"]]
        self.name = type(model).__name__
        return self

    def predict(self, horizon: int) -> pd.DataFrame:
        fc = self.sf.forecast(df=self.df, h=horizon, level=[80])
        return _peer_frame(fc, self.name)


class MLPeer:
    """mlforecast LightGBM with usual default-style features (lags, rolling means, calendar)."""

    def __init__(self, horizon: int, seed: int) -> None:
        self.horizon, self.seed = horizon, seed

    def fit(self, history: pd.DataFrame, static: pd.DataFrame | None = None) -> MLPeer:
        import lightgbm as lgb
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import RollingMean
        from mlforecast.utils import PredictionIntervals

        df = history.rename(columns={"sku": "unique_id", "date": "ds", "units": "y"})
        self.mlf = MLForecast(
            models={"lgbm": lgb.LGBMRegressor(random_state=self.seed, n_jobs=2, verbosity=-1)},
            freq="D",
            lags=[1, 7, 14, 28],
            lag_transforms={1: [RollingMean(window_size=7), RollingMean(window_size=28)]},
            date_features=["dayofweek", "month"],
        )
        self.mlf.fit(
            df[["unique_id", "ds", "y"]],
            prediction_intervals=PredictionIntervals(n_windows=2, h=self.horizon),
        )
        return self

    def predict(self, horizon: int) -> pd.DataFrame:
        return _peer_frame(self.mlf.predict(horizon, level=[80]), "lgbm")


def _peer_frame(fc: pd.DataFrame, name: str) -> pd.DataFrame:
    fc = fc.reset_index() if "unique_id" not in fc.columns else fc
    mean = fc[name].clip(lower=0)
    return pd.DataFrame(
        {
            "sku": fc["unique_id"].astype(str),
            "date": pd.to_datetime(fc["ds"]),
            "mean": mean,
            "p10": fc[f"{name}-lo-80"].clip(lower=0),
            "p50": mean,
            "p90": fc[f"{name}-hi-80"].clip(lower=0),
        }
    )


def peer_totals(fc: pd.DataFrame) -> pd.DataFrame:
    """Peers give no joint distribution: their window quantiles are sums of daily quantiles."""
    return fc.groupby("sku")[["mean", "p10", "p50", "p90"]].sum().reset_index()


def score(fc, tot, truth_daily, truth_tot, sold_daily, sold_tot, scale, horizon, skus=None):
    """Scores against true demand and against in-stock sales, optionally on a SKU subset."""
    if skus is not None:
        keep = set(skus)
        pick = lambda d: d[d["sku"].isin(keep)]  # noqa: E731
        fc, tot = pick(fc), pick(tot)
        truth_daily, truth_tot, sold_daily, sold_tot = map(
            pick, (truth_daily, truth_tot, sold_daily, sold_tot)
        )
    fc = fc.assign(date=pd.to_datetime(fc["date"]))
    demand = daily_scores(fc, truth_daily, scale) | total_scores(tot, truth_tot, scale, horizon)
    sold = daily_scores(fc, sold_daily, scale) | total_scores(tot, sold_tot, scale, horizon)
    return demand, sold


def table(rows: dict[str, dict[str, float]], title: str) -> str:
    """Ratios to seasonal naive for error metrics, plain values for coverage and bias."""
    base = rows.get("seasonal_naive", {})
    keys = RATIO_KEYS + SHOW_KEYS
    head = f"{title}\n{'method':24s}" + "".join(f"{k:>19s}" for k in keys) + f"{'fit_s':>8s}"
    lines = [head]
    for name, m in rows.items():
        cells = []
        for k in keys:
            v = m.get(k, np.nan)
            if k in RATIO_KEYS and base.get(k):
                cells.append(f"{v / base[k]:10.3f} ({v:6.3f})")
            else:
                cells.append(f"{v:19.3f}")
        lines.append(
            f"{name:24s}" + "".join(f"{c:>19s}" for c in cells) + f"{m.get('fit_s', np.nan):8.1f}"
        )
    return "\n".join(lines)


def mean_rows(per_cutoff: list[dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name in per_cutoff[0]:
        keys = set().union(*(r[name].keys() for r in per_cutoff if name in r))
        out[name] = {
            k: float(np.nanmean([r[name].get(k, np.nan) for r in per_cutoff if name in r]))
            for k in keys
        }
    return out


def main() -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--source", choices=["simulator", "synthetic", "csv", "pasta"],
                   default="simulator")
    p.add_argument("--csv")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--skus", type=int, default=500)
    p.add_argument("--days", type=int, default=730)
    p.add_argument(
        "--cutoffs", type=int, default=3, help="origins, 28 days apart, ending H before the end"
    )
    p.add_argument("--horizon", type=int, default=28)
    p.add_argument("--peer-skus", type=int, default=0, help="fit peers on this many SKUs (0 = all)")
    p.add_argument("--no-peers", action="store_true")
    p.add_argument("--no-uncensored", action="store_true",
                   help="skip the uncensored ablation of our model (half the fit time)")
    p.add_argument("--threads", type=int, default=2,
                   help="LightGBM threads of our model (1 is much faster on a loaded machine)")
    p.add_argument("--long-horizon", type=int, default=0, help="also a single-cutoff run at this H")
    p.add_argument("--recursive", action="store_true", help="also our features, recursive strategy")
    p.add_argument(
        "--speed-skus", type=int, default=0, help="time one fit on N x days simulator SKUs"
    )
    p.add_argument("--short-skus", type=int, default=0,
                   help="instead: cut this many SKUs' history to --short-days before each cutoff"
                        " and score them (and the rest) against the same model on full history")
    p.add_argument("--short-days", type=int, default=60)
    p.add_argument("--probe-params", default="",
                   help="our model with these parameters, e.g. pool=0,infer_stockouts=0"
                        " (integers); in a probe, as a second model beside the defaults")
    p.add_argument("--compare-params", default="",
                   help="also our model with these parameters, as `model_alt` in the same run"
                        " (e.g. blend=0,price_known_share=1: the forecaster before a change)")
    p.add_argument("--probe-skip-default", action="store_true",
                   help="probes only: skip our model with the defaults (measured in another run)")
    p.add_argument("--hide-stockouts", type=int, default=0,
                   help="instead: zero the sales of this many SKUs on injected stockout windows,"
                        " flagged (in_stock 0) or not, and score what the censoring recovers")
    args = p.parse_args()

    data, static = load_data(args)
    data["sku"] = data["sku"].astype(str)
    model_params = parse_params(args.probe_params)
    alt_params = parse_params(args.compare_params)
    if args.short_skus or args.hide_stockouts:
        from forecast_probe import hide_stockouts_run, short_history_run

        run = short_history_run if args.short_skus else hide_stockouts_run
        return run(args, data, static)
    sales = data.rename(columns={"sold": "units"})[["sku", "date", "units", "price", "in_stock"]]
    truth = data.rename(columns={"demand": "units"})[["sku", "date", "units", "price"]].assign(
        in_stock=1
    )
    end = data["date"].max()
    print(
        f"data: {args.source} {data['sku'].nunique()} SKUs, "
        f"{data['date'].min().date()}..{end.date()},"
        f" stockout days {1 - data['in_stock'].mean():.1%},"
        f" demand lost to stockouts {1 - data['sold'].sum() / data['demand'].sum():.1%}"
    )
    runs = [
        (
            args.horizon,
            [end - pd.Timedelta(days=args.horizon + 28 * k) for k in range(args.cutoffs)],
        )
    ]
    if args.long_horizon:
        runs.append((args.long_horizon, [end - pd.Timedelta(days=args.long_horizon)]))
    rng = np.random.default_rng(0)
    # statsforecast's conformal intervals need >= 2H+1 days per series: peers (and the rows we
    # compare them on) only get SKUs with 2H+30 days of history before the first cutoff
    first_cut = min(c for _, cs in runs for c in cs)
    born = data.groupby("sku")["date"].min()
    need = 2 * max(h for h, _ in runs) + 30
    eligible = np.array(sorted(born[born <= first_cut - pd.Timedelta(days=need)].index))
    peer_skus = (
        eligible
        if not args.peer_skus
        else np.sort(rng.choice(eligible, min(args.peer_skus, len(eligible)), replace=False))
    )
    for horizon, cutoffs in runs:
        res_d, res_s, res_pd, res_ps, bias_rows = [], [], [], [], []
        class_rows: list[dict[str, object]] = []
        young_rows: list[dict[str, float | str]] = []
        year_rows: list[dict[str, float | str]] = []
        for cutoff in sorted(cutoffs):
            train = sales[sales["date"] <= cutoff]
            scale = scales(train)
            klass = classify_history(train)
            truth_daily, truth_tot = actuals_after(truth, cutoff, horizon)
            sold_daily, sold_tot = actuals_after(sales, cutoff, horizon)
            methods: dict[str, object] = {
                "model": DemandForecaster(seed=0, num_threads=args.threads, **model_params),
                "model_uncensored": DemandForecaster(seed=0, censor=False,
                                                     num_threads=args.threads),
                "seasonal_naive": SeasonalNaive(),
                "ma28": MovingAverage(),
            }
            if args.no_uncensored:
                del methods["model_uncensored"]
            if args.compare_params:
                methods["model_alt"] = DemandForecaster(seed=0, num_threads=args.threads,
                                                        **alt_params)
            if args.recursive:
                methods["model_recursive"] = DemandForecaster(seed=0, strategy="recursive",
                                                              num_threads=args.threads)
            peers: dict[str, object] = {}
            if not args.no_peers:
                peers = {
                    "autoets": StatsPeer("ets", horizon),
                    "croston_opt": StatsPeer("croston", horizon),
                    "mlforecast_lgbm": MLPeer(horizon, 0),
                }
            rows_d, rows_s, prow_d, prow_s = {}, {}, {}, {}
            fcs = {}
            for name, m in {**methods, **peers}.items():
                subset = name in peers
                tr = train[train["sku"].isin(peer_skus)] if subset else train
                t0 = time.perf_counter()
                m.fit(tr, static)  # type: ignore[attr-defined]
                fit_s = time.perf_counter() - t0
                fc = m.predict(horizon)  # type: ignore[attr-defined]
                tot = peer_totals(fc) if subset else m.predict_totals(horizon)  # type: ignore[attr-defined]
                fcs[name] = fc
                for kname in CLASSES:
                    members = klass.index[klass == kname]
                    if peers:  # one SKU set for every method: the peers'
                        members = members.intersection(peer_skus)
                    if not len(members):
                        continue
                    dk, _ = score(fc, tot, truth_daily, truth_tot, sold_daily, sold_tot, scale,
                                  horizon, skus=members)
                    # dk has its own "n" (scored SKU-days): the SKU count goes last
                    class_rows.append({"cutoff": cutoff, "method": name, "class": kname,
                                       **dk, "n": len(members)})
                if not subset:
                    young_rows.append(young_coverage(name, tot, truth_tot, data, cutoff))
                    year_rows.append(young_coverage(name, tot, truth_tot, data, cutoff,
                                                    (90, 364)))
                d, s = score(fc, tot, truth_daily, truth_tot, sold_daily, sold_tot, scale, horizon)
                d["fit_s"] = s["fit_s"] = fit_s
                if not subset:
                    rows_d[name], rows_s[name] = d, s
                if name in ("model", "model_alt", "seasonal_naive", "ma28") or subset:
                    d2, s2 = score(
                        fc,
                        tot,
                        truth_daily,
                        truth_tot,
                        sold_daily,
                        sold_tot,
                        scale,
                        horizon,
                        skus=peer_skus,
                    )
                    d2["fit_s"] = s2["fit_s"] = fit_s
                    prow_d[name], prow_s[name] = d2, s2
                print(f"  cutoff {cutoff.date()} H={horizon} {name}: fit {fit_s:.1f}s", flush=True)
            res_d.append(rows_d), res_s.append(rows_s), res_pd.append(prow_d), res_ps.append(prow_s)
            bias_rows.append(stockout_bias(fcs, data, train, cutoff, horizon))
            print(table(rows_d, f"\nH={horizon} cutoff {cutoff.date()} vs TRUE demand, all SKUs"))
        print(
            f"\n===== H={horizon}, mean over {len(cutoffs)} cutoffs "
            f"({', '.join(str(c.date()) for c in sorted(cutoffs))}) ====="
        )
        print(table(mean_rows(res_d), "vs TRUE demand (simulator truth), all SKUs"))
        print(table(mean_rows(res_s), "vs SOLD units on in-stock days, all SKUs"))
        if not args.no_peers:
            sub = f"{len(peer_skus)} SKUs with {need}+ days of history" + (
                " (random subset; peers fit on it only)" if args.peer_skus else ""
            )
            print(table(mean_rows(res_pd), f"with peers, vs TRUE demand, {sub}"))
            print(table(mean_rows(res_ps), f"with peers, vs SOLD on in-stock days, {sub}"))
        print_classes(pd.DataFrame(class_rows))
        print("\nstockout bias: sum(forecast)/sum(true demand) - 1 over the horizon")
        print(
            pd.DataFrame(bias_rows)
            .mean(numeric_only=True)
            .to_string(float_format=lambda v: f"{v:+.3f}")
        )
        for title, rows in (("younger than 90 days", young_rows),
                            ("90 to 364 days old (no own last year)", year_rows)):
            print(f"\nSKUs {title} at the cutoff: window-total coverage vs true demand")
            print(
                pd.DataFrame(rows).groupby("method", sort=False)
                .agg(
                    n=("n", "sum"),
                    p90_cover=("p90_cover", "mean"),
                    p10_below=("p10_below", "mean"),
                    width=("width", "mean"),
                )
                .to_string(float_format=lambda v: f"{v:.3f}")
            )
    if args.speed_skus:
        speed(args)
    return 0


def parse_params(text: str) -> dict[str, int | float]:
    """`a=1,b=0.5` as {a: 1, b: 0.5} (integers where they are); also bench/replay.py's
    `--forecaster-params`."""
    out: dict[str, int | float] = {}
    for kv in filter(None, text.split(",")):
        k, v = kv.split("=")
        out[k] = float(v) if "." in v else int(v)
    return out


def print_classes(df: pd.DataFrame) -> None:
    """Per demand class (ADI/CV² at each cutoff), mean over cutoffs: SKUs, RMSSE as a ratio to
    seasonal naive on the same SKUs, P90 coverage of window totals (vs true demand). Peers are
    scored on their SKU subset, so compare them with `model` on `peer` rows."""
    if df.empty:
        return
    g = df.groupby(["class", "method"], sort=False).agg(
        skus=("n", "mean"), rmsse_raw=("rmsse", "mean"),
        cov90=("total_coverage_p90", "mean"), cov10=("total_coverage_p10", "mean"),
        bias=("bias", "mean"))
    naive = g.xs("seasonal_naive", level="method")["rmsse_raw"] if (
        "seasonal_naive" in g.index.get_level_values("method")) else None
    if naive is not None:
        g.insert(1, "rmsse", g["rmsse_raw"] / naive.reindex(g.index.get_level_values("class"))
                 .to_numpy())
    print("\nby demand class (ADI/CV² at each cutoff), mean over cutoffs, vs TRUE demand;"
          " rmsse = ratio to seasonal naive on the class's SKUs")
    print(g.round(3).to_string())


def young_coverage(name, tot, truth_tot, data, cutoff,
                   ages: tuple[int, int] = (0, 90)) -> dict[str, float | str]:
    """Are the intervals of new SKUs honest? P90 coverage and relative width of the totals of
    the SKUs whose first day is ages[0] to ages[1] (excluded) days before the cutoff."""
    born = data.groupby("sku")["date"].min()
    age = (cutoff - born).dt.days
    young = set(born[(age >= ages[0]) & (age < ages[1])].index)
    j = tot[tot["sku"].isin(young)].merge(truth_tot, on="sku")
    if j.empty:
        return {"method": name, "n": 0.0, "p90_cover": np.nan, "p10_below": np.nan, "width": np.nan}
    return {
        "method": name,
        "n": float(len(j)),
        "p90_cover": float((j["actual"] <= j["p90"]).mean()),
        "p10_below": float((j["actual"] < j["p10"]).mean()),
        "width": float(((j["p90"] - j["p10"]) / j["mean"].clip(lower=1)).mean()),
    }


def stockout_bias(fcs, data, train, cutoff, horizon) -> dict[str, float]:
    """Bias against true demand, overall and for SKUs that had stockouts in the last 91 days."""
    end = cutoff + pd.Timedelta(days=horizon)
    truth = data[(data["date"] > cutoff) & (data["date"] <= end)][["sku", "date", "demand"]]
    recent = train[train["date"] > cutoff - pd.Timedelta(days=91)]
    oos = recent.groupby("sku")["in_stock"].mean()
    hit = set(oos[oos < 0.9].index)
    out = {}
    for name in ("model", "model_alt", "model_uncensored", "seasonal_naive", "ma28"):
        if name not in fcs:
            continue
        j = (
            fcs[name]
            .assign(date=pd.to_datetime(fcs[name]["date"]))
            .merge(truth, on=["sku", "date"])
        )
        out[f"{name} all"] = j["mean"].sum() / j["demand"].sum() - 1
        h = j[j["sku"].isin(hit)]
        out[f"{name} SKUs >10% OOS days"] = (
            h["mean"].sum() / max(h["demand"].sum(), 1) - 1 if len(h) else np.nan
        )
    out["n SKUs >10% OOS days"] = float(len(hit))
    return out


def speed(args: argparse.Namespace) -> None:
    """Time one fit on speed_skus x days of simulator (or synthetic) history, all of it."""
    ns = argparse.Namespace(**{**vars(args), "skus": args.speed_skus})
    data, static = load_data(ns)
    sales = data.rename(columns={"sold": "units"})[["sku", "date", "units", "price", "in_stock"]]
    t0, c0 = time.perf_counter(), time.process_time()
    m = DemandForecaster(seed=0).fit(sales, static)
    cpu = time.process_time() - c0
    print(
        f"\nspeed: fit {data['sku'].nunique()} SKUs x {data['date'].nunique()} days "
        f"({len(sales)} rows, {m.metrics['training_rows']} training samples, incl. the calibration "
        f"fit) in {time.perf_counter() - t0:.1f} s wall, {cpu:.1f} s CPU on 2 threads; "
        f"load average {os.getloadavg()[0]:.1f} (other processes share the 2 cores)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
