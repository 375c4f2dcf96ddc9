"""How the search's cost grows with size: seconds to reach 2 % of the best known cost.

    python benchmarks/darp_scaling.py [--budget 20] [--target 2] [--plot docs/darp-scaling.png]

On Cordeau 2006 "a" and Cordeau & Laporte 2003 instances of 16 to 144 requests, one
compiled search (``solver.search``, default settings, seed 0) from nothing, annealed over
``--budget`` seconds and checked every 1/40 of it: the first time its best cost is within
``--target`` % of ``bks.csv`` (costs in the integer units of the search, which round every
leg up, so the figure is conservative), the iterations per second, and the gap at the end.

``--days out.json`` (what ``benchmarks/town_day.py run --json`` wrote) adds the real-road
days of 200-300 rides, which have no best known cost: their yardstick is the reference
run's cost in that file (``maas.evaluation.evaluate``'s cost: vehicle seconds, ride
seconds, rides left out), and each check evaluates the search's best plan against it.
They get ``--day-budget`` seconds (default 60, the issue's limit for such a day).
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Callable
from pathlib import Path

from maas.domain import Plan, Problem, Route
from maas.evaluation import evaluate
from maas.settings import settings
from maas.travel import TravelTimeSource
from solver.benchmark_problems import cordeau_problem, file_solution
from solver.day_files import load_day
from solver.objective import rejections
from solver.readers import read_cordeau
from solver.search import Search, SearchStats, run, start_search, warm_up

INSTANCES = ["cordeau-a/a2-16", "cordeau-a/a4-24", "cordeau-laporte-2003/pr17",
             "cordeau-a/a5-40", "cordeau-a/a6-48", "cordeau-laporte-2003/pr12",
             "cordeau-a/a7-70", "cordeau-laporte-2003/pr13", "cordeau-a/a8-96",
             "cordeau-laporte-2003/pr14", "cordeau-laporte-2003/pr19",
             "cordeau-laporte-2003/pr15", "cordeau-laporte-2003/pr16",
             "cordeau-laporte-2003/pr20"]
ROUNDS = 40
DAYS = Path(__file__).resolve().parent / "instances"  # where town_day.py saves its days


def _search_from_nothing(problem: Problem, travel: TravelTimeSource) -> Search:
    empty = Plan(tuple(Route(v.id) for v in problem.vehicles), tuple(problem.requests))
    search = start_search(problem, travel, empty, rejections(problem).penalty, {})
    assert search is not None
    return search


def time_to(search: Search, budget: float, within: Callable[[Search], bool]
            ) -> tuple[float | None, SearchStats]:
    """Anneal ``search`` over ``budget`` seconds in ``ROUNDS`` rounds; the seconds until
    ``within`` first held after a round (None if never), and the search's statistics."""
    stats = SearchStats()
    began = time.perf_counter()
    reached: float | None = None
    for r in range(ROUNDS):
        run(search, began + budget * (r + 1) / ROUNDS, r,
            progress=(r / ROUNDS, (r + 1) / ROUNDS), stats=stats)
        if reached is None and within(search):
            reached = time.perf_counter() - began
    return reached, stats


def main() -> None:
    """Print a Markdown table (and optionally save a plot) of time to target against size."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--target", type=float, default=2.0)
    parser.add_argument("--days", type=Path, help="town_day.py's --json output")
    parser.add_argument("--day-budget", type=float, default=60.0)
    parser.add_argument("--plot")
    args = parser.parse_args()
    root = Path(settings().data_dir) / "darp"
    bks: dict[str, float] = {}
    for sub in ("cordeau-a", "cordeau-laporte-2003"):
        for row in csv.DictReader((root / sub / "bks.csv").open()):
            bks[f"{sub}/{row['instance']}"] = float(row["bks_cost"])
    warm_up()
    print(f"| instance | requests | vans | s to {args.target:g} % | it/s | gap at the end "
          "(budget s) |")
    print("|---|---|---|---|---|---|")
    points: list[tuple[int, float | None, float]] = []

    def show(name: str, requests: int, vans: int, reached: float | None, budget: float,
             stats: SearchStats, gap: float) -> None:
        points.append((requests, reached, budget))
        shown = f"{reached:.1f}" if reached is not None else f"not in {budget:g}"
        print(f"| {name} | {requests} | {vans} | {shown} | {stats.per_second:.0f} | "
              f"{gap:.2f}% ({budget:g}) |", flush=True)

    for name in INSTANCES:
        bp = cordeau_problem(read_cordeau(root / f"{name}.txt"))
        prob = bp.problem
        search = _search_from_nothing(prob, bp.travel)
        goal = bks[name] * (1 + args.target / 100) * bp.scale
        reached, stats = time_to(search, args.budget,
                                 lambda s, goal=goal: bool(s.state[1] <= goal))
        gap = 100 * (file_solution(bp, search.plan())[1] / bks[name] - 1)
        show(name.split("/")[1], len(prob.requests), len(prob.vehicles), reached,
             args.budget, stats, gap)
    if args.days is not None:
        for row in json.loads(args.days.read_text()):
            problem, travel, _ = load_day(DAYS / f"{row['day']}.json")
            reference = float(row["reference"]["cost"])

            def cost_of(s: Search, problem: Problem = problem,
                        travel: TravelTimeSource = travel) -> float:
                report = evaluate(problem, s.plan(), travel)
                assert report.feasible, "the search's best plan must be feasible"
                return float(report.cost)

            search = _search_from_nothing(problem, travel)
            goal = reference * (1 + args.target / 100)
            reached, stats = time_to(search, args.day_budget,
                                     lambda s, goal=goal: cost_of(s) <= goal)
            gap = 100 * (cost_of(search) / reference - 1)
            show(row["day"], len(problem.requests), len(problem.vehicles), reached,
                 args.day_budget, stats, gap)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 3.5))
        hit = [(n, t) for n, t, _ in points if t is not None]
        miss = [(n, b) for n, t, b in points if t is None]
        ax.scatter([n for n, _ in hit], [t for _, t in hit], label="reached")
        ax.scatter([n for n, _ in miss], [b for _, b in miss], marker="x", color="red",
                   label="not within the budget (plotted at it)")
        ax.set_xlabel("requests")
        ax.set_ylabel(f"seconds to {args.target:g} % of best known")
        ax.set_yscale("log")
        ax.grid(True, alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)


if __name__ == "__main__":
    main()
