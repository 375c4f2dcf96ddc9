"""How the search's cost grows with size: seconds to reach 2 % of the best known cost.

    python benchmarks/darp_scaling.py [--budget 20] [--target 2] [--plot docs/darp-scaling.png]

On Cordeau 2006 "a" and Cordeau & Laporte 2003 instances of 16 to 144 requests, one
compiled search (``solver.search``, default settings, seed 0) from nothing, annealed over
``--budget`` seconds and checked every 1/40 of it: the first time its best cost is within
``--target`` % of ``bks.csv`` (costs in the integer units of the search, which round every
leg up, so the figure is conservative), the iterations per second, and the gap at the end.
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

from maas.domain import Plan, Route
from maas.settings import settings
from solver.benchmark_problems import cordeau_problem, file_solution
from solver.objective import rejections
from solver.readers import read_cordeau
from solver.search import SearchStats, run, start_search, warm_up

INSTANCES = ["cordeau-a/a2-16", "cordeau-a/a4-24", "cordeau-laporte-2003/pr17",
             "cordeau-a/a5-40", "cordeau-a/a6-48", "cordeau-laporte-2003/pr12",
             "cordeau-a/a7-70", "cordeau-laporte-2003/pr13", "cordeau-a/a8-96",
             "cordeau-laporte-2003/pr14", "cordeau-laporte-2003/pr19",
             "cordeau-laporte-2003/pr15", "cordeau-laporte-2003/pr16",
             "cordeau-laporte-2003/pr20"]
ROUNDS = 40


def main() -> None:
    """Print a Markdown table (and optionally save a plot) of time to target against size."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--target", type=float, default=2.0)
    parser.add_argument("--plot")
    args = parser.parse_args()
    root = Path(settings().data_dir) / "darp"
    bks: dict[str, float] = {}
    for sub in ("cordeau-a", "cordeau-laporte-2003"):
        for row in csv.DictReader((root / sub / "bks.csv").open()):
            bks[f"{sub}/{row['instance']}"] = float(row["bks_cost"])
    warm_up()
    print(f"| instance | requests | vans | s to {args.target:g} % | it/s | gap at "
          f"{args.budget:g} s |")
    print("|---|---|---|---|---|---|")
    points: list[tuple[int, float | None]] = []
    for name in INSTANCES:
        bp = cordeau_problem(read_cordeau(root / f"{name}.txt"))
        prob = bp.problem
        empty = Plan(tuple(Route(v.id) for v in prob.vehicles), tuple(prob.requests))
        search = start_search(prob, bp.travel, empty, rejections(prob).penalty, {})
        assert search is not None
        stats = SearchStats()
        began = time.perf_counter()
        reached: float | None = None
        goal = bks[name] * (1 + args.target / 100) * bp.scale
        for r in range(ROUNDS):
            run(search, began + args.budget * (r + 1) / ROUNDS, r,
                progress=(r / ROUNDS, (r + 1) / ROUNDS), stats=stats)
            if reached is None and search.state[1] <= goal:
                reached = time.perf_counter() - began
        gap = 100 * (file_solution(bp, search.plan())[1] / bks[name] - 1)
        points.append((len(prob.requests), reached))
        shown = f"{reached:.1f}" if reached is not None else f"not in {args.budget:g}"
        print(f"| {name.split('/')[1]} | {len(prob.requests)} | {len(prob.vehicles)} | "
              f"{shown} | {stats.per_second:.0f} | {gap:.2f}% |", flush=True)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3.5))
        hit = [(n, t) for n, t in points if t is not None]
        miss = [n for n, t in points if t is None]
        ax.scatter([n for n, _ in hit], [t for _, t in hit], label="reached")
        ax.scatter(miss, [args.budget] * len(miss), marker="x", color="red",
                   label=f"not within {args.budget:g} s")
        ax.set_xlabel("requests")
        ax.set_ylabel(f"seconds to {args.target:g} % of best known")
        ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)


if __name__ == "__main__":
    main()
