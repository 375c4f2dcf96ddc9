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

from collections.abc import Mapping
from dataclasses import replace

from maas.domain import Plan, Route, Stop
from solver.dispatch import Dispatcher, DispatchState, outcomes
from solver.dispatch.planning import changed_vehicles, planning_problem
from solver.dispatch.reoptimise import keeps_promises, sub_problem
from solver.dispatch.state import Booking


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


def _with_vehicles(bookings: Mapping[str, Booking], plan: Plan) -> dict[str, Booking]:
    where = {s.request_id: r.vehicle_id for r in plan.routes for s in r.stops}
    out = dict(bookings)
    for bid, b in bookings.items():
        vid = where.get(bid)
        if b.active and vid is not None and vid != b.vehicle_id:
            out[bid] = replace(b, vehicle_id=vid)
    return out


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
           current: DispatchState) -> dict[str, Route] | None:
    """The group's re-optimised routes with ``current``'s locks, if its riders are the same
    in ``base`` and ``current`` (same stops to serve, same riders on board)."""
    if any(current.vehicle(v) is None or base.vehicle(v) is None for v in group):
        return None
    if _stops(base.plan, group) != _stops(current.plan, group):
        return None  # a rider of these vans was booked, cancelled or served meanwhile
    for vid in group:
        was, now = base.vehicle(vid), current.vehicle(vid)
        assert was is not None and now is not None
        if set(was.onboard) != set(now.onboard):
            return None
    routes = {}
    for vid in group:
        route = _relocked(result.plan.route(vid), current.plan.route(vid))
        if route is None:
            return None
        routes[vid] = route
    return routes


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
        carried = _carry(group, base, result, current)
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
