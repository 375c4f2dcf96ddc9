"""The compiled local search (``solver.fast_local``): every pass keeps the plan feasible by
the evaluator, never raises its cost, reports exactly what it saved, and leaves locked stops
and riders on board on their van."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from maas.domain import CostWeights, Plan, Problem, Route, Stop, StopKind
from maas.evaluation import evaluate
from solver.benchmark_problems import cordeau_problem
from solver.construction import construct
from solver.fast_local import (
    _cuts,
    descend,
    exchange_pass,
    neighbours,
    relocate_pass,
    two_opt_star_pass,
)
from solver.fast_model import FastInstance, FastSolution, build_instance, to_plan, to_solution
from solver.lns import seed_rng
from solver.objective import rejections
from solver.readers import read_cordeau
from solver.search import _price
from tests.solver.cases import TRAVEL, at, problem, request, van

P, D = StopKind.PICKUP, StopKind.DROPOFF


def _setup(data_dir: Path, name: str, ride_weight: float
           ) -> tuple[Problem, FastInstance, FastSolution, float]:
    bp = cordeau_problem(read_cordeau(data_dir / f"darp/cordeau-a/{name}.txt"))
    prob = Problem(bp.problem.requests, bp.problem.vehicles,
                   CostWeights(travel_time=1.0, ride_time=ride_weight, rejection=1e9))
    start = construct(prob, bp.travel)
    inst = build_instance(prob, bp.travel, rejections(prob).penalty, {})
    sol = to_solution(inst, start)
    assert _price(inst, sol)
    return prob, inst, sol, evaluate(prob, start, bp.travel).cost


def _run(family: str, inst: FastInstance, sol: FastSolution) -> float:
    i = inst
    if family == "relocate":
        return float(relocate_pass(
            sol.routes, sol.rlen, sol.where, sol.rcost, i.T, i.e, i.lt, i.se, i.slt, i.svc,
            i.dseat, i.dchair, i.partner, i.is_pickup, i.maxride, i.pnode, i.dnode, i.kind,
            i.home, i.cap_s, i.cap_c, i.load0_s, i.load0_c, i.dcargo, i.cap_cargo,
            i.load0_cargo, i.maxdur, i.head, i.fixed_cost, i.wt, i.wr))
    if family == "exchange":
        near = neighbours(8, i.T, i.pnode, i.dnode, i.urgency)
        return float(exchange_pass(
            near, sol.routes, sol.rlen, sol.where, sol.rcost, i.T, i.e, i.lt, i.se, i.slt,
            i.svc, i.dseat, i.dchair, i.partner, i.is_pickup, i.maxride, i.pnode, i.dnode,
            i.kind, i.home, i.cap_s, i.cap_c, i.load0_s, i.load0_c, i.dcargo, i.cap_cargo,
            i.load0_cargo, i.maxdur, i.head, i.fixed_cost, i.wt, i.wr))
    if family == "two_opt_star":
        return float(two_opt_star_pass(
            sol.routes, sol.rlen, sol.where, sol.rcost, i.T, i.e, i.lt, i.svc, i.dseat,
            i.dchair, i.partner, i.is_pickup, i.maxride, i.req_of, i.kind, i.cap_s, i.cap_c,
            i.load0_s, i.load0_c, i.dcargo, i.cap_cargo, i.load0_cargo, i.maxdur, i.head,
            i.fixed_cost, i.wt, i.wr))
    near = neighbours(8, i.T, i.pnode, i.dnode, i.urgency)
    return float(descend(
        5, near, sol.routes, sol.rlen, sol.where, sol.rcost, i.T, i.e, i.lt, i.se, i.slt,
        i.svc, i.dseat, i.dchair, i.partner, i.is_pickup, i.maxride, i.req_of, i.pnode,
        i.dnode, i.kind, i.home, i.cap_s, i.cap_c, i.load0_s, i.load0_c, i.dcargo,
        i.cap_cargo, i.load0_cargo, i.maxdur, i.head, i.fixed_cost, i.wt, i.wr,
        np.zeros(3)))


@pytest.mark.parametrize("ride_weight", [0.0, 0.2])
@pytest.mark.parametrize("family", ["relocate", "exchange", "two_opt_star", "descend"])
def test_pass_keeps_feasibility_and_saves_what_it_reports(data_dir: Path, family: str,
                                                          ride_weight: float) -> None:
    """From the insertion plan of a6-48: the plan after the pass is feasible by the
    evaluator with the same requests served, its cost is the input's minus the reported
    saving, and each route's cost kept in ``rcost`` is the exact one."""
    seed_rng(3)
    prob, inst, sol, before = _setup(data_dir, "a6-48", ride_weight)
    travel = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a6-48.txt")).travel
    gain = _run(family, inst, sol)
    plan = to_plan(inst, sol)
    report = evaluate(prob, plan, travel)
    assert report.feasible and plan.unserved == ()
    assert gain >= 0
    assert report.cost == pytest.approx(before - gain, abs=1e-6)
    kept = sol.rcost.copy()
    assert _price(inst, sol)
    np.testing.assert_allclose(sol.rcost, kept)


@pytest.mark.parametrize("family", ["relocate", "exchange", "descend"])
def test_pass_improves_an_insertion_plan(data_dir: Path, family: str) -> None:
    """The greedy insertion plan of a5-50 is not a local optimum of these moves."""
    seed_rng(1)
    _, inst, sol, _ = _setup(data_dir, "a5-50", 0.0)
    assert _run(family, inst, sol) > 0


def test_descend_reaches_a_local_optimum(data_dir: Path) -> None:
    """After a full descent no single pass finds anything more."""
    seed_rng(2)
    _, inst, sol, _ = _setup(data_dir, "a4-32", 0.0)
    _run("descend", inst, sol)
    for _ in range(3):
        if _run("descend", inst, sol) == 0:
            break
    for family in ("relocate", "exchange", "two_opt_star"):
        assert _run(family, inst, sol) == 0


def test_cuts_are_where_the_van_is_empty() -> None:
    """Route a+ a- b+ c+ b- c-: the tail may be handed on after 0, 2 or 6 stops only; a
    locked pickup keeps its drop-off on the van, so the first cut comes after it."""
    reqs = [request(x, (i, 0), (i, 1)) for i, x in enumerate("abc")]
    prob = problem(reqs, [van("v"), van("w")])
    stops = (Stop("a", P), Stop("a", D), Stop("b", P), Stop("c", P), Stop("b", D),
             Stop("c", D))
    plan = Plan((Route("v", stops), Route("w")))
    inst = build_instance(prob, TRAVEL, rejections(prob).penalty, {})
    sol = to_solution(inst, plan)
    out = np.empty(8, dtype=np.int64)
    posbuf = np.full(inst.N, -1, dtype=np.int64)

    def cuts(i: FastInstance, s: FastSolution) -> list[int]:
        m = _cuts(s.routes, s.rlen, 0, i.head, i.partner, i.is_pickup, i.req_of, i.kind,
                  posbuf, out)
        return [int(c) for c in out[:m]]

    assert cuts(inst, sol) == [0, 2, 6]
    locked = {"v": [Stop("a", P, locked=True)]}
    inst2 = build_instance(prob, TRAVEL, rejections(prob).penalty, locked)
    assert cuts(inst2, to_solution(inst2, plan)) == [2, 6]  # not before a's drop-off


def test_riders_on_board_and_locks_stay_put() -> None:
    """A van with a rider on board and a locked pickup, a second van: after a descent the
    rider's drop-off and the locked request are still on the first van, the locked stop
    first, and the plan is feasible."""
    reqs = [request("on", (0, 0), (5, 0)), request("lock", (1, 1), (1, 4)),
            *(request(f"r{i}", (i % 4, i // 4), ((i * 3) % 5, (i * 2) % 4)) for i in range(8))]
    vehicles = [van("v", position=at(1, 0), available_at=0, onboard=("on",)), van("w")]
    prob = problem(reqs, vehicles)
    served = [Stop("lock", P, locked=True), Stop("on", D), Stop("lock", D)]
    for i in range(8):
        served += [Stop(f"r{i}", P), Stop(f"r{i}", D)]
    plan = Plan((Route("v", tuple(served)), Route("w")))
    assert evaluate(prob, plan, TRAVEL).feasible
    locked = {"v": [Stop("lock", P, locked=True)]}
    inst = build_instance(prob, TRAVEL, rejections(prob).penalty, locked)
    sol = to_solution(inst, plan)
    assert _price(inst, sol)
    seed_rng(0)
    assert _run("descend", inst, sol) > 0
    out = to_plan(inst, sol)
    assert evaluate(prob, out, TRAVEL).feasible and out.unserved == ()
    assert out.route("v").stops[0] == Stop("lock", P, locked=True)
    assert out.vehicle_of("on") == "v" and out.vehicle_of("lock") == "v"
