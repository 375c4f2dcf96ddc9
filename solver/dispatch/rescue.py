"""Refusal rescue: an ask no insertion fits is placed by a short re-optimising solve.

When no van has a gap for the rider without moving others (an offer refused
``no_capacity``), the solver core gets the vans near the ask with every booking on them
required and the new ride optional, for ``policy.rescue_iterations`` search steps from the
live plan. A plan it finds is adopted only under the promise rule of re-optimisation
(``solver.dispatch.reoptimise``): it serves every booking, keeps every van's locked stops
first and keeps every promise (``keeps_promises``) - and the new rider's offered window too,
which is narrowed around the planned pickup after the solve (``promise_request``), so the
plan is judged again with that window before it is offered or confirmed.

Nothing is remembered between the offer and the confirmation (another process may confirm):
the confirmation re-runs the same deterministic solve on the state it finds
(``rescue_confirmation``), with the new ride under the same id and the same wide window as
at the offer, so that on an unchanged state it finds the offered plan again; when the state
has changed, a second solve holds the ride to its offered window. Either plan is adopted
only if it keeps every promise including the offered one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from maas.domain import Location, Plan, Problem, Request, Route, Stop, StopKind
from maas.evaluation import evaluate
from maas.travel import TravelTimeSource
from solver.darp import SolveParams, solve
from solver.dispatch.offers import (
    SEARCH_ID,
    arrival_deadline,
    make_offer,
    promise_request,
    search_request,
)
from solver.dispatch.planning import no_show_reserve
from solver.dispatch.policy import DispatchPolicy
from solver.dispatch.reoptimise import OVERLAP_HORIZON_S, keeps_promises, locks_kept, sub_problem
from solver.dispatch.state import Offer, RideAsk
from solver.fast_model import supports
from solver.objective import RequiredUnserved

# The problem and plan at the ask's time with the given vans' departed heads locked (the
# dispatcher's re-check, for the vans a rescue solves only: on 100 vans a re-check of all
# would cost more than the solve).
View = Callable[[Sequence[str]], tuple[Problem, Plan]]


@dataclass(frozen=True, slots=True)
class Rescue:
    """A whole plan serving the new ride (``request_id``) on ``vehicle_id``, its planned
    pickup and drop-off starts, the vans the solve could change and the problem it was
    judged on (their view at the ask's time)."""

    plan: Plan
    request_id: str
    vehicle_id: str
    pickup: int
    dropoff: int
    vehicle_ids: tuple[str, ...]
    problem: Problem


def enabled(policy: DispatchPolicy) -> bool:
    """Whether the policy rescues refused asks at all (None or 0 steps: off)."""
    return bool(policy.rescue_iterations)


def rescue_vans(problem: Problem, plan: Plan, request: Request, travel: TravelTimeSource,
                policy: DispatchPolicy) -> list[str]:
    """The vans solved together for ``request``: the whole fleet up to ``rescue_vans``
    vans, else the ``rescue_vans`` vans
    whose planned stops (or, idle, position) come closest to the ride's pickup and drop-off
    in time and space (each pair scores ``1 - (drive + time apart) / horizon`` when
    positive; ties by id, so the choice repeats). A stop's time is read from its windows,
    not from a schedule: timing a 100-van plan costs more than the solve."""
    ids = [v.id for v in problem.vehicles]
    group = policy.rescue_vans
    if len(ids) <= group:
        return ids
    direct = int(travel.durations([request.origin], [request.destination])[0, 0])
    mine = [(request.origin, request.pickup.earliest),
            (request.destination, request.pickup.earliest + request.board + direct)]
    theirs = []
    for v in problem.vehicles:
        pts = [(_place(problem.requests[s.request_id], s), _time(problem.requests[s.request_id], s))
               for s in plan.route(v.id).stops if s.request_id in problem.requests]
        theirs += [(v.id, loc, t) for loc, t in pts or [(v.start_location, v.start_time)]]
    rows = travel.durations([loc for loc, _ in mine], [loc for _, loc, _ in theirs]).tolist()
    score = dict.fromkeys(ids, 0.0)
    for a, (_, ta) in enumerate(mine):
        row = rows[a]
        for b, (vid, _, tb) in enumerate(theirs):
            near = 1.0 - (row[b] + abs(ta - tb)) / OVERLAP_HORIZON_S
            if near > 0:
                score[vid] += near
    return sorted(ids, key=lambda vid: (-score[vid], vid))[:group]


def _place(request: Request, stop: Stop) -> Location:
    return request.origin if stop.kind is StopKind.PICKUP else request.destination


def _time(request: Request, stop: Stop) -> int:
    """About when a van is at ``stop``: the middle of the pickup window, or that plus half
    the ride the promise allows, inside the drop-off window."""
    mid = (request.pickup.earliest + request.pickup.latest) // 2
    if stop.kind is StopKind.PICKUP:
        return mid
    half = max(0, request.dropoff.latest - request.pickup.latest) // 2
    return min(max(mid + half, request.dropoff.earliest), request.dropoff.latest)


def rescue(problem: Problem, plan: Plan, request: Request, travel: TravelTimeSource,
           policy: DispatchPolicy, view: View | None = None) -> Rescue | None:
    """A plan serving ``request`` (not in ``problem``) by a ``policy.rescue_iterations``-step
    solve of the vans near it from ``plan``, or None.

    ``problem`` holds every booking the plan must keep; the result serves all of them,
    keeps every locked stop first and keeps every promise, or there is none. A plan that
    already breaks a promise is not rescued from (re-planning comes first), nor are vans
    with driver breaks (the compiled search does not take them). ``view``, given the vans
    chosen, returns the problem and plan to solve from (their heads locked at the ask).
    """
    if not enabled(policy) or not supports(problem):
        return None
    vans = rescue_vans(problem, plan, request, travel, policy)
    if view is not None:
        problem, plan = view(vans)
    sub, sub_plan = sub_problem(problem, plan, vans)
    if keeps_promises(sub, sub_plan, travel) is None:
        return None
    wide = Problem({**sub.requests, request.id: request}, sub.vehicles, sub.weights)
    params = SolveParams(time_limit_s=policy.reoptimise_time_limit_s, seed=policy.seed,
                         iterations=policy.rescue_iterations, initial=sub_plan,
                         deterministic=policy.deterministic, required=frozenset(sub.requests))
    try:
        found = Plan(solve(wide, travel, params).routes)
    except RequiredUnserved:
        return None
    if not any(s.request_id == request.id for r in found.routes for s in r.stops):
        return None  # the solve left the ride out: nothing to adopt (``_rescue`` says so too)
    if not adoptable(wide, sub_plan, found, travel):
        return None
    return _rescue(wide, plan, found, request.id, travel, tuple(vans), problem)


def adoptable(problem: Problem, before: Plan, after: Plan, travel: TravelTimeSource) -> bool:
    """The promise rule for a rescued plan of ``problem``'s vans: every request served with
    every promise kept, and every van still starting with the stops it had locked."""
    return locks_kept(before, after) and keeps_promises(problem, after, travel) is not None


def _rescue(problem: Problem, plan: Plan, found: Plan, request_id: str,
            travel: TravelTimeSource, vans: tuple[str, ...], whole: Problem) -> Rescue | None:
    """``found`` (routes of ``problem``'s vans) merged into ``plan``, with the new ride's
    van and planned times."""
    report = evaluate(problem, found, travel)
    times: dict[StopKind, tuple[str, int]] = {}
    for vid, sched in report.schedules.items():
        for s in sched:
            if s.stop.request_id == request_id:
                times[s.stop.kind] = (vid, s.start)
    if StopKind.PICKUP not in times or StopKind.DROPOFF not in times:
        return None
    routes = {r.vehicle_id: r for r in found.routes}
    merged = Plan(tuple(routes.get(r.vehicle_id, r) for r in plan.routes), plan.unserved)
    vid, pickup = times[StopKind.PICKUP]
    return Rescue(merged, request_id, vid, pickup, times[StopKind.DROPOFF][1], vans, whole)


def rescue_offer(problem: Problem, plan: Plan, ask: RideAsk, direct: int,
                 travel: TravelTimeSource, policy: DispatchPolicy, area: str, version: int,
                 view: View | None = None) -> Offer | None:
    """An offer for ``ask`` (refused by every insertion) on a rescued plan, or None.

    The solve gets the ride with the wide window an insertion searches with; the promise is
    then narrowed around the planned pickup, and offered only if the rescued plan keeps it
    (the window the rider is told is the one the plan is judged by)."""
    search = search_request(ask, policy, direct)
    if search is None:
        return None
    found = rescue(problem, plan, no_show_reserve(search, policy.no_show_wait), travel, policy,
                   view)
    if found is None:
        return None
    promise = promise_request(search, found.pickup, policy, arrival_deadline(ask))
    kept = _keeping(found, no_show_reserve(promise, policy.no_show_wait), travel)
    if kept is None:
        return None
    return make_offer(ask, promise, kept.vehicle_id, area, version, policy,
                      (kept.pickup, kept.dropoff))


def rescue_confirmation(problem: Problem, plan: Plan, offer: Offer, planned: Request,
                        travel: TravelTimeSource, policy: DispatchPolicy,
                        view: View | None = None) -> Rescue | None:
    """A plan that serves ``planned`` (the booking's no-show-reserved promise, id the
    booking's; ``problem`` must not hold it) and keeps every promise, by the offer's rescue
    solve re-run on ``plan``, or None.

    First the offer's own solve (the ride as ``SEARCH_ID`` with the ask's wide window, so an
    unchanged state gives the offered plan again), then, if that plan misses the offered
    window, a solve holding the ride to it. The adopted plan names the booking."""
    if not enabled(policy):
        return None
    direct = int(travel.durations([offer.ask.origin], [offer.ask.destination])[0, 0])
    search = search_request(offer.ask, policy, direct)
    tries = [] if search is None else [no_show_reserve(search, policy.no_show_wait)]
    tries.append(replace(planned, id=SEARCH_ID))
    for request in tries:
        found = rescue(problem, plan, request, travel, policy, view)
        if found is None:
            continue
        kept = _keeping(found, planned, travel)
        if kept is not None:
            return kept
    return None


def _keeping(found: Rescue, promise: Request, travel: TravelTimeSource) -> Rescue | None:
    """``found`` with its new ride renamed to ``promise`` (its id and its windows), if the
    plan keeps every promise of its vans with it, else None."""
    problem = found.problem
    plan = _renamed(found.plan, found.request_id, promise.id)
    vans = set(found.vehicle_ids)
    requests = {rid: problem.requests[rid] for r in plan.routes if r.vehicle_id in vans
                for s in r.stops if (rid := s.request_id) in problem.requests}
    fleet = tuple(v for v in problem.vehicles if v.id in vans)
    requests |= {rid: problem.requests[rid] for v in fleet for rid in v.onboard
                 if rid in problem.requests}
    requests[promise.id] = promise
    sub = Problem(requests, fleet, problem.weights)
    sub_plan = Plan(tuple(plan.route(v.id) for v in fleet))
    if keeps_promises(sub, sub_plan, travel) is None:
        return None
    return _rescue(sub, plan, sub_plan, promise.id, travel, found.vehicle_ids, problem)


def _renamed(plan: Plan, old: str, new: str) -> Plan:
    """``plan`` with the stops of request ``old`` naming ``new``."""
    if old == new:
        return plan
    return replace(plan, routes=tuple(
        Route(r.vehicle_id, tuple(Stop(new, s.kind, s.locked) if s.request_id == old else s
                                  for s in r.stops)) for r in plan.routes))
