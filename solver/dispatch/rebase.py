"""Applying a background re-optimisation on the state of now instead of throwing it away.

The API re-optimises a snapshot (``base``) in a helper process while requests keep writing
the live state; by the time the result comes back the live state (``current``) has usually
moved on (a position report, a confirmation elsewhere). The vans the re-optimisation
changed can still take their new routes if nothing touched their riders meanwhile: the same
stops to serve, the same riders on board, the stops locked since then still first. The
routes are then re-checked on the current state (the vans' clocks of now) under the promise
rule, and kept only if they do less damage, or as little at a lower cost.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from maas.domain import Plan, Route, Stop
from solver.dispatch import outcomes as oc
from solver.dispatch.planning import changed_vehicles, planning_problem, sub_plan_of
from solver.dispatch.reoptimise import plan_damage, sub_problem
from solver.dispatch.state import DispatchState

if TYPE_CHECKING:
    from solver.dispatch.dispatcher import Dispatcher


def _stops(plan: Plan, vehicle_ids: list[str]) -> set[tuple[str, str]]:
    return {(s.request_id, s.kind.value) for vid in vehicle_ids for s in plan.route(vid).stops}


def _bookkeeping(base: DispatchState, result: DispatchState, current: DispatchState
                 ) -> DispatchState:
    """``current`` with the re-optimisation's round counters (so the next round moves on)."""
    since = max(0, current.confirmed_since_reoptimise - base.confirmed_since_reoptimise)
    return replace(current,
                   last_reoptimised_at=max(current.last_reoptimised_at,
                                           result.last_reoptimised_at),
                   confirmed_since_reoptimise=since,
                   reoptimise_round=max(current.reoptimise_round, result.reoptimise_round))


def _relocked(route: Route, current: Route) -> Route | None:
    """``route`` with the locks of ``current`` (None when a locked stop is not first)."""
    locked = [(s.request_id, s.kind) for s in current.stops if s.locked]
    head = [(s.request_id, s.kind) for s in route.stops[: len(locked)]]
    if head != locked:
        return None
    stops = tuple(Stop(s.request_id, s.kind, locked=k < len(locked))
                  for k, s in enumerate(route.stops))
    return Route(route.vehicle_id, stops)


def rebase(base: DispatchState, result: DispatchState, current: DispatchState,
           dispatcher: Dispatcher) -> tuple[DispatchState, list[oc.Outcome]] | None:
    """``result``'s re-optimised routes applied on ``current``, with the outcomes to publish;
    None when they no longer fit (their riders changed) or no longer help (judged on
    ``current``). A ``result`` that changed no route gives ``current`` with the round
    counters moved on. ``base`` is the state the re-optimisation started from."""
    if current.version == base.version:
        return None if result is base else (result, [])
    changed = list(changed_vehicles(base.plan, result.plan))
    moved_on = _bookkeeping(base, result, current)
    if not changed:
        return replace(moved_on, version=current.version + 1), []
    if any(current.vehicle(v) is None or base.vehicle(v) is None for v in changed):
        return None
    if _stops(base.plan, changed) != _stops(current.plan, changed):
        return None  # a rider of these vans was booked, cancelled or served meanwhile
    for vid in changed:
        was, now = base.vehicle(vid), current.vehicle(vid)
        assert was is not None and now is not None
        if set(was.onboard) != set(now.onboard):
            return None
    routes = {}
    for vid in changed:
        route = _relocked(result.plan.route(vid), current.plan.route(vid))
        if route is None:
            return None
        routes[vid] = route
    merged = Plan(tuple(routes.get(r.vehicle_id, r) for r in current.plan.routes),
                  current.plan.unserved)
    dispatcher.sync(current)
    problem = planning_problem(current, dispatcher.policy, current.now)
    sub, before_plan = sub_problem(problem, current.plan, changed)
    after_plan = sub_plan_of(merged, changed)
    before = plan_damage(sub, before_plan, dispatcher.travel)
    after = plan_damage(sub, after_plan, dispatcher.travel)
    if not (after[0], after[1] + 1e-6) < before:
        return None
    new = dispatcher.commit_plan(moved_on, merged)
    new, out = dispatcher.recheck(new, changed)
    out = [oc.PlanChanged(tuple(changed)), *out]
    return replace(new, version=current.version + 1), out


def rebase_reoptimised(base: DispatchState, result: DispatchState, current: DispatchState,
                       dispatcher: Dispatcher) -> DispatchState | None:
    """The state of ``rebase`` without its outcomes."""
    found = rebase(base, result, current, dispatcher)
    return None if found is None else found[0]
