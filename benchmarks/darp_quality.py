"""Cordeau DARP quality: our solver beside a plain OR-Tools PDPTW model, in one run.

    python benchmarks/darp_quality.py --limits 2 10 [--set a|pr] [--instances a2-16 ...]

``--set a`` (default): Cordeau 2006 "a" instances; ``--set pr``: Cordeau & Laporte 2003.
``--compare KEY=VALUE ...`` adds ours with those ``LnsParams`` overrides as "ours cmp" (the
settings before a change, side by side in the same run; ``--cmp-workers 2`` runs that
column on two cores); ``--no-plain`` leaves out OR-Tools.

Ours: ``solver.darp.solve`` with its defaults (the compiled large-neighbourhood search),
and with ``--workers`` also two searches on the two cores (``SolveParams(workers=2)``).
Plain: the same
OR-Tools model with every request mandatory, OR-Tools' default first-solution strategy and
guided local search, no warm start. Both are checked by ``maas.evaluation.evaluate``;
costs are Euclidean distances in double precision, gaps relative to ``bks.csv``.
"""

from __future__ import annotations

import argparse
import csv
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ortools.constraint_solver import routing_enums_pb2

from maas.evaluation import evaluate
from maas.settings import settings
from solver.benchmark_problems import BenchmarkProblem, cordeau_problem, file_solution
from solver.darp import SolveParams, _build, _search_parameters, _to_plan, solve
from solver.readers import read_cordeau
from solver.search import LnsParams, SearchStats, warm_up


def _overrides(items: list[str]) -> LnsParams:
    """``LnsParams`` with ``key=value`` overrides (tuples as comma-separated numbers)."""
    base = LnsParams()
    changes: dict[str, object] = {}
    for item in items:
        key, value = item.split("=", 1)
        old = getattr(base, key)
        if isinstance(old, tuple):
            changes[key] = tuple(float(x) for x in value.split(","))
        elif isinstance(old, bool):
            changes[key] = value.lower() in ("1", "true", "yes")
        else:
            changes[key] = type(old)(value)
    return replace(base, **changes)  # type: ignore[arg-type]


def plain(bp: BenchmarkProblem, limit: float) -> tuple[float | None, float]:
    """Plain OR-Tools PDPTW: cost of its solution (None if none or infeasible), seconds."""
    began = time.perf_counter()
    params = SolveParams(time_limit_s=limit)
    model = _build(bp.problem, bp.travel, params, {}, optional=False)
    search = _search_parameters(params)
    search.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.AUTOMATIC
    solution = model.routing.SolveWithParameters(search)
    seconds = time.perf_counter() - began
    if solution is None:
        return None, seconds
    plan = _to_plan(model, bp.problem, solution)
    report = evaluate(bp.problem, plan, bp.travel)
    if not report.feasible or plan.unserved:
        return None, seconds
    return file_solution(bp, plan)[1], seconds


ITERATIONS: dict[str, list[float]] = {}


def ours(bp: BenchmarkProblem, limit: float, workers: int = 1,
         lns: LnsParams | None = None) -> tuple[float | None, float]:
    """Our solver: cost (None if infeasible or a request left out), seconds."""
    began = time.perf_counter()
    stats = SearchStats()
    plan = solve(bp.problem, bp.travel,
                 SolveParams(time_limit_s=limit, workers=workers, stats=stats,
                             lns=lns or LnsParams()))
    seconds = time.perf_counter() - began
    ITERATIONS.setdefault(f"{bp.name} {limit:g} {workers}", []).append(stats.per_second)
    report = evaluate(bp.problem, plan, bp.travel)
    if not report.feasible or plan.unserved:
        return None, seconds
    return file_solution(bp, plan)[1], seconds


def main() -> None:
    """Run both solvers on each instance at each time limit and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--limits", type=float, nargs="+", default=[2.0, 10.0])
    parser.add_argument("--instances", nargs="*")
    parser.add_argument("--set", choices=("a", "pr"), default="a")
    parser.add_argument("--workers", action="store_true",
                        help="also run ours with two searches on two cores")
    parser.add_argument("--compare", nargs="*", default=None, metavar="KEY=VALUE",
                        help="also run ours with these LnsParams overrides ('ours cmp')")
    parser.add_argument("--cmp-workers", type=int, default=1,
                        help="searches (cores) of the 'ours cmp' column")
    parser.add_argument("--no-plain", action="store_true",
                        help="leave out the plain OR-Tools model")
    args = parser.parse_args()
    warm_up()  # compile (or load) the search once, before any clock runs
    sub = "cordeau-a" if args.set == "a" else "cordeau-laporte-2003"
    folder = Path(settings().data_dir) / "darp" / sub
    bks = {r["instance"]: float(r["bks_cost"]) for r in csv.DictReader(
        (folder / "bks.csv").open())}
    if args.set == "a":
        names = args.instances or sorted(bks, key=lambda n: (int(n[1]), int(n.split("-")[1])))
    else:
        names = args.instances or sorted(bks)
    runs: list[tuple[str, Callable[[BenchmarkProblem, float], tuple[float | None, float]]]]
    runs = [("ours", ours)]
    if args.workers:
        runs.append(("ours x2", lambda bp, t: ours(bp, t, workers=2)))
    if args.compare is not None:
        other = _overrides(args.compare)
        print(f"ours cmp: {other}, workers={args.cmp_workers}")
        label = "ours cmp" if args.cmp_workers == 1 else f"ours cmp x{args.cmp_workers}"
        runs.append((label, lambda bp, t: ours(bp, t, workers=args.cmp_workers, lns=other)))
    if not args.no_plain:
        runs.append(("plain", plain))
    header = "| instance | BKS |" + "".join(
        f" {label} {t:g}s | gap | s |" for t in args.limits for label, _ in runs)
    print(header + " ours it/s | peak RSS MB |")
    print("|" + "---|" * (4 + 3 * len(runs) * len(args.limits)))
    gaps: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    for name in names:
        bp = cordeau_problem(read_cordeau(folder / f"{name}.txt"))
        cells = [name, f"{bks[name]:.2f}"]
        for t in args.limits:
            for label, run in runs:
                cost, seconds = run(bp, t)
                key = f"{label} {t:g}s"
                if cost is None:
                    failures[key] = failures.get(key, 0) + 1
                    cells += ["no feasible solution", "", f"{seconds:.1f}"]
                else:
                    gap = 100 * (cost / bks[name] - 1)
                    gaps.setdefault(key, []).append(gap)
                    cells += [f"{cost:.2f}", f"{gap:.2f}%", f"{seconds:.1f}"]
        rates = [r for key, v in ITERATIONS.items() if key.startswith(f"{name} ")
                 and key.endswith(" 1") for r in v]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        cells += [f"{statistics.mean(rates):.0f}" if rates else "", f"{rss:.0f}"]
        print("| " + " | ".join(cells) + " |", flush=True)
    print()
    for t in args.limits:
        for label, _ in runs:
            key = f"{label} {t:g}s"
            g = gaps.get(key, [])
            mean = f"{statistics.mean(g):.2f}%" if g else "n/a"
            print(f"- {key}: {len(g)}/{len(names)} feasible, mean gap {mean} over the "
                  f"feasible ones, {failures.get(key, 0)} without a feasible solution")


if __name__ == "__main__":
    main()
