"""``RoadNetwork``: a drivable road graph with snapping, travel-time matrices and closures."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import threading
from collections.abc import Sequence
from typing import Any

import networkx as nx
import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import reverse_cuthill_mckee
from shapely.geometry import LineString
from shapely.ops import substring

from maas.domain import Location
from maas.errors import InvalidInput
from maas.roads.closures import Closure
from maas.roads.matrix import UNREACHABLE, PathEngine, Seeds
from maas.roads.snapping import EdgeIndex, LocalProjection
from maas.roads.winter import (
    DAYS_IN_YEAR,
    WinterProfile,
    day_of_year,
    month_days,
    parse_days_text,
    winter_active,
)

#: Columns of a location's link record (see ``RoadNetwork._links``).
_EXIT_NODE, _EXIT_TIME, _EXIT_LEN = slice(0, 2), slice(2, 4), slice(4, 6)
_ENTRY_NODE, _ENTRY_TIME, _ENTRY_LEN = slice(6, 8), slice(8, 10), slice(10, 12)
_ROAD, _POS = 12, 13

#: Distinct locations whose link records are kept; past this all are dropped and rebuilt.
MAX_RECORDS = 200_000

#: Location objects remembered by identity (a fast path in front of the records); past this
#: the memo is emptied and refills with the objects in use.
MAX_IDENTITIES = 65_536


class RoadNetwork:
    """A drivable road graph of one town, ready for routing.

    ``graph`` is an osmnx-style ``MultiDiGraph`` (nodes with ``x``/``y`` in degrees, edges
    with ``length`` in metres, ``travel_time`` in seconds, ``geometry``). Travel times are
    exact shortest paths between road positions (``Location`` on an edge at an offset),
    in float seconds rounded once to the nearest integer. ``version`` bumps whenever travel
    times change (closures, winter); every cached row is keyed on it.

    ``winter`` is a flag or a date (see ``maas.roads.winter``): it picks the winter speeds
    and the seasonal closures (edges whose ``winter_closed`` days apply). An edge is closed
    when the operator's closures or the season close it.
    """

    def __init__(
        self,
        graph: nx.MultiDiGraph,
        *,
        source: str,
        winter: bool | dt.date | None = False,
        winter_profile: WinterProfile | None = None,
    ) -> None:
        self.graph = graph
        self.source = source
        self.synthetic = graph.graph.get("synthetic") in (True, "True", "true")
        self._version = 0
        self._winter_profile = winter_profile or WinterProfile()
        self._winter = winter_active(winter, self._winter_profile)
        self._closures: dict[str, Closure] = {}
        self._closure_edges: dict[Closure, frozenset[int]] = {}

        nodes = list(graph.nodes)
        first = {node: i for i, node in enumerate(nodes)}
        # one pass over the adjacency dicts (networkx's edge views are several times slower)
        adj = graph._adj
        self.edges: list[tuple[int, int, int]] = [
            (u, v, k) for u, nbrs in adj.items() for v, keyed in nbrs.items() for k in keyed
        ]
        self._data: list[dict[str, Any]] = [
            d for nbrs in adj.values() for keyed in nbrs.values() for d in keyed.values()
        ]
        data = self._data
        self.edge_index = {e: i for i, e in enumerate(self.edges)}
        tails = np.fromiter((first[u] for u, _, _ in self.edges), np.int64, len(self.edges))
        heads = np.fromiter((first[v] for _, v, _ in self.edges), np.int64, len(self.edges))
        order = _locality_order(len(nodes), tails, heads)
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        self.nodes = [nodes[i] for i in order]
        self.node_index = {node: i for i, node in enumerate(self.nodes)}
        self.tails, self.heads = rank[tails], rank[heads]
        node_data = graph._node
        self.lon = np.array([node_data[n]["x"] for n in self.nodes], dtype=float)
        self.lat = np.array([node_data[n]["y"] for n in self.nodes], dtype=float)
        self.lengths = np.array([d["length"] for d in data], dtype=float)
        self.summer_times = np.array(
            [d.get("summer_travel_time", d["travel_time"]) for d in data], dtype=float
        )
        self.winter_times = np.array(
            [d.get("winter_travel_time", d["travel_time"]) for d in data], dtype=float
        )
        # seasonal closures: edge indices and, per edge, the days of the year it is closed
        self.seasonal_edges = np.array(
            [i for i, d in enumerate(data) if d.get("winter_closed")], dtype=np.int64
        )
        self.seasonal_days = np.array(
            [parse_days_text(data[i]["winter_closed"]) for i in self.seasonal_edges], dtype=bool
        ).reshape(len(self.seasonal_edges), DAYS_IN_YEAR)
        self.operator_closed = np.zeros(len(self.edges), dtype=bool)
        self.seasonal_closed = self._seasonal_mask(winter)
        self.closed = self.operator_closed | self.seasonal_closed
        self.geoms = np.array(
            [
                d["geometry"] if d.get("geometry") is not None else self._straight(u, v)
                for (u, v, _), d in zip(self.edges, data, strict=True)
            ],
            dtype=object,
        )
        self.twins = self._find_twins()
        canonical = np.nonzero((self.twins < 0) | (np.arange(len(self.edges)) < self.twins))[0]
        self.road_of = np.where(
            (self.twins >= 0) & (self.twins < np.arange(len(self.edges))),
            self.twins,
            np.arange(len(self.edges)),
        )
        self.projection = LocalProjection(
            float((self.lon.min() + self.lon.max()) / 2),
            float((self.lat.min() + self.lat.max()) / 2),
        )
        # plane (metre) geometries: offsets are fractions of length, measured in metres
        self.plane = self.projection.geometry(self.geoms)
        self._index = EdgeIndex(self.projection, self.plane[canonical], canonical)
        self._records_lock = threading.Lock()
        self._refresh()

    # ------------------------------------------------------------------ building
    def _straight(self, u: int, v: int) -> LineString:
        a, b = self.graph.nodes[u], self.graph.nodes[v]
        return LineString([(a["x"], a["y"]), (b["x"], b["y"])])

    def _find_twins(self) -> np.ndarray:
        """Index of the opposite direction of each edge on the same road (-1 if one-way).

        Vectorised for the usual case (one edge each way between two nodes, equal lengths);
        parallel edges and loops are matched by reversed geometry.
        """
        m, n = len(self.edges), len(self.nodes)
        twins = np.full(m, -1, dtype=np.int64)
        fwd = self.tails * n + self.heads
        rev = self.heads * n + self.tails
        order = np.argsort(fwd, kind="stable")
        lo = np.searchsorted(fwd[order], rev, "left")
        count = np.searchsorted(fwd[order], rev, "right") - lo
        single = np.nonzero((count == 1) & (fwd != rev))[0]
        cand = order[lo[single]]
        mutual = count[cand] == 1
        same = (
            np.abs(self.lengths[cand] - self.lengths[single]) <= 1e-6 * self.lengths[single] + 1e-6
        )
        ok = mutual & same
        twins[single[ok]] = cand[ok]
        for i in np.nonzero((count > 1) | ((count == 1) & (fwd == rev)))[0]:
            if twins[i] >= 0:
                continue
            best, best_gap = -1, math.inf
            for j in order[lo[i] : lo[i] + count[i]]:
                if j == i or twins[j] >= 0:
                    continue
                gap = abs(self.lengths[j] - self.lengths[i])
                if gap < best_gap and self.geoms[i].reverse().equals_exact(self.geoms[j], 1e-7):
                    best, best_gap = int(j), gap
            if best >= 0:
                twins[i], twins[best] = best, i
        return twins

    def _refresh(self) -> None:
        """Recompute effective travel times and the path engine after a change."""
        base = self.winter_times if self._winter else self.summer_times
        times = np.where(self.closed, np.inf, base)
        previous = getattr(self, "times", None)
        changed = range(len(self.edges)) if previous is None else np.nonzero(times != previous)[0]
        for i in changed:
            d = self._data[i]
            d["travel_time"] = float(times[i])
            d["closed"] = bool(self.closed[i])
        for i in self.seasonal_edges:
            self._data[i]["seasonal_closed"] = bool(self.seasonal_closed[i])
        self.times = times
        self._engine = PathEngine(len(self.nodes), self.tails, self.heads, self.times, self.lengths)
        self._reset_records()

    def _reset_records(self) -> None:
        """Forget every location's link record, and the rows keyed by record number."""
        # one row per distinct location: its link record (see ``_links``)
        self._table = np.empty((256, 14))
        self._count = 0
        self._number: dict[Location, int] = {}
        # the same by object identity (holding the object, so its id stays its own): the
        # dispatcher passes the same Location objects every offer, and an id hashes far
        # faster than a Location's five fields
        self._by_id: dict[int, tuple[Location, int]] = {}
        self._generation = getattr(self, "_generation", 0) + 1
        engine = getattr(self, "_engine", None)
        if engine is not None:
            engine.clear()

    # ------------------------------------------------------------------ properties
    @property
    def version(self) -> int:
        """Bumps on every change of travel times."""
        return self._version

    @property
    def winter(self) -> bool:
        """Whether the winter profile's travel times are in force."""
        return self._winter

    def _seasonal_mask(self, winter: bool | dt.date | None) -> np.ndarray:
        """Edges the season closes: with a flag, every closure that touches the winter
        months; with a date, those closed on that day; none in summer."""
        mask = np.zeros(len(self.edges), dtype=bool)
        if not len(self.seasonal_edges) or winter is None or winter is False:
            return mask
        if isinstance(winter, bool):
            months = month_days(self._winter_profile.months)
            mask[self.seasonal_edges] = (self.seasonal_days & months).any(axis=1)
        else:
            mask[self.seasonal_edges] = self.seasonal_days[:, day_of_year(winter)]
        return mask

    def set_winter(self, active: bool | dt.date) -> bool:
        """Switch the winter profile (speeds and seasonal closures) by flag or date.

        Returns whether travel times changed; ``version`` bumps exactly then.
        """
        speeds = winter_active(active, self._winter_profile)
        seasonal = self._seasonal_mask(active)
        closed = self.operator_closed | seasonal
        if speeds == self._winter and (seasonal == self.seasonal_closed).all():
            return False
        self._winter = speeds
        self.seasonal_closed = seasonal
        self.closed = closed
        self._version += 1
        self._refresh()
        return True

    @property
    def closures(self) -> tuple[Closure, ...]:
        """The active closures."""
        return tuple(self._closures.values())

    def info(self) -> dict[str, Any]:
        """Counts and extent: nodes, edges, road km (each two-way road once), bbox, source,
        and the km of road closed for the season now (``seasonal_closed_km``)."""
        canonical = self.road_of == np.arange(len(self.edges))
        km = float(self.lengths[canonical].sum() / 1000.0)
        seasonal_km = float(self.lengths[canonical & self.seasonal_closed].sum() / 1000.0)
        return {
            "nodes": len(self.nodes),
            "edges": len(self.edges),
            "km": round(km, 3),
            "bbox": [
                round(float(self.lon.min()), 6),
                round(float(self.lat.min()), 6),
                round(float(self.lon.max()), 6),
                round(float(self.lat.max()), 6),
            ],
            "source": self.source,
            "synthetic": self.synthetic,
            "winter": self._winter,
            "seasonal_closed_km": round(seasonal_km, 3),
        }

    # ------------------------------------------------------------------ snapping
    def _lonlat(self, points: np.ndarray) -> np.ndarray:
        """(lon, lat) rows of plane points."""
        xy = shapely.get_coordinates(points)
        lon, lat = self.projection.inverse(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    def _location(self, edge: int, offset: float, distance: float) -> Location:
        point = shapely.line_interpolate_point(self.plane[edge], offset, normalized=True)
        lon, lat = self._lonlat(np.array([point]))[0]
        return Location(
            lat=float(lat),
            lon=float(lon),
            edge=self.edges[edge],
            offset=float(offset),
            snap_distance_m=float(distance),
        )

    def snap(self, lat: float, lon: float, max_distance_m: float = 500.0) -> Location:
        """The nearest position on the nearest open drivable edge.

        Raises ``OffNetworkError`` (naming the point and the distance) when no open road is
        within ``max_distance_m``.
        """
        edge, offset, dist = self._index.nearest(lat, lon, max_distance_m, ~self.closed)
        return self._location(edge, offset, dist)

    def snap_many(
        self, points: Sequence[tuple[float, float]], max_distance_m: float = 500.0
    ) -> list[Location]:
        """``snap`` for many ``(lat, lon)`` points at once (one spatial-index query)."""
        found = self._index.nearest_many(points, max_distance_m, ~self.closed)
        return [self._location(e, o, d) for e, o, d in found]

    def random_locations(self, n: int, seed: int = 0) -> list[Location]:
        """``n`` seeded positions spread over open roads in proportion to their length."""
        roads = np.nonzero((self.road_of == np.arange(len(self.edges))) & ~self.closed)[0]
        rng = np.random.default_rng(seed)
        weights = self.lengths[roads] / self.lengths[roads].sum()
        picks = roads[rng.choice(len(roads), size=n, p=weights)]
        offsets = rng.random(n)
        points = shapely.line_interpolate_point(self.plane[picks], offsets, normalized=True)
        lonlat = self._lonlat(points)
        return [
            Location(lat=float(p[1]), lon=float(p[0]), edge=self.edges[e], offset=float(f))
            for p, e, f in zip(lonlat, picks, offsets, strict=True)
        ]

    # ------------------------------------------------------------------ travel
    def _edge_of(self, loc: Location) -> int:
        if loc.edge is None:
            msg = f"location ({loc.lat:.6f}, {loc.lon:.6f}) is not on the road graph: snap it first"
            raise InvalidInput(msg)
        try:
            return self.edge_index[loc.edge]
        except KeyError:
            msg = f"edge {loc.edge} is not in this road network ({self.source})"
            raise InvalidInput(msg) from None

    def _links(self, loc: Location) -> tuple[float, ...]:
        """How a position joins the graph: exits (node, s, m) x2, entries x2, road, position.

        Leaving: through the rest of its edge to the head, or back along the reverse edge of
        a two-way road to the tail. Arriving: from the tail through the start of the edge, or
        from the head along the reverse edge. Unusable links carry infinite time. At offset
        0 or 1 of an open road the position is the end node itself (free to leave and reach).
        """
        e = self._edge_of(loc)
        f = min(max(loc.offset, 0.0), 1.0)
        t = int(self.twins[e])
        inf = math.inf
        u, v = float(self.tails[e]), float(self.heads[e])
        te, le = float(self.times[e]), float(self.lengths[e])
        tt, lt = (float(self.times[t]), float(self.lengths[t])) if t >= 0 else (inf, 0.0)

        def part(frac: float, time: float) -> float:
            return frac * time if time < inf else inf

        exit_v, exit_u = part(1 - f, te), part(f, tt)
        entry_u, entry_v = part(f, te), part(1 - f, tt)
        if (f == 0.0 or f == 1.0) and (te < inf or tt < inf):
            # A position at an end of an open road is that node, whichever way the road runs:
            # without this, offset 0 on a one-way road could only leave along the road (and
            # offset 1 only be reached through it), so two locations at one junction lay
            # minutes apart.
            if f == 0.0:
                exit_u = entry_u = 0.0
            else:
                exit_v = entry_v = 0.0
        road = int(self.road_of[e])
        # fmt: off
        rec = (
            v, u, exit_v, exit_u, (1 - f) * le, f * lt,
            u, v, entry_u, entry_v, f * le, (1 - f) * lt,
            float(road), f if road == e else 1 - f,
        )
        # fmt: on
        return rec

    def _numbers(self, locs: Sequence[Location]) -> np.ndarray:
        """The record number of each location (new ones get a record), as int64."""
        generation = self._generation
        by_id = self._by_id
        out = []
        for loc in locs:
            hit = by_id.get(id(loc))
            out.append(hit[1] if hit is not None and hit[0] is loc else self._number_of(loc))
        if self._generation != generation:  # the records were dropped meanwhile: renumber
            return self._numbers(locs)
        return np.array(out, dtype=np.int64)

    def _number_of(self, loc: Location) -> int:
        with self._records_lock:
            number = self._number.get(loc)
            if number is None:
                if self._count >= MAX_RECORDS:
                    self._reset_records()
                rec = self._links(loc)
                if self._count == len(self._table):
                    self._table = np.concatenate([self._table, np.empty_like(self._table)])
                number = self._count
                self._table[number] = rec
                self._count += 1
                self._number[loc] = number
            if len(self._by_id) >= MAX_IDENTITIES:  # e.g. a fresh copy per API request
                self._by_id.clear()
            self._by_id[id(loc)] = (loc, number)
            return number

    def _records(self, locs: Sequence[Location]) -> np.ndarray:
        return self._table[self._numbers(locs)]

    @staticmethod
    def _seeds(rec: np.ndarray, exits: bool) -> Seeds:
        n, t, ln = (
            (_EXIT_NODE, _EXIT_TIME, _EXIT_LEN) if exits else (_ENTRY_NODE, _ENTRY_TIME, _ENTRY_LEN)
        )
        return Seeds(rec[:, n].astype(np.int64), rec[:, t], rec[:, ln])

    def _solve_times(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> np.ndarray:
        """Float seconds of the fastest paths, ``len(o) x len(d)``.

        Searches run from the origins when they are fewer, or when all but at most
        ``len(d)`` of their rows are cached (the dispatcher's many-to-few question: the
        stops of the live plan to a new rider's origin and destination); else backwards
        from the destinations.
        """
        no, nd = self._numbers(origins), self._numbers(destinations)
        ro, rd = self._table[no], self._table[nd]
        n_o, n_d = len(origins), len(destinations)
        o_keys = no.tolist()
        if n_o <= n_d or self._engine.missing(o_keys, reverse=False) <= n_d:
            t = self._engine.times(
                o_keys,
                self._seeds(ro, exits=True),
                rd[:, _ENTRY_NODE].astype(np.int64).ravel(),
                reverse=False,
            )
            times = t.reshape(n_o, n_d, 2) + rd[None, :, _ENTRY_TIME]
        else:
            t = self._engine.times(
                nd.tolist(),
                self._seeds(rd, exits=False),
                ro[:, _EXIT_NODE].astype(np.int64).ravel(),
                reverse=True,
            )
            times = t.reshape(n_d, n_o, 2).transpose(1, 0, 2) + ro[:, None, _EXIT_TIME]
        best = times.min(axis=2)
        self._same_road(ro, rd, best, None)
        return best

    def _solve(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Float seconds and metres along the fastest paths, ``len(o) x len(d)``.

        Searches run from the origins when they are fewer, else backwards from the
        destinations.
        """
        no, nd = self._numbers(origins), self._numbers(destinations)
        ro, rd = self._table[no], self._table[nd]
        n_o, n_d = len(origins), len(destinations)
        if n_o <= n_d:
            t, ln = self._engine.query(
                no.tolist(),
                self._seeds(ro, exits=True),
                rd[:, _ENTRY_NODE].astype(np.int64).ravel(),
                reverse=False,
            )
            times = t.reshape(n_o, n_d, 2) + rd[None, :, _ENTRY_TIME]
            lens = ln.reshape(n_o, n_d, 2) + rd[None, :, _ENTRY_LEN]
        else:
            t, ln = self._engine.query(
                nd.tolist(),
                self._seeds(rd, exits=False),
                ro[:, _EXIT_NODE].astype(np.int64).ravel(),
                reverse=True,
            )
            times = t.reshape(n_d, n_o, 2).transpose(1, 0, 2) + ro[:, None, _EXIT_TIME]
            lens = ln.reshape(n_d, n_o, 2).transpose(1, 0, 2) + ro[:, None, _EXIT_LEN]
        pick = np.argmin(times, axis=2)[..., None]
        best = np.take_along_axis(times, pick, axis=2)[..., 0]
        lengths = np.take_along_axis(lens, pick, axis=2)[..., 0]
        self._same_road(ro, rd, best, lengths)
        return best, lengths

    def _same_road(
        self, ro: np.ndarray, rd: np.ndarray, best: np.ndarray, lengths: np.ndarray | None
    ) -> None:
        """Pairs on one road: driving straight along it may beat leaving it."""
        oi, di = np.nonzero(ro[:, None, _ROAD] == rd[None, :, _ROAD])
        if len(oi) == 0:
            return
        road = ro[oi, _ROAD].astype(np.int64)
        po, pd = ro[oi, _POS], rd[di, _POS]
        twin = self.twins[road]
        ahead = pd >= po
        open_road = np.isfinite(self.times[road])
        fwd_t = np.where(
            ahead & open_road, (pd - po) * np.where(open_road, self.times[road], 0), np.inf
        )
        fwd_l = (pd - po) * self.lengths[road]
        has_twin = twin >= 0
        tw = np.where(has_twin, twin, 0)
        open_twin = has_twin & np.isfinite(self.times[tw])
        back_t = np.where(
            ~ahead & open_twin, (po - pd) * np.where(open_twin, self.times[tw], 0), np.inf
        )
        back_t = np.where(pd == po, 0.0, back_t)
        back_l = (po - pd) * self.lengths[tw]
        direct = np.minimum(fwd_t, back_t)
        direct_l = np.where(fwd_t <= back_t, fwd_l, back_l)
        better = direct < best[oi, di]
        best[oi[better], di[better]] = direct[better]
        if lengths is not None:
            lengths[oi[better], di[better]] = direct_l[better]

    @staticmethod
    def _to_int(values: np.ndarray) -> np.ndarray:
        out = np.full(values.shape, UNREACHABLE, dtype=np.int64)
        ok = np.isfinite(values)
        out[ok] = np.rint(values[ok]).astype(np.int64)
        return out

    def durations(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> np.ndarray:
        """``len(origins) x len(destinations)`` int64 seconds (``UNREACHABLE`` if cut off).

        Searches run from the origins when they are fewer, else backwards from the
        destinations (or from the origins when their rows are cached); whole-graph rows of
        batches up to 64 sources are cached per (location, direction) until the next change
        of travel times.
        """
        return self._to_int(self._solve_times(origins, destinations))

    def distances(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> np.ndarray:
        """``len(origins) x len(destinations)`` int64 metres along the fastest paths."""
        times, lengths = self._solve(origins, destinations)
        lengths = np.where(np.isfinite(times), lengths, np.inf)
        return self._to_int(lengths)

    def path(self, a: Location, b: Location) -> list[tuple[float, float]]:
        """``(lat, lon)`` polyline of the fastest path from ``a`` to ``b``.

        Raises ``InvalidInput`` when closures cut ``b`` off from ``a``.
        """
        ra, rb = self._records([a]), self._records([b])
        direct = np.full((1, 1), np.inf)
        self._same_road(ra, rb, direct, None)
        times, _, preds = self._engine.forward.search(self._seeds(ra, exits=True), 0)
        entry_nodes = rb[0, _ENTRY_NODE].astype(np.int64)
        via = times[entry_nodes] + rb[0, _ENTRY_TIME]
        j = int(np.argmin(via))
        if not np.isfinite(min(via[j], direct[0, 0])):
            msg = f"no open road from ({a.lat:.6f}, {a.lon:.6f}) to ({b.lat:.6f}, {b.lon:.6f})"
            raise InvalidInput(msg)
        ea, eb = self._edge_of(a), self._edge_of(b)
        if direct[0, 0] <= via[j]:
            return self._piece(ea, a.offset, self._offset_on(ea, eb, b.offset))
        # walk the predecessor tree back from the entry node to the virtual source
        chain = [int(entry_nodes[j])]
        while preds[chain[-1]] >= 0:
            chain.append(int(preds[chain[-1]]))
        chain.reverse()
        coords: list[tuple[float, float]] = []
        # which way a left its edge: the faster link into the first node (a loop has two)
        exit_times = np.where(ra[0, _EXIT_NODE] == chain[0], ra[0, _EXIT_TIME], np.inf)
        coords += self._piece(ea, a.offset, 1.0 if int(np.argmin(exit_times)) == 0 else 0.0)
        for u, v in itertools.pairwise(chain):
            coords += self._edge_coords(u, v)
        coords += self._piece(eb, 0.0 if j == 0 else 1.0, b.offset)
        # drop repeated vertices at the joins
        out = [coords[0]]
        for c in coords[1:]:
            if c != out[-1]:
                out.append(c)
        return out

    def _offset_on(self, ea: int, eb: int, offset: float) -> float:
        """``eb``'s ``offset`` expressed along ``ea`` (the same road, maybe reversed)."""
        return offset if ea == eb else 1.0 - offset

    def _piece(self, e: int, start: float, end: float) -> list[tuple[float, float]]:
        """``(lat, lon)`` of edge ``e``'s geometry between two fractions (either order)."""
        lo, hi = sorted((start, end))
        part = substring(self.plane[e], lo, hi, normalized=True)
        coords = self._lonlat(np.array([part]))
        if start > end:
            coords = coords[::-1]
        return [(float(lat), float(lon)) for lon, lat in coords]

    def _edge_coords(self, u: int, v: int) -> list[tuple[float, float]]:
        cands = [
            self.edge_index[(self.nodes[u], self.nodes[v], k)]
            for k in self.graph[self.nodes[u]][self.nodes[v]]
        ]
        best = min(cands, key=lambda i: self.times[i])
        return [(float(y), float(x)) for x, y in self.geoms[best].coords]

    # ------------------------------------------------------------------ closures
    def _closure_edge_set(self, closure: Closure) -> frozenset[int]:
        hit = self._closure_edges.get(closure)
        if hit is not None:
            return hit
        found: set[int] = set()
        for e in closure.edges:
            if e not in self.edge_index:
                msg = f"closure {closure.id!r}: edge {e} is not in this road network"
                raise InvalidInput(msg)
            found.add(self.edge_index[e])
        if closure.geometry is not None:
            shape = self.projection.geometry(closure.geometry)
            tree_hits = self._index.tree.query(shape, predicate="intersects")
            for road in self._index.edge_ids[tree_hits]:
                found.add(int(road))
                if self.twins[road] >= 0:
                    found.add(int(self.twins[road]))
        result = frozenset(found)
        self._closure_edges[closure] = result
        return result

    def apply_closures(self, closures: Sequence[Closure]) -> set[tuple[int, int, int]]:
        """Make ``closures`` the active set (others reopen); return edges whose state changed.

        Seasonal closures stay in force underneath: closing an edge the season already
        closes, or reopening one, changes nothing for it. Idempotent: applying the same set
        again changes nothing and keeps ``version``. Otherwise ``version`` bumps and every
        cached row is dropped.
        """
        ids = [c.id for c in closures]
        if len(set(ids)) != len(ids):
            msg = f"closure ids must be unique: {ids}"
            raise InvalidInput(msg)
        closed = np.zeros(len(self.edges), dtype=bool)
        for closure in closures:
            idx = self._closure_edge_set(closure)
            if idx:
                closed[list(idx)] = True
        self.operator_closed = closed
        self._closures = {c.id: c for c in closures}
        effective = closed | self.seasonal_closed
        changed = np.nonzero(effective != self.closed)[0]
        if len(changed) == 0:
            return set()
        self.closed = effective
        self._version += 1
        self._refresh()
        return {self.edges[i] for i in changed}


def _locality_order(n: int, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """Node positions in reverse Cuthill-McKee order: neighbours get nearby indices, so
    searches touch memory that is already in cache (about 15 % faster on a 20k-node town)."""
    if n < 3:
        return np.arange(n)
    adjacency = coo_matrix(
        (np.ones(2 * len(tails)), (np.r_[tails, heads], np.r_[heads, tails])), shape=(n, n)
    ).tocsr()
    return np.asarray(reverse_cuthill_mckee(adjacency, symmetric_mode=True), dtype=np.int64)
