"""Cheapest feasible insertion of one request."""

from __future__ import annotations

from maas.domain import Plan, Problem, Route, Stop, StopKind
from maas.evaluation import evaluate
from solver.insertion import best_insertion, insert
from tests.solver.cases import LIFT_VAN, TRAVEL, problem, request, van
from tests.solver.feasibility import check_plan

P, D = StopKind.PICKUP, StopKind.DROPOFF


def test_insertion_into_an_empty_fleet_is_feasible() -> None:
    """The first request goes to a van and the plan stays feasible."""
    new = request("r", (3, 4), (3, 0))
    prob = problem([], [van("v")])
    plan = Plan((Route("v"),))
    ins = best_insertion(prob, plan, new, TRAVEL)
    assert ins is not None and (ins.pickup_index, ins.dropoff_index) == (0, 1)
    full = Problem({"r": new}, prob.vehicles, prob.weights)
    report = evaluate(full, insert(plan, ins, "r"), TRAVEL)
    assert report.feasible
    assert ins.pickup_time == report.schedules["v"][0].start
    assert check_plan(full, insert(plan, ins, "r"), TRAVEL, report.schedules) == []


def test_wheelchair_rider_goes_to_the_van_with_a_lift() -> None:
    """Only the lift van can take a wheelchair, even though the other is closer."""
    new = request("w", (1, 0), (2, 0), wheelchairs=1, passengers=0)
    prob = problem([], [van("near"), van("lift", LIFT_VAN)])
    ins = best_insertion(prob, Plan((Route("near"), Route("lift"))), new, TRAVEL)
    assert ins is not None and ins.vehicle_id == "lift"


def test_insertion_shares_a_ride_along_the_way() -> None:
    """A second rider on the same line is inserted inside the first ride."""
    first = request("a", (1, 0), (9, 0))
    prob = problem([first], [van("v")])
    plan = Plan((Route("v", (Stop("a", P), Stop("a", D))),))
    ins = best_insertion(prob, plan, request("b", (3, 0), (6, 0)), TRAVEL)
    assert ins is not None and (ins.pickup_index, ins.dropoff_index) == (1, 2)
    assert ins.cost_delta > 0


def test_insertion_keeps_locked_stops_first() -> None:
    """Nothing is inserted before a locked stop."""
    first = request("a", (5, 0), (9, 0))
    prob = problem([first], [van("v")])
    plan = Plan((Route("v", (Stop("a", P, locked=True), Stop("a", D))),))
    ins = best_insertion(prob, plan, request("b", (1, 0), (2, 0)), TRAVEL)
    assert ins is not None and ins.pickup_index >= 1


def test_no_insertion_when_no_van_can_make_the_window() -> None:
    """A pickup window that closes before any van can arrive gives None."""
    prob = problem([], [van("v")])
    assert best_insertion(prob, Plan((Route("v"),)), request("x", (100, 0), (0, 0),
                                                                 pickup=(0, 10)), TRAVEL) is None


def test_insertion_respects_the_ride_time_of_riders_on_board() -> None:
    """A detour that would stretch a tight ride elsewhere goes to another van instead."""
    tight = request("a", (1, 0), (9, 0), max_ride=9 * 60)
    prob = problem([tight], [van("v"), van("w")])
    plan = Plan((Route("v", (Stop("a", P), Stop("a", D))), Route("w")))
    new = request("b", (5, 5), (5, 6))
    ins = best_insertion(prob, plan, new, TRAVEL)
    assert ins is not None
    full = Problem({"a": tight, "b": new}, prob.vehicles, prob.weights)
    after = insert(plan, ins, "b")
    report = evaluate(full, after, TRAVEL)
    assert report.feasible
    assert check_plan(full, after, TRAVEL, report.schedules) == []
