"""Shortest-path queries between road positions on CSR arrays (no Python-level Dijkstra).

A road position lies inside an edge, so a search starts from *seed links*: the nodes the
position can leave by (the end of its edge, and the start when the road is two-way) at the
cost of the partial edge. Searches on the transposed arrays give times *to* a position.

The searches run in compiled code (``maas.roads._dijkstra``, numba, parallel over sources):
``scipy.sparse.csgraph.dijkstra`` on the same CSR matrix gives the same values but about
five times slower on a 20k-node town, too slow for a 20 ms offer. Small batches (the
dispatcher's one-to-many rows) compute whole rows and keep them in an LRU keyed by
(location, direction, version); large batches stop each search once its targets are settled.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from maas.roads import _dijkstra

#: Travel time (s) or distance (m) reported for a pair that no open road joins.
UNREACHABLE = 1_000_000_000

#: Bytes of rows the per-network LRU keeps (single-source rows of the dispatcher's hot path).
ROW_CACHE_BYTES = 256 * 2**20

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
        self._cache_rows = max(8, ROW_CACHE_BYTES // (16 * max(n, 1)))
        self._lock = threading.Lock()  # API workers share one network

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
