"""Cordeau DARP quality: our solver beside a plain OR-Tools PDPTW model, in one run.

    python benchmarks/darp_quality.py --limits 2 10 [--set a|pr] [--instances a2-16 ...]

``--set a`` (default): Cordeau 2006 "a" instances; ``--set pr``: Cordeau & Laporte 2003.

Ours: insertion construction + guided local search (``solver.darp.solve``). Plain: the same
OR-Tools model with every request mandatory, OR-Tools' default first-solution strategy and
guided local search, no warm start. Both are checked by ``maas.evaluation.evaluate``;
costs are Euclidean distances in double precision, gaps relative to ``bks.csv``.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from pathlib import Path

from ortools.constraint_solver import routing_enums_pb2

from maas.evaluation import evaluate
from maas.settings import settings
from solver.benchmark_problems import BenchmarkProblem, cordeau_problem, file_solution
from solver.darp import SolveParams, _build, _search_parameters, _to_plan, solve
from solver.readers import read_cordeau


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


def ours(bp: BenchmarkProblem, limit: float) -> tuple[float | None, float]:
    """Our solver: cost (None if infeasible or a request left out), seconds."""
    began = time.perf_counter()
    plan = solve(bp.problem, bp.travel, SolveParams(time_limit_s=limit))
    seconds = time.perf_counter() - began
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
    args = parser.parse_args()
    sub = "cordeau-a" if args.set == "a" else "cordeau-laporte-2003"
    folder = Path(settings().data_dir) / "darp" / sub
    bks = {r["instance"]: float(r["bks_cost"]) for r in csv.DictReader(
        (folder / "bks.csv").open())}
    if args.set == "a":
        names = args.instances or sorted(bks, key=lambda n: (int(n[1]), int(n.split("-")[1])))
    else:
        names = args.instances or sorted(bks)
    header = "| instance | BKS |" + "".join(
        f" ours {t:g}s | gap | s | plain {t:g}s | gap | s |" for t in args.limits)
    print(header)
    print("|" + "---|" * (2 + 6 * len(args.limits)))
    gaps: dict[str, list[float]] = {}
    failures: dict[str, int] = {}
    for name in names:
        bp = cordeau_problem(read_cordeau(folder / f"{name}.txt"))
        cells = [name, f"{bks[name]:.2f}"]
        for t in args.limits:
            for label, run in (("ours", ours), ("plain", plain)):
                cost, seconds = run(bp, t)
                key = f"{label} {t:g}s"
                if cost is None:
                    failures[key] = failures.get(key, 0) + 1
                    cells += ["no feasible solution", "", f"{seconds:.1f}"]
                else:
                    gap = 100 * (cost / bks[name] - 1)
                    gaps.setdefault(key, []).append(gap)
                    cells += [f"{cost:.2f}", f"{gap:.2f}%", f"{seconds:.1f}"]
        print("| " + " | ".join(cells) + " |", flush=True)
    print()
    for t in args.limits:
        for label in ("ours", "plain"):
            key = f"{label} {t:g}s"
            g = gaps.get(key, [])
            mean = f"{statistics.mean(g):.2f}%" if g else "n/a"
            print(f"- {key}: {len(g)}/{len(names)} feasible, mean gap {mean} over the "
                  f"feasible ones, {failures.get(key, 0)} without a feasible solution")


if __name__ == "__main__":
    main()
