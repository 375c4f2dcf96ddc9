"""Driver breaks: the evaluator places them, the solver plans around them."""

from __future__ import annotations

import random

from maas.domain import Break, Plan, Problem, Request, Route, Stop, StopKind, TimeWindow, Vehicle
from maas.evaluation import (
    earliest_feasible,
    evaluate,
    leg_durations,
    route_legs,
    route_sequence,
)
from solver.darp import SolveParams, _build, _search_parameters, optimise, solve
from solver.insertion import best_insertion, insert
from tests.solver.cases import MINUTE, TRAVEL, problem, request, van
from tests.solver.feasibility import check_plan

P, D = StopKind.PICKUP, StopKind.DROPOFF


def rest(earliest_min: int, latest_min: int, minutes: int) -> Break:
    """A break of ``minutes`` starting between the two times (in minutes)."""
    return Break(TimeWindow(earliest_min * MINUTE, latest_min * MINUTE), minutes * MINUTE)


def test_break_window_forces_a_gap_between_two_rides() -> None:
    """The break falls after the first drop-off; the second pickup waits for its end."""
    a = request("a", (1, 0), (2, 0), pickup=(0, 10))
    b = request("b", (3, 0), (4, 0), pickup=(0, 90))
    prob = problem([a, b], [van("v", break_=rest(5, 10, 30))])
    plan = Plan((Route("v", (Stop("a", P), Stop("a", D), Stop("b", P), Stop("b", D))),))
    report = evaluate(prob, plan, TRAVEL)
    assert report.feasible, report.violations
    placed = report.breaks["v"]
    assert placed.after == 2 and 5 * MINUTE <= placed.start <= 10 * MINUTE
    assert placed.end - placed.start == 30 * MINUTE
    assert report.schedules["v"][2].start >= placed.end
    assert check_plan(prob, plan, TRAVEL, report.schedules, report.breaks) == []


def test_waiting_counts_toward_the_break() -> None:
    """A van idle for longer than the break between two rides loses no time to it."""
    a = request("a", (1, 0), (2, 0), pickup=(0, 10))
    b = request("b", (3, 0), (4, 0), pickup=(60, 90))
    plan = Plan((Route("v", (Stop("a", P), Stop("a", D), Stop("b", P), Stop("b", D))),))
    plain = evaluate(problem([a, b], [van("v")]), plan, TRAVEL)
    rested = evaluate(problem([a, b], [van("v", break_=rest(5, 20, 30))]), plan, TRAVEL)
    assert rested.feasible and rested.breaks["v"].after == 2
    assert [s.start for s in rested.schedules["v"]] == [s.start for s in plain.schedules["v"]]


def test_break_prefers_a_gap_with_nobody_on_board() -> None:
    """Between two gaps that both fit, the break goes where it adds no ride time."""
    a = request("a", (1, 0), (2, 0), pickup=(0, 60))
    prob = problem([a], [van("v", break_=rest(0, 60, 20))])
    report = evaluate(prob, Plan((Route("v", (Stop("a", P), Stop("a", D))),)), TRAVEL)
    assert report.feasible and report.breaks["v"].after != 1
    assert report.ride_seconds == 1 * MINUTE


def test_plan_without_room_for_the_break_is_reported() -> None:
    """A route whose only gaps in the window are too short or carry a short ride fails."""
    a = request("a", (1, 0), (2, 0), pickup=(15, 20), max_ride=5 * MINUTE)
    plan = Plan((Route("v", (Stop("a", P), Stop("a", D))),))
    without = evaluate(problem([a], [van("v")]), plan, TRAVEL)
    assert without.feasible
    report = evaluate(problem([a], [van("v", break_=rest(0, 10, 30))]), plan, TRAVEL)
    assert [(v.kind, v.subject) for v in report.violations] == [("break", "v")]
    assert "v" not in report.breaks


def test_break_that_cannot_fit_the_shift_fails_even_an_empty_route() -> None:
    """A break window after the shift ends leaves no plan for that van feasible."""
    prob = problem([], [van("v", break_=rest(13 * 60, 14 * 60, 30))])
    report = evaluate(prob, Plan((Route("v"),)), TRAVEL)
    assert [v.kind for v in report.violations] == ["break"]


def test_insertion_places_a_request_where_the_break_still_fits() -> None:
    """Inserted next to a ride whose van breaks soon: the plan the evaluator then times
    holds the break, and the insertion's pickup time is the evaluator's."""
    a = request("a", (1, 0), (2, 0), pickup=(0, 10))
    prob = problem([a], [van("v", break_=rest(5, 10, 30))])
    plan = Plan((Route("v", (Stop("a", P), Stop("a", D))),))
    new = request("b", (3, 0), (4, 0), pickup=(0, 20))
    ins = best_insertion(prob, plan, new, TRAVEL)
    assert ins is not None
    full = problem([a, new], list(prob.vehicles))
    after = insert(plan, ins, "b")
    report = evaluate(full, after, TRAVEL)
    assert report.feasible, report.violations
    assert report.schedules["v"][ins.pickup_index].start == ins.pickup_time
    assert check_plan(full, after, TRAVEL, report.schedules, report.breaks) == []


def test_no_insertion_where_only_the_break_is_in_the_way() -> None:
    """A pickup window the break must overlap gives no insertion, though one exists without."""
    a = request("a", (1, 0), (2, 0), pickup=(0, 10))
    new = request("b", (3, 0), (4, 0), pickup=(15, 20))
    plan = Plan((Route("v", (Stop("a", P), Stop("a", D))),))
    assert best_insertion(problem([a], [van("v")]), plan, new, TRAVEL) is not None
    rested = problem([a], [van("v", break_=rest(5, 10, 30))])
    assert best_insertion(rested, plan, new, TRAVEL) is None


def test_request_that_leaves_no_room_for_the_break_is_rejected() -> None:
    """The solver leaves out the one ride the break cannot live with and keeps the other."""
    blocked = request("blocked", (1, 0), (2, 0), pickup=(15, 20), max_ride=5 * MINUTE)
    fine = request("fine", (1, 1), (2, 1), pickup=(40, 60))
    prob = problem([blocked, fine], [van("v", break_=rest(0, 10, 30))])
    plan = solve(prob, TRAVEL, SolveParams(time_limit_s=0.5))
    report = evaluate(prob, plan, TRAVEL)
    assert report.feasible, report.violations
    assert plan.unserved == ("blocked",)
    assert check_plan(prob, plan, TRAVEL, report.schedules, report.breaks) == []


def _busy_day() -> tuple[list[Request], list[Vehicle]]:
    reqs = [request(f"r{i}", (i % 4, i // 4), ((i * 3) % 5, (i * 2) % 4 + 1),
                    pickup=(10 * i, 10 * i + 30)) for i in range(12)]
    vans = [van("v", break_=rest(40, 70, 25)), van("w", break_=rest(50, 90, 25))]
    return reqs, vans


def test_solve_with_breaks_passes_the_evaluator_and_the_checker() -> None:
    """Two vans with breaks serve a busy morning; every break is placed and checked."""
    reqs, vans = _busy_day()
    prob = problem(reqs, vans)
    plan = solve(prob, TRAVEL, SolveParams(time_limit_s=1.0))
    report = evaluate(prob, plan, TRAVEL)
    assert report.feasible, report.violations
    assert plan.unserved == ()
    assert set(report.breaks) == {"v", "w"}
    assert check_plan(prob, plan, TRAVEL, report.schedules, report.breaks) == []


def test_or_tools_search_with_breaks_ends_on_a_plan_the_evaluator_accepts() -> None:
    """OR-Tools' guided local search alone, from an insertion plan, keeps the breaks."""
    reqs, vans = _busy_day()
    prob = problem(reqs, vans)
    start = solve(prob, TRAVEL, SolveParams(time_limit_s=0))
    assert evaluate(prob, start, TRAVEL).feasible
    found = optimise(prob, TRAVEL, start, SolveParams(time_limit_s=1.0), {})
    assert found is not None
    report = evaluate(prob, found, TRAVEL)
    assert report.feasible, report.violations
    assert check_plan(prob, found, TRAVEL, report.schedules, report.breaks) == []


def _random_case(rng: random.Random) -> tuple[Problem, list[Stop]]:
    """A van with a break, up to four requests and a random order that respects pairs."""
    reqs = []
    for i in range(rng.randint(1, 4)):
        early = rng.randint(0, 60)
        reqs.append(request(f"r{i}", (rng.randint(0, 5), rng.randint(0, 5)),
                            (rng.randint(0, 5), rng.randint(0, 5)),
                            pickup=(early, early + rng.randint(0, 30)),
                            max_ride=rng.randint(5, 40) * MINUTE))
    start = rng.randint(0, 60)
    brk = rest(start, start + rng.randint(0, 30), rng.randint(1, 30))
    vehicle = van("v", break_=brk, max_duration=rng.choice([None, 90 * MINUTE]))
    waiting = [Stop(r.id, P) for r in reqs]
    order: list[Stop] = []
    while waiting:
        stop = rng.choice(waiting)
        waiting.remove(stop)
        order.append(stop)
        if stop.kind is P:
            waiting.append(Stop(stop.request_id, D))
    return problem(reqs, [vehicle]), order


def test_evaluator_and_or_tools_model_agree_on_fixed_routes_with_a_break() -> None:
    """On 60 random orders, OR-Tools finds times for a route iff the evaluator accepts it
    (and the evaluator's earliest schedule exists exactly then)."""
    rng = random.Random(3)
    verdicts = set()
    for _ in range(60):
        prob, order = _random_case(rng)
        accepted = evaluate(prob, Plan((Route("v", tuple(order)),)), TRAVEL).feasible
        v = prob.vehicles[0]
        seq = route_sequence(v, prob.requests, order,
                             leg_durations(TRAVEL, route_legs(v, prob.requests, order)))
        assert (earliest_feasible(seq) is not None) == accepted
        model = _build(prob, TRAVEL, SolveParams(), {}, optional=False)
        # An infeasible order may only be proven so by a long search: a short one suffices
        # to catch a schedule the evaluator missed, which is found at once when it exists.
        search = _search_parameters(SolveParams(time_limit_s=2.0 if accepted else 0.05))
        search.solution_limit = 1  # times for the fixed order are all that is asked
        model.routing.CloseModelWithParameters(search)
        nodes = [model.manager.NodeToIndex(model.node_of_stop[(s.request_id, s.kind)])
                 for s in order]
        found = model.routing.ReadAssignmentFromRoutes([nodes], True) is not None
        assert found == accepted, (prob, order)
        verdicts.add(accepted)
    assert verdicts == {True, False}
