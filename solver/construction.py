"""First solutions by cheapest feasible insertion, most urgent request first."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from maas.domain import Plan, Problem, Request, Route, Stop, StopKind
from maas.travel import TravelTimeSource
from solver.insertion import best_insertion, insert


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
    for request in order:
        if request.id in served:
            continue
        ins = best_insertion(problem_with(problem, served), plan, request, travel)
        if ins is None:
            unserved.append(request.id)
            continue
        plan = insert(plan, ins, request.id)
        served[request.id] = request
    return Plan(plan.routes, tuple(unserved))


def problem_with(problem: Problem, requests: dict[str, Request]) -> Problem:
    """The same fleet and weights over a subset of the requests."""
    return Problem(requests, problem.vehicles, problem.weights)


def construct(
    problem: Problem, travel: TravelTimeSource, initial: Plan | None = None, seed: int = 0
) -> Plan:
    """A feasible plan: ``initial`` kept as it is, the other requests inserted by urgency.

    ``seed`` > 0 shuffles requests of similar urgency a little, for diverse restarts.
    """
    base = required_plan(problem, initial)
    order = urgency_order(problem.requests.values())
    if seed:
        rng = random.Random(seed)
        keyed = [(min(r.pickup.latest, r.dropoff.latest) * (1 + 0.1 * rng.random()), r)
                 for r in order]
        order = [r for _, r in sorted(keyed, key=lambda kr: (kr[0], kr[1].id))]
    return insert_all(problem, Plan(base.routes), order, travel)
