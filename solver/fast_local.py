"""Compiled local search on one solution: request relocation, request exchange between two
routes, and 2-opt* (tails of two routes swapped where both vans are empty).

The large-neighbourhood search (``solver.lns``) removes and reinserts random groups of
requests; these moves instead walk a neighbourhood systematically until none of its moves
improves (a local optimum), as the published DARP heuristics do on their best solutions
(Braekers, Caris and Janssens 2014). ``solver.search`` applies ``descend`` to each new best.

- ``relocate_pass``: each request in turn out of its route and back at its cheapest feasible
  place in any route (``fast_insert.best_insertion``: this covers moving either stop within
  its route too);
- ``exchange_pass``: a request and one of its related requests on another route swap
  routes, each at its cheapest place in the other's route;
- ``two_opt_star_pass``: routes a and b cut where nobody is on board, the tails swapped
  (also a tail moved onto an empty van).

Invariant: a move is applied only if every route it changes is feasible by
``fast_timing.route_cost`` with loads within the van's capacities (the insertion screen for
the first two, ``_loads_ok`` for 2-opt*) and the total cost falls by more than ``EPS``;
otherwise the routes are restored exactly. So a pass never makes the solution worse, and
``rcost`` stays each route's exact cost. Locked heads stay in place (no cut inside a head,
drop-only requests stay on their van). Randomness: only the visiting order, from numba's
seeded generator.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solver.fast_insert import (
    PROF_ROWS,
    apply_insertion,
    best_insertion,
    build_seq,
    remove_request,
)
from solver.fast_ruin import relatedness
from solver.fast_timing import route_cost

EPS = 1e-9


@njit(cache=True, nogil=True)
def _price(routes: np.ndarray, rlen: np.ndarray, k: int, T: np.ndarray, e: np.ndarray,
           lt: np.ndarray, svc: np.ndarray, partner: np.ndarray, is_pickup: np.ndarray,
           maxride: np.ndarray, maxdur: np.ndarray, fixed_cost: np.ndarray, wt: float,
           wr: float, posbuf: np.ndarray, work: np.ndarray, seq: np.ndarray) -> float:
    """Route k's cost with its van's fixed cost, or -1.0 if infeasible."""
    n2 = build_seq(routes, rlen, k, rlen.shape[0], seq)
    c = route_cost(seq, n2, T, e, lt, svc, partner, is_pickup, maxride, maxdur[k], wt, wr,
                   posbuf, work)
    if c < 0:
        return -1.0
    return c + (fixed_cost[k] if rlen[k] > 0 else 0.0)


@njit(cache=True, nogil=True)
def neighbours(count: int, T: np.ndarray, pnode: np.ndarray, dnode: np.ndarray,
               urgency: np.ndarray) -> np.ndarray:
    """For each request, the ``count`` most related others (``fast_ruin.relatedness``)."""
    R = pnode.shape[0]
    count = min(count, max(R - 1, 0))
    out = np.empty((R, count), dtype=np.int64)
    score = np.empty(R)
    for r in range(R):
        for s in range(R):
            score[s] = np.inf if s == r else relatedness(r, s, T, pnode, dnode, urgency)
        order = np.argsort(score)
        for q in range(count):
            out[r, q] = order[q]
    return out


@njit(cache=True, nogil=True)
def relocate_pass(routes: np.ndarray, rlen: np.ndarray, where: np.ndarray,
                  rcost: np.ndarray, T: np.ndarray, e: np.ndarray, lt: np.ndarray,
                  se: np.ndarray, slt: np.ndarray, svc: np.ndarray, dseat: np.ndarray,
                  dchair: np.ndarray, partner: np.ndarray, is_pickup: np.ndarray,
                  maxride: np.ndarray, pnode: np.ndarray, dnode: np.ndarray,
                  kind: np.ndarray, home: np.ndarray, cap_s: np.ndarray, cap_c: np.ndarray,
                  load0_s: np.ndarray, load0_c: np.ndarray, dcargo: np.ndarray,
                  cap_cargo: np.ndarray, load0_cargo: np.ndarray, maxdur: np.ndarray,
                  head: np.ndarray, fixed_cost: np.ndarray, wt: float, wr: float
                  ) -> float:
    """Every served movable request, in random order, to its cheapest place if that is
    cheaper than where it is; returns the cost saved (>= 0)."""
    L = routes.shape[1]
    R = where.shape[0]
    posbuf = np.full(T.shape[0], -1, dtype=np.int64)
    work = np.empty((7, L + 4), dtype=np.int64)
    prof = np.empty((PROF_ROWS, L + 4), dtype=np.int64)
    pc0 = np.empty((0, PROF_ROWS, 1), dtype=np.int64)  # no profile cache
    pv0 = np.zeros(0, dtype=np.int8)
    seq = np.empty(L + 4, dtype=np.int64)
    save = np.empty(L, dtype=np.int64)
    gain = 0.0
    for r in np.random.permutation(R):
        v = where[r]
        if v < 0 or kind[r] > 1:
            continue
        n = rlen[v]
        save[:n] = routes[v, :n]
        old = rcost[v]
        remove_request(r, routes, rlen, where, pnode, dnode, kind)
        c = _price(routes, rlen, v, T, e, lt, svc, partner, is_pickup, maxride, maxdur,
                   fixed_cost, wt, wr, posbuf, work, seq)
        if c >= 0:
            rcost[v] = c
            bk, bi, bj, delta, bc = best_insertion(
                r, routes, rlen, rcost, T, e, lt, se, slt, svc, dseat, dchair, partner,
                is_pickup, maxride, pnode, dnode, kind, home, cap_s, cap_c, load0_s,
                load0_c, dcargo, cap_cargo, load0_cargo, maxdur, head, fixed_cost, wt, wr,
                0.0, posbuf, work, prof, pc0, pv0)
            change = c - old + delta
            if bk >= 0 and change < -EPS:
                p = pnode[r] if kind[r] == 0 else -1
                apply_insertion(routes, rlen, bk, p, dnode[r], bi, bj, seq)
                where[r] = bk
                rcost[bk] = bc
                gain -= change
                continue
        routes[v, :n] = save[:n]
        rlen[v] = n
        where[r] = v
        rcost[v] = old
    return gain


@njit(cache=True, nogil=True)
def exchange_pass(near: np.ndarray, routes: np.ndarray, rlen: np.ndarray,
                  where: np.ndarray, rcost: np.ndarray, T: np.ndarray, e: np.ndarray,
                  lt: np.ndarray, se: np.ndarray, slt: np.ndarray, svc: np.ndarray,
                  dseat: np.ndarray, dchair: np.ndarray, partner: np.ndarray,
                  is_pickup: np.ndarray, maxride: np.ndarray, pnode: np.ndarray,
                  dnode: np.ndarray, kind: np.ndarray, home: np.ndarray, cap_s: np.ndarray,
                  cap_c: np.ndarray, load0_s: np.ndarray, load0_c: np.ndarray,
                  dcargo: np.ndarray, cap_cargo: np.ndarray, load0_cargo: np.ndarray,
                  maxdur: np.ndarray, head: np.ndarray, fixed_cost: np.ndarray, wt: float,
                  wr: float) -> float:
    """Each free request r1 (random order) swaps routes with the first of its related
    requests ``near[r1]`` on another route for which the swap (each at its cheapest place
    in the other's route) saves cost; returns the cost saved (>= 0)."""
    L = routes.shape[1]
    R = where.shape[0]
    posbuf = np.full(T.shape[0], -1, dtype=np.int64)
    work = np.empty((7, L + 4), dtype=np.int64)
    prof = np.empty((PROF_ROWS, L + 4), dtype=np.int64)
    pc0 = np.empty((0, PROF_ROWS, 1), dtype=np.int64)  # no profile cache
    pv0 = np.zeros(0, dtype=np.int8)
    seq = np.empty(L + 4, dtype=np.int64)
    save_a = np.empty(L, dtype=np.int64)
    save_b = np.empty(L, dtype=np.int64)
    gain = 0.0
    for r1 in np.random.permutation(R):
        if kind[r1] != 0:
            continue
        for t in range(near.shape[1]):
            a = where[r1]
            r2 = near[r1, t]
            b = where[r2]
            if a < 0 or b < 0 or a == b or kind[r2] != 0:
                continue
            na, nb = rlen[a], rlen[b]
            save_a[:na] = routes[a, :na]
            save_b[:nb] = routes[b, :nb]
            old_a, old_b = rcost[a], rcost[b]
            remove_request(r1, routes, rlen, where, pnode, dnode, kind)
            remove_request(r2, routes, rlen, where, pnode, dnode, kind)
            ok = False
            ca = _price(routes, rlen, a, T, e, lt, svc, partner, is_pickup, maxride, maxdur,
                        fixed_cost, wt, wr, posbuf, work, seq)
            cb = _price(routes, rlen, b, T, e, lt, svc, partner, is_pickup, maxride, maxdur,
                        fixed_cost, wt, wr, posbuf, work, seq)
            # a lower bound: both emptied routes already cost at least the old pair
            if ca >= 0 and cb >= 0 and ca + cb < old_a + old_b - EPS:
                rcost[a], rcost[b] = ca, cb
                k1, i1, j1, _, c1 = best_insertion(
                    r1, routes, rlen, rcost, T, e, lt, se, slt, svc, dseat, dchair,
                    partner, is_pickup, maxride, pnode, dnode, kind, home, cap_s, cap_c,
                    load0_s, load0_c, dcargo, cap_cargo, load0_cargo, maxdur, head,
                    fixed_cost, wt, wr, 0.0, posbuf, work, prof, pc0, pv0, b, b + 1)
                if k1 >= 0 and ca + c1 < old_a + old_b - EPS:
                    apply_insertion(routes, rlen, b, pnode[r1], dnode[r1], i1, j1, seq)
                    rcost[b] = c1
                    k2, i2, j2, _, c2 = best_insertion(
                        r2, routes, rlen, rcost, T, e, lt, se, slt, svc, dseat, dchair,
                        partner, is_pickup, maxride, pnode, dnode, kind, home, cap_s,
                        cap_c, load0_s, load0_c, dcargo, cap_cargo, load0_cargo, maxdur,
                        head, fixed_cost, wt, wr, 0.0, posbuf, work, prof, pc0, pv0, a, a + 1)
                    if k2 >= 0 and c1 + c2 < old_a + old_b - EPS:
                        apply_insertion(routes, rlen, a, pnode[r2], dnode[r2], i2, j2, seq)
                        where[r1], where[r2] = b, a
                        rcost[a] = c2
                        gain += old_a + old_b - c1 - c2
                        ok = True
            if ok:
                break  # r1 moved; on to the next request
            routes[a, :na] = save_a[:na]
            routes[b, :nb] = save_b[:nb]
            rlen[a], rlen[b] = na, nb
            where[r1], where[r2] = a, b
            rcost[a], rcost[b] = old_a, old_b
    return gain


@njit(cache=True, nogil=True)
def _loads_ok(seq: np.ndarray, n: int, k: int, dseat: np.ndarray, dchair: np.ndarray,
              dcargo: np.ndarray, cap_s: np.ndarray, cap_c: np.ndarray,
              cap_cargo: np.ndarray, load0_s: np.ndarray, load0_c: np.ndarray,
              load0_cargo: np.ndarray) -> bool:
    """Seats, wheelchair places, kg and litres of van k stay within capacity along seq."""
    s, c = load0_s[k], load0_c[k]
    kg, li = load0_cargo[k, 0], load0_cargo[k, 1]
    for q in range(1, n):
        x = seq[q]
        s += dseat[x]
        c += dchair[x]
        kg += dcargo[x, 0]
        li += dcargo[x, 1]
        if s > cap_s[k] or c > cap_c[k] or kg > cap_cargo[k, 0] or li > cap_cargo[k, 1]:
            return False
    return True


@njit(cache=True, nogil=True)
def _cuts(routes: np.ndarray, rlen: np.ndarray, k: int, head: np.ndarray,
          partner: np.ndarray, is_pickup: np.ndarray, req_of: np.ndarray, kind: np.ndarray,
          posbuf: np.ndarray, out: np.ndarray) -> int:
    """Cut points c (keep the first c stops of route k, hand on the rest) where nobody is
    on board: every ride begun before c ends before c, no drop-only or fixed request's
    stop lies at or after c, and c is not inside the locked head. Returns their count."""
    n = rlen[k]
    for q in range(n):
        posbuf[routes[k, q]] = q
    last_bound = -1  # the last stop that must stay on this van
    for q in range(n):
        if kind[req_of[routes[k, q]]] >= 1:
            last_bound = q
    far = -1  # the furthest drop-off of the rides begun so far
    m = 0
    for c in range(n + 1):
        if c >= head[k] and c > last_bound and far < c:
            out[m] = c
            m += 1
        if c < n:
            x = routes[k, c]
            if is_pickup[x] and posbuf[partner[x]] > far:
                far = posbuf[partner[x]]
    for q in range(n):
        posbuf[routes[k, q]] = -1
    return m


@njit(cache=True, nogil=True)
def two_opt_star_pass(routes: np.ndarray, rlen: np.ndarray, where: np.ndarray,
                      rcost: np.ndarray, T: np.ndarray, e: np.ndarray, lt: np.ndarray,
                      svc: np.ndarray, dseat: np.ndarray, dchair: np.ndarray,
                      partner: np.ndarray, is_pickup: np.ndarray, maxride: np.ndarray,
                      req_of: np.ndarray, kind: np.ndarray, cap_s: np.ndarray,
                      cap_c: np.ndarray, load0_s: np.ndarray, load0_c: np.ndarray,
                      dcargo: np.ndarray, cap_cargo: np.ndarray, load0_cargo: np.ndarray,
                      maxdur: np.ndarray, head: np.ndarray, fixed_cost: np.ndarray,
                      wt: float, wr: float) -> float:
    """For route pairs (a, b), the first improving swap of the tails after empty-van cuts
    (first improvement, then on to the next pair); returns the cost saved (>= 0)."""
    K, L = routes.shape
    posbuf = np.full(T.shape[0], -1, dtype=np.int64)
    work = np.empty((7, L + 4), dtype=np.int64)
    sa = np.empty(L + 4, dtype=np.int64)
    sb = np.empty(L + 4, dtype=np.int64)
    cuts_a = np.empty(L + 1, dtype=np.int64)
    cuts_b = np.empty(L + 1, dtype=np.int64)
    gain = 0.0
    for a in np.random.permutation(K):
        for b in range(K):
            if a == b or (rlen[a] == 0 and rlen[b] == 0):
                continue
            ma = _cuts(routes, rlen, a, head, partner, is_pickup, req_of, kind, posbuf,
                       cuts_a)
            mb = _cuts(routes, rlen, b, head, partner, is_pickup, req_of, kind, posbuf,
                       cuts_b)
            na, nb = rlen[a], rlen[b]
            old = rcost[a] + rcost[b]
            done = False
            for x in range(ma):
                ca = cuts_a[x]
                for y in range(mb):
                    cb = cuts_b[y]
                    if ca == na and cb == nb:
                        continue  # nothing swapped
                    # new a: a[:ca] + b[cb:]; new b: b[:cb] + a[ca:]
                    la = ca + (nb - cb)
                    lb = cb + (na - ca)
                    if la > L or lb > L:
                        continue
                    sa[0] = a
                    for q in range(ca):
                        sa[q + 1] = routes[a, q]
                    for q in range(cb, nb):
                        sa[ca + (q - cb) + 1] = routes[b, q]
                    sa[la + 1] = K + a
                    if not _loads_ok(sa, la + 2, a, dseat, dchair, dcargo, cap_s, cap_c,
                                     cap_cargo, load0_s, load0_c, load0_cargo):
                        continue
                    sb[0] = b
                    for q in range(cb):
                        sb[q + 1] = routes[b, q]
                    for q in range(ca, na):
                        sb[cb + (q - ca) + 1] = routes[a, q]
                    sb[lb + 1] = K + b
                    if not _loads_ok(sb, lb + 2, b, dseat, dchair, dcargo, cap_s, cap_c,
                                     cap_cargo, load0_s, load0_c, load0_cargo):
                        continue
                    travel = 0.0
                    for q in range(la + 1):
                        travel += T[sa[q], sa[q + 1]]
                    for q in range(lb + 1):
                        travel += T[sb[q], sb[q + 1]]
                    fix = (fixed_cost[a] if la > 0 else 0.0) + (fixed_cost[b] if lb > 0
                                                                 else 0.0)
                    if wt * travel + fix >= old - EPS:
                        continue  # ride costs only add to this
                    c1 = route_cost(sa, la + 2, T, e, lt, svc, partner, is_pickup, maxride,
                                    maxdur[a], wt, wr, posbuf, work)
                    if c1 < 0:
                        continue
                    c2 = route_cost(sb, lb + 2, T, e, lt, svc, partner, is_pickup, maxride,
                                    maxdur[b], wt, wr, posbuf, work)
                    if c2 < 0:
                        continue
                    c1 += fixed_cost[a] if la > 0 else 0.0
                    c2 += fixed_cost[b] if lb > 0 else 0.0
                    if c1 + c2 < old - EPS:
                        for q in range(la):
                            routes[a, q] = sa[q + 1]
                        for q in range(lb):
                            routes[b, q] = sb[q + 1]
                        rlen[a], rlen[b] = la, lb
                        for q in range(la):
                            r = req_of[routes[a, q]]
                            where[r] = a
                        for q in range(lb):
                            r = req_of[routes[b, q]]
                            where[r] = b
                        rcost[a], rcost[b] = c1, c2
                        gain += old - c1 - c2
                        done = True
                        break
                if done:
                    break
    return gain


@njit(cache=True, nogil=True)
def descend(max_passes: int, near: np.ndarray, routes: np.ndarray, rlen: np.ndarray,
            where: np.ndarray, rcost: np.ndarray, T: np.ndarray, e: np.ndarray,
            lt: np.ndarray, se: np.ndarray, slt: np.ndarray, svc: np.ndarray,
            dseat: np.ndarray, dchair: np.ndarray, partner: np.ndarray,
            is_pickup: np.ndarray, maxride: np.ndarray, req_of: np.ndarray,
            pnode: np.ndarray, dnode: np.ndarray, kind: np.ndarray, home: np.ndarray,
            cap_s: np.ndarray, cap_c: np.ndarray, load0_s: np.ndarray,
            load0_c: np.ndarray, dcargo: np.ndarray, cap_cargo: np.ndarray,
            load0_cargo: np.ndarray, maxdur: np.ndarray, head: np.ndarray,
            fixed_cost: np.ndarray, wt: float, wr: float, gains: np.ndarray) -> float:
    """Relocate, 2-opt* and exchange passes in turn until a round of all three saves
    nothing (or ``max_passes`` rounds); ``gains`` += the cost each family saved. Returns
    the total saved."""
    total = 0.0
    for _ in range(max_passes):
        g1 = relocate_pass(routes, rlen, where, rcost, T, e, lt, se, slt, svc, dseat,
                           dchair, partner, is_pickup, maxride, pnode, dnode, kind, home,
                           cap_s, cap_c, load0_s, load0_c, dcargo, cap_cargo, load0_cargo,
                           maxdur, head, fixed_cost, wt, wr)
        g2 = two_opt_star_pass(routes, rlen, where, rcost, T, e, lt, svc, dseat, dchair,
                               partner, is_pickup, maxride, req_of, kind, cap_s, cap_c,
                               load0_s, load0_c, dcargo, cap_cargo, load0_cargo, maxdur,
                               head, fixed_cost, wt, wr)
        g3 = 0.0
        if near.shape[1] > 0:
            g3 = exchange_pass(near, routes, rlen, where, rcost, T, e, lt, se, slt, svc,
                               dseat, dchair, partner, is_pickup, maxride, pnode, dnode,
                               kind, home, cap_s, cap_c, load0_s, load0_c, dcargo,
                               cap_cargo, load0_cargo, maxdur, head, fixed_cost, wt, wr)
        gains[0] += g1
        gains[1] += g2
        gains[2] += g3
        total += g1 + g2 + g3
        if g1 + g2 + g3 <= EPS:
            break
    return total
