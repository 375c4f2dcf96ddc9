"""The recreate step of the compiled search: ``fast_insert.best_insertion`` finds the
cheapest feasible insertion an exhaustive exact search finds (its screen never cuts a
feasible one), its routes' profile cache gives exactly the uncached answers, and a recreate
bound to be rejected stops at the first request it cannot place."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from maas.domain import CostWeights, Plan, Problem, Route
from solver.benchmark_problems import cordeau_problem
from solver.construction import construct
from solver.fast_insert import (
    PROF_ROWS,
    _spliced,
    apply_insertion,
    best_insertion,
    build_seq,
    no_cache,
    profile_cache,
    remove_request,
)
from solver.fast_model import FastInstance, FastSolution, build_instance, to_solution
from solver.fast_timing import route_cost
from solver.lns import _recreate, seed_rng
from solver.objective import rejections
from solver.readers import read_cordeau
from solver.search import _price
from tests.solver.cases import TRAVEL, problem, request, van


def _insert(inst: FastInstance, sol: FastSolution, r: int, pc: np.ndarray,
            pv: np.ndarray) -> tuple[int, int, int, float, float]:
    L = sol.routes.shape[1]
    return best_insertion(
        r, sol.routes, sol.rlen, sol.rcost, inst.T, inst.e, inst.lt, inst.se, inst.slt,
        inst.svc, inst.dseat, inst.dchair, inst.partner, inst.is_pickup, inst.maxride,
        inst.pnode, inst.dnode, inst.kind, inst.home, inst.cap_s, inst.cap_c, inst.load0_s,
        inst.load0_c, inst.dcargo, inst.cap_cargo, inst.load0_cargo, inst.maxdur,
        inst.head, inst.fixed_cost, inst.wt, inst.wr, 0.0,
        np.full(inst.N, -1, dtype=np.int64), np.empty((7, L + 4), dtype=np.int64),
        np.empty((PROF_ROWS, L + 4), dtype=np.int64), pc, pv)


@pytest.mark.parametrize("ride_weight", [0.0, 0.2])
def test_cached_profiles_give_the_uncached_insertions(data_dir: Path,
                                                      ride_weight: float) -> None:
    """Twenty requests out of a4-32's insertion plan, put back one by one at their
    cheapest places: with the cache (each changed route's profile dropped) every answer
    equals the one computed from scratch, and the cache was used (profiles kept)."""
    bp = cordeau_problem(read_cordeau(data_dir / "darp/cordeau-a/a4-32.txt"))
    prob = Problem(bp.problem.requests, bp.problem.vehicles,
                   CostWeights(travel_time=1.0, ride_time=ride_weight, rejection=1e9))
    inst = build_instance(prob, bp.travel, rejections(prob).penalty, {})
    sol = to_solution(inst, construct(prob, bp.travel))
    assert _price(inst, sol)
    out = np.random.default_rng(3).permutation(inst.R)[:20]
    for r in out:
        remove_request(int(r), sol.routes, sol.rlen, sol.where, inst.pnode, inst.dnode,
                       inst.kind)
    assert _price(inst, sol)
    width = sol.routes.shape[1] + 4
    pc, pv = profile_cache(inst.K, width)
    kept = 0
    scratch = np.empty(width, dtype=np.int64)
    for r in out:
        kept += int((pv != 0).sum())
        fresh = _insert(inst, sol, int(r), *no_cache(width))
        cached = _insert(inst, sol, int(r), pc, pv)
        assert cached == fresh, int(r)
        k, i, j, _, cost = fresh
        if k >= 0:
            apply_insertion(sol.routes, sol.rlen, k, inst.pnode[r], inst.dnode[r], i, j,
                            scratch)
            sol.where[r] = k
            sol.rcost[k] = cost
            pv[k] = 0
    assert kept > 0


def test_recreate_bound_to_be_rejected_stops_at_the_first_request_left_out() -> None:
    """A request no van can reach in time, priced above the bound: the recreate stops
    there (False) and the request after it is not inserted; with no bound it goes on."""
    reqs = [request("late", (300, 0), (301, 0), pickup=(0, 1)),
            request("easy", (1, 0), (2, 0))]
    prob = problem(reqs, [van("v")])
    inst = build_instance(prob, TRAVEL, rejections(prob).penalty, {})
    seed_rng(0)
    for bound, completed in ((1.0, False), (np.inf, True)):
        sol = to_solution(inst, Plan((Route("v"),), ("late", "easy")))
        L = sol.routes.shape[1]
        pc, pv = profile_cache(inst.K, L + 4)
        dirty = np.zeros(inst.K, dtype=np.bool_)
        done = _recreate(
            np.array([0, 1]), 2, False, sol.routes, sol.rlen, sol.where, sol.rcost, inst.T,
            inst.e, inst.lt, inst.se, inst.slt, inst.svc, inst.dseat, inst.dchair,
            inst.partner, inst.is_pickup, inst.maxride, inst.pnode, inst.dnode, inst.kind,
            inst.home, inst.penalty, inst.cap_s, inst.cap_c, inst.load0_s, inst.load0_c,
            inst.dcargo, inst.cap_cargo, inst.load0_cargo, inst.maxdur, inst.head,
            inst.fixed_cost, inst.wt, inst.wr, 0.0, np.full(inst.N, -1, dtype=np.int64),
            np.empty((7, L + 4), dtype=np.int64), np.empty((PROF_ROWS, L + 4), np.int64),
            np.empty(L + 4, dtype=np.int64), pc, pv, dirty, bound)
        assert done == completed
        assert sol.where[0] == -1
        assert (sol.where[1] >= 0) == completed
        assert bool(dirty.any()) == completed


def _exhaustive(inst: FastInstance, sol: FastSolution, r: int) -> float:
    """The cheapest feasible insertion's cost change over every van and position pair,
    each checked exactly (``fast_timing.route_cost``) with the loads."""
    L = sol.routes.shape[1]
    posbuf = np.full(inst.N, -1, dtype=np.int64)
    work = np.empty((7, L + 4), dtype=np.int64)
    seq = np.empty(L + 4, dtype=np.int64)
    out = np.empty(L + 4, dtype=np.int64)
    best = np.inf
    for k in range(inst.K):
        n2 = build_seq(sol.routes, sol.rlen, k, inst.K, seq)
        for i in range(int(inst.head[k]), n2 - 1):
            for j in range(i, n2 - 1):
                n3 = _spliced(seq, n2, int(inst.pnode[r]), int(inst.dnode[r]), i, j, out)
                seats = np.cumsum(inst.dseat[out[:n3]]) + inst.load0_s[k]
                if seats.max() > inst.cap_s[k]:
                    continue
                c = route_cost(out, n3, inst.T, inst.e, inst.lt, inst.svc, inst.partner,
                               inst.is_pickup, inst.maxride, inst.maxdur[k], inst.wt,
                               inst.wr, posbuf, work)
                if c >= 0:
                    best = min(best, c + inst.fixed_cost[k] - sol.rcost[k])
    return best


@pytest.mark.parametrize("name", ["a4-32", "a6-60"])
def test_screened_insertion_is_the_exhaustive_cheapest(data_dir: Path, name: str) -> None:
    """Each of 25 requests taken out of a good plan (ride weight 0: the screen's estimates
    are exact): ``best_insertion`` finds the cost change of the cheapest feasible place
    that trying every position pair of every route exactly finds, or none when none is."""
    bp = cordeau_problem(read_cordeau(data_dir / f"darp/cordeau-a/{name}.txt"))
    inst = build_instance(bp.problem, bp.travel, rejections(bp.problem).penalty, {})
    base = to_solution(inst, construct(bp.problem, bp.travel))
    assert _price(inst, base)
    width = base.routes.shape[1] + 4
    for r in np.random.default_rng(5).permutation(inst.R)[:25]:
        sol = base.copy()
        remove_request(int(r), sol.routes, sol.rlen, sol.where, inst.pnode, inst.dnode,
                       inst.kind)
        assert _price(inst, sol)
        k, _, _, delta, _ = _insert(inst, sol, int(r), *no_cache(width))
        want = _exhaustive(inst, sol, int(r))
        if want == np.inf:
            assert k < 0, int(r)
        else:
            assert k >= 0 and delta == pytest.approx(want), int(r)
