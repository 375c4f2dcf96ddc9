"""Rolling re-optimisation of the live plan by the OR-Tools core, under the promise rule:
the new plan replaces the old one only if the evaluator finds it keeps every promise (every
booking served, every window, ride time and capacity kept, locked stops still first) and
its cost is lower. A plan that already breaks a promise is replaced by any plan that keeps
them all."""

from __future__ import annotations

from dataclasses import dataclass

from maas.domain import Plan, Problem
from maas.evaluation import evaluate
from maas.travel import TravelTimeSource
from solver.darp import SolveParams, solve
from solver.dispatch.planning import unserved_bookings
from solver.dispatch.policy import DispatchPolicy


@dataclass(frozen=True, slots=True)
class Reoptimisation:
    """The plan to keep, whether it is a new one, and both costs by the evaluator."""

    plan: Plan
    improved: bool
    cost_before: float
    cost_after: float


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


def vans_for_round(problem: Problem, round_: int, group: int) -> list[str]:
    """The vans re-optimised together in round ``round_``: the whole fleet if it has at most
    ``group`` vans, else ``group`` consecutive vans, moving on by ``group`` each round (so a
    day's rounds visit every van, in an order fixed by the fleet)."""
    ids = [v.id for v in problem.vehicles]
    if len(ids) <= group:
        return ids
    first = (round_ * group) % len(ids)
    return [ids[(first + k) % len(ids)] for k in range(group)]


def sub_problem(problem: Problem, plan: Plan, vehicle_ids: list[str]) -> tuple[Problem, Plan]:
    """The requests, vans and routes of ``vehicle_ids`` only (their riders on board too)."""
    chosen = set(vehicle_ids)
    vans = tuple(v for v in problem.vehicles if v.id in chosen)
    routes = tuple(plan.route(v.id) for v in vans)
    ids = {s.request_id for r in routes for s in r.stops}
    ids |= {rid for v in vans for rid in v.onboard}
    requests = {rid: problem.requests[rid] for rid in sorted(ids) if rid in problem.requests}
    return Problem(requests, vans, problem.weights), Plan(routes)


def reoptimise(
    problem: Problem, plan: Plan, travel: TravelTimeSource, policy: DispatchPolicy,
    round_: int = 0,
) -> Reoptimisation:
    """Warm-started, time-boxed solve of part of the live plan; the better plan under the
    promise rule.

    Each round hands the solver core the routes of ``policy.reoptimise_vans`` vans together
    (the whole fleet when it is that small): riders may move between those vans and stops
    may be reordered, the other vans keep their routes. Small sub-problems let the solver's
    deterministic search end by itself well inside the time limit, so the same inputs and
    seed give the same plan; successive rounds cover the fleet.
    """
    report_before = evaluate(problem, plan, travel)
    vans = vans_for_round(problem, round_, policy.reoptimise_vans)
    sub, sub_plan = sub_problem(problem, plan, vans)
    if not sub.requests:
        return Reoptimisation(plan, False, report_before.cost, report_before.cost)
    before = keeps_promises(sub, sub_plan, travel)
    params = SolveParams(time_limit_s=policy.reoptimise_time_limit_s, seed=policy.seed,
                         initial=sub_plan, deterministic=policy.deterministic)
    candidate = Plan(solve(sub, travel, params).routes)
    after = keeps_promises(sub, candidate, travel)
    better = after is not None and locks_kept(sub_plan, candidate) and (
        before is None or after < before - 1e-6)
    if not better:
        return Reoptimisation(plan, False, report_before.cost, report_before.cost)
    new_routes = {r.vehicle_id: r for r in candidate.routes}
    merged = Plan(tuple(new_routes.get(r.vehicle_id, r) for r in plan.routes), plan.unserved)
    cost_after = keeps_promises(problem, merged, travel)
    if cost_after is None and report_before.feasible:
        return Reoptimisation(plan, False, report_before.cost, report_before.cost)
    return Reoptimisation(merged, True, report_before.cost,
                          evaluate(problem, merged, travel).cost)
