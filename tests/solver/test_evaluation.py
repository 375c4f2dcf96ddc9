"""The plan evaluator: timing, violations and cost."""

from __future__ import annotations

from maas.domain import Plan, Route, Stop, StopKind
from maas.evaluation import evaluate
from tests.solver.cases import TRAVEL, problem, request, van
from tests.solver.feasibility import check_plan

P, D = StopKind.PICKUP, StopKind.DROPOFF


def test_single_ride_is_timed_and_costed() -> None:
    """One rider: travel depot->origin->destination->depot, ride = direct time."""
    prob = problem([request("r", (3, 4), (3, 0))], [van("v")])
    plan = Plan((Route("v", (Stop("r", P), Stop("r", D))),))
    report = evaluate(prob, plan, TRAVEL)
    assert report.feasible
    assert report.travel_seconds == (5 + 4 + 3) * 60
    assert report.ride_seconds == 4 * 60
    assert report.cost == report.travel_seconds + 0.2 * report.ride_seconds
    assert check_plan(prob, plan, TRAVEL, report.schedules) == []


def test_departure_is_delayed_so_riders_do_not_wait_on_board() -> None:
    """A second pickup with a late window delays the first pickup, not the ride."""
    early = request("a", (1, 0), (9, 0))
    late = request("b", (2, 0), (8, 0), pickup=(30, 40))
    prob = problem([early, late], [van("v")])
    plan = Plan((Route("v", (Stop("a", P), Stop("b", P), Stop("b", D), Stop("a", D))),))
    report = evaluate(prob, plan, TRAVEL)
    starts = {(s.stop.request_id, s.stop.kind): s.start for s in report.schedules["v"]}
    assert report.feasible
    assert starts[("b", P)] == 30 * 60
    assert starts[("a", P)] == 30 * 60 - 60 - 60  # board 1 min, drive 1 min, no wait
    assert check_plan(prob, plan, TRAVEL, report.schedules) == []


def test_violations_name_their_kind_and_subject() -> None:
    """A missed window, a long ride and a drop-off before pickup are each reported."""
    far = request("far", (100, 0), (0, 0), pickup=(0, 10))
    slow = request("slow", (1, 0), (2, 0), max_ride=30)
    prob = problem([far, slow], [van("v")])
    plan = Plan((Route("v", (Stop("far", D), Stop("far", P), Stop("slow", P),
                              Stop("slow", D))),))
    kinds = {(v.kind, v.subject) for v in evaluate(prob, plan, TRAVEL).violations}
    assert ("precedence", "far") in kinds
    assert ("pickup_window", "far") in kinds
    assert ("ride_time", "slow") in kinds
    assert not evaluate(prob, plan, TRAVEL).feasible


def test_seats_and_wheelchairs_are_counted() -> None:
    """A wheelchair rider in a van without a lift breaks the wheelchair limit."""
    prob = problem([request("w", (1, 0), (2, 0), wheelchairs=1, passengers=0)], [van("v")])
    plan = Plan((Route("v", (Stop("w", P), Stop("w", D))),))
    report = evaluate(prob, plan, TRAVEL)
    assert [(v.kind, v.subject) for v in report.violations] == [("wheelchairs", "v")]


def test_unserved_requests_cost_the_rejection_penalty() -> None:
    """A plan that serves nothing pays one penalty per request."""
    prob = problem([request("a", (1, 0), (2, 0))], [van("v")])
    report = evaluate(prob, Plan((Route("v"),), ("a",)), TRAVEL)
    assert report.feasible and report.rejected == 1 and report.cost == 100_000


def test_rider_on_board_must_be_dropped_by_their_van() -> None:
    """A van's on-board rider missing from its route is an onboard violation."""
    prob = problem([request("a", (1, 0), (2, 0))], [van("v", onboard=("a",)), van("w")])
    plan = Plan((Route("v"), Route("w", (Stop("a", D),))))
    kinds = {v.kind for v in evaluate(prob, plan, TRAVEL).violations}
    assert "onboard" in kinds


def test_locked_stop_must_lead_its_route() -> None:
    """A locked stop behind an unlocked one is a lock violation."""
    prob = problem([request("a", (1, 0), (2, 0)), request("b", (1, 1), (2, 1))], [van("v")])
    plan = Plan((Route("v", (Stop("a", P), Stop("b", P, locked=True), Stop("a", D),
                             Stop("b", D))),))
    assert [v.kind for v in evaluate(prob, plan, TRAVEL).violations] == ["lock"]


def test_exact_schedule_is_found_when_eight_step_would_not_suffice() -> None:
    """Ride limits that need a later first pickup than the earliest still pass."""
    a = request("a", (1, 0), (5, 0), max_ride=7 * 60)
    b = request("b", (2, 0), (4, 0), pickup=(20, 25), max_ride=3 * 60)
    prob = problem([a, b], [van("v")])
    plan = Plan((Route("v", (Stop("a", P), Stop("b", P), Stop("b", D), Stop("a", D))),))
    report = evaluate(prob, plan, TRAVEL)
    assert report.feasible, report.violations
    assert check_plan(prob, plan, TRAVEL, report.schedules) == []
