"""Evacuation rides (disaster mode): each evacuee from home to the nearest shelter that an
open road reaches, placed before the ordinary bookings not yet on board.

Priority works by order, not by weights: the ordinary rides that have not boarded (and
whose van is not already standing at their pickup) leave the plan, the evacuees are placed
one by one, soonest pickup first, those who need help first, then the ordinary rides go
back with their own promises where they still fit. An ordinary ride that no longer fits is
bumped (the caller cancels it). When no evacuee can be placed, the plan stays as it was:
nobody is bumped for nothing. Pure functions of the state; the dispatcher commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from maas.domain import Location, Plan, Problem, Request, StopKind, TimeWindow
from maas.travel import TravelTimeSource
from solver.dispatch.planning import (
    PlanningCache,
    no_show_reserve,
    planning_problem,
    without_request,
)
from solver.dispatch.policy import DispatchPolicy
from solver.dispatch.search import rider_objective
from solver.dispatch.state import Booking, BookingStatus, DispatchState, Evacuee
from solver.insertion import RouteMemo, best_insertion, insert

UNREACHABLE_S = 10 * 86_400  # as the dispatcher: beyond this, no open road


@dataclass(frozen=True, slots=True)
class EvacuationResult:
    """The plan with the evacuees placed: their requests (booking id -> promise), who still
    waits (no van, or no shelter reachable), and the ordinary bookings bumped."""

    plan: Plan
    placed: Mapping[str, Request]
    waiting: tuple[Evacuee, ...]
    bumped: tuple[str, ...]


def priority_order(evacuees: Sequence[Evacuee]) -> list[Evacuee]:
    """Those who need help first, then wheelchair users, then by id (deterministic)."""
    return sorted(evacuees, key=lambda e: (not e.needs_help, e.wheelchairs == 0, e.id))


def nearest_shelters(travel: TravelTimeSource, origins: Sequence[Location],
                     shelters: Sequence[Location]) -> list[tuple[int, int] | None]:
    """Per origin, (shelter index, drive seconds) of the nearest reachable shelter, or None
    when no open road leads to any."""
    if not origins or not shelters:
        return [None] * len(origins)
    rows = travel.durations(list(origins), list(shelters))
    out: list[tuple[int, int] | None] = []
    for row in rows:
        best = int(row.argmin())
        out.append((best, int(row[best])) if int(row[best]) < UNREACHABLE_S else None)
    return out


def evacuation_request(evacuee: Evacuee, shelter: Location, direct: int, now: int,
                       within: int, policy: DispatchPolicy) -> Request:
    """The promise of an evacuation ride: picked up within ``within`` s from now, the
    policy's ride-time limit, the policy's (wheelchair) boarding times."""
    wheel = evacuee.wheelchairs > 0
    board = policy.wheelchair_board_seconds if wheel else policy.board_seconds
    alight = policy.wheelchair_alight_seconds if wheel else policy.alight_seconds
    max_ride = policy.ride_time.limit(direct)
    pickup = TimeWindow(now, now + within)
    return Request(id=evacuee.id, origin=evacuee.origin, destination=shelter, pickup=pickup,
                   dropoff=TimeWindow(now, pickup.latest + board + max_ride),
                   max_ride=max_ride, passengers=evacuee.passengers,
                   wheelchairs=evacuee.wheelchairs, board=board, alight=alight)


def movable(state: DispatchState) -> list[Booking]:
    """Ordinary bookings that may give way: confirmed, not on board, no van at their pickup
    (not arrived, pickup stop not locked), earliest pickup deadline first."""
    locked = {s.request_id for r in state.plan.routes for s in r.stops
              if s.locked and s.kind is StopKind.PICKUP}
    out = [b for b in state.bookings.values()
           if b.status is BookingStatus.CONFIRMED and not b.evacuation
           and b.id not in state.arrivals and b.id not in locked]
    return sorted(out, key=lambda b: (b.request.pickup.latest, b.id))


def evacuate(state: DispatchState, evacuees: Sequence[Evacuee], shelters: Sequence[Location],
             now: int, within: int, travel: TravelTimeSource, policy: DispatchPolicy,
             cache: PlanningCache | None = None) -> EvacuationResult:
    """Place ``evacuees`` on ``state``'s plan ahead of the ordinary bookings (module doc);
    ``cache``: the dispatcher's planning requests."""
    nearest = nearest_shelters(travel, [e.origin for e in evacuees], shelters)
    requests: dict[str, Request] = {}
    waiting: list[Evacuee] = []
    for e, found in zip(evacuees, nearest, strict=True):
        if found is None:
            waiting.append(e)
        else:
            requests[e.id] = evacuation_request(e, shelters[found[0]], found[1], now, within,
                                                policy)
    if not requests:
        return EvacuationResult(state.plan, {}, tuple(priority_order(waiting)), ())
    problem = planning_problem(state, policy, now, cache=cache)
    give_way = movable(state)
    plan = state.plan
    for b in give_way:
        plan = without_request(plan, b.id)
    served = _served(problem, plan)
    objective = rider_objective(policy, latest=False)
    memo = RouteMemo()  # for this call: each insertion changes one route
    placed: dict[str, Request] = {}
    for e in priority_order([e for e in evacuees if e.id in requests]):
        req = requests[e.id]
        planned = no_show_reserve(req, policy.no_show_wait)
        ins = best_insertion(Problem(served, problem.vehicles, problem.weights), plan, planned,
                             travel, cache=memo, objective=objective)
        if ins is None:
            waiting.append(e)
            continue
        plan = insert(plan, ins, e.id)
        served[e.id] = planned
        placed[e.id] = req
    if not placed:
        return EvacuationResult(state.plan, {}, tuple(priority_order(waiting)), ())
    bumped: list[str] = []
    for b in give_way:
        planned = problem.requests[b.id]
        ins = best_insertion(Problem(served, problem.vehicles, problem.weights), plan, planned,
                             travel, cache=memo, objective=objective)
        if ins is None:
            bumped.append(b.id)
            continue
        plan = insert(plan, ins, b.id)
        served[b.id] = planned
    return EvacuationResult(plan, placed, tuple(priority_order(waiting)), tuple(bumped))


def _served(problem: Problem, plan: Plan) -> dict[str, Request]:
    """The problem's requests that ``plan`` (or a van, on board) holds."""
    ids = {s.request_id for r in plan.routes for s in r.stops}
    ids |= {rid for v in problem.vehicles for rid in v.onboard}
    return {rid: problem.requests[rid] for rid in ids if rid in problem.requests}
