"""The batch plan of a prebooked service day, and the final windows it gives.

Rides booked for a later day hold a wide *provisional* pickup window (e.g. 30 minutes),
checked by insertion when they were booked. At the prior-day deadline the whole day is
planned as one batch by the solver core, every booking inside its provisional window, and
each rider is then given a *final* window (e.g. 10 minutes) around the planned pickup,
inside the provisional one: from then on the final window is the promise.

``plan_day`` is pure: the state and the dispatcher in, the new state and what changed out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from maas.domain import Plan, Problem, Request, Route, StopKind, TimeWindow
from maas.evaluation import PlanReport, evaluate
from maas.travel import TravelTimeSource
from solver.darp import SolveParams, solve
from solver.dispatch.dispatcher import Dispatcher
from solver.dispatch.planning import planning_problem, unserved_bookings
from solver.dispatch.planning import with_vehicles as _with_vehicles
from solver.dispatch.reoptimise import locks_kept
from solver.dispatch.state import Booking, BookingStatus, DispatchState


@dataclass(frozen=True, slots=True)
class PlanFigures:
    """What a day's plan costs: bookings served, vans used, distance, van hours, cost."""

    bookings: int
    vans_used: int
    km: float
    van_hours: float
    cost: float


@dataclass(frozen=True, slots=True)
class DayPlan:
    """The planned day: its new state, each booking's final window, figures before/after."""

    state: DispatchState
    finals: Mapping[str, TimeWindow]
    before: PlanFigures
    after: PlanFigures
    solver_improved: bool


def final_window(provisional: TimeWindow, planned: int, width: int) -> TimeWindow:
    """A window of ``width`` seconds inside ``provisional`` with ``planned`` near its middle
    (the provisional window itself when it is not wider)."""
    if provisional.width <= width:
        return provisional
    start = min(max(planned - width // 2, provisional.earliest), provisional.latest - width)
    return TimeWindow(start, start + width)


def route_metres(problem: Problem, route: Route, travel: TravelTimeSource) -> int:
    """Road metres of one van's remaining route, from where it is to its end."""
    vehicle = problem.vehicle(route.vehicle_id)
    places = [vehicle.start_location]
    for stop in route.stops:
        req = problem.requests[stop.request_id]
        places.append(req.origin if stop.kind is StopKind.PICKUP else req.destination)
    places.append(vehicle.end_location)
    matrix = travel.distances(places[:-1], places[1:])
    return int(sum(int(matrix[i, i]) for i in range(len(places) - 1)))


def figures(problem: Problem, plan: Plan, report: PlanReport,
            travel: TravelTimeSource) -> PlanFigures:
    """The figures of one plan, from its evaluation."""
    used = [r for r in plan.routes if r.stops]
    hours = 0.0
    metres = sum(route_metres(problem, r, travel) for r in used)
    for route in used:
        sched = report.schedules.get(route.vehicle_id, ())
        if sched:
            start = problem.vehicle(route.vehicle_id).start_time
            hours += (sched[-1].departure - start) / 3600
    served = {s.request_id for r in plan.routes for s in r.stops}
    return PlanFigures(bookings=len(served), vans_used=len(used),
                       km=round(metres / 1000, 3), van_hours=round(hours, 3),
                       cost=round(report.cost, 1))


def plan_day(dispatcher: Dispatcher, state: DispatchState, final_width: int,
             time_limit_s: float) -> DayPlan:
    """Plan ``state``'s day as one batch and narrow every waiting booking to a final window.

    The solver core, warm-started from the live plan, re-plans the whole fleet; its plan is
    kept only if it serves every booking inside its window and costs less (the live plan was
    feasible when each booking was accepted, so it is the fallback). Then each confirmed
    booking gets a ``final_width`` window around its planned pickup; a booking whose
    narrowing would break the plan (it cannot, in exact arithmetic, but the evaluator is the
    judge) keeps its provisional window.
    """
    travel, policy = dispatcher.travel, dispatcher.policy
    problem = planning_problem(state, policy, state.now)
    before_report = evaluate(problem, state.plan, travel)
    before = figures(problem, state.plan, before_report, travel)
    plan, improved = state.plan, False
    if problem.requests:
        params = SolveParams(time_limit_s=time_limit_s, seed=policy.seed, initial=state.plan,
                             deterministic=policy.deterministic,
                             workers=1 if policy.deterministic else policy.day_plan_cores)
        solved = Plan(solve(problem, travel, params).routes)
        report = evaluate(problem, solved, travel)
        if (report.feasible and not unserved_bookings(problem, solved)
                and locks_kept(state.plan, solved)
                and (not before_report.feasible or report.cost < before_report.cost)):
            plan, improved = solved, True
    bookings = _with_vehicles(state.bookings, plan)
    staged = replace(state, plan=plan, bookings=bookings, version=state.version + 1)
    finals = _narrow(dispatcher, staged, final_width)
    narrowed = dict(staged.bookings)
    for bid, window in finals.items():
        narrowed[bid] = _with_pickup(narrowed[bid], window)
    new = replace(staged, bookings=narrowed)
    after_problem = planning_problem(new, policy, new.now)
    after = figures(after_problem, plan, evaluate(after_problem, plan, travel), travel)
    return DayPlan(new, finals, before, after, improved)


def _narrow(dispatcher: Dispatcher, state: DispatchState, width: int) -> dict[str, TimeWindow]:
    """Final windows of the confirmed bookings of ``state`` that the plan still keeps."""
    schedule = dispatcher.schedule(state)
    planned = {s.stop.request_id: s.start for sched in schedule.schedules.values()
               for s in sched if s.stop.kind is StopKind.PICKUP}
    finals: dict[str, TimeWindow] = {}
    for bid, booking in state.bookings.items():
        if booking.status is BookingStatus.CONFIRMED and bid in planned:
            window = final_window(booking.request.pickup, planned[bid], width)
            if window != booking.request.pickup:
                finals[bid] = window
    # The evaluator is the judge: drop the narrowing of any booking the narrowed plan breaks.
    for _ in range(len(finals) + 1):
        trial = dict(state.bookings)
        for bid, window in finals.items():
            trial[bid] = _with_pickup(trial[bid], window)
        report = dispatcher.schedule(replace(state, bookings=trial))
        if report.feasible or not finals:
            break
        broken = {v.subject for v in report.violations} & set(finals)
        if not broken:  # a van-level violation: narrowing none is always safe
            return {}
        for bid in broken:
            del finals[bid]
    return finals


def _with_pickup(booking: Booking, window: TimeWindow) -> Booking:
    r: Request = booking.request
    # The ride-time promise already bounds the drop-off from the latest pickup; saying so
    # in the drop-off time tells the rider (and keeps the plan: it changes no bound in force).
    latest = min(r.dropoff.latest, window.latest + r.board + r.max_ride)
    dropoff = TimeWindow(min(window.earliest, latest), latest)
    return replace(booking, request=replace(r, pickup=window, dropoff=dropoff))
