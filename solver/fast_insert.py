"""Compiled cheapest feasible insertion of one request into the route arrays.

Every (pickup, drop-off) position pair of every van is screened in O(1) amortised: the
earliest-start schedule of the route, its waiting times and its latest starts give a
forward-slack test that propagates the push of the insertion through the waits (windows
narrowed through direct times and ride limits make it sharper), and the loads bound the
stretch the rider is on board (seats, wheelchair places and cargo kg and litres: a passenger
request carries zero cargo, so its cargo checks always pass). The survivors' cost changes
are estimated (exact travel, the new rider's ride from the screen); they are checked
exactly (``fast_timing.route_cost``, which also covers ride limits and the route duration)
cheapest estimate first, until no
remaining estimate can beat the best exact change. With no ride-time weight the estimate
is exact, so the first feasible candidate is the answer.

Invariant: the insertion returned is feasible by ``fast_timing.route_cost`` and, when the
ride weight is zero, the cheapest feasible one over all screened pairs (``blink`` > 0 skips
each candidate with that probability, SISR's randomisation).

Positions: in sequence terms 0 = start, 1..n the stops, n+1 the end; "pickup after i, drop
after j" (j == i: right after the pickup). A request of kind DROP_ONLY inserts only its
drop-off, on its own van, after its pickup (or after the locked head).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from solver.fast_timing import route_cost

MAX_EXACT = 15
PROF_ROWS = 11  # rows of the ``prof`` scratch array of ``best_insertion``
NO_RIDE = 10**15


def no_cache(width: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``pc``, ``pv`` arguments of ``best_insertion`` that cache nothing."""
    return np.empty((0, PROF_ROWS, width), dtype=np.int64), np.zeros(0, dtype=np.int8)


def profile_cache(K: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Empty ``pc``, ``pv`` arguments of ``best_insertion`` for K routes."""
    return np.empty((K, PROF_ROWS, width), dtype=np.int64), np.zeros(K, dtype=np.int8)


@njit(cache=True, nogil=True)
def build_seq(routes: np.ndarray, rlen: np.ndarray, k: int, K: int, seq: np.ndarray) -> int:
    """``seq`` = start node, route k's stops, end node; returns its length."""
    n = rlen[k]
    seq[0] = k
    for q in range(n):
        seq[q + 1] = routes[k, q]
    seq[n + 1] = K + k
    return n + 2


@njit(cache=True, nogil=True)
def _spliced(seq: np.ndarray, n2: int, p: int, d: int, i: int, j: int,
             out: np.ndarray) -> int:
    """``seq`` with node p after position i and node d after position j (p < 0: only d)."""
    m = 0
    for q in range(n2):
        out[m] = seq[q]
        m += 1
        if q == i and p >= 0:
            out[m] = p
            m += 1
        if q == j:
            out[m] = d
            m += 1
    return m


@njit(cache=True, nogil=True)
def _profile(seq: np.ndarray, n2: int, k: int, T: np.ndarray, se: np.ndarray,
             slt: np.ndarray, svc: np.ndarray, dseat: np.ndarray, dchair: np.ndarray,
             dcargo: np.ndarray, load0_s: np.ndarray, load0_c: np.ndarray,
             load0_cargo: np.ndarray, early: np.ndarray, wait: np.ndarray,
             late: np.ndarray, seats: np.ndarray, chairs: np.ndarray, kg: np.ndarray,
             litres: np.ndarray, partner: np.ndarray, is_pickup: np.ndarray,
             maxride: np.ndarray, posbuf: np.ndarray, upos: np.ndarray,
             rslack: np.ndarray) -> bool:
    """Earliest starts, waits, latest starts and loads along ``seq``; False if the route is
    already late at its earliest (then it is left alone).

    ``upos[q]``/``rslack[q]``: for the rider dropped at position q whose pickup at
    position u is on the route, u and how far the drop-off's earliest start may be pushed
    before the ride must exceed its limit even with the pickup at its latest start
    (ride limit + latest pickup start + boarding - earliest drop-off start); -1 and
    ``NO_RIDE`` otherwise. A necessary condition: the exact check decides."""
    early[0] = se[seq[0]]
    wait[0] = 0
    ok = early[0] <= slt[seq[0]]
    for q in range(1, n2):
        a = early[q - 1] + svc[seq[q - 1]] + T[seq[q - 1], seq[q]]
        eq = se[seq[q]]
        if a > eq:
            early[q] = a
            wait[q] = 0
        else:
            early[q] = eq
            wait[q] = eq - a
        if early[q] > slt[seq[q]]:
            ok = False
    late[n2 - 1] = slt[seq[n2 - 1]]
    for q in range(n2 - 2, -1, -1):
        v = late[q + 1] - svc[seq[q]] - T[seq[q], seq[q + 1]]
        late[q] = slt[seq[q]] if slt[seq[q]] < v else v
    seats[0] = load0_s[k]
    chairs[0] = load0_c[k]
    kg[0] = load0_cargo[k, 0]
    litres[0] = load0_cargo[k, 1]
    for q in range(1, n2):
        seats[q] = seats[q - 1] + dseat[seq[q]]
        chairs[q] = chairs[q - 1] + dchair[seq[q]]
        kg[q] = kg[q - 1] + dcargo[seq[q], 0]
        litres[q] = litres[q - 1] + dcargo[seq[q], 1]
    for q in range(n2):
        posbuf[seq[q]] = q
        upos[q] = -1
        rslack[q] = NO_RIDE
    for u in range(1, n2 - 1):
        x = seq[u]
        if is_pickup[x]:
            v = posbuf[partner[x]]
            if v > u:
                upos[v] = u
                rslack[v] = maxride[x] + late[u] + svc[x] - early[v]
    for q in range(n2):
        posbuf[seq[q]] = -1
    return ok


@njit(cache=True, nogil=True)
def best_insertion(r: int, routes: np.ndarray, rlen: np.ndarray, rcost: np.ndarray,
                   T: np.ndarray, e: np.ndarray, lt: np.ndarray, se: np.ndarray,
                   slt: np.ndarray, svc: np.ndarray, dseat: np.ndarray, dchair: np.ndarray,
                   partner: np.ndarray, is_pickup: np.ndarray, maxride: np.ndarray,
                   pnode: np.ndarray, dnode: np.ndarray, kind: np.ndarray, home: np.ndarray,
                   cap_s: np.ndarray, cap_c: np.ndarray, load0_s: np.ndarray,
                   load0_c: np.ndarray, dcargo: np.ndarray, cap_cargo: np.ndarray,
                   load0_cargo: np.ndarray, maxdur: np.ndarray, head: np.ndarray,
                   fixed_cost: np.ndarray, wt: float, wr: float, blink: float,
                   posbuf: np.ndarray, work: np.ndarray, prof: np.ndarray,
                   pc: np.ndarray, pv: np.ndarray, k_lo: int = 0,
                   k_hi: int = -1) -> tuple[int, int, int, float, float]:
    """Cheapest feasible insertion of request r into vans ``k_lo`` to ``k_hi`` - 1 (all by
    default): (van, i, j, cost change, new route cost), van -1 if there is none.
    ``prof`` is an int64 scratch array (PROF_ROWS, L + 4).

    ``pc`` (K, PROF_ROWS, L + 4) and ``pv`` (K, int8) cache the routes' profiles between
    calls: ``pv[k]`` 0 = route k's not computed, 1 = in ``pc[k]``, 2 = the route is late
    already. The caller sets ``pv[k] = 0`` whenever it changes route k (recreating a
    solution inserts one request after another, and every insertion changes one route
    only). With ``pc.shape[0] == 0`` nothing is cached (``NO_CACHE``)."""
    K = rlen.shape[0]
    if k_hi < 0:
        k_hi = K
    cached = pc.shape[0] > 0
    p, d = pnode[r], dnode[r]
    drop_only = kind[r] == 1
    out = prof[6]
    # candidate buffer sized by the routes' position pairs
    size = 0
    for k in range(k_lo, k_hi):
        m = rlen[k] + 1
        size += m * (m + 1) // 2 + m
    est = np.empty(size, dtype=np.float64)
    ck = np.empty(size, dtype=np.int64)
    ci = np.empty(size, dtype=np.int64)
    cj = np.empty(size, dtype=np.int64)
    c = 0
    need_s = dseat[d] * -1
    need_c = dchair[d] * -1
    need_kg = dcargo[d, 0] * -1
    need_l = dcargo[d, 1] * -1
    for k in range(k_lo, k_hi):
        if drop_only and k != home[r]:
            continue
        if (need_s > cap_s[k] or need_c > cap_c[k] or need_kg > cap_cargo[k, 0]
                or need_l > cap_cargo[k, 1]):
            continue
        P = pc[k] if cached else prof
        seq = P[0]
        early, wait, late, seats, chairs = P[1], P[2], P[3], P[4], P[5]
        kg, litres = P[7], P[8]
        upos, rslack = P[9], P[10]
        if cached and pv[k] != 0:
            if pv[k] == 2:
                continue
            n2 = rlen[k] + 2
        else:
            n2 = build_seq(routes, rlen, k, K, seq)
            ok = _profile(seq, n2, k, T, se, slt, svc, dseat, dchair, dcargo, load0_s,
                          load0_c, load0_cargo, early, wait, late, seats, chairs, kg,
                          litres, partner, is_pickup, maxride, posbuf, upos, rslack)
            if cached:
                pv[k] = 1 if ok else 2
            if not ok:
                continue
        last = n2 - 2
        cs, cc = cap_s[k] - need_s, cap_c[k] - need_c
        ckg, cl = cap_cargo[k, 0] - need_kg, cap_cargo[k, 1] - need_l
        fix = fixed_cost[k] if rlen[k] == 0 else 0.0
        if drop_only:
            # after the pickup (if it is on this route) and after the locked head
            start = head[k]
            if p >= 0:
                for q in range(1, n2 - 1):
                    if seq[q] == p:
                        start = max(start, q)
            de, dl = se[d], slt[d]
            for j in range(start, last + 1):
                if early[j] > dl:
                    break  # earliest starts only grow along the route
                a = seq[j]
                b = seq[j + 1]
                bd = early[j] + svc[a] + T[a, d]
                if bd < de:
                    bd = de
                if bd > dl:
                    continue
                nb = bd + svc[d] + T[d, b]
                if nb < se[b]:
                    nb = se[b]
                if nb > late[j + 1]:
                    continue
                est[c] = wt * (T[a, d] + T[d, b] - T[a, b]) + fix
                ck[c], ci[c], cj[c] = k, -1, j
                c += 1
            continue
        pe, pl, de, dl = se[p], slt[p], se[d], slt[d]
        board, alight = svc[p], svc[d]
        o_to_d = T[p, d]
        # Earliest and latest starts only grow along a route: the pickup cannot follow a
        # stop whose successor must start before the pickup is done (first i by bisection),
        # nor a stop that starts after the pickup's window closes (the loop's end).
        lo, hi = head[k], last + 1
        while lo < hi:
            mid = (lo + hi) // 2
            if late[mid + 1] >= pe + board:
                hi = mid
            else:
                lo = mid + 1
        for i in range(lo, last + 1):
            if early[i] > pl:
                break
            if seats[i] > cs or chairs[i] > cc or kg[i] > ckg or litres[i] > cl:
                continue
            a = seq[i]
            b = seq[i + 1]
            bp = early[i] + svc[a] + T[a, p]
            if bp < pe:
                bp = pe
            if bp > pl:
                continue
            leave = bp + board
            # The pickup may start no later than this and still reach the next stop, so
            # the rider's ride is at least the drop-off's earliest start minus it.
            lp = late[i + 1] - T[p, b] - board
            if lp > pl:
                lp = pl
            latest_leave = lp + board
            # drop-off right after the pickup
            bd = leave + o_to_d
            if bd < de:
                bd = de
            if bd <= dl:
                nb = bd + alight + T[d, b]
                if nb < se[b]:
                    nb = se[b]
                if nb <= late[i + 1] and (upos[i + 1] < 0 or upos[i + 1] > i
                                          or nb - early[i + 1] <= rslack[i + 1]):
                    est[c] = (wt * (T[a, p] + o_to_d + T[d, b] - T[a, b]) + wr * (bd - leave)
                              + fix)
                    ck[c], ci[c], cj[c] = k, i, i
                    c += 1
            # drop-off later: push the pickup's delay through the waits
            nxt = leave + T[p, b]
            if nxt < se[b]:
                nxt = se[b]
            if nxt > late[i + 1]:
                continue
            delta = nxt - early[i + 1]
            added_p = T[a, p] + T[p, b] - T[a, b]
            for j in range(i + 1, last + 1):
                if j > i + 1:
                    delta = delta - wait[j]
                    if delta < 0:
                        delta = 0
                start_j = early[j] + delta
                if start_j > late[j] or start_j > dl:
                    break  # (start_j grows with j: the drop-off's window is shut)
                u = upos[j]
                if 0 <= u <= i and delta > rslack[j]:
                    break  # a rider on board across the pickup would ride too long
                if start_j - latest_leave > maxride[p]:
                    break  # the rider would ride too long: later stops only longer
                if seats[j] > cs or chairs[j] > cc or kg[j] > ckg or litres[j] > cl:
                    break
                x = seq[j]
                y = seq[j + 1]
                bd = start_j + svc[x] + T[x, d]
                if bd < de:
                    bd = de
                if bd > dl or bd - latest_leave > maxride[p]:
                    continue
                nb = bd + alight + T[d, y]
                if nb < se[y]:
                    nb = se[y]
                if nb > late[j + 1]:
                    continue
                u = upos[j + 1]
                if 0 <= u <= j and nb - early[j + 1] > rslack[j + 1]:
                    continue
                ride = bd - leave
                if ride < o_to_d:
                    ride = o_to_d
                est[c] = wt * (added_p + T[x, d] + T[d, y] - T[x, y]) + wr * ride + fix
                ck[c], ci[c], cj[c] = k, i, j
                c += 1
    best_k, best_i, best_j = -1, -1, -1
    best_delta = np.inf
    best_cost = 0.0
    checked = 0
    # The cheapest by a scan (often feasible), then the rest in sorted order.
    m = -1
    mv = np.inf
    for q in range(c):
        if est[q] < mv:
            mv = est[q]
            m = q
    first = True
    sorted_ = False
    order = np.empty(0, dtype=np.int64)
    nxt = 0
    while checked < MAX_EXACT:
        if first:
            first = False
            if m < 0:
                break
        else:
            if not sorted_:
                order = np.argsort(est[:c])
                sorted_ = True
            m = -1
            while nxt < c:
                q = order[nxt]
                nxt += 1
                if est[q] < np.inf:
                    m = q
                    break
            if m < 0:
                break
        mv = est[m]
        if mv >= best_delta:
            break
        est[m] = np.inf
        if blink > 0.0 and np.random.random() < blink:
            continue
        checked += 1
        k = ck[m]
        seq = prof[0]
        n2 = build_seq(routes, rlen, k, K, seq)
        n3 = _spliced(seq, n2, p if not drop_only else -1, d, ci[m], cj[m], out)
        cost = route_cost(out, n3, T, e, lt, svc, partner, is_pickup, maxride, maxdur[k],
                          wt, wr, posbuf, work)
        if cost < 0:
            continue
        cost += fixed_cost[k]  # rcost[k] holds it too once the route is used
        dl_ = cost - rcost[k]
        if dl_ < best_delta:
            best_delta, best_cost = dl_, cost
            best_k, best_i, best_j = k, ci[m], cj[m]
            if wr == 0.0:
                break  # estimates are exact: nothing cheaper can follow
    return best_k, best_i, best_j, best_delta, best_cost


@njit(cache=True, nogil=True)
def apply_insertion(routes: np.ndarray, rlen: np.ndarray, k: int, p: int, d: int, i: int,
                    j: int, scratch: np.ndarray) -> None:
    """Insert into route k: node p after sequence position i (p < 0: none), d after j."""
    n = rlen[k]
    m = 0
    # sequence position q (1..n) is routes[k, q-1]; position 0 is the start
    if i == 0 and p >= 0:
        scratch[m] = p
        m += 1
    if j == 0:
        scratch[m] = d
        m += 1
    for q in range(1, n + 1):
        scratch[m] = routes[k, q - 1]
        m += 1
        if q == i and p >= 0:
            scratch[m] = p
            m += 1
        if q == j:
            scratch[m] = d
            m += 1
    for q in range(m):
        routes[k, q] = scratch[q]
    rlen[k] = m


@njit(cache=True, nogil=True)
def remove_request(r: int, routes: np.ndarray, rlen: np.ndarray, where: np.ndarray,
                   pnode: np.ndarray, dnode: np.ndarray, kind: np.ndarray) -> int:
    """Take request r's movable stops out of its route (a drop-only request keeps its
    pickup); returns the route. The inverse of ``apply_insertion``."""
    v = where[r]
    p = pnode[r] if kind[r] == 0 else -2
    d = dnode[r]
    m = 0
    for q in range(rlen[v]):
        x = routes[v, q]
        if x != p and x != d:
            routes[v, m] = x
            m += 1
    rlen[v] = m
    where[r] = -1
    return v
