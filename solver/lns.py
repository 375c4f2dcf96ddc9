"""Compiled large-neighbourhood search: ruin (``solver.fast_ruin``), recreate by cheapest
feasible insertion with blinks (``solver.fast_insert``), simulated-annealing acceptance.

One iteration: copy the current solution, remove 2..k requests by one of five operators
(random, related, strings, worst, a whole route), reinsert them together with every
unserved request (most costly to leave out first, then in random, urgency or
distance-from-the-depot order), and accept the result if its cost is below the current cost
plus an annealing threshold. The loop runs in chunks of iterations (``run_chunk``) so that
the Python driver (``solver.search``) watches the clock between them; inside a chunk
nothing but the seeded numba generator decides, so a counted run repeats exactly.

Invariants: ``cur`` and ``best`` always hold feasible solutions (every route passed
``fast_timing.route_cost``, loads passed the insertion screen); ``best`` has the lowest
cost seen; costs are route costs plus the penalties of unserved requests.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solver.fast_insert import PROF_ROWS, apply_insertion, best_insertion, remove_request
from solver.fast_ruin import (
    random_removal,
    related_removal,
    route_removal,
    string_removal,
    worst_removal,
)
from solver.fast_timing import route_cost


@njit(cache=True, nogil=True)
def seed_rng(seed: int) -> None:
    """Seed numba's generator (one per process)."""
    np.random.seed(seed)


@njit(cache=True, nogil=True)
def total_cost(rcost: np.ndarray, where: np.ndarray, penalty: np.ndarray) -> float:
    """Route costs plus the penalties of unserved requests."""
    c = 0.0
    for k in range(rcost.shape[0]):
        c += rcost[k]
    for r in range(where.shape[0]):
        if where[r] < 0:
            c += penalty[r]
    return c


@njit(cache=True, nogil=True)
def price_routes(routes: np.ndarray, rlen: np.ndarray, rcost: np.ndarray, T: np.ndarray,
                 e: np.ndarray, lt: np.ndarray, svc: np.ndarray, partner: np.ndarray,
                 is_pickup: np.ndarray, maxride: np.ndarray, maxdur: np.ndarray,
                 fixed_cost: np.ndarray, wt: float, wr: float, posbuf: np.ndarray,
                 work: np.ndarray, seq: np.ndarray) -> bool:
    """Every route's cost into ``rcost``; False if one is infeasible."""
    K = rlen.shape[0]
    ok = True
    for k in range(K):
        n = rlen[k]
        seq[0] = k
        for q in range(n):
            seq[q + 1] = routes[k, q]
        seq[n + 1] = K + k
        c = route_cost(seq, n + 2, T, e, lt, svc, partner, is_pickup, maxride, maxdur[k],
                       wt, wr, posbuf, work)
        if c < 0:
            ok = False
        rcost[k] = c + (fixed_cost[k] if n > 0 else 0.0)
    return ok


@njit(cache=True, nogil=True)
def _regret_insert(sub: np.ndarray, cnt: int, routes: np.ndarray, rlen: np.ndarray,
                   where: np.ndarray, rcost: np.ndarray, T: np.ndarray, e: np.ndarray,
                   lt: np.ndarray, se: np.ndarray, slt: np.ndarray, svc: np.ndarray,
                   dseat: np.ndarray, dchair: np.ndarray, partner: np.ndarray,
                   is_pickup: np.ndarray, maxride: np.ndarray, pnode: np.ndarray,
                   dnode: np.ndarray, kind: np.ndarray, home: np.ndarray,
                   penalty: np.ndarray, cap_s: np.ndarray, cap_c: np.ndarray,
                   load0_s: np.ndarray, load0_c: np.ndarray, dcargo: np.ndarray,
                   cap_cargo: np.ndarray, load0_cargo: np.ndarray, maxdur: np.ndarray,
                   head: np.ndarray, fixed_cost: np.ndarray, wt: float, wr: float,
                   posbuf: np.ndarray, work: np.ndarray, prof: np.ndarray,
                   scratch: np.ndarray) -> None:
    """Regret-2 insertion (Ropke and Pisinger 2006) of ``sub[:cnt]``: repeatedly the
    pending request with the highest penalty, then the largest gap between its best and
    second-best van, goes to its best van; only the changed van is re-priced for the rest.
    Requests with no feasible place, or dearer to serve than to leave out, stay out."""
    K = rlen.shape[0]
    bd = np.full((cnt, K), np.inf)
    bi = np.zeros((cnt, K), dtype=np.int64)
    bj = np.zeros((cnt, K), dtype=np.int64)
    bc = np.zeros((cnt, K))
    active = np.ones(cnt, dtype=np.bool_)
    # no profile cache: each van's profile is used once between its changes
    pc0 = np.empty((0, PROF_ROWS, 1), dtype=np.int64)
    pv0 = np.zeros(0, dtype=np.int8)

    def price(a: int, k: int) -> None:
        r = sub[a]
        kk, ii, jj, delta, cost = best_insertion(
            r, routes, rlen, rcost, T, e, lt, se, slt, svc, dseat, dchair, partner,
            is_pickup, maxride, pnode, dnode, kind, home, cap_s, cap_c, load0_s, load0_c,
            dcargo, cap_cargo, load0_cargo, maxdur, head, fixed_cost, wt, wr, 0.0, posbuf,
            work, prof, pc0, pv0, k, k + 1)
        if kk < 0 or delta >= penalty[r]:
            bd[a, k] = np.inf
        else:
            bd[a, k], bi[a, k], bj[a, k], bc[a, k] = delta, ii, jj, cost

    for a in range(cnt):
        for k in range(K):
            price(a, k)
    for _ in range(cnt):
        pick = -1
        pick_pen = -1.0
        pick_regret = -1.0
        for a in range(cnt):
            if not active[a]:
                continue
            b1 = np.inf
            b2 = np.inf
            for k in range(K):
                v = bd[a, k]
                if v < b1:
                    b2 = b1
                    b1 = v
                elif v < b2:
                    b2 = v
            if b1 == np.inf:
                active[a] = False  # nowhere to go: stays out
                continue
            regret = 1e300 if b2 == np.inf else b2 - b1
            pen = penalty[sub[a]]
            if pen > pick_pen or (pen == pick_pen and regret > pick_regret):
                pick, pick_pen, pick_regret = a, pen, regret
        if pick < 0:
            break
        k_best = 0
        for k in range(K):
            if bd[pick, k] < bd[pick, k_best]:
                k_best = k
        r = sub[pick]
        p = pnode[r] if kind[r] == 0 else -1
        apply_insertion(routes, rlen, k_best, p, dnode[r], bi[pick, k_best],
                        bj[pick, k_best], scratch)
        where[r] = k_best
        rcost[k_best] = bc[pick, k_best]
        active[pick] = False
        for a in range(cnt):
            if active[a]:
                price(a, k_best)


@njit(cache=True, nogil=True)
def _recreate(sub: np.ndarray, cnt: int, use_regret: bool, routes: np.ndarray,
              rlen: np.ndarray, where: np.ndarray, rcost: np.ndarray, T: np.ndarray,
              e: np.ndarray, lt: np.ndarray, se: np.ndarray, slt: np.ndarray,
              svc: np.ndarray, dseat: np.ndarray, dchair: np.ndarray, partner: np.ndarray,
              is_pickup: np.ndarray, maxride: np.ndarray, pnode: np.ndarray,
              dnode: np.ndarray, kind: np.ndarray, home: np.ndarray, penalty: np.ndarray,
              cap_s: np.ndarray, cap_c: np.ndarray, load0_s: np.ndarray,
              load0_c: np.ndarray, dcargo: np.ndarray, cap_cargo: np.ndarray,
              load0_cargo: np.ndarray, maxdur: np.ndarray, head: np.ndarray,
              fixed_cost: np.ndarray, wt: float, wr: float, blink: float,
              posbuf: np.ndarray, work: np.ndarray, prof: np.ndarray,
              scratch: np.ndarray, pc: np.ndarray, pv: np.ndarray, dirty: np.ndarray,
              give_up_above: float = np.inf) -> bool:
    """Insert ``sub[:cnt]`` in that order at their cheapest places (with blinks), or all
    by regret-2; a request with no place, or dearer to serve than to leave out, stays out.

    Returns False (the rest not inserted) as soon as a request whose penalty exceeds
    ``give_up_above`` stays out: route costs are never negative, so the result would cost
    more than that whatever the others do (the caller's acceptance bound: such an
    iteration is lost anyway, a third of them on tight instances).

    ``pc``/``pv``: the routes' profile cache of ``best_insertion``; every route changed
    here is marked in ``dirty`` and its profile dropped."""
    if use_regret:
        _regret_insert(sub, cnt, routes, rlen, where, rcost, T, e, lt, se, slt, svc,
                       dseat, dchair, partner, is_pickup, maxride, pnode, dnode, kind,
                       home, penalty, cap_s, cap_c, load0_s, load0_c, dcargo,
                       cap_cargo, load0_cargo, maxdur, head, fixed_cost, wt, wr,
                       posbuf, work, prof, scratch)
        pv[:] = 0
        dirty[:] = True
        return True
    for q in range(cnt):
        r = sub[q]
        bk, bi, bj, delta, bc = best_insertion(
            r, routes, rlen, rcost, T, e, lt, se, slt, svc, dseat, dchair, partner,
            is_pickup, maxride, pnode, dnode, kind, home, cap_s, cap_c, load0_s, load0_c,
            dcargo, cap_cargo, load0_cargo, maxdur, head, fixed_cost, wt, wr, blink,
            posbuf, work, prof, pc, pv)
        if bk < 0 or delta >= penalty[r]:
            if penalty[r] > give_up_above:
                return False
            continue  # no room, or serving costs more than leaving out
        p = pnode[r] if kind[r] == 0 else -1
        apply_insertion(routes, rlen, bk, p, dnode[r], bi, bj, scratch)
        where[r] = bk
        rcost[bk] = bc
        pv[bk] = 0
        dirty[bk] = True
    return True


@njit(cache=True, nogil=True)
def run_chunk(iters: int, t_from: float, t_to: float, params: np.ndarray,
              cur_routes: np.ndarray, cur_rlen: np.ndarray, cur_where: np.ndarray,
              cur_rcost: np.ndarray, best_routes: np.ndarray, best_rlen: np.ndarray,
              best_where: np.ndarray, best_rcost: np.ndarray, state: np.ndarray,
              T: np.ndarray, e: np.ndarray, lt: np.ndarray, se: np.ndarray,
              slt: np.ndarray, svc: np.ndarray, dseat: np.ndarray, dchair: np.ndarray,
              partner: np.ndarray, is_pickup: np.ndarray, maxride: np.ndarray,
              req_of: np.ndarray, pnode: np.ndarray, dnode: np.ndarray, kind: np.ndarray,
              home: np.ndarray, penalty: np.ndarray, urgency: np.ndarray,
              cap_s: np.ndarray, cap_c: np.ndarray, load0_s: np.ndarray,
              load0_c: np.ndarray, dcargo: np.ndarray, cap_cargo: np.ndarray,
              load0_cargo: np.ndarray, maxdur: np.ndarray, head: np.ndarray,
              fixed_cost: np.ndarray, wt: float, wr: float, weights: np.ndarray,
              opstats: np.ndarray) -> int:
    """``iters`` iterations, the temperature falling geometrically from ``t_from`` to
    ``t_to``; ``state`` = [current cost, best cost]. Returns the number accepted.
    ``weights``: the removal operators' chances (random, related, string, worst, route);
    ``opstats[o]`` (one row per removal operator) counts [tried, accepted, new best,
    left out a request served before].

    ``params`` = [min remove, max remove, blink, max string length, share of regret
    insertions, largest share of the served requests removed, recreate retries]. A
    recreate that leaves out a request served before is redone from the ruined solution,
    with those left out first, up to ``retries`` times (on tight instances a third of the
    iterations ended so, and were lost).
    """
    K, L = cur_routes.shape
    R = cur_where.shape[0]
    N = T.shape[0]
    min_remove, max_remove = int(params[0]), int(params[1])
    blink, max_string = params[2], int(params[3])
    regret_share = params[4]
    remove_share = params[5]
    retries = int(params[6])
    posbuf = np.full(N, -1, dtype=np.int64)
    work = np.empty((7, L + 4), dtype=np.int64)
    prof = np.empty((PROF_ROWS, L + 4), dtype=np.int64)
    scratch = np.empty(L + 4, dtype=np.int64)
    out = np.empty(R + 1, dtype=np.int64)
    buf = np.empty(R + 1, dtype=np.int64)
    order = np.empty(R + 1, dtype=np.int64)
    key = np.empty(R + 1)
    routes = cur_routes.copy()
    rlen = cur_rlen.copy()
    where = cur_where.copy()
    rcost = cur_rcost.copy()
    ruined_routes = cur_routes.copy()
    ruined_rlen = cur_rlen.copy()
    ruined_rcost = cur_rcost.copy()
    touched = np.zeros(K, dtype=np.bool_)
    # Routes' insertion profiles, kept while a route is unchanged; ``dirty``: the routes
    # this iteration changed (the only ones to restore from, or copy to, the current
    # solution).
    pc = np.empty((K, PROF_ROWS, L + 4), dtype=np.int64)
    pv = np.zeros(K, dtype=np.int8)
    dirty = np.zeros(K, dtype=np.bool_)
    cum = np.cumsum(weights)
    accepted = 0
    cur_cost, best_cost = state[0], state[1]
    for it in range(iters):
        frac = it / iters if iters > 1 else 0.0
        temp = t_from * (t_to / t_from) ** frac if t_from > 0 and t_to > 0 else 0.0
        for v in range(K):
            if dirty[v]:
                routes[v, :] = cur_routes[v, :]
                rlen[v] = cur_rlen[v]
                rcost[v] = cur_rcost[v]
                pv[v] = 0
                dirty[v] = False
        where[:] = cur_where
        served = 0
        for r in range(R):
            if where[r] >= 0 and kind[r] <= 1:
                served += 1
        upper = max(min_remove, min(max_remove, int(remove_share * served)))
        k = min_remove + np.random.randint(upper - min_remove + 1)
        x = np.random.random() * cum[-1]
        if x < cum[0]:
            op = 0
            m = random_removal(k, where, kind, out, buf)
        elif x < cum[1]:
            op = 1
            m = related_removal(k, where, kind, T, pnode, dnode, urgency, out, buf)
        elif x < cum[2]:
            op = 2
            m = string_removal(k, max_string, where, kind, routes, rlen, req_of, T, pnode,
                               dnode, urgency, out, buf)
        elif x < cum[3]:
            op = 3
            m = worst_removal(k, where, kind, routes, rlen, req_of, T, out, buf)
        else:
            op = 4
            m = route_removal(where, kind, routes, rlen, req_of, out)
        opstats[op, 0] += 1
        touched[:] = False
        for q in range(m):
            touched[remove_request(out[q], routes, rlen, where, pnode, dnode, kind)] = True
        ok = True
        for v in range(K):
            if touched[v]:  # all of them, before a failed timing ends the loop below
                dirty[v] = True
                pv[v] = 0
        for v in range(K):
            if touched[v]:
                n = rlen[v]
                scratch[0] = v
                for q in range(n):
                    scratch[q + 1] = routes[v, q]
                scratch[n + 1] = K + v
                c = route_cost(scratch, n + 2, T, e, lt, svc, partner, is_pickup, maxride,
                               maxdur[v], wt, wr, posbuf, work)
                if c < 0:
                    ok = False
                    break
                rcost[v] = c + (fixed_cost[v] if n > 0 else 0.0)
        if not ok:
            continue
        # everything unserved goes back in: removed ones and those left out before
        cnt = 0
        for r in range(R):
            if where[r] < 0 and kind[r] <= 1:
                order[cnt] = r
                cnt += 1
        how = np.random.randint(3)
        for q in range(cnt):
            r = order[q]
            if how == 0:
                tie = np.random.random()
            elif how == 1:
                tie = float(urgency[r])
            else:
                a = pnode[r] if pnode[r] >= 0 else dnode[r]
                tie = -float(T[0, a])
            key[q] = tie
        # the chosen order, then (stable) the most costly to leave out first
        first = order[:cnt][np.argsort(key[:cnt], kind="mergesort")]
        sub = first[np.argsort(-penalty[first], kind="mergesort")]
        use_regret = np.random.random() < regret_share
        # drawn before the recreate, so that a recreate bound to be rejected can stop early
        threshold = -temp * np.log(max(np.random.random(), 1e-12)) if temp > 0 else 0.0
        if retries > 0:
            ruined_routes[:, :] = routes
            ruined_rlen[:] = rlen
            ruined_rcost[:] = rcost
        given_up = False
        lost = False
        for attempt in range(retries + 1):
            if attempt > 0:
                # Someone served before found no place: again from the ruined solution,
                # those left out first (then, stably, the most costly to leave out first).
                m2 = 0
                for q in range(cnt):
                    if where[sub[q]] < 0:
                        buf[m2] = sub[q]
                        m2 += 1
                for q in range(cnt):
                    if where[sub[q]] >= 0:
                        buf[m2] = sub[q]
                        m2 += 1
                    where[sub[q]] = -1
                first = buf[:cnt].copy()
                sub = first[np.argsort(-penalty[first], kind="mergesort")]
                routes[:, :] = ruined_routes
                rlen[:] = ruined_rlen
                rcost[:] = ruined_rcost
                for v in range(K):
                    if dirty[v]:
                        pv[v] = 0
            bound = cur_cost + threshold if attempt == retries else np.inf
            if not _recreate(sub, cnt, use_regret, routes, rlen, where, rcost, T, e, lt,
                             se, slt, svc, dseat, dchair, partner, is_pickup, maxride,
                             pnode, dnode, kind, home, penalty, cap_s, cap_c, load0_s,
                             load0_c, dcargo, cap_cargo, load0_cargo, maxdur, head,
                             fixed_cost, wt, wr, blink, posbuf, work, prof, scratch,
                             pc, pv, dirty, bound):
                given_up = True
                break
            lost = False
            for r in range(R):
                if where[r] < 0 and cur_where[r] >= 0:
                    lost = True
                    break
            if not lost:
                break
        if given_up:
            opstats[op, 3] += 1  # a request served before left out: bound to be rejected
            continue
        if lost:
            opstats[op, 3] += 1  # someone served before is left out now
        cost = total_cost(rcost, where, penalty)
        if cost < cur_cost + threshold:
            accepted += 1
            opstats[op, 1] += 1
            for v in range(K):
                if dirty[v]:
                    cur_routes[v, :] = routes[v, :]
                    cur_rlen[v] = rlen[v]
                    cur_rcost[v] = rcost[v]
                    dirty[v] = False  # the current solution's route now: profile kept
            cur_where[:] = where
            cur_cost = cost
            if cost < best_cost - 1e-9:
                opstats[op, 2] += 1
                best_cost = cost
                best_routes[:, :] = routes
                best_rlen[:] = rlen
                best_where[:] = where
                best_rcost[:] = rcost
    state[0], state[1] = cur_cost, best_cost
    return accepted
