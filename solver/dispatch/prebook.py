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
from solver.dispatch.reoptimise import locks_kept, sub_problem


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

    Cheapest insertion by urgency gives a safe plan. Then the OR-Tools core, warm-started
    from it, re-solves the fleet a group of ``policy.reoptimise_vans`` vans at a time, each
    group offered the new requests still left out: a group's result replaces its routes when
    it serves more of them, or as many at a lower cost, while keeping every existing promise
    and lock. Requests left out in the end stay out of the plan.
    """
    plan = Plan(insert_all(problem, Plan(plan.routes), urgency_order(new), travel).routes)
    fresh = {r.id for r in new}
    vans = [v.id for v in problem.vehicles]
    group = max(1, policy.reoptimise_vans)
    for first in range(0, len(vans), group):
        chosen = vans[first:first + group]
        served = {s.request_id for r in plan.routes for s in r.stops}
        left = [rid for rid in sorted(fresh) if rid not in served]
        sub, sub_plan = sub_problem(problem, plan, chosen)
        sub = Problem({**sub.requests, **{rid: problem.requests[rid] for rid in left}},
                      sub.vehicles, sub.weights)
        before = _keeps_existing(sub, sub_plan, new, travel)
        params = SolveParams(time_limit_s=policy.prebook_time_limit_s, seed=policy.seed,
                             initial=sub_plan, deterministic=policy.deterministic)
        solved = Plan(solve(sub, travel, params).routes)
        after = _keeps_existing(sub, solved, new, travel)
        if after is None or not locks_kept(sub_plan, solved):
            continue
        if before is None or (-_served(solved, new), after) < (-_served(sub_plan, new), before):
            routes = {r.vehicle_id: r for r in solved.routes}
            plan = Plan(tuple(routes.get(r.vehicle_id, r) for r in plan.routes))
    return plan
