"""The compiled large-neighbourhood search from Python: problem in, plan out, clock outside.

``lns_search`` turns the problem into arrays (``solver.fast_model``), runs the compiled
iterations (``solver.lns.run_chunk``) in chunks of about ``chunk_s`` seconds, lowering the
annealing temperature with the share of the budget spent, and returns the best plan. After
a chunk that found a new best, the compiled local search (``solver.fast_local.descend``:
relocate, 2-opt*, exchange) takes that best to a local optimum and the chain goes on from
it. With a fixed cost per van (and one timed search), ``solver.fleet`` first tries closing
vans. With ``max_iterations`` the chunks are counted, not timed, so that the same inputs and
seed give the same plan (the clock still caps the run).

``SearchStats`` reports what a run did (iterations, accepted moves, seconds, per removal
operator how often it was tried, accepted, found a new best or lost a request, the local
searches' time and savings), so that a change that slows the core shows up in the
benchmarks.

Note on numba's on-disk cache: it does not follow calls, so after an edit of a compiled
function only its own module is recompiled; delete ``solver/__pycache__`` after changing a
function other modules call (``fast_insert``, ``fast_timing``, ``fast_ruin``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from maas.domain import Plan, Problem, Route, Stop
from maas.travel import TravelTimeSource
from solver.fast_local import descend, neighbours
from solver.fast_model import FastInstance, FastSolution, build_instance, to_plan, to_solution
from solver.lns import price_routes, run_chunk, seed_rng, total_cost


@dataclass(frozen=True)
class LnsParams:
    """Search settings: removal sizes, blinks, annealing from ``start_temperature`` to
    ``end_temperature`` (shares of the starting cost of the served requests)."""

    min_remove: int = 2
    max_remove: int = 15  # 30 took twice as long per iteration, no better at 5 s on pr13-20
    remove_share: float = 0.3  # of the served requests, at most
    blink: float = 0.01
    max_string: int = 10
    regret_share: float = 0.0  # regret-2 recreate: slower and no better on CL2003 at 10 s
    # recreates redone (those left out first) when one loses a request: on pr16 and pr20
    # it cut such iterations from a third to a sixth but halved the iterations per second
    retries: int = 0
    # with a fixed cost per van (and one search, timed): first try closing vans
    # (``solver.fleet``)
    reduce_fleet: bool = True
    # chances of the removal operators: random, related, string, worst, route
    operators: tuple[float, float, float, float, float] = (0.2, 0.25, 0.2, 0.3, 0.05)
    start_temperature: float = 0.01
    end_temperature: float = 0.0005
    chunk_s: float = 0.05
    counted_chunk: int = 100
    # local search (``solver.fast_local.descend``) on each new best, between chunks
    local_search: bool = True
    ls_neighbours: int = 10  # exchange partners per request
    ls_passes: int = 5
    # back to the best solution when the best has not improved for this share of the run
    restart_share: float = 0.0
    # two cores (``solver.parallel``): seconds between exchanges of the best solutions
    exchange_s: float = 2.0  # 5 exchanges in 10 s, as before it was a setting


@dataclass
class SearchStats:
    """What one search did."""

    iterations: int = 0
    accepted: int = 0
    seconds: float = 0.0
    start_cost: float = 0.0
    best_cost: float = 0.0
    adopted: int = 0  # parallel mode: solutions taken over from the other search
    exchanges: int = 0  # parallel mode: exchanges of best solutions with the other search
    # per removal operator (random, related, string, worst, route): tried, accepted, new
    # best, left out a request served before
    operators: np.ndarray = field(default_factory=lambda: np.zeros((5, 4), dtype=np.int64))
    descents: int = 0  # local searches run on new bests
    restarts: int = 0  # returns to the best solution after a stall
    vans_closed: int = 0  # fleet reduction (solver.fleet): attempts adopted
    descent_seconds: float = 0.0
    # cost saved by relocate, 2-opt*, exchange
    descent_gains: np.ndarray = field(default_factory=lambda: np.zeros(3))

    @property
    def per_second(self) -> float:
        """Iterations per second of search."""
        return self.iterations / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Search:
    """The state of one search: its arrays, current and best solutions and costs."""

    inst: FastInstance
    cur: FastSolution
    best: FastSolution
    state: np.ndarray  # [current cost, best cost]
    base: float  # cost of the served requests at the start (temperature scale)
    near: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    polished: float = float("inf")  # best cost at the last local search

    def plan(self) -> Plan:
        """The best plan so far."""
        return to_plan(self.inst, self.best)


def _route_cost_sum(inst: FastInstance, sol: FastSolution) -> float:
    """Travel and ride cost of the routes, without the fixed costs of the vans used (the
    temperature scale: a van's fixed cost would make it far too hot)."""
    used = sol.rlen > 0
    return float(sol.rcost.sum() - inst.fixed_cost[used].sum())


def _price(inst: FastInstance, sol: FastSolution) -> bool:
    L = sol.routes.shape[1]
    return bool(price_routes(
        sol.routes, sol.rlen, sol.rcost, inst.T, inst.e, inst.lt, inst.svc, inst.partner,
        inst.is_pickup, inst.maxride, inst.maxdur, inst.fixed_cost, inst.wt, inst.wr,
        np.full(inst.N, -1, dtype=np.int64), np.empty((7, L + 4), dtype=np.int64),
        np.empty(L + 4, dtype=np.int64)))


def start_search(problem: Problem, travel: TravelTimeSource, start: Plan,
                 penalties: Mapping[str, float], locked: Mapping[str, list[Stop]],
                 vehicle_fixed_cost: float = 0.0) -> Search | None:
    """A search from ``start`` (feasible, locks as ``locked``); None if the compiled timing
    finds ``start`` infeasible (it then has nothing to build on)."""
    inst = build_instance(problem, travel, penalties, locked, vehicle_fixed_cost)
    cur = to_solution(inst, start)
    if not _price(inst, cur):
        return None
    cost = float(total_cost(cur.rcost, cur.where, inst.penalty))
    base = _route_cost_sum(inst, cur)
    return Search(inst, cur, cur.copy(), np.array([cost, cost]), max(base, 1.0))


def adopt(search: Search, plan: Plan) -> bool:
    """Make ``plan`` the current solution (and the best, if better); False if the compiled
    timing finds it infeasible. The exchange step of the parallel mode."""
    sol = to_solution(search.inst, plan)
    if not _price(search.inst, sol):
        return False
    cost = float(total_cost(sol.rcost, sol.where, search.inst.penalty))
    search.cur = sol
    search.state[0] = cost
    if cost < search.state[1] - 1e-9:
        search.best = sol.copy()
        search.state[1] = cost
    return True


def run(search: Search, deadline: float, seed: int, params: LnsParams | None = None,
        max_iterations: int | None = None, progress: tuple[float, float] = (0.0, 1.0),
        stats: SearchStats | None = None) -> SearchStats:
    """Iterate until ``time.perf_counter()`` reaches ``deadline`` (or ``max_iterations``);
    the temperature follows ``progress`` (the share of the whole schedule this run
    covers, so that a run split in rounds anneals as one)."""
    params = params or LnsParams()
    stats = stats or SearchStats(start_cost=float(search.state[1]))
    seed_rng(seed)
    knobs = np.array([params.min_remove, params.max_remove, params.blink, params.max_string,
                      params.regret_share, params.remove_share, params.retries],
                     dtype=np.float64)
    weights = np.array(params.operators, dtype=np.float64)
    t0 = params.start_temperature * search.base
    t1 = params.end_temperature * search.base
    began = time.perf_counter()
    span = max(deadline - began, 1e-6)
    p0, p1 = progress

    def temperature(share: float) -> float:
        # A share of the best plan's cost of the served requests, so that a poor start
        # does not leave the search too hot.
        scale = max(1.0, _route_cost_sum(search.inst, search.best)) / search.base
        p = p0 + (p1 - p0) * min(1.0, max(0.0, share))
        return float(scale * t0 * (t1 / t0) ** p) if t0 > 0 else 0.0

    chunk = params.counted_chunk
    done = 0
    last_best, since = float(search.state[1]), 0.0  # share of the run at the last new best
    if search.base <= 1.0 and (max_iterations is None or max_iterations > 0):
        # Nothing served yet: the first iteration builds the solution that sets the
        # temperature scale.
        _chunk(search, 1, 0.0, 0.0, knobs, weights, stats.operators)
        done = 1
        search.base = max(1.0, _route_cost_sum(search.inst, search.cur))
        t0 = params.start_temperature * search.base
        t1 = params.end_temperature * search.base
    while True:
        now = time.perf_counter()
        if now >= deadline or (max_iterations is not None and done >= max_iterations):
            break
        if max_iterations is not None:
            chunk = min(params.counted_chunk, max_iterations - done)
            share_from, share_to = done / max_iterations, (done + chunk) / max_iterations
        else:
            share_from = (now - began) / span
            rate = done / (now - began) if done and now > began else 0.0
            chunk = max(1, int(rate * params.chunk_s)) if rate else 5
            share_to = share_from + (chunk / rate / span if rate else 0.0)
        stats.accepted += _chunk(search, chunk, temperature(share_from),
                                 temperature(share_to), knobs, weights, stats.operators)
        done += chunk
        if params.local_search and search.state[1] < search.polished - 1e-9:
            _polish(search, params, stats)
        if search.state[1] < last_best - 1e-9:
            last_best, since = float(search.state[1]), share_to
        elif params.restart_share > 0 and share_to - since > params.restart_share:
            search.cur = search.best.copy()  # stalled: start again from the best
            search.state[0] = search.state[1]
            since = share_to
            stats.restarts += 1
    stats.iterations += done
    stats.seconds += time.perf_counter() - began
    stats.best_cost = float(search.state[1])
    return stats


def _polish(search: Search, params: LnsParams, stats: SearchStats) -> None:
    """Local search (``solver.fast_local.descend``) on the best solution; if it saves
    anything, the search goes on from the improved best."""
    inst, best = search.inst, search.best
    began = time.perf_counter()
    want = min(params.ls_neighbours, max(inst.R - 1, 0))
    if search.near.shape != (inst.R, want):
        search.near = neighbours(want, inst.T, inst.pnode, inst.dnode, inst.urgency)
    gain = float(descend(
        params.ls_passes, search.near, best.routes, best.rlen, best.where, best.rcost,
        inst.T, inst.e, inst.lt, inst.se, inst.slt, inst.svc, inst.dseat, inst.dchair,
        inst.partner, inst.is_pickup, inst.maxride, inst.req_of, inst.pnode, inst.dnode,
        inst.kind, inst.home, inst.cap_s, inst.cap_c, inst.load0_s, inst.load0_c,
        inst.dcargo, inst.cap_cargo, inst.load0_cargo, inst.maxdur, inst.head,
        inst.fixed_cost, inst.wt, inst.wr, stats.descent_gains))
    if gain > 0:
        search.state[1] = float(total_cost(best.rcost, best.where, inst.penalty))
        search.cur = best.copy()
        search.state[0] = search.state[1]
    search.polished = float(search.state[1])
    stats.descents += 1
    stats.descent_seconds += time.perf_counter() - began


def _chunk(search: Search, iters: int, t_from: float, t_to: float, knobs: np.ndarray,
           weights: np.ndarray, opstats: np.ndarray) -> int:
    inst, cur, best = search.inst, search.cur, search.best
    return int(run_chunk(
        iters, t_from, t_to, knobs,
        cur.routes, cur.rlen, cur.where, cur.rcost, best.routes, best.rlen, best.where,
        best.rcost, search.state, inst.T, inst.e, inst.lt, inst.se, inst.slt, inst.svc,
        inst.dseat, inst.dchair, inst.partner, inst.is_pickup, inst.maxride, inst.req_of,
        inst.pnode, inst.dnode, inst.kind, inst.home, inst.penalty, inst.urgency,
        inst.cap_s, inst.cap_c, inst.load0_s, inst.load0_c, inst.dcargo, inst.cap_cargo,
        inst.load0_cargo, inst.maxdur, inst.head,
        inst.fixed_cost, inst.wt, inst.wr, weights, opstats))


def lns_search(problem: Problem, travel: TravelTimeSource, start: Plan,
               penalties: Mapping[str, float], locked: Mapping[str, list[Stop]],
               deadline: float, seed: int = 0, vehicle_fixed_cost: float = 0.0,
               max_iterations: int | None = None, params: LnsParams | None = None,
               stats: SearchStats | None = None, workers: int = 1) -> Plan:
    """The best plan the compiled search finds from ``start`` by ``deadline``; ``start``
    itself if the compiled timing cannot price it. ``workers`` >= 2 (and no
    ``max_iterations``): two searches on two cores (``solver.parallel``)."""
    search = start_search(problem, travel, start, penalties, locked, vehicle_fixed_cost)
    if search is None:
        return start
    params = params or LnsParams()
    if workers >= 2 and max_iterations is None:
        from solver.parallel import parallel_run

        found = parallel_run(search, deadline, seed, params)
    elif (params.reduce_fleet and max_iterations is None and vehicle_fixed_cost > 0
          and deadline < float("inf")):
        from solver.fleet import reduce_fleet

        found = reduce_fleet(search, deadline, seed, params,
                             SearchStats(start_cost=float(search.state[1])))
    else:
        found = run(search, deadline, seed, params, max_iterations)
    if stats is not None:
        stats.iterations, stats.accepted, stats.seconds = (found.iterations, found.accepted,
                                                           found.seconds)
        stats.start_cost, stats.best_cost = found.start_cost, found.best_cost
        stats.adopted, stats.exchanges = found.adopted, found.exchanges
        stats.operators[:] = found.operators
        stats.descents, stats.descent_seconds = found.descents, found.descent_seconds
        stats.descent_gains[:] = found.descent_gains
        stats.vans_closed = found.vans_closed
    return search.plan()


def warm_up() -> None:
    """Compile (or load from numba's on-disk cache) the search on a two-stop problem, so
    that the first real search does not spend its budget compiling. Idempotent."""
    global _WARM
    if _WARM:
        return
    from maas.domain import CostWeights, Location, Request, TimeWindow, Vehicle, VehicleType
    from maas.travel import EuclideanTravel

    day = TimeWindow(0, 10_000)
    req = Request("r", Location(0.0, 1.0), Location(0.0, 2.0), day, day, 1_000)
    van = Vehicle("v", VehicleType(), Location(0.0, 0.0), day)
    for wr in (0.0, 0.2):
        problem = Problem({"r": req}, (van,), CostWeights(ride_time=wr))
        start = Plan((Route("v"),), ("r",))
        lns_search(problem, EuclideanTravel(), start, {"r": 1.0}, {}, float("inf"),
                   max_iterations=2)
    _WARM = True


_WARM = False
