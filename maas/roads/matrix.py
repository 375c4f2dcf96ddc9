"""Shortest-path queries between road positions on CSR arrays (no Python-level Dijkstra).

A road position lies inside an edge, so a search starts from *seed links*: the nodes the
position can leave by (the end of its edge, and the start when the road is two-way) at the
cost of the partial edge. Searches on the transposed arrays give times *to* a position.

The searches run in compiled code (``maas.roads._dijkstra``, numba, parallel over sources):
``scipy.sparse.csgraph.dijkstra`` on the same CSR matrix gives the same values but about
five times slower on a 20k-node town, too slow for a 20 ms offer. Small batches (the
dispatcher's one-to-many rows) compute whole rows of times and keep them in an LRU keyed by
(location, direction) in one 2-D array, so many cached rows are gathered in one numpy step;
large batches stop each search once its targets are settled. A network drops every row when
its travel times change. ``distances`` keeps rows of times and lengths in a smaller LRU.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix

from maas.roads import _dijkstra

#: Travel time (s) or distance (m) reported for a pair that no open road joins.
UNREACHABLE = 1_000_000_000

#: Bytes of time rows the per-network LRU keeps (whole-graph rows of the dispatcher's hot
#: path: 8 bytes a node, so about 1,600 rows on the 20k-node Toyama graph).
ROW_CACHE_BYTES = 256 * 2**20

#: Bytes of time-and-length rows kept for ``distances`` (16 bytes a node).
LENGTH_ROW_CACHE_BYTES = 32 * 2**20

#: Batches up to this many sources compute whole rows and cache them.
CACHED_BATCH = 64


@dataclass(frozen=True)
class Seeds:
    """Where searches start: per source up to two ``(node, time, length)`` links, as arrays.

    ``nodes``, ``times`` and ``lengths`` have shape ``(k, 2)``; an unused link has time inf.
    """

    nodes: np.ndarray
    times: np.ndarray
    lengths: np.ndarray

    def take(self, idx: np.ndarray) -> Seeds:
        """The seed rows ``idx``."""
        return Seeds(self.nodes[idx], self.times[idx], self.lengths[idx])


class Csr:
    """One orientation (forward or transposed) of the open edges as CSR arrays.

    Of parallel edges between two nodes only the fastest is kept, with its length.
    """

    def __init__(
        self, n: int, tails: np.ndarray, heads: np.ndarray, times: np.ndarray, lengths: np.ndarray
    ) -> None:
        self.n = n
        order = np.lexsort((times, heads, tails))
        tails, heads, times, lengths = tails[order], heads[order], times[order], lengths[order]
        first = np.ones(len(tails), dtype=bool)
        first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
        self.indptr = np.searchsorted(tails[first], np.arange(n + 1)).astype(np.int32)
        self.indices = heads[first].astype(np.int32)
        self.times = np.ascontiguousarray(times[first], dtype=np.float64)
        self.lengths = np.ascontiguousarray(lengths[first], dtype=np.float64)

    def matrix(self) -> csr_matrix:
        """The same graph as a scipy CSR matrix of travel times."""
        return csr_matrix((self.times, self.indices, self.indptr), shape=(self.n, self.n))

    def search(self, seeds: Seeds, row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Whole-graph search from one seed row: times, lengths, predecessors (-1 at seeds)."""
        dist = np.empty(self.n)
        dist_len = np.empty(self.n)
        pred = np.empty(self.n, dtype=np.int64)
        _dijkstra.search(
            self.indptr,
            self.indices,
            self.times,
            self.lengths,
            seeds.nodes[row],
            seeds.times[row],
            seeds.lengths[row],
            np.zeros(self.n, dtype=np.bool_),
            -1,
            dist,
            dist_len,
            pred,
        )
        return dist, dist_len, pred

    def full_rows(self, seeds: Seeds) -> tuple[np.ndarray, np.ndarray]:
        """Times and lengths from each seed row to every node."""
        return _dijkstra.full_rows(
            self.indptr,
            self.indices,
            self.times,
            self.lengths,
            seeds.nodes,
            seeds.times,
            seeds.lengths,
        )

    def time_rows_into(self, seeds: Seeds, pool: np.ndarray, slots: np.ndarray) -> None:
        """Times (no lengths) from seed row ``i`` to every node, into ``pool[slots[i]]``.

        Two or more rows are searched in parallel: a new rider's origin and destination
        come as one batch, and on the Toyama graph each row takes 1.5-3 ms.
        """
        search = (_dijkstra.time_rows_into_parallel if len(slots) > 1
                  else _dijkstra.time_rows_into)
        search(self.indptr, self.indices, self.times, seeds.nodes, seeds.times, pool, slots)

    def to_targets(self, seeds: Seeds, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Times and lengths from each seed row to each of ``targets`` (early stop)."""
        return _dijkstra.many_to_targets(
            self.indptr,
            self.indices,
            self.times,
            self.lengths,
            seeds.nodes,
            seeds.times,
            seeds.lengths,
            np.ascontiguousarray(targets, dtype=np.int64),
        )


class PathEngine:
    """Exact shortest-path times and lengths between road positions on one edge set.

    ``tails``/``heads`` are node indices of the directed edges, ``times`` their travel
    times (inf = closed; closed edges are left out), ``lengths`` their lengths in metres.
    """

    def __init__(
        self, n: int, tails: np.ndarray, heads: np.ndarray, times: np.ndarray, lengths: np.ndarray
    ) -> None:
        usable = np.isfinite(times)
        t, h, w, ln = tails[usable], heads[usable], times[usable], lengths[usable]
        self.n = n
        self.forward = Csr(n, t, h, w, ln)
        self.backward = Csr(n, h, t, w, ln)
        self._cache: OrderedDict[tuple[Hashable, bool], tuple[np.ndarray, np.ndarray]] = (
            OrderedDict()
        )
        self._cache_rows = max(8, LENGTH_ROW_CACHE_BYTES // (16 * max(n, 1)))
        self._rows = _TimeRows(n)  # both directions, keyed (key, reverse)
        self._lock = threading.Lock()  # API workers share one network

    def clear(self) -> None:
        """Forget every cached row (their keys are about to be reused)."""
        with self._lock:
            self._cache.clear()
            self._rows = _TimeRows(self.n)

    def missing(self, keys: Sequence[Hashable], *, reverse: bool) -> int:
        """How many of ``keys`` have no cached time row in this direction."""
        with self._lock:
            slot_of = self._rows.slot_of
            return sum(1 for key in keys if (key, reverse) not in slot_of)

    def times(
        self, keys: Sequence[Hashable], seeds: Seeds, targets: np.ndarray, *, reverse: bool
    ) -> np.ndarray:
        """Times from (``reverse``: to) each seed row to (from) each target node.

        Cached rows are gathered in one numpy step; missing ones are searched: whole rows
        (then cached) for up to ``CACHED_BATCH`` of them, else early-stopping searches.
        """
        csr = self.backward if reverse else self.forward
        k = len(keys)
        targets = np.asarray(targets, dtype=np.int64)
        out = np.empty((k, targets.size))
        if k == 0 or targets.size == 0:
            return out
        rows = self._rows
        keyed = [(key, reverse) for key in keys]
        with self._lock:
            slots = rows.lookup(keyed)
            hit = np.flatnonzero(slots >= 0)
            if hit.size:
                out[hit] = rows.pool[slots[hit][:, None], targets[None, :]]
        missing = np.flatnonzero(slots < 0)
        if missing.size == 0:
            return out
        if missing.size > CACHED_BATCH:
            unique, inverse = np.unique(targets, return_inverse=True)
            t, _ = csr.to_targets(seeds.take(missing), unique)
            out[missing] = t[:, inverse]
            return out
        # searches write straight into slots taken out of the LRU (no other query sees
        # them until they are filled), outside the lock: API threads search in parallel
        with self._lock:
            slots = rows.reserve(missing.size)
            pool = rows.pool
        csr.time_rows_into(seeds.take(missing), pool, slots)
        out[missing] = pool[slots[:, None], targets[None, :]]
        with self._lock:
            rows.commit([keyed[int(i)] for i in missing], slots)
        return out

    def query(
        self, keys: Sequence[Hashable], seeds: Seeds, targets: np.ndarray, *, reverse: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """Times and lengths from (``reverse``: to) each seed row to (from) each target node.

        ``keys`` names each seed row (hashable, e.g. a location) for the row cache.
        """
        csr = self.backward if reverse else self.forward
        k = len(keys)
        targets = np.asarray(targets, dtype=np.int64)
        if k == 0 or targets.size == 0:
            return np.zeros((k, targets.size)), np.zeros((k, targets.size))
        if k > CACHED_BATCH:
            unique, inverse = np.unique(targets, return_inverse=True)
            t, ln = csr.to_targets(seeds, unique)
            return t[:, inverse], ln[:, inverse]
        times = np.empty((k, targets.size))
        lengths = np.empty((k, targets.size))
        missing = []
        with self._lock:
            hits = [self._cache.get((key, reverse)) for key in keys]
            for key, hit in zip(keys, hits, strict=True):
                if hit is not None:
                    self._cache.move_to_end((key, reverse))
        for i, hit in enumerate(hits):
            if hit is None:
                missing.append(i)
                continue
            times[i] = hit[0][targets]
            lengths[i] = hit[1][targets]
        if missing:
            idx = np.asarray(missing)
            t_rows, l_rows = csr.full_rows(seeds.take(idx))
            times[idx] = t_rows[:, targets]
            lengths[idx] = l_rows[:, targets]
            with self._lock:
                for j, i in enumerate(missing):
                    self._cache[(keys[i], reverse)] = (t_rows[j].copy(), l_rows[j].copy())
                while len(self._cache) > self._cache_rows:
                    self._cache.popitem(last=False)
        return times, lengths


class _TimeRows:
    """An LRU of whole-graph time rows held in one 2-D array, so that a batch of cached rows
    is gathered at a few target nodes with one fancy index (no Python loop).

    The array is allocated at full capacity on first use but not written: the pages of a
    row become resident when it is first stored, so memory grows with the rows kept, as a
    dict of rows would, and no row is ever copied to grow the array.
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.capacity = max(8, ROW_CACHE_BYTES // (8 * max(n, 1)))
        self.pool = np.empty((0, n))
        self.slot_of: OrderedDict[Any, int] = OrderedDict()
        self.unused = 0  # slots below this have been handed out
        self.spare: list[int] = []  # filled twice by racing threads: free again

    def lookup(self, keys: Sequence[Hashable]) -> np.ndarray:
        """Slot of each key (-1 if not cached); hits become the most recently used."""
        get, touch = self.slot_of.get, self.slot_of.move_to_end
        slots = [get(key, -1) for key in keys]
        for key, slot in zip(keys, slots, strict=True):
            if slot >= 0:
                touch(key)
        return np.array(slots, dtype=np.int64)

    def reserve(self, count: int) -> np.ndarray:
        """``count`` slots to fill: unused ones first, then the least recently used rows,
        which leave the cache (callers then ``commit`` them under their keys)."""
        if not len(self.pool):
            self.pool = np.empty((self.capacity, self.n))
        slots = []
        for _ in range(count):
            if self.spare:
                slots.append(self.spare.pop())
            elif self.unused < self.capacity:
                slots.append(self.unused)
                self.unused += 1
            else:
                slots.append(self.slot_of.popitem(last=False)[1])
        return np.array(slots, dtype=np.int64)

    def commit(self, keys: Sequence[Hashable], slots: np.ndarray) -> None:
        """Make the filled ``slots`` the rows of ``keys`` (a key another thread has stored
        meanwhile keeps its newer slot; the spare one is given back)."""
        for key, slot in zip(keys, slots.tolist(), strict=True):
            old = self.slot_of.get(key)
            if old is not None:
                self.spare.append(slot)
                continue
            self.slot_of[key] = slot
