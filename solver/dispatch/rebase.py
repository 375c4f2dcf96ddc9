"""Applying a background re-optimisation on the state of now instead of throwing it away.

The API re-optimises a snapshot (``base``) in a helper process while requests keep writing
the live state; by the time the result comes back the live state (``current``) has usually
moved on (a position report, a booking or a stop report elsewhere). Throwing the result away
then would lose most rounds under normal traffic. The changed vans are carried over in
groups that exchanged riders: a group's new routes are adapted to ``current`` (stops served
or cancelled meanwhile left out, rides booked onto its vans meanwhile inserted, the stops
locked since then kept first, a stop a van set off for or a rider it picked up meanwhile
given back to that van when the round had moved them to another one) and re-checked on
the vans' clocks of now under the promise rule; a group is kept only if it does less
damage, or as little at a lower cost, than the routes it replaces. A group whose riders
changed vans meanwhile keeps its current routes.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import TYPE_CHECKING

from maas.domain import Plan, Problem, Route, Stop, StopKind
from maas.travel import TravelTimeSource
from solver.dispatch import outcomes as oc
from solver.dispatch.damage import RouteJudge
from solver.dispatch.planning import changed_vehicles, planning_problem, sub_plan_of
from solver.dispatch.reoptimise import plan_damage, sub_problem
from solver.dispatch.state import DispatchState
from solver.insertion import best_insertion, insert, loads_ok

if TYPE_CHECKING:
    from solver.dispatch.dispatcher import Dispatcher


def _stops(plan: Plan, vehicle_ids: list[str]) -> set[tuple[str, str]]:
    return {(s.request_id, s.kind.value) for vid in vehicle_ids for s in plan.route(vid).stops}


def moved_on(base: DispatchState, result: DispatchState, current: DispatchState
             ) -> DispatchState:
    """``current`` with the re-optimisation's round counters (so the next round moves on and
    the same round is not run again at once); the version is the caller's to bump."""
    since = max(0, current.confirmed_since_reoptimise - base.confirmed_since_reoptimise)
    return replace(current,
                   last_reoptimised_at=max(current.last_reoptimised_at,
                                           result.last_reoptimised_at),
                   confirmed_since_reoptimise=since,
                   reoptimise_round=max(current.reoptimise_round, result.reoptimise_round))


def _relocked(route: Route, current: Route) -> Route | None:
    """``route`` with the locks of ``current``: the stops the van has set off for since
    (locked, in their order of now) first, the rest in ``route``'s order; None when a
    locked stop is not on ``route`` (the round gave that rider to another van)."""
    locked = [(s.request_id, s.kind) for s in current.stops if s.locked]
    keyed = {(s.request_id, s.kind) for s in route.stops}
    if not keyed.issuperset(locked):
        return None
    head = set(locked)
    rest = [s for s in route.stops if (s.request_id, s.kind) not in head]
    return Route(route.vehicle_id,
                 (*(Stop(rid, kind, locked=True) for rid, kind in locked),
                  *(Stop(s.request_id, s.kind) for s in rest)))


class Refusal(StrEnum):
    """Why a group of re-routed vans was not carried onto the state of now."""

    VAN_GONE = "van_gone"
    RIDER_CHANGED_VANS = "rider_changed_vans"
    LOCKED_STOP_ELSEWHERE = "locked_stop_elsewhere"
    ONBOARD_ELSEWHERE = "onboard_elsewhere"
    NEW_RIDE_FITS_NOWHERE = "new_ride_fits_nowhere"
    NO_BETTER = "no_better"


def groups(base: Plan, result: Plan, changed: list[str]) -> list[list[str]]:
    """The changed vans in groups that exchanged riders (each group is carried over or not
    as a whole; vans of different groups share no rider), in ``changed`` order."""
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


def _owners(group: list[str], current: DispatchState, now: set[tuple[str, str]]
            ) -> dict[tuple[str, str], str]:
    """The group's stops of now that one van alone can serve, and that van: a stop it set
    off for meanwhile (locked; a locked pickup's drop-off goes with it) and the drop-off of
    a rider on board."""
    owner: dict[tuple[str, str], str] = {}
    for vid in group:
        for s in current.plan.route(vid).stops:
            if s.locked:
                owner[(s.request_id, s.kind.value)] = vid
                if s.kind is StopKind.PICKUP:
                    owner[(s.request_id, StopKind.DROPOFF.value)] = vid
        van = current.vehicle(vid)
        assert van is not None
        for rid in van.onboard:
            if (rid, StopKind.DROPOFF.value) in now:
                owner[(rid, StopKind.DROPOFF.value)] = vid
    return owner


def _with_dropoff(route: Route, rid: str, problem: Problem, travel: TravelTimeSource
                  ) -> Route | None:
    """``route`` with ``rid``'s drop-off at its least ``(damage, cost)`` place after the
    locked stops (and after ``rid``'s pickup) within the van's seats; None if it fits
    nowhere."""
    van = problem.vehicle(route.vehicle_id)
    stop = Stop(rid, StopKind.DROPOFF)
    judge = RouteJudge(problem, van, (*route.stops, stop), travel)
    first = sum(1 for s in route.stops if s.locked)
    first = max([first, *(k + 1 for k, s in enumerate(route.stops) if s.request_id == rid)])
    best: tuple[tuple[int, float, float], tuple[Stop, ...]] | None = None
    for k in range(first, len(route.stops) + 1):
        stops = (*route.stops[:k], stop, *route.stops[k:])
        if not loads_ok(van, problem.requests, stops):
            continue
        damage, cost = judge.judge(stops)
        key = (damage.broken, damage.late_s, cost)
        if best is None or key < best[0]:
            best = (key, stops)
    return None if best is None else Route(route.vehicle_id, best[1])


def _carry(group: list[str], base: DispatchState, result: DispatchState,
           current: DispatchState, problem: Problem, travel: TravelTimeSource
           ) -> dict[str, Route] | Refusal:
    """The group's re-optimised routes adapted to ``current``, or why that cannot be done.

    A stop that one van alone can serve now (it set off for it, or the rider is on board)
    but that the round gave to another van of the group goes back to that van: a locked
    stop first, a drop-off at its cheapest place."""
    if any(current.vehicle(v) is None or base.vehicle(v) is None for v in group):
        return Refusal.VAN_GONE
    was, now = _stops(base.plan, group), _stops(current.plan, group)
    gone, added = was - now, now - was
    fresh = {rid for rid, _ in added}
    if fresh & {rid for rid, _ in was}:
        return Refusal.RIDER_CHANGED_VANS  # within the group, other than by being served
    kept = {vid: [s for s in result.plan.route(vid).stops
                  if (s.request_id, s.kind.value) not in gone] for vid in group}
    owners = _owners(group, current, now)
    moved: dict[str, list[tuple[str, str]]] = {vid: [] for vid in group}
    for key, vid in owners.items():
        if any((s.request_id, s.kind.value) == key for s in kept[vid]):
            continue
        for other in group:
            kept[other] = [s for s in kept[other] if (s.request_id, s.kind.value) != key]
        moved[vid].append(key)
    routes = {}
    for vid in group:
        locked_now = {(s.request_id, s.kind.value) for s in current.plan.route(vid).stops
                      if s.locked}
        # Locked stops taken back are placed by ``_relocked``; drop-offs after it.
        stops = [*kept[vid], *(Stop(rid, StopKind(kind)) for rid, kind in moved[vid]
                               if (rid, kind) in locked_now)]
        relocked = _relocked(Route(vid, tuple(stops)), current.plan.route(vid))
        if relocked is None:
            return Refusal.LOCKED_STOP_ELSEWHERE
        for rid, kind in moved[vid]:
            if (rid, kind) in locked_now:
                continue
            placed = _with_dropoff(relocked, rid, problem, travel)
            if placed is None:
                return Refusal.ONBOARD_ELSEWHERE
            relocked = placed
        van = current.vehicle(vid)
        assert van is not None
        ours = {s.request_id for s in relocked.stops}
        if any(rid not in ours and (rid, "dropoff") in now for rid in van.onboard):
            return Refusal.ONBOARD_ELSEWHERE
        routes[vid] = relocked
    plan = Plan(tuple(routes.get(r.vehicle_id, r) for r in current.plan.routes),
                current.plan.unserved)
    for rid in sorted(fresh):
        request = problem.requests.get(rid)
        if request is None:
            return Refusal.NEW_RIDE_FITS_NOWHERE
        placed_ids = {s.request_id for r in plan.routes for s in r.stops}
        if rid in placed_ids:  # locked or on board meanwhile: taken back above
            continue
        placed_ids |= {o for v in problem.vehicles for o in v.onboard}
        known = Problem({k: r for k, r in problem.requests.items() if k in placed_ids},
                        problem.vehicles, problem.weights)
        found = best_insertion(known, plan, request, travel, vehicles=set(group))
        if found is None:
            return Refusal.NEW_RIDE_FITS_NOWHERE
        plan = insert(plan, found, rid)
    return {vid: plan.route(vid) for vid in group}


def rebase(base: DispatchState, result: DispatchState, current: DispatchState,
           dispatcher: Dispatcher, refusals: list[Refusal] | None = None
           ) -> tuple[DispatchState, list[oc.Outcome]] | None:
    """``result``'s re-optimised routes applied on ``current`` (version + 1), with the
    outcomes to publish; None when no group of them still fits or still helps (judged on
    ``current``, on its roads: a closure since is part of the judgement). A ``result`` that
    changed no route gives ``current`` with the round counters moved on and no outcomes.
    ``base`` is the state the re-optimisation started from; when nothing was written
    meanwhile, ``result`` itself is the answer. Each group not carried appends its reason to
    ``refusals`` when given."""
    if current.version == base.version:
        return None if result is base else (result, [])
    changed = list(changed_vehicles(base.plan, result.plan))
    counted = moved_on(base, result, current)
    if not changed:
        return replace(counted, version=current.version + 1), []
    dispatcher.sync(current)
    problem = planning_problem(current, dispatcher.policy, current.now)
    routes: dict[str, Route] = {}
    for group in groups(base.plan, result.plan, changed):
        carried = _carry(group, base, result, current, problem, dispatcher.travel)
        if isinstance(carried, Refusal):
            if refusals is not None:
                refusals.append(carried)
            continue
        trial = Plan(tuple(carried.get(r.vehicle_id, r) for r in current.plan.routes),
                     current.plan.unserved)
        sub, before_plan = sub_problem(problem, current.plan, group)
        before = plan_damage(sub, before_plan, dispatcher.travel)
        after = plan_damage(sub, sub_plan_of(trial, group), dispatcher.travel)
        if (after[0], after[1] + 1e-6) < before:
            routes.update(carried)
        elif refusals is not None:
            refusals.append(Refusal.NO_BETTER)
    if not routes:
        return None
    merged = Plan(tuple(routes.get(r.vehicle_id, r) for r in current.plan.routes),
                  current.plan.unserved)
    moved = [v for v in changed if v in routes]
    new = dispatcher.commit_plan(counted, merged)
    new, out = dispatcher.recheck(new, moved)
    return replace(new, version=current.version + 1), [oc.PlanChanged(tuple(moved)), *out]


def rebase_reoptimised(base: DispatchState, result: DispatchState, current: DispatchState,
                       dispatcher: Dispatcher) -> DispatchState | None:
    """The state of ``rebase`` without its outcomes."""
    found = rebase(base, result, current, dispatcher)
    return None if found is None else found[0]
