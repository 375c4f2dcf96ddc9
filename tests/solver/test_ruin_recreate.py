"""Ruin and recreate on a real Cordeau instance."""

from __future__ import annotations

from pathlib import Path

from maas.evaluation import evaluate
from solver.benchmark_problems import cordeau_problem
from solver.construction import construct
from solver.readers import read_cordeau
from solver.ruin_recreate import ruin_and_recreate
from tests.solver.feasibility import check_plan


def test_ruin_and_recreate_improves_a2_16_and_stays_feasible(data_dir: Path) -> None:
    """A hundred counted iterations never make the plan worse or infeasible."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a2-16.txt"))
    start = construct(bp.problem, bp.travel)
    plan = ruin_and_recreate(bp.problem, bp.travel, start, float("inf"), seed=1,
                             max_iterations=100)
    report = evaluate(bp.problem, plan, bp.travel)
    assert report.feasible and plan.unserved == ()
    assert check_plan(bp.problem, plan, bp.travel, report.schedules) == []
    assert report.cost < evaluate(bp.problem, start, bp.travel).cost


def test_ruin_and_recreate_repeats_itself_with_a_seed(data_dir: Path) -> None:
    """Same start, seed and iteration count: the same plan."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a2-16.txt"))
    start = construct(bp.problem, bp.travel)
    runs = [ruin_and_recreate(bp.problem, bp.travel, start, float("inf"), seed=7,
                              max_iterations=40) for _ in range(2)]
    assert runs[0] == runs[1]
