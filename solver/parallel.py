"""Two cores: independent searches with different seeds that exchange their best solutions.

The calling process runs one search and a forked child runs another (the child inherits the
problem's arrays and the compiled code, nothing is pickled but solutions). The budget is cut
into rounds of about ``LnsParams.exchange_s`` seconds; at the end of each round both send
their best solution through a pipe, and the worse adopts the better as its current and best
solution, then both go on with new seeds and the annealing schedule continues as if the run
were one. The best solution after the last round is returned.

Not repeatable (the rounds end on the clock), so it is off by default; the simulator's
deterministic mode always runs one search. Needs the ``fork`` start method (Linux); where
it is missing the single search runs instead.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from multiprocessing.connection import Connection

import numpy as np

from solver.fast_model import FastSolution
from solver.search import LnsParams, Search, SearchStats, run


def rounds_for(span: float, exchange_s: float) -> int:
    """Rounds of about ``exchange_s`` seconds in ``span`` seconds (at least one)."""
    return max(1, round(span / exchange_s)) if exchange_s > 0 else 1


def _payload(search: Search) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    b = search.best
    return float(search.state[1]), b.routes, b.rlen, b.where, b.rcost


def _take(search: Search, payload: tuple[float, np.ndarray, np.ndarray, np.ndarray,
                                         np.ndarray]) -> bool:
    """Adopt the other search's best if it is better than ours; True if adopted."""
    cost, routes, rlen, where, rcost = payload
    if cost >= search.state[1] - 1e-9:
        return False
    sol = FastSolution(routes.copy(), rlen.copy(), where.copy(), rcost.copy())
    search.best = sol
    search.cur = sol.copy()
    search.state[0] = search.state[1] = cost
    search.polished = cost  # the other search polished its best already
    return True


def _rounds(search: Search, began: float, deadline: float, seed: int, params: LnsParams,
            rounds: int, conn: Connection, first: bool, stats: SearchStats) -> None:
    span = deadline - began
    for r in range(rounds):
        end = began + span * (r + 1) / rounds
        run(search, end, seed + 7919 * r, params, progress=(r / rounds, (r + 1) / rounds),
            stats=stats)
        mine = _payload(search)
        if first:  # the child sends first, the parent receives first: no deadlock
            conn.send(mine)
            theirs = conn.recv()
        else:
            theirs = conn.recv()
            conn.send(mine)
        stats.exchanges += 1
        if _take(search, theirs):
            stats.adopted += 1


def _child(search: Search, conn: Connection, began: float, deadline: float, seed: int,
           params: LnsParams, rounds: int) -> None:
    stats = SearchStats(start_cost=float(search.state[1]))
    _rounds(search, began, deadline, seed, params, rounds, conn, True, stats)
    conn.send((stats.iterations, stats.seconds))
    conn.close()


def parallel_run(search: Search, deadline: float, seed: int, params: LnsParams | None = None,
                 rounds: int | None = None, stats: SearchStats | None = None) -> SearchStats:
    """Run ``search`` here and a copy with another seed in a child process until
    ``deadline``, exchanging best solutions ``rounds`` times (default: every
    ``params.exchange_s`` seconds); ``search`` ends with the better. ``stats.iterations``
    counts both searches' iterations."""
    params = params or LnsParams()
    stats = stats or SearchStats(start_cost=float(search.state[1]))
    try:
        ctx = mp.get_context("fork")
    except ValueError:
        return run(search, deadline, seed, params, stats=stats)
    began = time.perf_counter()
    if rounds is None:
        rounds = rounds_for(deadline - began, params.exchange_s)
    here, there = ctx.Pipe()
    child = ctx.Process(target=_child, args=(search, there, began, deadline,
                                             seed + 104_729, params, rounds), daemon=True)
    child.start()
    there.close()
    try:
        _rounds(search, began, deadline, seed, params, rounds, here, False, stats)
        other_iterations, _ = here.recv()
        stats.iterations += int(other_iterations)
    finally:
        here.close()
        child.join(timeout=5)
        if child.is_alive():
            child.kill()
    stats.best_cost = float(search.state[1])
    return stats
