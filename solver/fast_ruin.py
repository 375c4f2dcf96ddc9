"""Compiled removal operators of the large-neighbourhood search (ruin step).

Each operator picks up to ``k`` removable served requests (kind FREE or DROP_ONLY, see
``solver.fast_model``) and writes their indices into ``out``; the count is returned.
Invariant: every index written is served in the solution given and appears once.

- ``random_removal``: uniformly at random;
- ``related_removal``: the requests nearest a random seed in space and time (Shaw);
- ``string_removal``: strings of consecutive stops from the routes of the requests nearest
  a random seed, one string per route (SISR, Christiaens and Vanden Berghe 2020);
- ``worst_removal``: the requests whose stops cost the most detour, with noise;
- ``route_removal``: every removable request of one route, short routes more often (it is
  how a van is saved: empty the route, serve its riders elsewhere).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _removable(r: int, where: np.ndarray, kind: np.ndarray) -> bool:
    return where[r] >= 0 and kind[r] <= 1


@njit(cache=True, nogil=True)
def _candidates(where: np.ndarray, kind: np.ndarray, buf: np.ndarray) -> int:
    c = 0
    for r in range(where.shape[0]):
        if _removable(r, where, kind):
            buf[c] = r
            c += 1
    return c


@njit(cache=True, nogil=True)
def _node_a(r: int, pnode: np.ndarray, dnode: np.ndarray) -> int:
    return pnode[r] if pnode[r] >= 0 else dnode[r]


@njit(cache=True, nogil=True)
def relatedness(seed: int, r: int, T: np.ndarray, pnode: np.ndarray, dnode: np.ndarray,
                urgency: np.ndarray) -> float:
    """Travel between the two pickups and the two drop-offs plus the difference of the
    latest pickup times (smaller: more related)."""
    a, b = _node_a(seed, pnode, dnode), _node_a(r, pnode, dnode)
    return float(T[a, b] + T[b, a] + T[dnode[seed], dnode[r]] + T[dnode[r], dnode[seed]]) \
        / 2.0 + abs(urgency[seed] - urgency[r])


@njit(cache=True, nogil=True)
def random_removal(k: int, where: np.ndarray, kind: np.ndarray, out: np.ndarray,
                   buf: np.ndarray) -> int:
    """Up to k removable requests chosen uniformly."""
    c = _candidates(where, kind, buf)
    k = min(k, c)
    for q in range(k):
        x = q + np.random.randint(c - q)
        buf[q], buf[x] = buf[x], buf[q]
        out[q] = buf[q]
    return k


@njit(cache=True, nogil=True)
def related_removal(k: int, where: np.ndarray, kind: np.ndarray, T: np.ndarray,
                    pnode: np.ndarray, dnode: np.ndarray, urgency: np.ndarray,
                    out: np.ndarray, buf: np.ndarray) -> int:
    """The k removable requests most related to a random one (itself included)."""
    c = _candidates(where, kind, buf)
    if c == 0:
        return 0
    seed = buf[np.random.randint(c)]
    score = np.empty(c)
    for q in range(c):
        score[q] = relatedness(seed, buf[q], T, pnode, dnode, urgency) * (
            1.0 + 0.3 * np.random.random())
    order = np.argsort(score)
    k = min(k, c)
    for q in range(k):
        out[q] = buf[order[q]]
    return k


@njit(cache=True, nogil=True)
def string_removal(k: int, max_string: int, where: np.ndarray, kind: np.ndarray,
                   routes: np.ndarray, rlen: np.ndarray, req_of: np.ndarray, T: np.ndarray,
                   pnode: np.ndarray, dnode: np.ndarray, urgency: np.ndarray,
                   out: np.ndarray, buf: np.ndarray) -> int:
    """Strings of consecutive stops around the requests nearest a random seed, one string
    per route, until about k requests are out."""
    c = _candidates(where, kind, buf)
    if c == 0:
        return 0
    R = where.shape[0]
    seed = buf[np.random.randint(c)]
    score = np.empty(c)
    for q in range(c):
        score[q] = relatedness(seed, buf[q], T, pnode, dnode, urgency)
    order = np.argsort(score)
    K = rlen.shape[0]
    ruined = np.zeros(K, dtype=np.bool_)
    taken = np.zeros(R, dtype=np.bool_)
    m = 0
    for q in range(c):
        if m >= k:
            break
        r = buf[order[q]]
        if taken[r]:
            continue
        v = where[r]
        if ruined[v]:
            continue
        ruined[v] = True
        n = rlen[v]
        # position of one of r's stops, then a window of stops around it
        pos = 0
        for x in range(n):
            if req_of[routes[v, x]] == r:
                pos = x
                break
        length = 1 + np.random.randint(max(1, min(max_string, n)))
        lo = pos - np.random.randint(length)
        if lo < 0:
            lo = 0
        hi = min(n, lo + length)
        for x in range(lo, hi):
            s = req_of[routes[v, x]]
            if s >= 0 and not taken[s] and _removable(s, where, kind) and m < out.shape[0]:
                taken[s] = True
                out[m] = s
                m += 1
        if not taken[r] and m < out.shape[0]:
            taken[r] = True
            out[m] = r
            m += 1
    return m


@njit(cache=True, nogil=True)
def worst_removal(k: int, where: np.ndarray, kind: np.ndarray, routes: np.ndarray,
                  rlen: np.ndarray, req_of: np.ndarray, T: np.ndarray, out: np.ndarray,
                  buf: np.ndarray) -> int:
    """The k removable requests with the largest detour of their stops (randomised)."""
    R = where.shape[0]
    K = rlen.shape[0]
    gain = np.zeros(R)
    for v in range(K):
        n = rlen[v]
        for x in range(n):
            prev = v if x == 0 else routes[v, x - 1]
            nxt = K + v if x == n - 1 else routes[v, x + 1]
            node = routes[v, x]
            gain[req_of[node]] += T[prev, node] + T[node, nxt] - T[prev, nxt]
    c = _candidates(where, kind, buf)
    if c == 0:
        return 0
    score = np.empty(c)
    for q in range(c):
        score[q] = -gain[buf[q]] * (0.5 + np.random.random())
    order = np.argsort(score)
    k = min(k, c)
    for q in range(k):
        out[q] = buf[order[q]]
    return k


@njit(cache=True, nogil=True)
def route_removal(where: np.ndarray, kind: np.ndarray, routes: np.ndarray,
                  rlen: np.ndarray, req_of: np.ndarray, out: np.ndarray) -> int:
    """Every removable request of one non-empty route, picked with weight 1 / length."""
    K = rlen.shape[0]
    total = 0.0
    for v in range(K):
        if rlen[v] > 0:
            total += 1.0 / rlen[v]
    if total == 0.0:
        return 0
    x = np.random.random() * total
    v = 0
    for v in range(K):
        if rlen[v] > 0:
            x -= 1.0 / rlen[v]
            if x <= 0.0:
                break
    R = where.shape[0]
    taken = np.zeros(R, dtype=np.bool_)
    m = 0
    for q in range(rlen[v]):
        s = req_of[routes[v, q]]
        if s >= 0 and not taken[s] and _removable(s, where, kind):
            taken[s] = True
            out[m] = s
            m += 1
    return m
