"""Ruin and recreate: remove a few related requests, reinsert them by cheapest insertion.

A large-neighbourhood search around the insertion heuristic, which knows ride-time limits
exactly (OR-Tools' local search filters do not, so many of its moves die late). Removal
picks requests related in space and time to a random seed request, or a random stretch of
one route; recreation inserts them in a random or urgency order, skipping a few positions
at random (SISR's blinks); simulated annealing decides which plans to keep. Route costs
are cached by stop sequence, so only the routes an iteration touched are re-timed.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from maas.domain import Location, Plan, Problem, Route, Stop, StopKind
from maas.evaluation import leg_durations, route_legs
from maas.travel import TravelTimeSource
from solver.insertion import RouteCache, best_insertion, insert, route_cost


@dataclass(frozen=True)
class RuinRecreateParams:
    """Search settings: how much to remove and how warm the annealing starts and ends."""

    min_remove: int = 2
    max_remove_share: float = 0.15
    max_remove: int = 30
    start_temperature: float = 0.004  # as a share of the starting cost
    end_temperature: float = 0.0002
    blink: float = 0.01
    string_share: float = 0.3  # removals of a route stretch; the rest remove related requests


class _RouteCosts:
    """Travel + ride cost of each route, cached by (van, stops)."""

    def __init__(self, problem: Problem, travel: TravelTimeSource,
                 penalties: Mapping[str, float] | None = None) -> None:
        self.problem, self.travel = problem, travel
        self.penalties = penalties
        self.vehicles = {v.id: v for v in problem.vehicles}
        self.cache: dict[tuple[str, tuple[Stop, ...]], float | None] = {}

    def route(self, route: Route) -> float | None:
        key = (route.vehicle_id, route.stops)
        if key not in self.cache:
            if len(self.cache) > 200_000:
                self.cache.clear()
            v = self.vehicles[route.vehicle_id]
            reqs = self.problem.requests
            legs = leg_durations(self.travel, route_legs(v, reqs, route.stops))
            found = route_cost(self.problem, v, reqs, route.stops, legs)
            self.cache[key] = None if found is None else found[0]
        return self.cache[key]

    def plan(self, plan: Plan, fixed_cost: float) -> float | None:
        if self.penalties is None:
            total = self.problem.weights.rejection * len(plan.unserved)
        else:
            total = sum(self.penalties[r] for r in plan.unserved)
        for r in plan.routes:
            c = self.route(r)
            if c is None:
                return None
            total += c + (fixed_cost if r.stops else 0.0)
        return total


def _removable(problem: Problem, plan: Plan) -> list[str]:
    onboard = {rid for v in problem.vehicles for rid in v.onboard}
    return [s.request_id for r in plan.routes for s in r.stops
            if s.kind is StopKind.PICKUP and not s.locked and s.request_id not in onboard]


def _remove(plan: Plan, ids: set[str]) -> Plan:
    """The plan without ``ids``; untouched routes stay the same objects (cache hits)."""
    routes = tuple(
        Route(r.vehicle_id, tuple(s for s in r.stops if s.request_id not in ids))
        if any(s.request_id in ids for s in r.stops) else r
        for r in plan.routes)
    return Plan(routes, plan.unserved)


class _Relatedness:
    """Travel times between request ends, fetched once, for related removal."""

    def __init__(self, problem: Problem, travel: TravelTimeSource) -> None:
        ids = list(problem.requests)
        self.index = {rid: k for k, rid in enumerate(ids)}
        points: list[Location] = [problem.requests[r].origin for r in ids]
        points += [problem.requests[r].destination for r in ids]
        m = travel.durations(points, points)
        n = len(ids)
        self.o = m[:n, :n]
        self.d = m[n:, n:]
        # Latest pickup, narrowed by the drop-off deadline (outbound trips have open pickups).
        self.time: dict[str, int] = {}
        for k, rid in enumerate(ids):
            req = problem.requests[rid]
            self.time[rid] = min(req.pickup.latest,
                                 req.dropoff.latest - req.board - int(m[k, n + k]))

    def related(self, seed: str, candidates: Sequence[str], k: int,
                rng: random.Random) -> list[str]:
        a = self.index[seed]

        def score(rid: str) -> float:
            b = self.index[rid]
            return (float(self.o[a, b] + self.d[a, b]) + abs(self.time[seed] - self.time[rid])
                    ) * (1.0 + 0.3 * rng.random())

        return sorted(candidates, key=score)[:k]


def _ruin(plan: Plan, removable: list[str], k: int, rel: _Relatedness,
          rng: random.Random, string_share: float) -> set[str]:
    if rng.random() < string_share:
        # A stretch of one route.
        routes = [r for r in plan.routes if r.stops]
        route = rng.choice(routes)
        picks = [s.request_id for s in route.stops
                 if s.kind is StopKind.PICKUP and s.request_id in set(removable)]
        if picks:
            start = rng.randrange(len(picks))
            return set(picks[start : start + k])
    seed = rng.choice(removable)
    return set(rel.related(seed, removable, k, rng))


def _recreate(problem: Problem, plan: Plan, ids: Sequence[str], travel: TravelTimeSource,
              rng: random.Random, cache: RouteCache, urgency: dict[str, int],
              blink: float, first: Mapping[str, float] | None = None) -> Plan:
    """Reinsert ``ids``: in random or urgency order, the most costly to leave out first
    (``first``: penalty per request, so required requests go before optional ones)."""
    order = list(ids)
    if rng.random() < 0.5:
        rng.shuffle(order)
    else:
        order.sort(key=lambda r: (urgency[r], r))
    if first is not None:
        order.sort(key=lambda r: -first[r])  # stable: keeps the order within a penalty
    unserved: list[str] = []
    for rid in order:
        ins = best_insertion(problem, plan, problem.requests[rid], travel, cache=cache,
                             blink=blink, rng=rng)
        if ins is None:
            unserved.append(rid)
        else:
            plan = insert(plan, ins, rid)
    return Plan(plan.routes, tuple(unserved))


def ruin_and_recreate(
    problem: Problem,
    travel: TravelTimeSource,
    start: Plan,
    deadline: float,
    seed: int = 0,
    vehicle_fixed_cost: float = 0.0,
    params: RuinRecreateParams | None = None,
    max_iterations: int | None = None,
    penalties: Mapping[str, float] | None = None,
) -> Plan:
    """The best plan found from ``start`` until ``time.perf_counter()`` reaches ``deadline``
    (or after ``max_iterations``); ``start`` itself if nothing better turns up.

    ``start`` must be feasible; every plan kept is feasible by construction. ``penalties``
    (per request) replaces the global ``weights.rejection`` for requests left out.
    """
    params = params or RuinRecreateParams()
    rng = random.Random(seed)
    costs = _RouteCosts(problem, travel, penalties)
    current_cost = costs.plan(start, vehicle_fixed_cost)
    if current_cost is None:
        return start
    rel = _Relatedness(problem, travel)
    cache = RouteCache()
    current = best = start
    best_cost = current_cost
    began = time.perf_counter()
    span = max(deadline - began, 1e-6)
    left_out = (problem.weights.rejection * len(start.unserved) if penalties is None
                else sum(penalties[r] for r in start.unserved))
    served_cost = current_cost - left_out
    t0 = params.start_temperature * served_cost
    t1 = params.end_temperature * served_cost
    iteration = 0
    while time.perf_counter() < deadline and (max_iterations is None
                                              or iteration < max_iterations):
        iteration += 1
        removable = _removable(problem, current)
        if not removable and not current.unserved:
            break
        upper = max(params.min_remove,
                    min(params.max_remove, int(params.max_remove_share * len(removable))))
        k = rng.randint(params.min_remove, upper)
        ids = _ruin(current, removable, k, rel, rng, params.string_share) if removable else set()
        retry = [u for u in current.unserved if u not in ids]
        partial = Plan(_remove(current, ids).routes, ())
        candidate = _recreate(problem, partial, [*sorted(ids), *retry], travel, rng, cache,
                              rel.time, params.blink, penalties)
        cost = costs.plan(candidate, vehicle_fixed_cost)
        if cost is None:
            continue
        if max_iterations is not None:  # counted, not timed: repeatable
            progress = iteration / max_iterations
        else:
            progress = min(1.0, (time.perf_counter() - began) / span)
        temperature = t0 * (t1 / t0) ** progress if t0 > 0 else 0.0
        threshold = -temperature * math.log(max(rng.random(), 1e-12))
        if cost < current_cost + threshold:
            current, current_cost = candidate, cost
            if cost < best_cost - 1e-9:
                best, best_cost = candidate, cost
    return best
