"""What driver breaks cost the insertion and ruin-and-recreate path, on Cordeau instances.

Run: ``python benchmarks/bench_breaks.py [--instances a2-16 a4-48 a8-96] [--iterations 100]``
(reads ``darp/cordeau-a`` from ``MAAS_DATA_DIR``, default ``../shared/data``).

Side by side in one run, per instance: the instance as published (baseline, no van has a
break) and the same instance with a 30-minute break on every van, to start between a third
and half of the way through its shift. Measured: construction (cheapest insertion), one
``evaluate`` of the plan, a fixed number of ruin-and-recreate iterations (seed 1), and the
result's feasibility, rejections and travel. Caches are cleared before each measurement.
"""

from __future__ import annotations

import argparse
import platform
import time
from dataclasses import replace
from pathlib import Path

from maas.domain import Break, Problem, TimeWindow
from maas.evaluation import _LEG_CACHE, evaluate
from maas.settings import settings
from maas.travel import TravelTimeSource
from solver.benchmark_problems import cordeau_problem
from solver.construction import construct
from solver.readers import read_cordeau
from solver.ruin_recreate import ruin_and_recreate


def with_breaks(problem: Problem, minutes: int, scale: int) -> Problem:
    """Every van gets a break of ``minutes`` starting in the middle sixth of its shift."""
    vans = []
    for v in problem.vehicles:
        span = v.shift.latest - v.shift.earliest
        window = TimeWindow(v.shift.earliest + span // 3, v.shift.earliest + span // 2)
        vans.append(replace(v, break_=Break(window, minutes * scale)))
    return Problem(problem.requests, tuple(vans), problem.weights)


def measure(problem: Problem, travel: TravelTimeSource, scale: int, iterations: int) -> str:
    """One row: construction, evaluation and ruin-and-recreate times and the outcome."""
    _LEG_CACHE.clear()
    began = time.perf_counter()
    start = construct(problem, travel)
    t_construct = time.perf_counter() - began
    began = time.perf_counter()
    evaluate(problem, start, travel)
    t_evaluate = time.perf_counter() - began
    began = time.perf_counter()
    plan = ruin_and_recreate(problem, travel, start, float("inf"), seed=1,
                             max_iterations=iterations)
    t_rr = time.perf_counter() - began
    report = evaluate(problem, plan, travel)
    return (f"{t_construct * 1000:9.1f} {t_evaluate * 1000:8.2f} {t_rr * 1000:8.0f}   "
            f"{report.feasible!s:5} {len(plan.unserved):3} {report.travel_seconds / scale:9.1f}")


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", nargs="+", default=["a2-16", "a4-48", "a8-96"])
    parser.add_argument("--iterations", type=int, default=100)
    args = parser.parse_args(argv)
    print(f"# {platform.python_version()}, {platform.machine()}; "
          f"{args.iterations} ruin-and-recreate iterations")
    print(f"{'instance':8} {'breaks':6} {'constr ms':>9} {'eval ms':>8} {'R&R ms':>8}   "
          f"{'feas':5} {'rej':>3} {'travel':>9}")
    for name in args.instances:
        folder = Path(settings().data_dir) / "darp" / "cordeau-a"
        bp = cordeau_problem(read_cordeau(folder / f"{name}.txt"))
        for label, problem in (("none", bp.problem),
                               ("30 min", with_breaks(bp.problem, 30, bp.scale))):
            print(f"{name:8} {label:6} {measure(problem, bp.travel, bp.scale, args.iterations)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
