"""Re-planning vans that can no longer keep their promises (a late van, a closed road, a silent
van): the least promise damage first (broken promises, then seconds late), then cost.

Three moves, in this order for each damaged van: re-order its own remaining stops (locked
stops stay first), move riders who have not boarded and whose promise breaks to vans that
can keep it, then move other riders who have not boarded when that lowers the van's damage,
and re-order once more. A move lands only where the insertion's exact check keeps every
promise of the receiving van, so no other van gets worse.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from maas.domain import Plan, Problem, Route, Stop, StopKind
from maas.travel import TravelTimeSource
from solver.dispatch.damage import Damage, RouteJudge
from solver.dispatch.planning import at_risk, evaluate_route, without_request
from solver.insertion import RouteMemo, best_insertion, insert, loads_ok

REORDER_ROUNDS = 25


def route_damage(problem: Problem, plan: Plan, vehicle_id: str, travel: TravelTimeSource
                 ) -> tuple[Damage, float]:
    """``(damage, cost)`` of one van's route in ``plan``."""
    stops = plan.route(vehicle_id).stops
    judge = RouteJudge(problem, problem.vehicle(vehicle_id), stops, travel)
    return judge.judge(stops)


def _ordered(stops: Sequence[Stop]) -> bool:
    seen: set[str] = set()
    for s in stops:
        if s.kind is StopKind.PICKUP:
            seen.add(s.request_id)
    picked: set[str] = set()
    for s in stops:
        if s.kind is StopKind.PICKUP:
            picked.add(s.request_id)
        elif s.request_id in seen and s.request_id not in picked:
            return False
    return True


def reorder(problem: Problem, plan: Plan, vehicle_id: str, travel: TravelTimeSource) -> Plan:
    """The plan with this van's unlocked stops re-ordered for the least ``(damage, cost)``.

    First-improvement relocation of one stop at a time (a pickup stays before its
    drop-off, loads stay within the van), until no move helps.
    """
    route = plan.route(vehicle_id)
    vehicle = problem.vehicle(vehicle_id)
    stops = list(route.stops)
    fixed = 0
    while fixed < len(stops) and stops[fixed].locked:
        fixed += 1
    if len(stops) - fixed < 2:
        return plan
    judge = RouteJudge(problem, vehicle, stops, travel)
    best = judge.judge(stops)
    start = best
    for _ in range(REORDER_ROUNDS):
        found = None
        for k in range(fixed, len(stops)):
            moved, rest = stops[k], stops[:k] + stops[k + 1:]
            for m in range(fixed, len(rest) + 1):
                if m == k:
                    continue
                trial = [*rest[:m], moved, *rest[m:]]
                if not _ordered(trial) or not loads_ok(vehicle, problem.requests, trial):
                    continue
                key = judge.judge(trial)
                if key < best:
                    found, best = trial, key
                    break
            if found is not None:
                break
        if found is None:
            break
        stops = found
    if best >= start:
        return plan
    routes = tuple(Route(vehicle_id, tuple(stops)) if r.vehicle_id == vehicle_id else r
                   for r in plan.routes)
    return Plan(routes, plan.unserved)


def _movable(plan: Plan, vehicle_id: str, pinned: Collection[str]) -> list[str]:
    """Riders on the van's route who have not boarded (even one the late van is heading for:
    another van that can still make the window should take them), except ``pinned`` ones."""
    return [s.request_id for s in plan.route(vehicle_id).stops
            if s.kind is StopKind.PICKUP and s.request_id not in pinned]


def repair(
    problem: Problem, plan: Plan, vehicle_ids: Iterable[str], travel: TravelTimeSource,
    pinned: Collection[str] = (),
) -> Plan:
    """The plan with the promise damage of the given vans made as small as these moves can.

    ``pinned`` riders never move: a van standing at their pickup keeps it.
    """
    memo = RouteMemo()  # for this call: a move changes two routes, the others stay
    for vid in vehicle_ids:
        damage, _ = route_damage(problem, plan, vid, travel)
        if damage.none:
            continue
        plan = reorder(problem, plan, vid, travel)
        damage, _ = route_damage(problem, plan, vid, travel)
        if damage.none:
            continue
        broken = at_risk(evaluate_route(problem, plan, vid, travel), problem.requests)
        others = [v.id for v in problem.vehicles if v.id != vid]
        candidates = _movable(plan, vid, pinned)
        for rid in [r for r in candidates if r in broken]:
            moved = _move(problem, plan, rid, others, travel, memo)
            if moved is not None:
                plan = moved  # the rider's promise is kept elsewhere; this van only gains
        damage, _ = route_damage(problem, plan, vid, travel)
        for rid in [r for r in candidates if r not in broken]:
            if damage.none:
                break
            moved = _move(problem, plan, rid, others, travel, memo)
            if moved is None:
                continue
            after, _ = route_damage(problem, moved, vid, travel)
            if after < damage:
                plan, damage = moved, after
        if not damage.none:
            plan = reorder(problem, plan, vid, travel)
    return plan


def _move(problem: Problem, plan: Plan, request_id: str, vehicle_ids: list[str],
          travel: TravelTimeSource, memo: RouteMemo | None = None) -> Plan | None:
    """``plan`` with ``request_id`` moved to the cheapest feasible place on ``vehicle_ids``."""
    if not vehicle_ids:
        return None
    trial = without_request(plan, request_id)
    ins = best_insertion(problem, trial, problem.requests[request_id], travel, vehicles=vehicle_ids,
                         cache=memo)
    if ins is None:
        return None
    return insert(trial, ins, request_id)
