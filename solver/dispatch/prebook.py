"""Prebooked rides: the asks collected up to a cut-off are solved as one batch by the solver
core on top of the live plan; the day then runs dynamically from the result."""

from __future__ import annotations

from collections.abc import Sequence

from maas.domain import Plan, Problem, Request
from maas.evaluation import evaluate
from maas.travel import TravelTimeSource
from solver.construction import insert_all, urgency_order
from solver.darp import SolveParams, solve
from solver.dispatch.policy import DispatchPolicy
from solver.dispatch.reoptimise import locks_kept


def _served(plan: Plan, requests: Sequence[Request]) -> int:
    ids = {s.request_id for r in plan.routes for s in r.stops}
    return sum(1 for r in requests if r.id in ids)


def _keeps_existing(problem: Problem, plan: Plan, new: Sequence[Request],
                    travel: TravelTimeSource) -> float | None:
    """Cost of ``plan`` if it is feasible and serves every request that is not new."""
    report = evaluate(problem, plan, travel)
    if not report.feasible:
        return None
    served = {s.request_id for r in plan.routes for s in r.stops}
    served |= {rid for v in problem.vehicles for rid in v.onboard}
    fresh = {r.id for r in new}
    if any(rid not in served for rid in problem.requests if rid not in fresh):
        return None
    return report.cost


def prebook(problem: Problem, plan: Plan, new: Sequence[Request], travel: TravelTimeSource,
            policy: DispatchPolicy) -> Plan:
    """``plan`` with as many of the ``new`` requests as can be served, existing ones kept.

    Cheapest insertion by urgency gives a safe plan; the OR-Tools core, warm-started from it,
    replaces it when it serves more new requests, or as many at a lower cost, while keeping
    every existing promise and lock. Requests left out stay out of the plan.
    """
    greedy = insert_all(problem, Plan(plan.routes), urgency_order(new), travel)
    greedy = Plan(greedy.routes)
    best, best_key = greedy, None
    cost = _keeps_existing(problem, greedy, new, travel)
    if cost is not None:
        best_key = (-_served(greedy, new), cost)
    params = SolveParams(time_limit_s=policy.prebook_time_limit_s, seed=policy.seed,
                         initial=greedy, deterministic=policy.deterministic)
    solved = Plan(solve(problem, travel, params).routes)
    cost = _keeps_existing(problem, solved, new, travel)
    if cost is not None and locks_kept(plan, solved):
        key = (-_served(solved, new), cost)
        if best_key is None or key < best_key:
            best = solved
    return best
