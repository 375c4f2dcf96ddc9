"""The OR-Tools dial-a-ride core on small hand-made cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from maas.domain import Plan, Problem, Request, Route, Stop, StopKind
from maas.errors import InvalidInput
from maas.evaluation import evaluate
from solver.benchmark_problems import cordeau_problem
from solver.darp import SolveParams, solve
from solver.objective import RequiredUnserved
from solver.readers import read_cordeau
from tests.solver.cases import LIFT_VAN, TRAVEL, at, problem, request, van
from tests.solver.feasibility import check_plan

P, D = StopKind.PICKUP, StopKind.DROPOFF
QUICK = SolveParams(time_limit_s=0.5)


def solved(prob: Problem, params: SolveParams = QUICK) -> Plan:
    """Solve and assert the plan passes the evaluator and the independent checker."""
    plan = solve(prob, TRAVEL, params)
    report = evaluate(prob, plan, TRAVEL)
    assert report.feasible, report.violations
    assert check_plan(prob, plan, TRAVEL, report.schedules) == []
    return plan


def test_wheelchair_rider_is_served_by_the_only_lift_van() -> None:
    """The wheelchair rider rides the lift van; the walking riders may ride either."""
    reqs = [request("w", (1, 0), (3, 0), wheelchairs=1, passengers=0),
            request("a", (0, 2), (0, 4)), request("b", (2, 2), (4, 4))]
    plan = solved(problem(reqs, [van("plain"), van("lift", LIFT_VAN)]))
    assert plan.vehicle_of("w") == "lift"
    assert plan.unserved == ()


def test_impossible_ride_is_rejected_and_the_rest_served() -> None:
    """A ride limit below the direct time leaves that request out, not the solve."""
    reqs = [request("ok1", (1, 0), (3, 0)), request("ok2", (0, 1), (0, 3)),
            request("never", (1, 1), (9, 9), max_ride=60)]
    plan = solved(problem(reqs, [van("v")]))
    assert plan.unserved == ("never",)
    assert plan.vehicle_of("ok1") == "v" and plan.vehicle_of("ok2") == "v"


def test_rider_on_board_is_dropped_off_first() -> None:
    """A van already carrying a rider with a tight deadline drops them before new pickups."""
    onboard = request("a", (0, 0), (2, 0))
    onboard = type(onboard)(**{**{f: getattr(onboard, f) for f in onboard.__slots__},
                               "dropoff": type(onboard.pickup)(0, 5 * 60)})
    reqs = [onboard, request("b", (3, 0), (6, 0)), request("c", (1, 3), (1, 6))]
    vehicles = [van("v", position=at(1, 0), available_at=0, onboard=("a",)), van("w")]
    plan = solved(problem(reqs, vehicles))
    assert plan.route("v").stops[0] == Stop("a", D)
    assert all(s.request_id != "a" for s in plan.route("w").stops)


def test_locked_stop_stays_first() -> None:
    """A locked pickup at the head of a route stays there, still locked."""
    reqs = [request("far", (9, 0), (9, 1)), request("near", (1, 0), (2, 0))]
    initial = Plan((Route("v", (Stop("far", P, locked=True), Stop("far", D))), Route("w")),
                   unserved=("near",))
    plan = solved(problem(reqs, [van("v"), van("w")]),
                  SolveParams(time_limit_s=0.5, initial=initial))
    assert plan.route("v").stops[0] == Stop("far", P, locked=True)
    assert plan.unserved == ()


def test_same_input_and_seed_give_the_same_plan() -> None:
    """Two runs with the same seed (searching to a local optimum) return identical plans."""
    reqs = [request(str(i), (i % 5, i // 5), ((i * 3) % 7, (i * 2) % 5)) for i in range(12)]
    prob = problem(reqs, [van("v"), van("w")])
    params = SolveParams(time_limit_s=30, seed=3, deterministic=True)
    assert solved(prob, params) == solved(prob, params)


def _clash() -> list[Request]:
    """Two riders wanting the same minutes at places 8 minutes apart: one van serves one."""
    return [request("near", (1, 0), (2, 0), pickup=(10, 12)),
            request("far", (6, 6), (6, 5), pickup=(10, 12))]


def test_optional_clash_serves_the_cheaper_rider() -> None:
    """Without promises the van takes the rider close to the depot."""
    plan = solved(problem(_clash(), [van("v")]))
    assert plan.unserved == ("far",)


def test_required_rider_is_served_even_when_another_is_cheaper() -> None:
    """A promised rider is never left out: the optional one is."""
    plan = solved(problem(_clash(), [van("v")]),
                  SolveParams(time_limit_s=0.5, required=frozenset({"far"})))
    assert plan.unserved == ("near",)
    assert plan.vehicle_of("far") == "v"


def test_penalty_per_request_decides_who_is_left_out() -> None:
    """The optional rider whose penalty is lower than the detour is left out; the default
    penalty keeps the other one in."""
    reqs = [request("cheap", (8, 0), (8, 1)), request("normal", (0, 8), (0, 9))]
    plan = solved(problem(reqs, [van("v")]),
                  SolveParams(time_limit_s=0.5, penalties={"cheap": 1.0}))
    assert plan.unserved == ("cheap",)
    assert plan.vehicle_of("normal") == "v"


def test_unservable_required_rider_raises_with_the_best_plan() -> None:
    """A required ride that no van can make raises RequiredUnserved naming it."""
    reqs = [request("ok", (1, 0), (3, 0)), request("never", (1, 1), (9, 9), max_ride=60)]
    prob = problem(reqs, [van("v")])
    with pytest.raises(RequiredUnserved) as err:
        solve(prob, TRAVEL, SolveParams(time_limit_s=0.3, required=frozenset({"never"})))
    assert err.value.request_ids == ("never",)
    assert evaluate(prob, err.value.plan, TRAVEL).feasible
    assert err.value.plan.vehicle_of("ok") == "v"


@pytest.mark.parametrize("params", [SolveParams(required=frozenset({"ghost"})),
                                    SolveParams(penalties={"ghost": 5.0}),
                                    SolveParams(penalties={"near": -1.0})])
def test_bad_required_or_penalties_name_the_field(params: SolveParams) -> None:
    """Unknown ids and negative penalties are refused with the field's name."""
    with pytest.raises(InvalidInput, match="SolveParams"):
        solve(problem(_clash(), [van("v")]), TRAVEL, params)


def test_infeasible_warm_start_is_not_returned() -> None:
    """A warm start breaking a window is dropped (its locks kept); the result is feasible."""
    reqs = _clash()
    bad = Plan((Route("v", (Stop("far", P), Stop("far", D), Stop("near", P),
                            Stop("near", D))),))
    plan = solved(problem(reqs, [van("v")]),
                  SolveParams(time_limit_s=0.5, initial=bad, required=frozenset({"near"})))
    assert plan.unserved == ("far",)


def test_cold_solve_serves_every_required_request_of_a_benchmark_day(data_dir: Path) -> None:
    """All 24 requests of a4-24 promised: the cold solve serves them all."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a4-24.txt"))
    params = SolveParams(time_limit_s=1.0, required=frozenset(bp.problem.requests),
                         deterministic=True)
    plan = solve(bp.problem, bp.travel, params)
    assert plan.unserved == ()
    assert evaluate(bp.problem, plan, bp.travel).feasible
