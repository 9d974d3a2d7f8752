"""Two probes of bench/forecast.py (same data sources, same cutoffs, same scoring):

* `--short-skus K --short-days D`: K SKUs with long histories have everything but their last D
  days before each cutoff removed; they (and the other SKUs) are scored against the same model
  fit on the full history, so the short-history penalty is measured on the same series.
* `--hide-stockouts K`: K SKUs that sell get stockout windows injected (one ending 1-45 days before
  the cutoff, one 120-365 days before it, 7-28 days each) whose sales are set to 0, either
  flagged (`in_stock = 0`, what the product is told when Amazon reports the stockout) or not
  (`in_stock = 1`: a zero the product cannot tell from no demand). Scored against the true demand
  (the simulator's) or the unaltered sales (pasta) after the cutoff: what the censoring recovers
  is (bias unflagged - bias flagged) / (bias unflagged - bias clean).

The SKUs are drawn once (seed `--seed`) from those eligible at the first cutoff.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from forecast import score

from forecasting.backtest import actuals_after
from forecasting.baselines import MovingAverage, SeasonalNaive
from forecasting.metrics import scales
from forecasting.model import DemandForecaster

KEYS = ("rmsse", "total_pinball", "total_coverage_p90", "total_coverage_p10", "bias")


def _frames(data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    sales = data.rename(columns={"sold": "units"})[["sku", "date", "units", "price", "in_stock"]]
    truth = data.rename(columns={"demand": "units"})[["sku", "date", "units", "price"]].assign(
        in_stock=1)
    return sales, truth


def _cutoffs(data: pd.DataFrame, args: argparse.Namespace) -> list[pd.Timestamp]:
    end = data["date"].max()
    return sorted(end - pd.Timedelta(days=args.horizon + 28 * k) for k in range(args.cutoffs))


def _models(args: argparse.Namespace) -> dict[str, DemandForecaster]:
    """Our model with the defaults, and with --probe-params if given."""
    out = {"model": DemandForecaster(seed=0, num_threads=args.threads)}
    if args.probe_params:
        params = {k: int(v) for k, v in (kv.split("=") for kv in args.probe_params.split(","))}
        out["model " + args.probe_params] = DemandForecaster(seed=0, num_threads=args.threads,
                                                             **params)
        if args.probe_skip_default:
            del out["model"]
    return out


def _print(rows: list[dict], index: list[str], title: str) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    g = df.groupby(index, sort=False)[[k for k in (*KEYS, "skus") if k in df]].mean()
    naive = df[df["method"] == "seasonal_naive"]
    if len(naive):
        base = naive.groupby([c for c in index if c != "method"], sort=False)["rmsse"].mean()
        keys = [tuple(k[i] for i, c in enumerate(index) if c != "method") for k in g.index]
        keys = [k[0] if len(k) == 1 else k for k in keys]
        g.insert(0, "rmsse_vs_naive", g["rmsse"].to_numpy() / base.reindex(keys).to_numpy())
    print(f"\n{title}")
    print(g.round(3).to_string())
    return g


def short_history_run(args: argparse.Namespace, data: pd.DataFrame,
                      static: pd.DataFrame | None) -> int:
    """Short histories: the same SKUs with all their history and with only the last D days."""
    sales, truth = _frames(data)
    cutoffs = _cutoffs(data, args)
    born = sales.groupby("sku")["date"].min()
    long_enough = born[born <= cutoffs[0] - pd.Timedelta(days=365 + args.short_days)].index
    recent = sales[(sales["date"] > cutoffs[0] - pd.Timedelta(days=91))
                   & (sales["date"] <= cutoffs[0])]
    selling = recent.groupby("sku")["units"].sum()
    eligible = np.array(sorted(set(long_enough) & set(selling[selling > 0].index)))
    rng = np.random.default_rng(args.seed)
    short = set(rng.choice(eligible, min(args.short_skus, len(eligible)), replace=False))
    print(f"short-history probe: {len(short)} of {sales['sku'].nunique()} SKUs cut to their last "
          f"{args.short_days} days before each cutoff; cutoffs "
          f"{', '.join(str(c.date()) for c in cutoffs)}, H={args.horizon}")
    rows: list[dict] = []
    for cutoff in cutoffs:
        train = sales[sales["date"] <= cutoff]
        cut = train[~train["sku"].isin(short)
                    | (train["date"] > cutoff - pd.Timedelta(days=args.short_days))]
        scale = scales(train)  # the full history's scale for every variant: comparable scores
        truth_daily, truth_tot = actuals_after(truth, cutoff, args.horizon)
        sold_daily, sold_tot = actuals_after(sales, cutoff, args.horizon)
        variants = {
            "full history": (train, {**_models(args), "seasonal_naive": SeasonalNaive()}),
            f"last {args.short_days} days": (cut, {
                **_models(args), "seasonal_naive": SeasonalNaive(), "ma28": MovingAverage()}),
        }
        for variant, (tr, methods) in variants.items():
            for name, m in methods.items():
                t0 = time.perf_counter()
                m.fit(tr, static)  # type: ignore[attr-defined]
                fc = m.predict(args.horizon)  # type: ignore[attr-defined]
                tot = m.predict_totals(args.horizon)  # type: ignore[attr-defined]
                for group, members in (("short SKUs", short),
                                       ("other SKUs", set(scale.index) - short)):
                    d, _ = score(fc, tot, truth_daily, truth_tot, sold_daily, sold_tot, scale,
                                 args.horizon, skus=sorted(members))
                    rows.append({"cutoff": cutoff, "variant": variant, "method": name,
                                 "set": group, **{k: d.get(k, np.nan) for k in KEYS},
                                 "skus": len(members)})
                print(f"  {cutoff.date()} {variant} {name}: {time.perf_counter() - t0:.1f}s",
                      flush=True)
    _print(rows, ["set", "variant", "method"],
           "mean over cutoffs, vs TRUE demand; rmsse_vs_naive: seasonal naive of the same variant")
    return 0


def inject_stockouts(sales: pd.DataFrame, skus: list[str], cutoff: pd.Timestamp,
                     rng: np.random.Generator) -> pd.Series:
    """Boolean mask of the rows of `sales` inside the injected windows (see the module doc)."""
    hide = pd.Series(False, index=sales.index)
    for sku in skus:
        windows = []
        length = int(rng.integers(7, 29))
        end = cutoff - pd.Timedelta(days=int(rng.integers(1, 46)))
        windows.append((end - pd.Timedelta(days=length - 1), end))
        length = int(rng.integers(7, 29))
        start = cutoff - pd.Timedelta(days=int(rng.integers(120, 366)))
        windows.append((start, start + pd.Timedelta(days=length - 1)))
        is_sku = sales["sku"] == sku
        for lo, hi in windows:
            hide |= is_sku & (sales["date"] >= lo) & (sales["date"] <= hi)
    return hide & (sales["in_stock"] > 0)


def hide_stockouts_run(args: argparse.Namespace, data: pd.DataFrame,
                       static: pd.DataFrame | None) -> int:
    """Stockouts that zero the sales: flagged, unflagged, or (reference) not there at all."""
    sales, truth = _frames(data)
    cutoffs = _cutoffs(data, args)
    first = cutoffs[0]
    recent = sales[(sales["date"] > first - pd.Timedelta(days=91)) & (sales["date"] <= first)]
    rate = recent.groupby("sku")["units"].mean()
    born = sales.groupby("sku")["date"].min()
    old = born[born <= first - pd.Timedelta(days=400)].index
    eligible = np.array(sorted(set(rate[rate >= 0.5].index) & set(old)))
    rng = np.random.default_rng(args.seed)
    hit = sorted(rng.choice(eligible, min(args.hide_stockouts, len(eligible)), replace=False))
    print(f"hidden-stockout probe: {len(hit)} of {sales['sku'].nunique()} SKUs (selling >= 0.5 a"
          f" day, 400+ days old); cutoffs {', '.join(str(c.date()) for c in cutoffs)},"
          f" H={args.horizon}")
    rows: list[dict] = []
    for cutoff in cutoffs:
        train = sales[sales["date"] <= cutoff].copy()
        hide = inject_stockouts(train, hit, cutoff, np.random.default_rng([args.seed, cutoff.day]))
        lost = train.loc[hide, "units"].sum()
        in_hit = train["sku"].isin(hit) & (train["date"] > cutoff - pd.Timedelta(days=365))
        print(f"  {cutoff.date()}: {int(hide.sum())} SKU-days hidden, "
              f"{lost / max(train.loc[in_hit, 'units'].sum(), 1):.1%} of these SKUs' last-year "
              "sales", flush=True)
        flagged = train.copy()
        flagged.loc[hide, ["units", "in_stock"]] = 0
        unflagged = train.copy()
        unflagged.loc[hide, "units"] = 0
        scale = scales(train)
        truth_daily, truth_tot = actuals_after(truth, cutoff, args.horizon)
        sold_daily, sold_tot = actuals_after(sales, cutoff, args.horizon)
        variants: dict[str, tuple[pd.DataFrame, dict]] = {
            "clean": (train, _models(args)),
            "hidden, flagged": (flagged, {
                "model": DemandForecaster(seed=0, num_threads=args.threads)}),
            "hidden, unflagged": (unflagged, {**_models(args), "ma28": MovingAverage()}),
        }
        for variant, (tr, methods) in variants.items():
            methods["seasonal_naive"] = SeasonalNaive()
            for name, m in methods.items():
                t0 = time.perf_counter()
                m.fit(tr, static)
                fc, tot = m.predict(args.horizon), m.predict_totals(args.horizon)
                for group, members in (("hidden SKUs", hit),
                                       ("other SKUs", sorted(set(scale.index) - set(hit)))):
                    d, _ = score(fc, tot, truth_daily, truth_tot, sold_daily, sold_tot, scale,
                                 args.horizon, skus=members)
                    rows.append({"cutoff": cutoff, "variant": variant, "method": name,
                                 "set": group, **{k: d.get(k, np.nan) for k in KEYS},
                                 "skus": len(members)})
                if name == "model":
                    inferred = getattr(m, "metrics", {}).get("inferred_stockout_days")
                    if inferred is not None:
                        print(f"    {variant}: {inferred} SKU-days inferred as stockouts")
                print(f"  {cutoff.date()} {variant} {name}: {time.perf_counter() - t0:.1f}s",
                      flush=True)
    g = _print(rows, ["set", "variant", "method"], "mean over cutoffs, vs TRUE demand")
    b = g.xs("model", level="method")["bias"]
    for group in ("hidden SKUs",):
        clean, fl, un = (b[(group, v)] for v in ("clean", "hidden, flagged", "hidden, unflagged"))
        if un != clean:
            print(f"\n{group}: the censoring recovers {(un - fl) / (un - clean):.0%} of the bias "
                  f"the hidden stockouts cause (clean {clean:+.3f}, flagged {fl:+.3f}, "
                  f"unflagged {un:+.3f})")
    return 0
