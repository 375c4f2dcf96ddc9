"""Compiled timing of one route: exact feasibility and cost, as the evaluator computes them.

A route is a sequence of node ids ``seq[0..n-1]``: the van's start node, its stops, its end
node (nodes and their arrays are built by ``solver.fast_model``). The functions here are
the evaluator's (``maas.evaluation``) on integer arrays, compiled with numba:

- ``feasible``: the earliest schedule meeting every window, ride limit and the duration
  limit exists (Bellman-Ford on the difference constraints, as ``earliest_feasible``);
- ``route_cost``: travel x wt + ride x wr of the schedule the evaluator would use
  (eight-step, the exact earliest schedule when eight-step breaks a limit), or -1.0 when
  infeasible. With wr == 0 only feasibility is computed.

Invariant: for a route without a driver break, ``route_cost`` equals the evaluator's travel
and ride cost of that route exactly (integers throughout), and ``route_cost < 0`` exactly
when the evaluator reports a violation of windows, ride times or duration. Loads are not
checked here (the insertion screen keeps them).

``posbuf`` is a scratch array over nodes, all -1 between calls.
"""

from __future__ import annotations

import numpy as np
from numba import njit

NO_LIMIT = 10**15


@njit(cache=True, nogil=True)
def _rides(seq: np.ndarray, n: int, partner: np.ndarray, is_pickup: np.ndarray,
           posbuf: np.ndarray, rp: np.ndarray, rd: np.ndarray) -> int:
    """Pairs (pickup position, drop-off position) whose two ends are both in ``seq``."""
    for i in range(n):
        posbuf[seq[i]] = i
    count = 0
    for i in range(1, n - 1):
        node = seq[i]
        if is_pickup[node]:
            d = posbuf[partner[node]]
            if d > i:
                rp[count] = i
                rd[count] = d
                count += 1
    for i in range(n):
        posbuf[seq[i]] = -1
    return count


@njit(cache=True, nogil=True)
def _earliest(seq: np.ndarray, n: int, T: np.ndarray, e: np.ndarray, lt: np.ndarray,
              svc: np.ndarray, maxride: np.ndarray, maxdur: int, rp: np.ndarray,
              rd: np.ndarray, nr: int, starts: np.ndarray, low: np.ndarray) -> bool:
    """Earliest schedule meeting every constraint into ``starts``; False if none exists.

    Bellman-Ford as ``maas.evaluation.earliest_feasible``: a forward pass, then the pulls of
    ride limits on pickups and of the duration limit on the start. A pickup starts from the
    bound its drop-off's window implies through the ride limit (a constraint of every
    feasible schedule, so the least schedule is the same) and each round re-runs the
    forward pass only from the earliest position a pull moved: both cut the rounds.
    """
    for i in range(n):
        low[i] = e[seq[i]]
    for r in range(nr):
        p, d = rp[r], rd[r]
        need = e[seq[d]] - maxride[seq[p]] - svc[seq[p]]
        if need > low[p]:
            low[p] = need
    frm = 0
    starts[0] = low[0]
    for _ in range(n + 1):
        if frm == 0:
            starts[0] = low[0]
            if starts[0] > lt[seq[0]]:
                return False
            frm = 1
        elif low[frm - 1] > starts[frm - 1]:
            starts[frm - 1] = low[frm - 1]
            if starts[frm - 1] > lt[seq[frm - 1]]:
                return False
        for i in range(frm, n):
            a = starts[i - 1] + svc[seq[i - 1]] + T[seq[i - 1], seq[i]]
            starts[i] = a if a > low[i] else low[i]
            if starts[i] > lt[seq[i]]:
                return False
        frm = n
        for r in range(nr):
            p, d = rp[r], rd[r]
            need = starts[d] - maxride[seq[p]] - svc[seq[p]]
            if need > starts[p]:
                low[p] = need
                if p + 1 < frm:
                    frm = p + 1
        need = starts[n - 1] - maxdur
        if need > starts[0]:
            low[0] = need
            frm = 0
        if frm == n:
            return True
    return False


@njit(cache=True, nogil=True)
def _forward(seq: np.ndarray, n: int, T: np.ndarray, e: np.ndarray, svc: np.ndarray,
             starts: np.ndarray, frm: int) -> None:
    for i in range(frm + 1, n):
        a = starts[i - 1] + svc[seq[i - 1]] + T[seq[i - 1], seq[i]]
        ei = e[seq[i]]
        starts[i] = a if a > ei else ei


@njit(cache=True, nogil=True)
def _waits(seq: np.ndarray, n: int, T: np.ndarray, svc: np.ndarray, starts: np.ndarray,
           w: np.ndarray) -> None:
    w[0] = 0
    for i in range(1, n):
        w[i] = starts[i] - (starts[i - 1] + svc[seq[i - 1]] + T[seq[i - 1], seq[i]])


@njit(cache=True, nogil=True)
def _slack(seq: np.ndarray, n: int, lt: np.ndarray, svc: np.ndarray, maxride: np.ndarray,
           starts: np.ndarray, w: np.ndarray, i: int, open_p: np.ndarray) -> int:
    """Cordeau-Laporte forward slack of position i (``open_p[j]``: the pickup position of
    the rider dropped at j who was picked up before i, else -1)."""
    best = NO_LIMIT
    cum = 0
    for j in range(i, n):
        if j > i:
            cum += w[j]
        room = lt[seq[j]] - starts[j]
        p = open_p[j]
        if p >= 0:
            r2 = maxride[seq[p]] - (starts[j] - starts[p] - svc[seq[p]])
            if r2 < room:
                room = r2
        v = cum + (room if room > 0 else 0)
        if v < best:
            best = v
    return best


@njit(cache=True, nogil=True)
def _violated(seq: np.ndarray, n: int, e: np.ndarray, lt: np.ndarray, svc: np.ndarray,
              maxride: np.ndarray, maxdur: int, rp: np.ndarray, rd: np.ndarray, nr: int,
              starts: np.ndarray) -> bool:
    for i in range(n):
        if starts[i] > lt[seq[i]] or starts[i] < e[seq[i]]:
            return True
    for r in range(nr):
        p, d = rp[r], rd[r]
        if starts[d] - starts[p] - svc[seq[p]] > maxride[seq[p]]:
            return True
    return starts[n - 1] - starts[0] > maxdur


@njit(cache=True, nogil=True)
def route_cost(seq: np.ndarray, n: int, T: np.ndarray, e: np.ndarray, lt: np.ndarray,
               svc: np.ndarray, partner: np.ndarray, is_pickup: np.ndarray,
               maxride: np.ndarray, maxdur: int, wt: float, wr: float,
               posbuf: np.ndarray, work: np.ndarray) -> float:
    """Travel x wt + ride x wr of the route ``seq[:n]``, or -1.0 if it is infeasible.

    ``work`` is an int64 scratch array of shape (7, >= n).
    """
    rp, rd = work[0], work[1]
    starts, low, w, open_p = work[2], work[3], work[4], work[5]
    nr = _rides(seq, n, partner, is_pickup, posbuf, rp, rd)
    travel = 0
    for i in range(n - 1):
        travel += T[seq[i], seq[i + 1]]
    if wr == 0.0:
        if not _earliest(seq, n, T, e, lt, svc, maxride, maxdur, rp, rd, nr, starts, low):
            return -1.0
        return wt * travel
    # Eight-step scheme (maas.evaluation.eight_step), then the exact fallback.
    starts[0] = e[seq[0]]
    _forward(seq, n, T, e, svc, starts, 0)
    early_broken = False
    for i in range(n):
        if starts[i] > lt[seq[i]]:
            early_broken = True
            break
    if early_broken:
        return -1.0  # windows fail at the earliest start already
    _waits(seq, n, T, svc, starts, w)
    for j in range(n):
        open_p[j] = -1
    f0 = _slack(seq, n, lt, svc, maxride, starts, w, 0, open_p)
    total = 0
    for j in range(1, n):
        total += w[j]
    delay = f0 if f0 < total else total
    if delay > 0:
        starts[0] += delay
        _forward(seq, n, T, e, svc, starts, 0)
    # drop position of each pickup position (rides are sorted by pickup position)
    ri = 0
    for j in range(1, n - 1):
        if ri < nr and rp[ri] == j:
            _waits(seq, n, T, svc, starts, w)
            slack = _slack(seq, n, lt, svc, maxride, starts, w, j, open_p)
            total = 0
            for q in range(j + 1, n):
                total += w[q]
            delay = slack if slack < total else total
            if delay > 0:
                starts[j] += delay
                _forward(seq, n, T, e, svc, starts, j)
            open_p[rd[ri]] = j
            ri += 1
    if _violated(seq, n, e, lt, svc, maxride, maxdur, rp, rd, nr, starts):
        if not _earliest(seq, n, T, e, lt, svc, maxride, maxdur, rp, rd, nr, starts, low):
            return -1.0
        if _violated(seq, n, e, lt, svc, maxride, maxdur, rp, rd, nr, starts):
            return -1.0
    ride = 0
    for r in range(nr):
        ride += starts[rd[r]] - starts[rp[r]] - svc[seq[rp[r]]]
    return wt * travel + wr * ride
