"""The compiled search: its route timing agrees with the evaluator, its plans are feasible,
counted runs repeat, locks and riders on board stay where they must."""

from __future__ import annotations

import random
import time
from pathlib import Path

import numpy as np
import pytest

from maas.domain import CostWeights, Plan, Problem, Route, Stop, StopKind
from maas.evaluation import evaluate
from solver.benchmark_problems import cordeau_problem
from solver.construction import construct
from solver.darp import SolveParams, solve
from solver.fast_insert import build_seq
from solver.fast_model import build_instance, to_plan, to_solution
from solver.fast_timing import route_cost
from solver.objective import rejections
from solver.parallel import rounds_for
from solver.readers import read_cordeau
from solver.search import LnsParams, SearchStats, lns_search
from tests.solver.cases import TRAVEL, at, problem, request, van

P, D = StopKind.PICKUP, StopKind.DROPOFF


def _shuffled_routes(plan: Plan, rng: random.Random) -> Plan:
    """The plan with a few stops of each route swapped (precedence kept): mostly
    infeasible, sometimes not."""
    routes = []
    for route in plan.routes:
        stops = list(route.stops)
        for _ in range(2):
            if len(stops) < 2:
                break
            a = rng.randrange(len(stops) - 1)
            x, y = stops[a], stops[a + 1]
            if x.request_id != y.request_id:
                stops[a], stops[a + 1] = y, x
        routes.append(Route(route.vehicle_id, tuple(stops)))
    return Plan(tuple(routes), plan.unserved)


@pytest.mark.parametrize("ride_weight", [0.0, 0.2])
def test_compiled_route_cost_is_the_evaluators(data_dir: Path, ride_weight: float) -> None:
    """On a constructed plan and 60 perturbed copies, every route's compiled cost equals
    the evaluator's travel + ride cost, and it is negative exactly when the evaluator
    reports a timing violation on that route."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a4-24.txt"))
    prob = Problem(bp.problem.requests, bp.problem.vehicles,
                   CostWeights(travel_time=1.0, ride_time=ride_weight, rejection=1e9))
    start = construct(prob, bp.travel)
    inst = build_instance(prob, bp.travel, rejections(prob).penalty, {})
    rng = random.Random(5)
    seen_infeasible = seen_feasible = 0
    for trial in range(61):
        plan = start if trial == 0 else _shuffled_routes(start, rng)
        sol = to_solution(inst, plan)
        L = sol.routes.shape[1]
        seq = np.empty(L + 4, dtype=np.int64)
        work = np.empty((7, L + 4), dtype=np.int64)
        posbuf = np.full(inst.N, -1, dtype=np.int64)
        for k, route in enumerate(plan.routes):
            n = build_seq(sol.routes, sol.rlen, k, inst.K, seq)
            fast = route_cost(seq, n, inst.T, inst.e, inst.lt, inst.svc, inst.partner,
                              inst.is_pickup, inst.maxride, int(inst.maxdur[k]), inst.wt,
                              inst.wr, posbuf, work)
            one = Problem(prob.requests, (prob.vehicles[k],), prob.weights)
            served = {s.request_id for s in route.stops}
            sub = Problem({r: prob.requests[r] for r in served}, one.vehicles, prob.weights)
            report = evaluate(sub, Plan((route,)), bp.travel)
            if report.feasible:
                seen_feasible += 1
                assert fast == pytest.approx(report.cost, abs=1e-6), (trial, k)
            else:
                seen_infeasible += 1
                assert fast < 0, (trial, k, report.violations[:2])
    assert seen_feasible > 0 and seen_infeasible > 0


def test_search_plan_is_feasible_and_its_cost_is_the_evaluators(data_dir: Path) -> None:
    """A short counted search on a6-48 from the insertion plan: feasible, every request
    served, no worse than its start, and the cost it reports is the evaluator's."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a6-48.txt"))
    start = construct(bp.problem, bp.travel)
    stats = SearchStats()
    plan = lns_search(bp.problem, bp.travel, start, rejections(bp.problem).penalty, {},
                      float("inf"), seed=2, max_iterations=3000, stats=stats)
    report = evaluate(bp.problem, plan, bp.travel)
    assert report.feasible and plan.unserved == ()
    assert report.cost == pytest.approx(stats.best_cost)
    assert report.cost <= evaluate(bp.problem, start, bp.travel).cost
    assert stats.iterations == 3000


def test_counted_search_repeats_and_seeds_differ(data_dir: Path) -> None:
    """Same seed and count: the same plan; another seed: another search path."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a5-50.txt"))
    start = construct(bp.problem, bp.travel)
    pen = rejections(bp.problem).penalty

    def once(seed: int) -> Plan:
        return lns_search(bp.problem, bp.travel, start, pen, {}, float("inf"), seed=seed,
                          max_iterations=1500)

    assert once(4) == once(4)
    assert once(4) != once(5)


def test_search_from_nothing_builds_a_full_plan(data_dir: Path) -> None:
    """Starting with every request unserved, the first iterations insert them all."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a3-24.txt"))
    prob = bp.problem
    empty = Plan(tuple(Route(v.id) for v in prob.vehicles), tuple(prob.requests))
    plan = lns_search(prob, bp.travel, empty, rejections(prob).penalty, {}, float("inf"),
                      max_iterations=200)
    assert plan.unserved == () and evaluate(prob, plan, bp.travel).feasible


def test_riders_on_board_and_locked_stops_stay_on_their_van() -> None:
    """A van carrying a rider and heading for a locked pickup: the rider's drop-off stays
    on that van, the locked stop stays first and locked, the rest is served."""
    reqs = [request("on", (0, 0), (5, 0)), request("lock", (1, 1), (1, 4)),
            *(request(f"r{i}", (i % 4, i // 4), ((i * 3) % 5, (i * 2) % 4)) for i in range(10))]
    vehicles = [van("v", position=at(1, 0), available_at=0, onboard=("on",)), van("w")]
    prob = problem(reqs, vehicles)
    initial = Plan((Route("v", (Stop("lock", P, locked=True), Stop("on", D),
                                Stop("lock", D))), Route("w")),
                   tuple(f"r{i}" for i in range(10)))
    plan = solve(prob, TRAVEL, SolveParams(time_limit_s=1.0, initial=initial))
    report = evaluate(prob, plan, TRAVEL)
    assert report.feasible and plan.unserved == ()
    assert plan.route("v").stops[0] == Stop("lock", P, locked=True)
    assert plan.vehicle_of("on") == "v" and plan.vehicle_of("lock") == "v"


def test_locked_arrays_round_trip() -> None:
    """Plans go to route arrays and back unchanged, locks included."""
    reqs = [request("a", (1, 0), (2, 0)), request("b", (0, 1), (0, 2))]
    prob = problem(reqs, [van("v"), van("w")])
    plan = Plan((Route("v", (Stop("a", P, locked=True), Stop("a", D))),
                 Route("w", (Stop("b", P), Stop("b", D)))))
    locked = {"v": [Stop("a", P, locked=True)]}
    inst = build_instance(prob, TRAVEL, rejections(prob).penalty, locked)
    assert to_plan(inst, to_solution(inst, plan)) == plan


def test_parallel_mode_returns_a_feasible_plan_from_two_searches(data_dir: Path) -> None:
    """Two searches on two cores: the plan is feasible and complete, and the cost the
    searches report for it is the evaluator's."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a4-32.txt"))
    stats = SearchStats()
    plan = solve(bp.problem, bp.travel, SolveParams(time_limit_s=1.0, workers=2, stats=stats))
    report = evaluate(bp.problem, plan, bp.travel)
    assert report.feasible and plan.unserved == ()
    assert stats.iterations > 0 and report.cost == pytest.approx(stats.best_cost)


def test_solve_counts_the_iterations_it_is_given(data_dir: Path) -> None:
    """A deterministic solve runs ``SolveParams.iterations`` search steps when given (the
    dispatcher's per-round budget), the default count otherwise."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a2-16.txt"))
    counts = []
    for iterations in (None, 250):
        stats = SearchStats()
        solve(bp.problem, bp.travel, SolveParams(time_limit_s=60, deterministic=True,
                                                 iterations=iterations, stats=stats))
        counts.append(stats.iterations)
    assert counts == [3000, 250]


def test_parallel_mode_exchanges_on_its_clock_and_never_loses_the_start(
        data_dir: Path) -> None:
    """Two searches exchanging every 0.2 s of a 1 s budget: five exchanges, a feasible
    complete plan no dearer than the insertion plan it started from, and both searches'
    iterations counted."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a5-40.txt"))
    start = construct(bp.problem, bp.travel)
    stats = SearchStats()
    plan = lns_search(bp.problem, bp.travel, start, rejections(bp.problem).penalty, {},
                      time.perf_counter() + 1.0, stats=stats, workers=2,
                      params=LnsParams(exchange_s=0.2))
    report = evaluate(bp.problem, plan, bp.travel)
    assert report.feasible and plan.unserved == ()
    assert report.cost <= evaluate(bp.problem, start, bp.travel).cost
    assert report.cost == pytest.approx(stats.best_cost)
    assert stats.exchanges == rounds_for(1.0, 0.2) == 5
    assert 0 <= stats.adopted <= stats.exchanges
