"""Shortest-path rows on a CSR matrix with ``scipy.sparse.csgraph`` (no Python-level Dijkstra).

A road position lies inside an edge, so a search starts from a *virtual source*: one extra
node per source position, joined to the nodes the position can leave by (the end of its edge,
and the start when the road is two-way) at the cost of the partial edge. One Dijkstra per
source position then gives exact times to every node; searches on the transposed graph give
times *to* a position from every node. Lengths along the fastest paths come from the
predecessor trees (pointer jumping, vectorised).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

#: Travel time (s) or distance (m) reported for a pair that no open road joins.
UNREACHABLE = 1_000_000_000

#: Bytes of rows the per-network LRU keeps (single-source rows of the dispatcher's hot path).
ROW_CACHE_BYTES = 256 * 2**20

#: Bytes of scratch rows one batched Dijkstra call may allocate.
BATCH_BYTES = 128 * 2**20


@dataclass(frozen=True)
class Seeds:
    """Where searches start: per source up to two ``(node, time, length)`` links, as arrays.

    ``nodes``, ``times`` and ``lengths`` have shape ``(k, 2)``; an unused link has time inf.
    """

    nodes: np.ndarray
    times: np.ndarray
    lengths: np.ndarray


class _Direction:
    """One CSR orientation (forward or transposed) with lengths for the predecessor walk."""

    def __init__(
        self, n: int, tails: np.ndarray, heads: np.ndarray, times: np.ndarray, lengths: np.ndarray
    ) -> None:
        self.n = n
        order = np.lexsort((times, heads, tails))
        tails, heads, times, lengths = tails[order], heads[order], times[order], lengths[order]
        # keep the fastest of parallel edges (the first of each (tail, head) run)
        first = np.ones(len(tails), dtype=bool)
        first[1:] = (tails[1:] != tails[:-1]) | (heads[1:] != heads[:-1])
        self.tails, self.heads = tails[first], heads[first]
        self.times, self.lengths = times[first], lengths[first]
        self.indptr = np.searchsorted(self.tails, np.arange(n + 1)).astype(np.int32)
        self.indices = self.heads.astype(np.int32)

    def graph(self, seeds: Seeds | None) -> csr_matrix:
        """The CSR matrix, with one virtual source node per seed row appended."""
        if seeds is None:
            return csr_matrix((self.times, self.indices, self.indptr), shape=(self.n, self.n))
        k = len(seeds.nodes)
        size = self.n + k
        valid = np.isfinite(seeds.times)
        counts = valid.sum(axis=1)
        indptr = np.concatenate([self.indptr, self.indptr[-1] + np.cumsum(counts)]).astype(np.int32)
        indices = np.concatenate([self.indices, seeds.nodes[valid].astype(np.int32)])
        data = np.concatenate([self.times, seeds.times[valid]])
        return csr_matrix((data, indices, indptr), shape=(size, size))

    def link_lengths(self, seeds: Seeds, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
        """Length of the chosen link ``tail -> head`` (virtual links included)."""
        out = np.zeros(tails.shape, dtype=float)
        real = tails < self.n
        if real.any():
            keys = self.tails.astype(np.int64) * self.n + self.heads
            want = tails[real].astype(np.int64) * self.n + heads[real]
            out[real] = self.lengths[np.searchsorted(keys, want)]
        virt = ~real
        if virt.any():
            row = tails[virt] - self.n
            hit = seeds.nodes[row] == heads[virt][:, None]
            cand = np.where(hit & np.isfinite(seeds.times[row]), seeds.times[row], np.inf)
            pick = np.argmin(cand, axis=1)
            out[virt] = seeds.lengths[row, pick]
        return out

    def rows(self, seeds: Seeds, with_lengths: bool) -> tuple[np.ndarray, np.ndarray | None]:
        """Times (and lengths along the fastest paths) from each seed to every node."""
        k = len(seeds.nodes)
        graph = self.graph(seeds)
        sources = np.arange(self.n, self.n + k)
        if not with_lengths:
            times = dijkstra(graph, directed=True, indices=sources)
            return times[:, : self.n], None
        times, preds = dijkstra(graph, directed=True, indices=sources, return_predecessors=True)
        return times[:, : self.n], self._tree_lengths(seeds, preds)[:, : self.n]

    def _tree_lengths(self, seeds: Seeds, preds: np.ndarray) -> np.ndarray:
        """Sum of link lengths from the root of each predecessor tree (pointer jumping)."""
        reached = preds >= 0
        lengths = np.zeros(preds.shape, dtype=float)
        r, c = np.nonzero(reached)
        lengths[r, c] = self.link_lengths(seeds, preds[r, c], c)
        parent = np.where(reached, preds, -1)
        rows = np.arange(preds.shape[0])[:, None]
        active = parent >= 0
        while active.any():
            up = np.where(active, parent, 0)
            lengths = np.where(active, lengths + lengths[rows, up], lengths)
            parent = np.where(active, parent[rows, up], parent)
            active = parent >= 0
        return lengths


class PathEngine:
    """Exact shortest-path times and lengths between road positions on one edge set.

    ``tails``/``heads`` are node indices of the directed edges, ``times`` their travel
    times (inf = closed; closed edges are left out), ``lengths`` their lengths in metres.
    """

    def __init__(
        self, n: int, tails: np.ndarray, heads: np.ndarray, times: np.ndarray, lengths: np.ndarray
    ) -> None:
        open_ = np.isfinite(times)
        t, h, w, ln = tails[open_], heads[open_], times[open_], lengths[open_]
        self.n = n
        self.forward = _Direction(n, t, h, w, ln)
        self.backward = _Direction(n, h, t, w, ln)
        self._cache: OrderedDict[tuple[Hashable, bool, bool], np.ndarray] = OrderedDict()
        self._cache_rows = max(8, ROW_CACHE_BYTES // (8 * max(n, 1)))

    def csr(self, reverse: bool = False) -> csr_matrix:
        """The plain node-to-node CSR matrix (fastest parallel edge per node pair)."""
        return (self.backward if reverse else self.forward).graph(None)

    def rows(
        self, keys: Sequence[Hashable], seeds: Seeds, *, reverse: bool, with_lengths: bool = False
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Rows of times (and lengths) from (``reverse``: to) each seed to (from) every node.

        Rows are cached by ``keys`` (one hashable per seed row) when the batch is small, as in
        the dispatcher's one-to-many queries; large batches are computed in slices.
        """
        k = len(keys)
        times = np.empty((k, self.n))
        lengths = np.empty((k, self.n)) if with_lengths else None
        cacheable = k <= 64
        missing: list[int] = []
        for i, key in enumerate(keys):
            hit = self._cache_get(key, reverse, with_lengths) if cacheable else None
            if hit is None:
                missing.append(i)
                continue
            times[i] = hit[0]
            if lengths is not None:
                lengths[i] = hit[1]
        if missing:
            direction = self.backward if reverse else self.forward
            step = max(1, BATCH_BYTES // (8 * (self.n + k) * (3 if with_lengths else 1)))
            for start in range(0, len(missing), step):
                idx = np.asarray(missing[start : start + step])
                part = Seeds(seeds.nodes[idx], seeds.times[idx], seeds.lengths[idx])
                t_rows, l_rows = direction.rows(part, with_lengths)
                times[idx] = t_rows
                if lengths is not None and l_rows is not None:
                    lengths[idx] = l_rows
                if cacheable:
                    for j, i in enumerate(idx):
                        self._cache_put(
                            keys[i], reverse, t_rows[j], None if l_rows is None else l_rows[j]
                        )
        return times, lengths

    def _cache_get(
        self, key: Hashable, reverse: bool, with_lengths: bool
    ) -> tuple[np.ndarray, np.ndarray | None] | None:
        t = self._cache.get((key, reverse, False))
        if t is None:
            return None
        ln = None
        if with_lengths:
            ln = self._cache.get((key, reverse, True))
            if ln is None:
                return None
            self._cache.move_to_end((key, reverse, True))
        self._cache.move_to_end((key, reverse, False))
        return t, ln

    def _cache_put(
        self, key: Hashable, reverse: bool, t: np.ndarray, ln: np.ndarray | None
    ) -> None:
        self._cache[(key, reverse, False)] = t
        if ln is not None:
            self._cache[(key, reverse, True)] = ln
        while len(self._cache) > self._cache_rows:
            self._cache.popitem(last=False)
