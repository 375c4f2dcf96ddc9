"""The OR-Tools dial-a-ride core on small hand-made cases."""

from __future__ import annotations

from maas.domain import Plan, Problem, Route, Stop, StopKind
from maas.evaluation import evaluate
from solver.darp import SolveParams, solve
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
