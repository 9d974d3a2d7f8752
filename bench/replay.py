"""Replay benchmark: ours vs days_of_supply vs foresight on simulator scenarios, side by side.

    .venv/bin/python bench/replay.py --seed 7 --skus 240 --days 365
    .venv/bin/python bench/replay.py --source pasta --seed 7   # the real series, ../shared/data
    .venv/bin/python bench/replay.py --two-stage --seed 7 --skus 240   # bench/replay_two_stage.py

`--source pasta`: the 118 real pasta SKUs (bench/realdata.py); the window is the data's last
`--days` days (2018 by default), the history every day before it (four years: the forecaster's
long memory is part of what is measured), unit economics, lead times (20-90 days) and case packs
drawn as the simulator draws them with `--seed`, initial on hand as below.

Scenario: `python -m simulator truth` (fast, slow, seasonal/Q4, trending up and down,
intermittent, newly launched and discontinued SKUs) with 365 days of history and a 365-day window.
Three bench choices, the same for every policy:
- lead times are redrawn uniformly from 20-90 days (the simulator's own span is 20-75);
- history rows carry what was observed (`demand` := `sold`, with `in_stock`), as the spec says;
- initial_on_hand = lead time + 21 days of the last 28 in-stock days' mean sales, so the window
  does not open with a stockout no policy could prevent (the simulator's own stock is kept for
  SKUs without history).
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from forecast import parse_params  # noqa: E402

from forecasting.demand_class import CLASSES, classify  # noqa: E402
from forecasting.policy import DEFAULT_STOCKOUT_COST_MULTIPLE  # noqa: E402
from forecasting.replay import COST_LINES, simulate  # noqa: E402
from forecasting.replay_io import load_input  # noqa: E402
from forecasting.replay_ours import OursPolicy  # noqa: E402
from forecasting.replay_policies import DaysOfSupply  # noqa: E402
from forecasting.replay_runner import run_foresight, summarize  # noqa: E402


class TrailingForecaster:
    """Bench-only stand-in (`--forecaster trailing`): negative binomial paths around each SKU's
    last-28-in-stock-days mean. Not the product; used only when asked for by name."""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.params: dict[str, tuple[float, float]] = {}

    def fit(self, history: pd.DataFrame, static: pd.DataFrame | None = None
            ) -> TrailingForecaster:
        h = history[history["in_stock"] == 1].sort_values("date")
        for sku, g in h.groupby("sku"):
            u = g["units"].tail(56).to_numpy(float)
            mean = float(u[-28:].mean()) if len(u) else 0.0
            var = float(u.var()) if len(u) > 1 else mean
            self.params[str(sku)] = (mean, max(var, mean * 1.05, 1e-9))
        for sku in history["sku"].unique():
            self.params.setdefault(str(sku), (0.0, 1.0))
        return self

    def sample_paths(self, horizon: int, n_paths: int = 200, seed: int = 0
                     ) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        out = {}
        for sku, (mean, var) in self.params.items():
            if mean <= 0:
                out[sku] = np.zeros((n_paths, horizon))
                continue
            r = mean * mean / max(var - mean, 1e-9)
            lam = rng.gamma(r, mean / r, size=(n_paths, horizon))
            out[sku] = rng.poisson(lam).astype(float)
        return out


class OracleForecaster:
    """Bench-only diagnostic: the simulator's own demand formula (trend, seasons, events, price
    elasticity) with its true negative binomial noise, as sample paths. No policy can have this;
    it splits the gap to foresight into what a better forecast could remove and what is left.

    `--forecaster oracle`: the prices the simulator really charged later, random promotions and
    list-price changes included. `--forecaster oracle-structural`: only what a perfect model of
    the seller could know at the cutoff: today's list price carried forward, the Prime Day and
    BFCM deals on their dates, no random promotions or price changes."""

    def __init__(self, world, realized: bool = True) -> None:
        self.world = world
        self.realized = realized
        self.cutoff: dt.date | None = None

    def fit(self, history: pd.DataFrame, static: pd.DataFrame | None = None
            ) -> OracleForecaster:
        self.cutoff = pd.Timestamp(history["date"].max()).date()
        return self

    def sample_paths(self, horizon: int, n_paths: int = 200, seed: int = 0
                     ) -> dict[str, np.ndarray]:
        from simulator.calendar import demand_multiplier, event_of

        w, tr = self.world, self.world.traits
        assert self.cutoff is not None
        days = [self.cutoff + dt.timedelta(days=k + 1) for k in range(horizon)]
        sale = w.daily("sale_cents").astype(float)
        listed = w.daily("list_cents")[self.cutoff.toordinal() - w.start_ordinal].astype(float)
        list0 = np.round(w.catalog["list_price"].to_numpy(float) * 100)
        mu = np.zeros((w.n, horizon))
        for k, day in enumerate(days):
            m = tr["level"] * demand_multiplier(day, tr, w.start_ordinal)
            row = min(day.toordinal() - w.start_ordinal, sale.shape[0] - 1)
            if self.realized:
                price = sale[row]
            else:
                deal = {"prime": 0.2, "bfcm": 0.25}.get(event_of(day), 0.0)
                price = np.round(listed * (1 - np.where(tr["prime_deal"], deal, 0.0)))
            m = m * (price / list0) ** (-tr["elasticity"])
            mu[:, k] = np.where(tr["launch"] <= day.toordinal(), m, 0.0)
        rng = np.random.default_rng(seed)
        out = {}
        kdisp = tr["dispersion"]
        for i, sku in enumerate(w.catalog["sku"]):
            lam = rng.gamma(kdisp[i], np.maximum(mu[i], 1e-12) / kdisp[i], size=(n_paths, horizon))
            out[str(sku)] = rng.poisson(np.where(mu[i] > 0, lam, 0.0)).astype(float)
        return out


def make_scenario(seed: int, n_skus: int, days: int, out: Path) -> tuple[dt.date, dt.date]:
    """Simulator truth for history + window, rewritten into the replay-spec input files."""
    start = dt.date(2025, 1, 1)
    end = start + dt.timedelta(days=days - 1)
    today = start - dt.timedelta(days=1)
    raw = out / "raw"
    subprocess.run([sys.executable, "-m", "simulator", "truth", "--seed", str(seed), "--skus",
                    str(n_skus), "--history-days", "365", "--today", today.isoformat(),
                    "--through", end.isoformat(), "--out", str(raw)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    demand = pd.read_csv(raw / "demand.csv")
    skus = pd.read_csv(raw / "skus.csv")
    rng = np.random.default_rng(seed)
    skus["lead_time_days"] = rng.integers(20, 91, size=len(skus))
    hist = demand["date"] < start.isoformat()
    demand.loc[hist, "demand"] = demand.loc[hist, "sold"]
    recent = demand[hist & (demand["in_stock"] == 1)].sort_values("date").groupby("sku").tail(28)
    rate = recent.groupby("sku")["sold"].mean()
    cover = skus["sku"].map(rate)
    initial = np.ceil(cover * (skus["lead_time_days"] + 21))
    skus["initial_on_hand"] = np.where(cover.notna(), initial, skus["initial_on_hand"]).astype(int)
    demand[["sku", "date", "demand", "price", "in_stock"]].to_csv(out / "demand.csv", index=False)
    skus.to_csv(out / "skus.csv", index=False)
    return start, end


def make_pasta_scenario(seed: int, days: int, out: Path) -> tuple[dt.date, dt.date]:
    """The real pasta series as replay input: the last `days` days are the window."""
    sys.path.insert(0, str(ROOT / "bench"))
    from realdata import economics, load_pasta

    df = load_pasta()
    end = df["date"].max().date()
    start = end - dt.timedelta(days=days - 1)
    skus = economics(sorted(df["sku"].unique()), seed)
    hist = df[df["date"] < pd.Timestamp(start)]
    recent = hist[hist["in_stock"] == 1].sort_values("date").groupby("sku").tail(28)
    rate = skus["sku"].map(recent.groupby("sku")["sold"].mean()).fillna(0.0)
    skus["initial_on_hand"] = np.ceil(rate * (skus["lead_time_days"] + 21)).astype(int)
    demand = df.assign(date=df["date"].dt.strftime("%Y-%m-%d"))
    demand[["sku", "date", "demand", "in_stock"]].to_csv(out / "demand.csv", index=False)
    skus.to_csv(out / "skus.csv", index=False)
    return start, end


def main(argv: list[str] | None = None) -> int:
    """Run the three policies on one scenario and print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", choices=("simulator", "pasta"), default="simulator")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skus", type=int, default=240)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--review-days", type=int, default=7)
    ap.add_argument("--forecaster", default="product",
                    choices=("product", "trailing", "oracle", "oracle-structural"))
    ap.add_argument("--retrain-days", type=int, default=28)
    ap.add_argument("--paths", type=int, default=200)
    ap.add_argument("--no-recalibrate", action="store_true",
                    help="ours does not rescale paths by sales since the last fit (ablation)")
    ap.add_argument("--no-track", action="store_true",
                    help="ours does not carry per-SKU forecast errors across refits (ablation)")
    ap.add_argument("--stockout-cost", type=float, default=DEFAULT_STOCKOUT_COST_MULTIPLE,
                    help="ours: lost sales counted per unit lost (lost ranking; product default)")
    ap.add_argument("--in-stock-target", type=float, default=None,
                    help="ours: in-stock floor, e.g. 0.98 (product default: none)")
    ap.add_argument("--forecaster-params", default="",
                    help="ours: DemandForecaster parameters other than the defaults, e.g. "
                         "holdout_p90=0.95,young_season=0 (an experiment, not the product)")
    ap.add_argument("--threads", type=int, default=2,
                    help="LightGBM threads of ours (1 is much faster on a loaded machine)")
    ap.add_argument("--keep", type=Path, help="keep the scenario files here")
    ap.add_argument("--save", type=Path, help="write the summary (per SKU too) as JSON here")
    ap.add_argument("--two-stage", action="store_true",
                    help="supplier -> warehouse -> FBA (bench/replay_two_stage.py, simulator only)")
    ap.add_argument("--defer", action="store_true",
                    help="--two-stage: ours waits with a proposed order until the last review "
                         "before its order-by date (ablation; default: placed when proposed)")
    ap.add_argument("--no-backup", action="store_true",
                    help="--two-stage: ours ignores the scenario's backup suppliers (ablation)")
    ap.add_argument("--gross-holding", action="store_true",
                    help="--two-stage: ours' FBA plan prices a transfer's FBA storage and capital "
                         "in full, not net of the warehouse's (ablation)")
    ap.add_argument("--worst", type=int, default=10,
                    help="--two-stage: how many of the worst SKUs to list")
    args = ap.parse_args(argv)
    if args.two_stage:
        if args.source != "simulator":
            ap.error("--two-stage runs on the simulator")
        sys.path.insert(0, str(ROOT / "bench"))
        from replay_two_stage import run

        return run(args)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        where = args.keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        if args.source == "pasta":
            start, end = make_pasta_scenario(args.seed, args.days, where)
        else:
            start, end = make_scenario(args.seed, args.skus, args.days, where)
        inp = load_input(where / "demand.csv", where / "skus.csv", start, end)
    R = args.review_days
    if args.forecaster.startswith("oracle") and args.source != "simulator":
        ap.error("the oracle forecasters need the simulator's world")
    factory = forecaster_factory(args, start, end)
    kwargs = {"forecaster_factory": factory} if factory else {}
    ours = OursPolicy(inp, R, retrain_days=args.retrain_days, n_paths=args.paths,
                      recalibrate=not args.no_recalibrate, track_errors=not args.no_track,
                      stockout_cost_multiple=args.stockout_cost,
                      in_stock_target=args.in_stock_target, **kwargs)
    results, timings, cpu = run_timed({
        "ours": lambda: simulate(inp, ours, R),
        "days_of_supply": lambda: simulate(inp, DaysOfSupply(R), R),
        "foresight": lambda: run_foresight(inp, R)})
    ours_cpu = cpu["ours"]
    full = summarize(inp, results, R)
    doc = full["policies"]
    save_summary(args, full)
    names = list(results)
    print(f"scenario: {args.source} seed {args.seed}, {len(inp.skus)} SKUs, {start}..{end}, "
          f"review {R} days, leads 20-90; ours = {args.forecaster} forecaster"
          f"{' (' + args.forecaster_params + ')' if args.forecaster_params else ''} refit every "
          f"{args.retrain_days} days ({ours.fits} fits), {args.paths} paths; stockout cost "
          f"{args.stockout_cost:g}, in-stock floor {args.in_stock_target or 'none'}")
    print_lines(doc, names, (*COST_LINES, "total"), 14)
    print(f"{'fill_rate':>14} " + " ".join(f"{doc[n]['fill_rate']:>15.4f}" for n in names))
    print(f"{'shipments':>14} " + " ".join(f"{doc[n]['shipments']:>15,}" for n in names))
    print(f"{'wall s':>14} " + " ".join(f"{timings[n]:>15.1f}" for n in names))
    _where_we_lose(inp, doc)
    fills = _by_demand_class(inp, doc, results)
    print(f"total wall time {time.perf_counter() - began:.1f}s (ours: {timings['ours']:.1f}s wall, "
          f"{ours_cpu:.1f}s CPU in this process incl. LightGBM threads)")
    goal = (doc["ours"]["total"] <= 0.6 * doc["days_of_supply"]["total"]
            and min(fills.values()) >= 0.97)
    print("goal (<=0.6 x dos, fill after the first arrival >= 97% overall and on every demand "
          "class):", "met" if goal else "NOT met")
    return 0


def forecaster_factory(args: argparse.Namespace, start: dt.date, end: dt.date):  # type: ignore[no-untyped-def]
    """Ours' forecaster for `--forecaster` and `--forecaster-params` (None: the product's
    default, 2 LightGBM threads); an oracle reads the simulator's world of the scenario that
    runs from `start` to `end`."""
    if args.forecaster == "trailing":
        return TrailingForecaster
    if args.forecaster.startswith("oracle"):
        from simulator.world import build_world

        world = build_world(args.seed, args.skus, 365, start - dt.timedelta(days=1), end)
        realized = args.forecaster == "oracle"
        return lambda: OracleForecaster(world, realized)
    params = parse_params(args.forecaster_params)
    if args.threads != 2 or params:
        from forecasting.model import DemandForecaster

        return lambda: DemandForecaster(seed=0, num_threads=args.threads, **params)
    return None


def run_timed(runs: dict) -> tuple[dict, dict[str, float], dict[str, float]]:  # type: ignore[type-arg]
    """Each named run's result, wall time and CPU time of this process (LightGBM's threads
    included) in seconds, run in the given order."""
    results, wall, cpu = {}, {}, {}
    for name, fn in runs.items():
        t0, c0 = time.perf_counter(), time.process_time()
        results[name] = fn()
        wall[name] = time.perf_counter() - t0
        cpu[name] = time.process_time() - c0
    return results, wall, cpu


def save_summary(args: argparse.Namespace, full: dict) -> None:  # type: ignore[type-arg]
    """`--save`: the summary document, per SKU too, as JSON."""
    if args.save:
        import json

        args.save.write_text(json.dumps(full))


def print_lines(doc: dict, names: list[str], keys, width: int) -> None:  # type: ignore[no-untyped-def]
    """One row per cost line: every policy's dollars, then ours over the second and third."""
    print(f"{'line':>{width}} " + " ".join(f"{n:>15}" for n in names)
          + f" {'ours/dos':>9} {'ours/fore':>9}")
    for key in keys:
        vals = [doc[n][key] for n in names]
        r1 = vals[0] / vals[1] if vals[1] else float("nan")
        r2 = vals[0] / vals[2] if vals[2] else float("nan")
        print(f"{key:>{width}} " + " ".join(f"{v:>15,.0f}" for v in vals)
              + f" {r1:>9.3f} {r2:>9.3f}")


def _by_demand_class(inp, doc, results) -> dict[str, float]:
    """Per ADI/CV² class of each SKU's history (forecasting.demand_class): fill rate of every
    policy over the window and from the first day a shipment could land (`fill_*_after`: what
    lands before that is the initial stock's, the same for every policy), ours' cost against
    days_of_supply and foresight. Returns ours' fill after the first arrival per class."""
    ok = inp.hist_in_stock & inp.hist_valid
    klass = classify(inp.hist_sold.astype(float), ok)
    after = np.arange(len(inp.dates))[None, :] >= inp.lead[:, None]
    rows = []
    for i, sku in enumerate(inp.skus):
        row = {"class": CLASSES[int(klass[i])]}
        for name in ("ours", "days_of_supply", "foresight"):
            s = doc[name]["per_sku"][sku]
            row[f"{name}_sold"], row[f"{name}_lost"] = s["units_sold"], s["units_lost"]
            row[f"{name}_total"], row[f"{name}_lost_margin"] = s["total"], s["lost_margin"]
            res = results[name]
            row[f"{name}_sold_after"] = float(res.sold[i][after[i]].sum())
            row[f"{name}_lost_after"] = float(res.lost[i][after[i]].sum())
        rows.append(row)
    df = pd.DataFrame(rows)
    g = df.groupby("class").sum(numeric_only=True)
    g.loc["all"] = g.sum()
    out = pd.DataFrame({"skus": df.groupby("class").size()})
    out.loc["all", "skus"] = len(df)
    for name, short in (("ours", "ours"), ("days_of_supply", "dos"), ("foresight", "fore")):
        out[f"fill_{short}"] = g[f"{name}_sold"] / (g[f"{name}_sold"] + g[f"{name}_lost"])
    for name, short in (("ours", "ours"), ("days_of_supply", "dos"), ("foresight", "fore")):
        out[f"fill_{short}_after"] = g[f"{name}_sold_after"] / (
            g[f"{name}_sold_after"] + g[f"{name}_lost_after"])
    out["ours_$"] = g["ours_total"]
    out["ours/dos"] = g["ours_total"] / g["days_of_supply_total"]
    out["ours/fore"] = g["ours_total"] / g["foresight_total"]
    out["lost_margin_ours"] = g["ours_lost_margin"]
    out["lost_margin_dos"] = g["days_of_supply_lost_margin"]
    print("by demand class (ADI/CV² of each SKU's history); fill_*_after: from the first day a "
          "shipment could land")
    print(out.round(3).to_string())
    return {k: float(v) for k, v in out["fill_ours_after"].fillna(1.0).items()}


def _where_we_lose(inp, doc) -> None:
    """Per-SKU excess over foresight, grouped by a rough demand class."""
    rows = []
    for i, sku in enumerate(inp.skus):
        hist = inp.hist_sold[i][inp.hist_valid[i]]
        n_hist = int(inp.hist_valid[i].sum())
        mean = float(hist[-90:].mean()) if n_hist else 0.0
        window = inp.demand[i]
        first, second = window[: len(window) // 2].mean(), window[len(window) // 2:].mean()
        if n_hist < 180:
            kind = "new"
        elif window.sum() == 0:
            kind = "discontinued"
        elif mean < 0.5:
            kind = "slow/intermittent"
        elif second > 1.5 * first or second < 0.6 * first:
            kind = "trending"
        else:
            kind = "fast" if mean >= 5 else "steady"
        rows.append((kind, doc["ours"]["per_sku"][sku]["total"],
                     doc["days_of_supply"]["per_sku"][sku]["total"],
                     doc["foresight"]["per_sku"][sku]["total"],
                     doc["ours"]["per_sku"][sku]["units_lost"]))
    df = pd.DataFrame(rows, columns=["kind", "ours", "dos", "foresight", "ours_lost"])
    g = df.groupby("kind").agg(skus=("ours", "size"), ours=("ours", "sum"), dos=("dos", "sum"),
                               foresight=("foresight", "sum"), ours_lost=("ours_lost", "sum"))
    g["ours/dos"] = g["ours"] / g["dos"]
    g["ours/fore"] = g["ours"] / g["foresight"]
    print("by demand class (total $):")
    print(g.round(2).to_string())


if __name__ == "__main__":
    raise SystemExit(main())
