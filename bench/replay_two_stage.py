"""`bench/replay.py --two-stage`: the two-stage replay (docs/replay-two-stage.md) on simulator
SKUs, ours vs the two-stage days_of_supply rule vs two-stage foresight, side by side.

    .venv/bin/python bench/replay.py --two-stage --seed 7 --skus 240 --paths 100 --threads 1

Scenario: the single-stage bench's (`python -m simulator truth`, 365 days of history, 365-day
window, history rows carry what was observed), then, drawn with `--seed` (a generator of its
own, after the single-stage draws):
- supplier_lead_days uniform 30-120, transfer_lead_days uniform 5-20 (the FBA lead time);
- transfers ship in the simulator's case pack with no MOQ; supplier orders in the same case
  pack with the simulator's MOQ;
- the simulator's unit cost is the landed cost at FBA; it is split into freight_per_unit =
  1.20 $/cu ft x cubic_feet (sea, to the warehouse; at most 20% of it), transfer_cost_per_unit =
  0.10 $ + 0.50 $/cu ft x cubic_feet (at most 10% of it) and the supplier's price, unit_cost,
  the rest; so a sale's margin after all three is the single-stage bench's.
  warehouse_per_cuft_month = 0.50 $ (the product's default holding rate);
- initial_on_hand = (transfer lead + 21 days) and initial_warehouse = supplier lead days of the
  last 28 in-stock days' mean sales, so no policy starts with a stockout it could not prevent
  (the simulator's own stock is kept at FBA for SKUs without history);
- a backup supplier for 35% of the SKUs (a third generator, `[seed, 16, 2]`, so the draws above
  stay as they were): faster and pricier, backup_lead_days = 25-50% of the supplier lead (at
  least 7 days), backup_unit_cost = the supplier's price x 1.10-1.30, backup_freight_per_unit =
  3 x freight_per_unit (air), the supplier's MOQ and case pack. Only ours can use it (the
  reference policies are the issue's, primary only); `--no-backup` has ours ignore it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.demand_class import CLASSES, classify
from forecasting.replay_two_stage import TWO_STAGE_LINES, load_two_stage, simulate_two_stage
from forecasting.replay_two_stage_ours import TwoStageOurs
from forecasting.replay_two_stage_policies import TwoStageDaysOfSupply
from forecasting.replay_two_stage_runner import run_two_stage_foresight, summarize_two_stage

SUPPLIER_LEADS = (30, 120)
TRANSFER_LEADS = (5, 20)
FREIGHT_PER_CUFT = 1.20
TRANSFER_BASE, TRANSFER_PER_CUFT = 0.10, 0.50
FREIGHT_CAP, TRANSFER_CAP = 0.20, 0.10  # at most these shares of the landed unit cost
WAREHOUSE_PER_CUFT_MONTH = 0.50
BACKUP_SHARE = 0.35
BACKUP_LEAD_SHARE = (0.25, 0.50)
BACKUP_PRICE_MARKUP = (1.10, 1.30)
BACKUP_FREIGHT_MULTIPLE = 3.0


def make_two_stage_scenario(seed: int, n_skus: int, days: int, out: Path
                            ) -> tuple[dt.date, dt.date]:
    """The single-stage simulator scenario with the two-stage columns (module docstring)."""
    from replay import make_scenario

    start, end = make_scenario(seed, n_skus, days, out)
    skus = pd.read_csv(out / "skus.csv")
    demand = pd.read_csv(out / "demand.csv")
    rng = np.random.default_rng([seed, 16])
    n = len(skus)
    skus["supplier_lead_days"] = rng.integers(SUPPLIER_LEADS[0], SUPPLIER_LEADS[1] + 1, size=n)
    skus["transfer_lead_days"] = rng.integers(TRANSFER_LEADS[0], TRANSFER_LEADS[1] + 1, size=n)
    skus["supplier_case_pack"] = skus["case_pack"]
    skus["supplier_moq"] = skus["moq"]
    skus["moq"] = 0
    cf = skus["cubic_feet"].to_numpy(float)
    landed = skus["unit_cost"].to_numpy(float)
    freight = np.round(np.minimum(FREIGHT_PER_CUFT * cf, FREIGHT_CAP * landed), 4)
    transfer = np.round(np.minimum(TRANSFER_BASE + TRANSFER_PER_CUFT * cf,
                                   TRANSFER_CAP * landed), 4)
    skus["freight_per_unit"] = freight
    skus["transfer_cost_per_unit"] = transfer
    # the simulator's unit cost is landed at FBA: the supplier's price is what is left of it
    skus["unit_cost"] = np.round(landed - freight - transfer, 4)
    skus["warehouse_per_cuft_month"] = WAREHOUSE_PER_CUFT_MONTH
    hist = demand[(demand["date"] < start.isoformat()) & (demand["in_stock"] == 1)]
    rate = skus["sku"].map(hist.sort_values("date").groupby("sku").tail(28)
                           .groupby("sku")["demand"].mean())
    has = rate.notna().to_numpy()
    r = rate.fillna(0.0).to_numpy(float)
    fba = np.ceil(r * (skus["transfer_lead_days"] + 21)).astype(int)
    skus["initial_on_hand"] = np.where(has, fba, skus["initial_on_hand"]).astype(int)
    skus["initial_warehouse"] = np.where(has, np.ceil(r * skus["supplier_lead_days"]), 0
                                         ).astype(int)
    bk = np.random.default_rng([seed, 16, 2])
    backed = bk.random(n) < BACKUP_SHARE
    share = bk.uniform(*BACKUP_LEAD_SHARE, size=n)
    markup = bk.uniform(*BACKUP_PRICE_MARKUP, size=n)
    lead = np.maximum(7, np.round(skus["supplier_lead_days"].to_numpy() * share)).astype(int)
    skus["backup_lead_days"] = np.where(backed, lead, 0)
    skus["backup_unit_cost"] = np.where(backed, np.round(skus["unit_cost"] * markup, 4), 0.0)
    skus["backup_freight_per_unit"] = np.where(backed, np.round(BACKUP_FREIGHT_MULTIPLE * freight,
                                                             4), 0.0)
    skus["backup_moq"] = np.where(backed, skus["supplier_moq"], 0)
    skus = skus.drop(columns=["lead_time_days"])
    skus.to_csv(out / "skus.csv", index=False)
    return start, end


def run(args: argparse.Namespace) -> int:
    """Run the three two-stage policies on one scenario and print the comparison."""
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        where = args.keep or Path(tmp)
        where.mkdir(parents=True, exist_ok=True)
        start, end = make_two_stage_scenario(args.seed, args.skus, args.days, where)
        two = load_two_stage(where / "demand.csv", where / "skus.csv", start, end)
    R = args.review_days
    from replay import forecaster_factory, print_lines, run_timed, save_summary

    factory = forecaster_factory(args, start, end)
    kwargs = {"forecaster_factory": factory} if factory else {}
    ours = TwoStageOurs(two, R, retrain_days=args.retrain_days, n_paths=args.paths,
                        defer=args.defer, use_backup=not args.no_backup,
                        net_upstream_holding=not args.gross_holding, **kwargs)
    results, timings, _ = run_timed({
        "ours": lambda: simulate_two_stage(two, ours, R),
        "days_of_supply": lambda: simulate_two_stage(two, TwoStageDaysOfSupply(R), R),
        "foresight": lambda: run_two_stage_foresight(two, R)})
    full = summarize_two_stage(two, results, R)
    doc = full["policies"]
    save_summary(args, full)
    names = list(results)
    print(f"two-stage scenario: simulator seed {args.seed}, {len(two.base.skus)} SKUs, "
          f"{start}..{end}, review {R} days, supplier leads {SUPPLIER_LEADS[0]}-"
          f"{SUPPLIER_LEADS[1]}, transfer leads {TRANSFER_LEADS[0]}-{TRANSFER_LEADS[1]}; ours = "
          f"{args.forecaster} forecaster"
          f"{' (' + args.forecaster_params + ')' if args.forecaster_params else ''} refit every "
          f"{args.retrain_days} days ({ours.fits} fits), "
          f"{args.paths} paths; orders deferred to a later review: {ours.orders_deferred}")
    print_lines(doc, names, (*TWO_STAGE_LINES, "total"), 18)
    # freight and transfer of the units customers bought: every policy that sells them pays it
    sold_moves = {n: sum(doc[n]["per_sku"][sku]["units_sold"]
                         * (two.freight_per_unit[i] + two.transfer_cost_per_unit[i])
                         for i, sku in enumerate(two.base.skus)) for n in names}
    rest = [doc[n]["total"] - sold_moves[n] for n in names]
    print(f"{'total - moves sold':>18} " + " ".join(f"{v:>15,.0f}" for v in rest)
          + f" {rest[0] / rest[1]:>9.3f} {rest[0] / rest[2]:>9.3f}")
    for key in ("fill_rate",):
        print(f"{key:>18} " + " ".join(f"{doc[n][key]:>15.4f}" for n in names))
    for key in ("units_lost", "transfers", "units_transferred", "supplier_orders",
                "units_ordered", "backup_orders", "units_backup"):
        print(f"{key:>18} " + " ".join(f"{doc[n][key]:>15,}" for n in names))
    print(f"{'wall s':>18} " + " ".join(f"{timings[n]:>15.1f}" for n in names))
    chosen = ours.backup_chosen
    print(f"backup supplier: {int(two.has_backup.sum())} of {len(two.base.skus)} SKUs have one"
          f"{' (ignored by ours: --no-backup)' if args.no_backup else ''}; ours chose it "
          f"{len(chosen)} times on {len({c['sku'] for c in chosen})} SKUs; supply.decide's "
          f"figures for those orders: ${sum(c['extra_cost'] for c in chosen):,.0f} more "
          f"cost, ${sum(c['lost_margin_saved'] for c in chosen):,.0f} of lost margin saved")
    fills = by_class(two, doc)
    where_we_lose(two, doc, results, args.worst)
    ratio = doc["ours"]["total"] / doc["days_of_supply"]["total"]
    print(f"total wall time {time.perf_counter() - began:.1f}s")
    goal = ratio <= 0.7 and doc["ours"]["fill_rate"] >= 0.97
    print(f"goal (ours <= 0.7 x two-stage days_of_supply: {ratio:.3f}; fill >= 97%: "
          f"{doc['ours']['fill_rate']:.4f}; lowest class fill {min(fills.values()):.4f}):",
          "met" if goal else "NOT met")
    return 0


def by_class(two, doc) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Per ADI/CV² class of each SKU's history: fill of every policy and ours' cost ratios."""
    inp = two.base
    klass = classify(inp.hist_sold.astype(float), inp.hist_in_stock & inp.hist_valid)
    rows = []
    for i, sku in enumerate(inp.skus):
        row: dict = {"class": CLASSES[int(klass[i])]}
        for name in ("ours", "days_of_supply", "foresight"):
            s = doc[name]["per_sku"][sku]
            row[f"{name}_sold"], row[f"{name}_demand"] = s["units_sold"], s["units_demand"]
            row[f"{name}_total"] = s["total"]
        rows.append(row)
    df = pd.DataFrame(rows)
    g = df.groupby("class").sum(numeric_only=True)
    g.loc["all"] = g.sum()
    out = pd.DataFrame({"skus": df.groupby("class").size()})
    out.loc["all", "skus"] = len(df)
    for name, short in (("ours", "ours"), ("days_of_supply", "dos"), ("foresight", "fore")):
        out[f"fill_{short}"] = g[f"{name}_sold"] / g[f"{name}_demand"]
    out["ours_$"] = g["ours_total"]
    out["dos_$"] = g["days_of_supply_total"]
    out["fore_$"] = g["foresight_total"]
    out["ours/dos"] = g["ours_total"] / g["days_of_supply_total"]
    out["ours/fore"] = g["ours_total"] / g["foresight_total"]
    print("by demand class (ADI/CV² of each SKU's history):")
    print(out.round(3).to_string())
    return {k: float(v) for k, v in out["fill_ours"].fillna(1.0).items()}


def where_we_lose(two, doc, results, worst: int) -> None:  # type: ignore[no-untyped-def]
    """The SKUs where ours costs most over days_of_supply, with the lines that make the gap."""
    inp = two.base
    rows = []
    for i, sku in enumerate(inp.skus):
        o, d = doc["ours"]["per_sku"][sku], doc["days_of_supply"]["per_sku"][sku]
        f = doc["foresight"]["per_sku"][sku]
        gap = {k: o[k] - d[k] for k in TWO_STAGE_LINES}
        top = sorted(gap, key=lambda k: -gap[k])[:2]
        empty = float((results["ours"].warehouse_end[i] == 0).mean())
        rows.append({"sku": sku, "ours": o["total"], "dos": d["total"], "fore": f["total"],
                     "excess": o["total"] - d["total"], "fill_ours": o["fill_rate"],
                     "fill_dos": d["fill_rate"], "wh_empty_days": round(empty, 2),
                     "why": ", ".join(f"{k} {gap[k]:+,.0f}" for k in top),
                     "lm_ours": o["lost_margin"], "lm_dos": d["lost_margin"],
                     "ls": int(two.supplier_lead[i]), "lt": int(inp.lead[i]),
                     "moq": int(two.supplier_moq[i]), "demand": o["units_demand"]})
    df = pd.DataFrame(rows).sort_values("excess", ascending=False)
    losers = df[df["excess"] > 0]
    print(f"where we lose: ours costs more than days_of_supply on {len(losers)} of {len(df)} "
          f"SKUs (${losers['excess'].sum():,.0f} together); the {worst} worst "
          "(wh_empty_days: share of days ours' warehouse ended empty; why: the two lines "
          "ours pays most over days_of_supply):")
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(df.head(worst).round(3).to_string(index=False))
    fills = df.sort_values("fill_ours").head(worst)
    print(f"lowest fill of ours ({worst}):")
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        print(fills.round(3).to_string(index=False))
    lm = df.sort_values("lm_ours", ascending=False).head(worst)
    print(f"largest lost margin of ours ({worst}; lm_*: lost margin, $; the fill gap's SKUs):")
    cols = ["sku", "lm_ours", "lm_dos", "fill_ours", "fill_dos", "wh_empty_days", "ls", "lt",
            "moq", "demand"]
    with pd.option_context("display.width", 200):
        print(lm[cols].round(3).to_string(index=False))
