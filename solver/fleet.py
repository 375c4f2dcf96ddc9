"""Fewer vans: close the van with the fewest riders and let the search place them elsewhere.

When every van used carries a fixed cost (Li & Lim rank fewest vans first), one van fewer
outweighs any distance, but the large-neighbourhood search rarely finds it by itself: a
route removal whose riders do not all fit again is rejected at once. Here, as in the first
stage of Ropke and Pisinger (2006), an attempt starts from the best solution with the
smallest route emptied and its van closed (a copy of the instance arrays in which that van
has no capacity), its riders unserved; the search runs on it in short slices until every
rider is served again (the attempt is adopted, and the next one starts from it) or the
attempt's share of the budget runs out (the search keeps its old best; after two failures
in a row the phase ends). The rest of the budget is the plain search.

Invariant: ``search`` only ever adopts an attempt that serves every request its best served,
on the original instance's feasibility (closing a van only removes possibilities), at a
lower cost; so its best never gets worse. Vans with locked stops or riders on board are
never closed.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from solver.fast_model import FastInstance, FastSolution
from solver.lns import total_cost
from solver.search import LnsParams, Search, SearchStats, run

SLICES = 5  # checks per attempt whether every rider is served again


def _closed(inst: FastInstance, k: int) -> FastInstance:
    """The arrays with van k unable to take anyone (every load check fails)."""
    cap_s, cap_c, cargo = inst.cap_s.copy(), inst.cap_c.copy(), inst.cap_cargo.copy()
    cap_s[k] = cap_c[k] = -1
    cargo[k, :] = -1
    return replace(inst, cap_s=cap_s, cap_c=cap_c, cap_cargo=cargo)


def _candidates(inst: FastInstance, sol: FastSolution) -> list[int]:
    """Used vans that may be closed (no locked head, nobody on board at the start),
    fewest stops first."""
    ks = [k for k in range(inst.K) if sol.rlen[k] > 0 and inst.head[k] == 0
          and inst.load0_s[k] == 0 and inst.load0_c[k] == 0
          and not inst.load0_cargo[k].any()]
    return sorted(ks, key=lambda k: (int(sol.rlen[k]), float(sol.rcost[k])))


def _attempt(search: Search, k: int) -> Search:
    """A search from the best solution with van k emptied and closed."""
    inst = _closed(search.inst, k)
    sol = search.best.copy()
    for q in range(int(sol.rlen[k])):
        r = inst.req_of[sol.routes[k, q]]
        sol.where[r] = -1
    sol.routes[k, :] = -1
    sol.rlen[k] = 0
    sol.rcost[k] = 0.0
    cost = float(total_cost(sol.rcost, sol.where, inst.penalty))
    return Search(inst, sol, sol.copy(), np.array([cost, cost]), search.base, search.near)


def reduce_fleet(search: Search, deadline: float, seed: int, params: LnsParams,
                 stats: SearchStats, share: float = 0.6, warm: float = 0.1,
                 per_attempt: float = 0.15) -> SearchStats:
    """Plain search for ``warm`` of the time to ``deadline``, attempts to close a van
    (each at most ``per_attempt`` of it) until ``share`` of it, then the plain search on
    the best solution; ``search`` ends with the best. ``stats.vans_closed`` counts the
    attempts adopted."""
    began = time.perf_counter()
    span = max(deadline - began, 1e-6)

    def at(x: float) -> float:
        return began + span * x

    run(search, at(warm), seed, params, progress=(0.0, warm), stats=stats)
    failures = 0
    tried: set[int] = set()
    attempt_no = 0
    while failures < 2:
        now = (time.perf_counter() - began) / span
        if now >= share:
            break
        candidates = [k for k in _candidates(search.inst, search.best) if k not in tried]
        if not candidates:
            break
        k = candidates[0]
        served = search.best.where >= 0
        trial = _attempt(search, k)
        end = min(share, now + per_attempt)
        done = False
        for s in range(SLICES):
            lo = now + (end - now) * s / SLICES
            hi = now + (end - now) * (s + 1) / SLICES
            attempt_no += 1
            run(trial, at(hi), seed + 7919 * attempt_no, params, progress=(lo, hi),
                stats=stats)
            if bool(np.all(trial.best.where[served] >= 0)):
                done = True
                break
        if done and trial.state[1] < search.state[1] - 1e-9:
            search.best = trial.best
            search.cur = trial.best.copy()
            search.state[0] = search.state[1] = trial.state[1]
            search.polished = float("inf")
            stats.vans_closed += 1
            failures = 0
            tried.clear()
        else:
            failures += 1
            tried.add(k)
    now = (time.perf_counter() - began) / span
    run(search, deadline, seed + 104_729, params, progress=(min(now, 1.0), 1.0), stats=stats)
    stats.best_cost = float(search.state[1])
    return stats
