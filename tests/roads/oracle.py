"""An independent reference for travel between road positions: networkx on a split graph.

Each position is made a node of its own by splitting its edge (and the reverse edge of a
two-way road) at the offset; networkx's Dijkstra then gives the exact travel time. A position
at an end (offset 0 or 1) of an open road is that end's node, whichever way the road runs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import networkx as nx

from maas.domain import Location
from maas.roads import RoadNetwork


def split_graph(
    net: RoadNetwork, locations: Sequence[Location]
) -> tuple[nx.DiGraph, list[str | int]]:
    """A plain weighted digraph (fastest parallel edge kept) with one node per location."""
    g = nx.DiGraph()
    for u, v, data in net.graph.edges(data=True):
        t = data["travel_time"]
        if t == float("inf"):
            continue
        if not g.has_edge(u, v) or g[u][v]["t"] > t:
            g.add_edge(u, v, t=t, m=data["length"])
    names: list[str | int] = []
    on_edge: dict[int, set[tuple[float, str]]] = {}
    for loc in locations:
        assert loc.edge is not None
        e = net.edge_index[loc.edge]
        twin = int(net.twins[e])
        road_open = net.times[e] < float("inf") or (twin >= 0 and net.times[twin] < float("inf"))
        if loc.offset in (0.0, 1.0) and road_open:
            names.append(loc.edge[0] if loc.offset == 0.0 else loc.edge[1])
            continue
        road = int(net.road_of[e])
        pos = loc.offset if road == e else 1.0 - loc.offset
        name = f"road{road}@{pos!r}"  # one node per distinct position
        names.append(name)
        on_edge.setdefault(e, set()).add((loc.offset, name))
        if net.twins[e] >= 0:
            on_edge.setdefault(int(net.twins[e]), set()).add((1.0 - loc.offset, name))
    for j, points in on_edge.items():
        if not net.times[j] < float("inf"):
            continue
        a, b, _ = net.edges[j]
        t, m = float(net.times[j]), float(net.lengths[j])
        chain = [(0.0, a), *sorted(points), (1.0, b)]
        for (f0, n0), (f1, n1) in itertools.pairwise(chain):
            g.add_edge(n0, n1, t=(f1 - f0) * t, m=(f1 - f0) * m)
    return g, names


def reference_times(
    net: RoadNetwork, origins: Sequence[Location], destinations: Sequence[Location]
) -> list[list[float]]:
    """Float seconds between every origin and destination (inf if cut off)."""
    g, names = split_graph(net, [*origins, *destinations])
    rows = []
    for i in range(len(origins)):
        dist = nx.single_source_dijkstra_path_length(g, names[i], weight="t")
        rows.append(
            [dist.get(names[len(origins) + j], float("inf")) for j in range(len(destinations))]
        )
    return rows


def node_location(
    net: RoadNetwork, node: int, usable: Callable[[int], bool] | None = None
) -> Location:
    """A location exactly at a node: offset 0 on one of its open out-edges."""
    for u, v, k in net.graph.out_edges(node, keys=True):
        e = net.edge_index[(u, v, k)]
        if usable is None or usable(e):
            d = net.graph.nodes[node]
            return Location(lat=d["y"], lon=d["x"], edge=(u, v, k), offset=0.0)
    msg = f"node {node} has no usable out-edge"
    raise ValueError(msg)
