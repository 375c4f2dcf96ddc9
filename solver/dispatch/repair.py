"""Re-planning a van that can no longer keep its promises (late van, closed road): move riders
who have not boarded to vans that can still take them, with the one insertion heuristic."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from maas.domain import Plan, Problem, StopKind
from maas.travel import TravelTimeSource
from solver.dispatch.planning import at_risk, evaluate_route, without_request
from solver.insertion import best_insertion, insert


def _movable(plan: Plan, vehicle_id: str, pinned: Collection[str]) -> list[str]:
    """Riders on the van's route who have not boarded (even one the late van is heading for:
    another van that can still make the window should take them), except ``pinned`` ones."""
    return [s.request_id for s in plan.route(vehicle_id).stops
            if s.kind is StopKind.PICKUP and s.request_id not in pinned]


def _violation_count(problem: Problem, plan: Plan, vehicle_id: str,
                     travel: TravelTimeSource) -> int:
    return len(evaluate_route(problem, plan, vehicle_id, travel).violations)


def repair(
    problem: Problem, plan: Plan, vehicle_ids: Iterable[str], travel: TravelTimeSource,
    pinned: Collection[str] = (),
) -> Plan:
    """The plan with riders moved off vans whose routes break a promise, where that helps.

    First the riders whose own promise breaks move to any other van that can keep it; then,
    while the van still breaks something, other riders move if that lowers its violations.
    Every move lands on a feasible route (the insertion checks it), so no other van gets worse.
    ``pinned`` riders never move: a van standing at their pickup keeps it.
    """
    for vid in vehicle_ids:
        report = evaluate_route(problem, plan, vid, travel)
        if report.feasible:
            continue
        broken = at_risk(report, problem.requests)
        others = [v.id for v in problem.vehicles if v.id != vid]
        candidates = _movable(plan, vid, pinned)
        first = [r for r in candidates if r in broken]
        rest = [r for r in candidates if r not in broken]
        for rid in first:
            moved = _move(problem, plan, rid, others, travel)
            if moved is not None:
                plan = moved
        count = _violation_count(problem, plan, vid, travel)
        for rid in rest:
            if count == 0:
                break
            moved = _move(problem, plan, rid, others, travel)
            if moved is None:
                continue
            after = _violation_count(problem, moved, vid, travel)
            if after < count:
                plan, count = moved, after
    return plan


def _move(problem: Problem, plan: Plan, request_id: str, vehicle_ids: list[str],
          travel: TravelTimeSource) -> Plan | None:
    """``plan`` with ``request_id`` moved to the cheapest feasible place on ``vehicle_ids``."""
    if not vehicle_ids:
        return None
    trial = without_request(plan, request_id)
    ins = best_insertion(problem, trial, problem.requests[request_id], travel, vehicles=vehicle_ids)
    if ins is None:
        return None
    return insert(trial, ins, request_id)
