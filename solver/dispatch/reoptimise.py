"""Rolling re-optimisation of the live plan by the OR-Tools core, under the promise rule: a new
plan replaces the old one only if it serves every booking, keeps every locked stop first and
does less promise damage (``solver.dispatch.damage``), or as little at a lower cost. A plan
that already breaks promises is re-optimised too: the solver then works on a problem whose
broken promises are relaxed to what the plan does now (so the plan is a feasible start), and
its result is judged on the real promises.

Which vans are solved together: the whole fleet when it is small, else a neighbourhood of
vans around a seed van chosen afresh each round, the vans whose planned stops come closest
to the seed's in time and space (riders can usefully move between those).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from maas.domain import Location, Plan, Problem, Request, TimeWindow
from maas.evaluation import PlanReport, evaluate
from maas.travel import TravelTimeSource
from solver.darp import SolveParams, solve
from solver.dispatch.damage import NO_DAMAGE, Damage
from solver.dispatch.planning import unserved_bookings
from solver.dispatch.policy import DispatchPolicy
from solver.dispatch.repair import repair, route_damage

# Stops whose travel time plus time apart exceeds this do not count as overlapping.
OVERLAP_HORIZON_S = 1_800


@dataclass(frozen=True, slots=True)
class Reoptimisation:
    """The plan to keep, whether it is a new one, both costs by the evaluator, the vans
    solved together and the promise damage before and after."""

    plan: Plan
    improved: bool
    cost_before: float
    cost_after: float
    vehicle_ids: tuple[str, ...] = ()
    damage_before: Damage = NO_DAMAGE
    damage_after: Damage = NO_DAMAGE


def keeps_promises(problem: Problem, plan: Plan, travel: TravelTimeSource) -> float | None:
    """The plan's cost if it serves every request of ``problem`` feasibly, else None."""
    report = evaluate(problem, plan, travel)
    if not report.feasible or unserved_bookings(problem, plan):
        return None
    return report.cost


def locks_kept(before: Plan, after: Plan) -> bool:
    """Whether every van still starts with the stops it had locked (they are under way)."""
    new = {r.vehicle_id: r.stops for r in after.routes}
    for route in before.routes:
        head = [(s.request_id, s.kind) for s in route.stops if s.locked]
        got = [(s.request_id, s.kind) for s in new.get(route.vehicle_id, ())[: len(head)]]
        if head != got:
            return False
    return True


def plan_damage(problem: Problem, plan: Plan, travel: TravelTimeSource
                ) -> tuple[Damage, float]:
    """Summed ``(damage, cost)`` of every route of ``plan``."""
    total, cost = NO_DAMAGE, 0.0
    for route in plan.routes:
        d, c = route_damage(problem, plan, route.vehicle_id, travel)
        total, cost = total + d, cost + c
    return total, cost


def vans_for_round(problem: Problem, round_: int, group: int, plan: Plan | None = None,
                   travel: TravelTimeSource | None = None, whole_fleet: int = 0,
                   report: PlanReport | None = None, seed: int = 0) -> list[str]:
    """The vans re-optimised together in round ``round_``.

    The whole fleet if it has at most ``max(group, whole_fleet)`` vans. Otherwise, given the
    plan, a neighbourhood of ``group`` vans (``neighbourhood``); without it, ``group``
    consecutive vans moving on by ``group`` each round.
    """
    ids = [v.id for v in problem.vehicles]
    if len(ids) <= max(group, whole_fleet):
        return ids
    if plan is not None and travel is not None:
        return neighbourhood(problem, plan, travel, round_, group, report, seed)
    first = (round_ * group) % len(ids)
    return [ids[(first + k) % len(ids)] for k in range(group)]


def neighbourhood(problem: Problem, plan: Plan, travel: TravelTimeSource, round_: int,
                  group: int, report: PlanReport | None = None, seed: int = 0) -> list[str]:
    """A seed van drawn for this round (among vans with stops), and the ``group - 1`` vans
    whose planned stops (or, idle, whose position) overlap the seed's most in time and
    space: each pair of stops scores ``1 - (drive between them + time apart) / horizon``
    when positive. A small random weight per round varies the neighbours of one seed."""
    rng = random.Random(seed * 1_000_003 + round_)
    report = report if report is not None else evaluate(problem, plan, travel)
    points: dict[str, list[tuple[Location, int]]] = {}
    for v in problem.vehicles:
        sched = list(report.schedules.get(v.id) or ())
        points[v.id] = [(problem.requests[s.stop.request_id].origin
                         if s.stop.kind.value == "pickup"
                         else problem.requests[s.stop.request_id].destination, s.start)
                        for s in sched] or [(v.start_location, v.start_time)]
    busy = [v.id for v in problem.vehicles if report.schedules.get(v.id)]
    pool = busy or [v.id for v in problem.vehicles]
    seed_van = pool[rng.randrange(len(pool))]
    others = [v.id for v in problem.vehicles if v.id != seed_van]
    mine = points[seed_van]
    theirs = [(vid, loc, t) for vid in others for loc, t in points[vid]]
    rows = travel.durations([loc for loc, _ in mine],
                            [loc for _, loc, _ in theirs]).tolist()
    score = dict.fromkeys(others, 0.0)
    for a, (_, ta) in enumerate(mine):
        row = rows[a]
        for b, (vid, _, tb) in enumerate(theirs):
            near = 1.0 - (row[b] + abs(ta - tb)) / OVERLAP_HORIZON_S
            if near > 0:
                score[vid] += near
    ranked = sorted(others, key=lambda vid: (-score[vid] * rng.uniform(0.8, 1.2), vid))
    return [seed_van, *ranked[: group - 1]]


def sub_problem(problem: Problem, plan: Plan, vehicle_ids: list[str]) -> tuple[Problem, Plan]:
    """The requests, vans and routes of ``vehicle_ids`` only (their riders on board too)."""
    chosen = set(vehicle_ids)
    vans = tuple(v for v in problem.vehicles if v.id in chosen)
    routes = tuple(plan.route(v.id) for v in vans)
    ids = {s.request_id for r in routes for s in r.stops}
    ids |= {rid for v in vans for rid in v.onboard}
    requests = {rid: problem.requests[rid] for rid in sorted(ids) if rid in problem.requests}
    return Problem(requests, vans, problem.weights), Plan(routes)


def relaxed(problem: Problem, plan: Plan, travel: TravelTimeSource) -> Problem:
    """``problem`` with each broken promise widened to what ``plan`` does now (its pickup
    window end, drop-off deadline and ride limit), so that ``plan`` is a feasible start."""
    report = evaluate(problem, plan, travel)
    if report.feasible:
        return problem
    broken = {v.subject for v in report.violations if v.subject in problem.requests}
    times: dict[str, dict[str, int]] = {}
    for sched in report.schedules.values():
        for s in sched:
            times.setdefault(s.stop.request_id, {})[s.stop.kind.value] = s.start
    requests = dict(problem.requests)
    for rid in broken:
        r, t = requests[rid], times.get(rid, {})
        pickup, dropoff, ride = r.pickup, r.dropoff, r.max_ride
        if "pickup" in t:
            pickup = TimeWindow(pickup.earliest, max(pickup.latest, t["pickup"]))
        if "dropoff" in t:
            dropoff = TimeWindow(dropoff.earliest, max(dropoff.latest, t["dropoff"]))
            if "pickup" in t:
                ride = max(ride, t["dropoff"] - t["pickup"] - r.board)
        requests[rid] = _widened(r, pickup, dropoff, ride)
    return Problem(requests, problem.vehicles, problem.weights)


def _widened(r: Request, pickup: TimeWindow, dropoff: TimeWindow, ride: int) -> Request:
    return replace(r, pickup=pickup, dropoff=dropoff, max_ride=ride)


def reoptimise(
    problem: Problem, plan: Plan, travel: TravelTimeSource, policy: DispatchPolicy,
    round_: int = 0,
) -> Reoptimisation:
    """Warm-started, time-boxed solve of part of the live plan; the better plan under the
    promise rule (least damage, then cost).

    Each round hands the solver core the routes of one neighbourhood (``vans_for_round``):
    riders may move between those vans and stops may be reordered, the other vans keep
    their routes. Small sub-problems let the solver's deterministic search end by itself
    well inside the time limit, so the same inputs and seed give the same plan.
    """
    report_before = evaluate(problem, plan, travel)
    vans = vans_for_round(problem, round_, policy.reoptimise_vans, plan, travel,
                          policy.reoptimise_whole_fleet_vans, report_before, policy.seed)
    sub, sub_plan = sub_problem(problem, plan, vans)
    unchanged = Reoptimisation(plan, False, report_before.cost, report_before.cost,
                               tuple(vans))
    if not sub.requests:
        return unchanged
    before = plan_damage(sub, sub_plan, travel)
    start = sub_plan
    if not before[0].none:
        start = Plan(repair(sub, sub_plan, [r.vehicle_id for r in sub_plan.routes], travel)
                     .routes)
    target = relaxed(sub, start, travel) if not before[0].none else sub
    params = SolveParams(time_limit_s=policy.reoptimise_time_limit_s, seed=policy.seed,
                         iterations=policy.reoptimise_iterations,
                         initial=start, deterministic=policy.deterministic)
    best, best_key = sub_plan, before
    for candidate in (start, Plan(solve(target, travel, params).routes)):
        # A candidate with the round's own routes scores the ``before`` key exactly, which
        # never beats it: not judged again (the search often ends where it began).
        if candidate.routes == sub_plan.routes or unserved_bookings(sub, candidate):
            continue
        if not locks_kept(sub_plan, candidate):
            continue
        key = plan_damage(sub, candidate, travel)
        if (key[0], key[1] + 1e-6) < best_key:
            best, best_key = candidate, key
    if best is sub_plan:
        return replace(unchanged, damage_before=before[0], damage_after=before[0])
    new_routes = {r.vehicle_id: r for r in best.routes}
    merged = Plan(tuple(new_routes.get(r.vehicle_id, r) for r in plan.routes), plan.unserved)
    return Reoptimisation(merged, True, report_before.cost,
                          evaluate(problem, merged, travel).cost, tuple(vans),
                          before[0], best_key[0])
