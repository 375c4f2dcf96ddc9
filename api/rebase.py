"""Carrying a background tick's re-optimised routes onto the state of now.

The ticker re-optimises a snapshot (``base``) in its helper process while requests keep
writing the day's state; when the result comes back the live state (``current``) has
often moved on (a booking, a stop report elsewhere). Throwing the result away then would
lose most rounds under normal traffic. The vans the re-optimisation changed can still take
their new routes if nothing touched their riders meanwhile: the same stops to serve, the
same riders on board, the stops locked since then still first. Those routes are judged
again on ``current`` (the vans' clocks of now) under the promise rule, and kept only if
they keep every promise and cost less than the routes they replace.

Same contract as ``solver.dispatch.rebase.rebase`` of the dispatch-quality work (issue 11),
using only what the solver offers on main; once that lands the tick can call it instead.
"""

from __future__ import annotations

from dataclasses import replace

from maas.domain import Plan, Problem, Route, Stop
from maas.travel import TravelTimeSource
from solver.dispatch import Dispatcher, DispatchState, outcomes
from solver.dispatch.planning import changed_vehicles, planning_problem
from solver.dispatch.planning import with_vehicles as _with_vehicles
from solver.dispatch.reoptimise import keeps_promises, sub_problem
from solver.insertion import best_insertion, insert


def _stops(plan: Plan, vehicle_ids: list[str]) -> set[tuple[str, str]]:
    return {(s.request_id, s.kind.value) for vid in vehicle_ids for s in plan.route(vid).stops}


def moved_on(base: DispatchState, result: DispatchState, current: DispatchState
             ) -> DispatchState:
    """``current`` with the round counters of the tick (so the next round moves on and a
    round is not re-run at once), version + 1."""
    since = max(0, current.confirmed_since_reoptimise - base.confirmed_since_reoptimise)
    return replace(current,
                   last_reoptimised_at=max(current.last_reoptimised_at,
                                           result.last_reoptimised_at),
                   confirmed_since_reoptimise=since,
                   reoptimise_round=max(current.reoptimise_round, result.reoptimise_round),
                   version=current.version + 1)


def _relocked(route: Route, current: Route) -> Route | None:
    """``route`` with the locks of ``current`` (None when a locked stop is not first)."""
    locked = [(s.request_id, s.kind) for s in current.stops if s.locked]
    head = [(s.request_id, s.kind) for s in route.stops[: len(locked)]]
    if head != locked:
        return None
    return Route(route.vehicle_id, tuple(Stop(s.request_id, s.kind, locked=k < len(locked))
                                         for k, s in enumerate(route.stops)))



def groups(base: Plan, result: Plan, changed: list[str]) -> list[list[str]]:
    """The changed vans in groups that exchanged riders (each group is carried over or not
    as a whole; vans of different groups share no rider)."""
    parent = {v: v for v in changed}

    def root(v: str) -> str:
        while parent[v] != v:
            v = parent[v]
        return v

    where = {s.request_id: r.vehicle_id for r in base.routes for s in r.stops}
    for route in result.routes:
        if route.vehicle_id not in parent:
            continue
        for stop in route.stops:
            was = where.get(stop.request_id)
            if was is not None and was in parent:
                parent[root(was)] = root(route.vehicle_id)
    found: dict[str, list[str]] = {}
    for v in changed:
        found.setdefault(root(v), []).append(v)
    return list(found.values())


def _carry(group: list[str], base: DispatchState, result: DispatchState,
           current: DispatchState, problem: Problem, travel: TravelTimeSource
           ) -> dict[str, Route] | None:
    """The group's re-optimised routes adapted to ``current``: stops served or cancelled
    meanwhile left out, rides booked onto these vans meanwhile inserted (cheapest feasible
    place), ``current``'s locks kept; None if that cannot be done (a rider changed vans,
    a locked stop is not first, a new ride fits nowhere)."""
    if any(current.vehicle(v) is None or base.vehicle(v) is None for v in group):
        return None
    was, now = _stops(base.plan, group), _stops(current.plan, group)
    gone, added = was - now, now - was
    fresh = {rid for rid, _ in added}
    if fresh & {rid for rid, _ in was}:
        return None  # a rider of the group changed stops other than by being served
    routes = {}
    for vid in group:
        route = result.plan.route(vid)
        kept = tuple(s for s in route.stops if (s.request_id, s.kind.value) not in gone)
        relocked = _relocked(Route(vid, kept), current.plan.route(vid))
        if relocked is None:
            return None
        van = current.vehicle(vid)
        assert van is not None
        ours = {s.request_id for s in relocked.stops}
        if any(rid not in ours and (rid, "dropoff") in now for rid in van.onboard):
            return None  # a rider on board this van would be dropped off by another
        routes[vid] = relocked
    plan = Plan(tuple(routes.get(r.vehicle_id, r) for r in current.plan.routes),
                current.plan.unserved)
    for rid in sorted(fresh):
        request = problem.requests.get(rid)
        if request is None:
            return None
        placed = {s.request_id for r in plan.routes for s in r.stops}
        placed |= {o for v in problem.vehicles for o in v.onboard}
        known = Problem({k: r for k, r in problem.requests.items() if k in placed},
                        problem.vehicles, problem.weights)
        found = best_insertion(known, plan, request, travel, vehicles=set(group))
        if found is None:
            return None
        plan = insert(plan, found, rid)
    return {vid: plan.route(vid) for vid in group}


def rebase(base: DispatchState, result: DispatchState, current: DispatchState,
           dispatcher: Dispatcher) -> tuple[DispatchState, list[outcomes.Outcome]] | None:
    """``result``'s re-optimised routes applied on ``current`` (version + 1), with the
    outcomes to publish; None when none of them still fits (their riders changed) or still
    helps (judged on ``current``). The changed vans are carried in groups that exchanged
    riders (``groups``): a group whose riders changed meanwhile keeps its current routes,
    the others take theirs. A ``result`` that changed no route gives ``current`` with the
    round counters moved on. ``base`` is the state the tick started from."""
    changed = list(changed_vehicles(base.plan, result.plan))
    if not changed:
        return moved_on(base, result, current), []
    if current.closures != base.closures:
        return None  # travel times changed under the routes
    dispatcher.schedule(current)  # brings the travel source's closures to ``current``'s
    problem = planning_problem(current, dispatcher.policy, current.now)
    routes: dict[str, Route] = {}
    cost_before = cost_after = 0.0
    for group in groups(base.plan, result.plan, changed):
        carried = _carry(group, base, result, current, problem, dispatcher.travel)
        if carried is None:
            continue
        trial = Plan(tuple(carried.get(r.vehicle_id, r) for r in current.plan.routes),
                     current.plan.unserved)
        sub, before_plan = sub_problem(problem, current.plan, group)
        _, after_plan = sub_problem(problem, trial, group)
        before = keeps_promises(sub, before_plan, dispatcher.travel)
        after = keeps_promises(sub, after_plan, dispatcher.travel)
        if after is None or (before is not None and after >= before - 1e-6):
            continue
        routes.update(carried)
        cost_before += before if before is not None else after
        cost_after += after
    if not routes:
        return None
    merged = Plan(tuple(routes.get(r.vehicle_id, r) for r in current.plan.routes),
                  current.plan.unserved)
    moved = [v for v in changed if v in routes]
    judged = {rid for v in moved for rid in _requests(merged, current, v)}
    new = replace(moved_on(base, result, current), plan=merged,
                  bookings=_with_vehicles(current.bookings, merged),
                  at_risk=frozenset(b for b in current.at_risk if b not in judged))
    return new, [outcomes.Reoptimised(True, cost_before, cost_after),
                 outcomes.PlanChanged(tuple(moved))]


def _requests(plan: Plan, state: DispatchState, vehicle_id: str) -> set[str]:
    van = state.vehicle(vehicle_id)
    onboard = set(van.onboard) if van is not None else set()
    return {s.request_id for s in plan.route(vehicle_id).stops} | onboard
