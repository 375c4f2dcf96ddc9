"""Route data kept between insertion searches on different problems (``RouteMemo``)."""

from __future__ import annotations

from dataclasses import replace

from maas.domain import Plan, Problem, Route, Stop, StopKind, TimeWindow
from maas.travel import EuclideanTravel
from solver.insertion import RouteMemo, best_insertion
from tests.solver.cases import MINUTE, TRAVEL, problem, request, van

P, D = StopKind.PICKUP, StopKind.DROPOFF


def _day() -> tuple[Problem, Plan]:
    riders = [request("a", (1, 0), (9, 0)), request("b", (0, 5), (4, 5))]
    prob = problem(riders, [van("v"), van("w")])
    plan = Plan((Route("v", (Stop("a", P), Stop("a", D))),
                 Route("w", (Stop("b", P), Stop("b", D)))))
    return prob, plan


def test_a_memo_answers_a_new_problem_on_the_same_routes_as_a_fresh_search() -> None:
    """Each offer builds its problem afresh: the memo's timed routes serve the next one,
    and the answer is the one a search without memo gives."""
    prob, plan = _day()
    memo = RouteMemo()
    new = request("n", (2, 0), (8, 0))
    first = best_insertion(prob, plan, new, TRAVEL, cache=memo)
    assert len(memo) == 2
    again = Problem(dict(prob.requests), tuple(replace(v) for v in prob.vehicles),
                    prob.weights)  # equal, not the same objects
    assert best_insertion(again, plan, new, TRAVEL, cache=memo) == first
    assert len(memo) == 2  # both routes found, none timed again
    assert first == best_insertion(prob, plan, new, TRAVEL)


def test_a_changed_rider_is_never_answered_from_the_memo() -> None:
    """Narrowing a planned rider's window changes the route's slack: the memo misses and
    the search sees the new window (a memo keyed by the van and its stops alone would
    still offer the place inside rider a's ride)."""
    prob, plan = _day()
    memo = RouteMemo()
    new = request("n", (2, 0), (8, 0))
    shared = best_insertion(prob, plan, new, TRAVEL, cache=memo)
    assert shared is not None and shared.vehicle_id == "v"
    a = prob.requests["a"]
    tight = replace(a, max_ride=8 * MINUTE + 60)  # a's direct ride: no stop on the way
    changed = Problem({**prob.requests, "a": tight}, prob.vehicles, prob.weights)
    expected = best_insertion(changed, plan, new, TRAVEL)
    assert best_insertion(changed, plan, new, TRAVEL, cache=memo) == expected
    assert expected != shared


def test_another_travel_source_or_version_misses() -> None:
    """Route data hold leg times: another source (or its next version) times them anew."""
    prob, plan = _day()
    memo = RouteMemo()
    new = request("n", (2, 0), (8, 0))
    best_insertion(prob, plan, new, TRAVEL, cache=memo)
    slow = EuclideanTravel(scale=MINUTE, speed=0.5)
    expected = best_insertion(prob, plan, new, slow)
    assert best_insertion(prob, plan, new, slow, cache=memo) == expected
    assert len(memo) == 4
    moved = replace(prob.vehicles[0], shift=TimeWindow(0, 6 * 3600))
    other = Problem(prob.requests, (moved, prob.vehicles[1]), prob.weights)
    assert best_insertion(other, plan, new, TRAVEL, cache=memo) == \
        best_insertion(other, plan, new, TRAVEL)
