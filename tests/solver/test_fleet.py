"""Fleet reduction (``solver.fleet``): a closed van takes nobody, an adopted attempt serves
everyone on fewer vans, and the search's best never gets worse."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from maas.domain import Plan, Route
from maas.evaluation import evaluate
from solver.benchmark_problems import BenchmarkProblem, cordeau_problem
from solver.fast_model import to_plan
from solver.fleet import _attempt, _candidates, _closed, reduce_fleet
from solver.objective import rejections
from solver.readers import read_cordeau
from solver.search import LnsParams, Search, SearchStats, run, start_search

FIXED = 1e6  # per van used, far above any distance here


def _spread(data_dir: Path) -> tuple[BenchmarkProblem, Search]:
    """a4-16 from nothing after a few iterations, with a fixed cost per van."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a4-16.txt"))
    prob = bp.problem
    ids = sorted(prob.requests)
    empty = Plan(tuple(Route(v.id) for v in prob.vehicles), tuple(ids))
    search = start_search(prob, bp.travel, empty, rejections(prob).penalty, {}, FIXED)
    assert search is not None
    run(search, float("inf"), 0, LnsParams(local_search=False), max_iterations=50)
    return bp, search


def test_a_closed_van_takes_nobody(data_dir: Path) -> None:
    """After closing the smallest route's van, the search serves its riders elsewhere
    or not at all, never on that van."""
    _, search = _spread(data_dir)
    k = _candidates(search.inst, search.best)[0]
    assert _closed(search.inst, k).cap_s[k] < 0
    trial = _attempt(search, k)
    assert trial.best.rlen[k] == 0 and (trial.best.where == -1).any()
    run(trial, float("inf"), 1, LnsParams(), max_iterations=300)
    assert trial.best.rlen[k] == 0 and not (trial.best.where == k).any()


def test_reduce_fleet_never_worsens_and_keeps_everyone_served(data_dir: Path) -> None:
    """From a plan using every van, fleet reduction returns a feasible plan serving every
    request at no higher cost; the vans it closed are no longer used."""
    bp, search = _spread(data_dir)
    before = float(search.state[1])
    used_before = int((search.best.rlen > 0).sum())
    stats = SearchStats()
    reduce_fleet(search, time.perf_counter() + 1.0, 3, LnsParams(), stats)
    plan = to_plan(search.inst, search.best)
    report = evaluate(bp.problem, plan, bp.travel)
    assert report.feasible and plan.unserved == ()
    assert search.state[1] <= before
    used = int((search.best.rlen > 0).sum())
    assert used <= used_before
    assert np.isclose(search.state[1], report.cost + FIXED * used)


def test_vans_with_riders_on_board_are_never_closed(data_dir: Path) -> None:
    """Only vans without a locked head or riders on board are candidates."""
    _, search = _spread(data_dir)
    inst = search.inst
    used = [k for k in range(inst.K) if search.best.rlen[k] > 0]
    assert sorted(_candidates(inst, search.best)) == used
    head = inst.head.copy()
    head[used[0]] = 1
    load = inst.load0_s.copy()
    load[used[-1]] = 1
    shut = _candidates(replace(inst, head=head, load0_s=load), search.best)
    assert used[0] not in shut and used[-1] not in shut
