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


def reoptimise(
    problem: Problem, plan: Plan, travel: TravelTimeSource, policy: DispatchPolicy
) -> Reoptimisation:
    """Warm-started, time-boxed solve of the live plan; the better plan under the promise rule."""
    before = keeps_promises(problem, plan, travel)
    report_before = evaluate(problem, plan, travel)
    params = SolveParams(time_limit_s=policy.reoptimise_time_limit_s, seed=policy.seed,
                         initial=plan, deterministic=policy.deterministic)
    candidate = solve(problem, travel, params)
    after = keeps_promises(problem, candidate, travel)
    better = after is not None and locks_kept(plan, candidate) and (
        before is None or after < before - 1e-6)
    if better and after is not None:
        return Reoptimisation(candidate, True, report_before.cost, after)
    return Reoptimisation(plan, False, report_before.cost, report_before.cost)
