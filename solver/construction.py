"""First solutions by cheapest feasible insertion, most urgent request first."""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Sequence

from maas.domain import Plan, Problem, Request, Route, Stop, StopKind
from maas.travel import TravelTimeSource
from solver.insertion import RouteMemo, best_insertion, insert


def required_plan(problem: Problem, initial: Plan | None = None) -> Plan:
    """The plan to build on: ``initial`` (in fleet order) if given, else per van the
    drop-offs of the riders on board, earliest deadline first."""
    if initial is not None:
        known = {v.id for v in problem.vehicles}
        given = {r.vehicle_id: r for r in initial.routes if r.vehicle_id in known}
        return Plan(tuple(given.get(v.id, Route(v.id)) for v in problem.vehicles),
                    initial.unserved)
    routes = []
    for v in problem.vehicles:
        onboard = sorted((problem.requests[r] for r in v.onboard if r in problem.requests),
                         key=lambda r: (r.dropoff.latest, r.id))
        routes.append(Route(v.id, tuple(Stop(r.id, StopKind.DROPOFF) for r in onboard)))
    return Plan(tuple(routes))


def urgency_order(requests: Iterable[Request]) -> list[Request]:
    """Requests by the latest time they can be picked up, tightest first."""
    return sorted(requests, key=lambda r: (min(r.pickup.latest, r.dropoff.latest), r.id))


def insert_all(
    problem: Problem, plan: Plan, order: Sequence[Request], travel: TravelTimeSource
) -> Plan:
    """Insert each request of ``order`` at its cheapest feasible place; the rest unserved."""
    in_plan = {s.request_id for r in plan.routes for s in r.stops}
    in_plan.update(rid for v in problem.vehicles for rid in v.onboard)
    served = {rid: problem.requests[rid] for rid in in_plan if rid in problem.requests}
    unserved: list[str] = []
    memo = RouteMemo()  # the routes an insertion left alone, for the next insertion
    for request in order:
        if request.id in served:
            continue
        ins = best_insertion(problem_with(problem, served), plan, request, travel, cache=memo)
        if ins is None:
            unserved.append(request.id)
            continue
        plan = insert(plan, ins, request.id)
        served[request.id] = request
    return Plan(plan.routes, tuple(unserved))


def problem_with(problem: Problem, requests: dict[str, Request]) -> Problem:
    """The same fleet and weights over a subset of the requests."""
    return Problem(requests, problem.vehicles, problem.weights)


def _without(plan: Plan, request_id: str) -> Plan:
    routes = tuple(Route(r.vehicle_id, tuple(s for s in r.stops if s.request_id != request_id))
                   for r in plan.routes)
    return Plan(routes, plan.unserved)


def repair(problem: Problem, plan: Plan, travel: TravelTimeSource, tries: int = 12,
           required: Collection[str] = ()) -> Plan:
    """Serve left-out requests by swapping each with a served one close in time.

    For each unserved request, take out one of the ``tries`` served requests whose pickup
    windows are nearest, insert the left-out one, and put the taken-out one back anywhere.
    A required request left out may also displace an optional one for good (the optional
    one then stays out), after the swaps failed.
    """
    unserved = list(plan.unserved)
    memo = RouteMemo()  # for this call
    for rid in list(unserved):
        req = problem.requests[rid]
        onboard = {r for v in problem.vehicles for r in v.onboard}
        served = [problem.requests[s.request_id] for r in plan.routes for s in r.stops
                  if s.kind is StopKind.PICKUP and not s.locked and s.request_id not in onboard]
        served.sort(key=lambda r: (abs(r.pickup.latest - req.pickup.latest), r.id))
        for other in served[:tries]:
            reduced = _without(plan, other.id)
            known = {s.request_id: problem.requests[s.request_id]
                     for r in reduced.routes for s in r.stops}
            known.update({r: problem.requests[r] for r in onboard if r in problem.requests})
            first = best_insertion(problem_with(problem, known), reduced, req, travel,
                                   cache=memo)
            if first is None:
                continue
            trial = insert(reduced, first, rid)
            known[rid] = req
            second = best_insertion(problem_with(problem, known), trial, other, travel,
                                    cache=memo)
            if second is None:
                continue
            plan = insert(trial, second, other.id)
            unserved.remove(rid)
            break
    for rid in [r for r in unserved if r in required]:
        plan = _displace(problem, Plan(plan.routes, tuple(unserved)), rid, travel, tries,
                         required)
        unserved = list(plan.unserved)
    return Plan(plan.routes, tuple(unserved))


def _displace(problem: Problem, plan: Plan, rid: str, travel: TravelTimeSource, tries: int,
              required: Collection[str]) -> Plan:
    """``plan`` with required ``rid`` served in place of the first of the ``tries`` optional
    requests nearest in time whose removal makes room for it (that one left out)."""
    req = problem.requests[rid]
    onboard = {r for v in problem.vehicles for r in v.onboard}
    served = [problem.requests[s.request_id] for r in plan.routes for s in r.stops
              if s.kind is StopKind.PICKUP and not s.locked and s.request_id not in onboard
              and s.request_id not in required]
    served.sort(key=lambda r: (abs(r.pickup.latest - req.pickup.latest), r.id))
    for other in served[:tries]:
        reduced = _without(plan, other.id)
        known = {s.request_id: problem.requests[s.request_id]
                 for r in reduced.routes for s in r.stops}
        known.update({r: problem.requests[r] for r in onboard if r in problem.requests})
        ins = best_insertion(problem_with(problem, known), reduced, req, travel)
        if ins is not None:
            trial = insert(reduced, ins, rid)
            return Plan(trial.routes, (*trial.unserved, other.id))
    return plan


ORDERS = (
    lambda r: min(r.pickup.latest, r.dropoff.latest),
    lambda r: max(r.pickup.earliest, r.dropoff.earliest - r.max_ride),
    lambda r: min(r.pickup.latest, r.dropoff.latest)
    + max(r.pickup.earliest, r.dropoff.earliest - r.max_ride),
)


def construct(
    problem: Problem, travel: TravelTimeSource, initial: Plan | None = None, seed: int = 0,
    required: Collection[str] = (),
) -> Plan:
    """A feasible plan: ``initial`` kept as it is, the other requests inserted by urgency
    (``required`` ones before all optional ones), then left-out requests swapped in where
    possible, and left-out required ones put in place of optional ones.

    ``seed`` picks one of three urgency keys (latest pickup, earliest pickup, their sum);
    seeds from 3 on also shuffle requests of similar urgency a little.
    """
    base = required_plan(problem, initial)
    key = ORDERS[seed % len(ORDERS)]
    rng = random.Random(seed)
    jitter = 0.1 if seed >= len(ORDERS) else 0.0
    order = sorted(problem.requests.values(),
                   key=lambda r: (r.id not in required, key(r) * (1 + jitter * rng.random()),
                                  r.id))
    plan = insert_all(problem, Plan(base.routes), order, travel)
    return repair(problem, plan, travel, required=required) if plan.unserved else plan
