"""Benchmark: generate a 1,000-SKU x 730-day seller (demand, stock, orders) and its truth files.

Usage: python bench/simulator_gen.py [--skus 1000] [--days 730] [--seed 7]
Prints wall times, the ratio to the 60 s budget, and the ratio to a naive baseline measured in
the same run (one numpy Generator per SKU-day, demand draws only, extrapolated from a sample).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.truth import write_truth  # noqa: E402
from simulator.world import build_world  # noqa: E402

BUDGET_SECONDS = 60.0


def naive_seconds(skus: int, days: int, sample: int = 20) -> float:
    """Per SKU-day generators, as a straightforward implementation of the same determinism."""
    t0 = time.perf_counter()
    for i in range(sample):
        for d in range(days):
            rng = np.random.default_rng([7, i, d])
            lam = rng.gamma(3.0, 1.0)
            rng.poisson(lam)
    return (time.perf_counter() - t0) * skus / sample


def main() -> int:
    """Run the benchmark and print its numbers."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--skus", type=int, default=1000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    today = date(2026, 11, 26)
    t0 = time.perf_counter()
    world = build_world(args.seed, args.skus, args.days, today)
    gen = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        t1 = time.perf_counter()
        write_truth(world, Path(tmp))
        truth = time.perf_counter() - t1
    naive = naive_seconds(args.skus, args.days)
    units = int(world.daily("sold").sum())
    print(f"simulator generation: {args.skus} SKUs x {args.days} days, seed {args.seed}")
    print(f"  orders {len(world.orders):,}, order lines {len(world.orders.line['sku']):,}, "
          f"units sold {units:,}, own shipments {len(world.shipments):,}")
    print(f"  generate world      {gen:8.2f} s   ({gen / BUDGET_SECONDS:.3f} of the 60 s budget)")
    print(f"  write truth files   {truth:8.2f} s")
    print(f"  total               {gen + truth:8.2f} s")
    print(f"  naive baseline (per SKU-day generators, demand only, extrapolated): {naive:.2f} s"
          f"  -> vectorised is {naive / gen:.1f}x faster")
    return 0 if gen + truth < BUDGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
