"""What leaving a request out costs: required (promised) requests against optional ones.

The evaluator charges one global ``weights.rejection`` per unserved request; the solver's
callers know more: promised riders must be served, a priority rider or a parcel may be worth
more or less than the default. ``Rejections`` holds one penalty per request, with required
requests (and riders on board, who are required by nature) at ``required_penalty``, a value
above any cost a plan could save by leaving them out, so that every search that compares
plans by this objective prefers serving one more required request to anything else.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from maas.domain import Plan, Problem
from maas.errors import InvalidInput, MaasError
from maas.evaluation import evaluate
from maas.travel import TravelTimeSource

REQUIRED_FACTOR = 1000.0  # required penalty = this x the largest optional penalty


class RequiredUnserved(MaasError):
    """The solver found no feasible plan that serves every required request.

    ``plan`` is the best feasible plan it found (serving the most required requests),
    ``request_ids`` the required requests that plan leaves out.
    """

    code = "required_unserved"

    def __init__(self, request_ids: tuple[str, ...], plan: Plan) -> None:
        self.request_ids, self.plan = request_ids, plan
        shown = ", ".join(request_ids[:10]) + (" ..." if len(request_ids) > 10 else "")
        super().__init__(f"required requests left unserved: {shown} "
                         f"({len(request_ids)} in all); no feasible plan serving them was found")


@dataclass(frozen=True)
class Rejections:
    """The penalty of leaving each request of a problem unserved (cost units)."""

    penalty: Mapping[str, float]
    required: frozenset[str]
    required_penalty: float

    def of(self, plan: Plan) -> float:
        """Total penalty of the requests ``plan`` leaves unserved."""
        return sum(self.penalty[r] for r in plan.unserved if r in self.penalty)

    def missing_required(self, plan: Plan) -> tuple[str, ...]:
        """Required requests that ``plan`` does not serve, in problem order."""
        served = {s.request_id for r in plan.routes for s in r.stops}
        return tuple(sorted(r for r in self.required if r not in served))


def rejections(problem: Problem, required: Collection[str] = (),
               penalties: Mapping[str, float] | None = None) -> Rejections:
    """Penalties for ``problem``: ``penalties[rid]`` for optional requests that have one,
    ``problem.weights.rejection`` for the other optional ones, the required penalty for
    ``required`` requests and riders on board.

    Raises ``InvalidInput`` naming the field for ids that are not requests of the problem or
    negative penalties.
    """
    penalties = penalties or {}
    unknown = sorted(set(required) - set(problem.requests))
    if unknown:
        raise InvalidInput(f"SolveParams.required names unknown requests: {unknown[:10]}")
    unknown = sorted(set(penalties) - set(problem.requests))
    if unknown:
        raise InvalidInput(f"SolveParams.penalties names unknown requests: {unknown[:10]}")
    bad = sorted(r for r, p in penalties.items() if not p >= 0)
    if bad:
        raise InvalidInput(f"SolveParams.penalties must not be negative: {bad[:10]}")
    onboard = {rid for v in problem.vehicles for rid in v.onboard if rid in problem.requests}
    must = frozenset(required) | frozenset(onboard)
    optional = {rid: float(penalties.get(rid, problem.weights.rejection))
                for rid in problem.requests if rid not in must}
    top = max([problem.weights.rejection, 1.0, *optional.values()])
    big = REQUIRED_FACTOR * top
    penalty = {rid: (big if rid in must else optional[rid]) for rid in problem.requests}
    return Rejections(penalty, must, big)


def plan_objective(problem: Problem, plan: Plan, travel: TravelTimeSource, rej: Rejections,
                   vehicle_fixed_cost: float = 0.0) -> float | None:
    """Travel + ride cost by the evaluator, + fixed cost per van used, + the penalties of
    the requests left out; None if the evaluator finds the plan infeasible."""
    report = evaluate(problem, plan, travel)
    if not report.feasible:
        return None
    w = problem.weights
    served = {s.request_id for r in plan.routes for s in r.stops}
    left = [rid for rid in problem.requests if rid not in served]
    used = sum(1 for r in plan.routes if r.stops)
    return (report.cost - w.rejection * report.rejected + sum(rej.penalty[r] for r in left)
            + vehicle_fixed_cost * used)
