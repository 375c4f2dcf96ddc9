"""Closures: blocked edges change exactly the entries whose fastest path used them."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import networkx as nx
import numpy as np
import pytest
from shapely.geometry import LineString, box

from maas.errors import InvalidInput
from maas.roads import UNREACHABLE, Closure, RoadNetwork
from tests.roads.oracle import node_location


@pytest.fixture
def net(bayreuth_network: RoadNetwork) -> Iterator[RoadNetwork]:
    """The Bayreuth network, reopened after the test."""
    yield bayreuth_network
    bayreuth_network.apply_closures([])


def _busiest_edge(net: RoadNetwork, nodes: list[int]) -> tuple[int, int, int]:
    """The edge used by most fastest paths between the sample nodes."""
    use: dict[tuple[int, int], int] = {}
    for a in nodes:
        _, paths = nx.single_source_dijkstra(net.graph, a, weight="travel_time")
        for b in nodes:
            for uv in itertools.pairwise(paths[b]):
                use[uv] = use.get(uv, 0) + 1
    u, v = max(use, key=lambda k: use[k])
    k = min(net.graph[u][v], key=lambda key: net.graph[u][v][key]["travel_time"])
    return (u, v, k)


def test_closure_changes_the_affected_entries_and_only_those(net: RoadNetwork) -> None:
    """Entries change exactly where networkx's times change once the edges are blocked."""
    rng = np.random.default_rng(5)
    nodes = [net.nodes[i] for i in rng.choice(len(net.nodes), 30, replace=False)]
    edge = _busiest_edge(net, nodes)
    e = net.edge_index[edge]
    closed = {edge} | ({net.edges[int(net.twins[e])]} if net.twins[e] >= 0 else set())

    def open_out_edge(i: int) -> bool:
        return net.edges[i] not in closed

    locs = [node_location(net, n, open_out_edge) for n in nodes]
    before = net.durations(locs, locs)
    version = net.version
    changed = net.apply_closures([Closure("bridge", edges=frozenset(closed))])
    assert changed == closed and net.version == version + 1
    after = net.durations(locs, locs)

    def weight(u: int, v: int, data: dict[int, dict[str, float]]) -> float | None:
        times = [d["travel_time"] for k, d in data.items() if (u, v, k) not in closed]
        return min(times) if times else None

    for i, a in enumerate(nodes):
        ref = nx.single_source_dijkstra_path_length(net.graph, a, weight=weight)
        expected = [round(ref[b]) if b in ref else UNREACHABLE for b in nodes]
        assert after[i].tolist() == expected
    moved = after != before
    assert moved.any() and (~moved).sum() > moved.sum()
    assert (after[moved] > before[moved]).all()


def test_closures_are_idempotent_and_reopen(net: RoadNetwork) -> None:
    """Applying the same set changes nothing; an empty set reopens every edge."""
    locs = net.random_locations(20, seed=1)
    before = net.durations(locs, locs)
    closure = Closure("flood", geometry=box(11.52, 50.00, 11.55, 50.02))
    first = net.apply_closures([closure])
    assert first
    version = net.version
    assert net.apply_closures([closure]) == set() and net.version == version
    reopened = net.apply_closures([])
    assert reopened == first and net.version == version + 1
    assert (net.durations(locs, locs) == before).all()


def test_line_closure_blocks_both_directions_of_the_roads_it_crosses(net: RoadNetwork) -> None:
    """A barrier drawn across a road closes that road both ways and nothing far away."""
    e = int(np.argmax(net.lengths))
    mid = net.geoms[e].interpolate(0.5, normalized=True)
    barrier = LineString([(mid.x - 0.0003, mid.y - 0.0003), (mid.x + 0.0003, mid.y + 0.0003)])
    changed = net.apply_closures([Closure("barrier", geometry=barrier)])
    assert net.edges[e] in changed
    if net.twins[e] >= 0:
        assert net.edges[int(net.twins[e])] in changed
    for u, v, k in changed:
        assert net.graph.edges[u, v, k]["geometry"].distance(barrier) < 1e-9
        assert net.graph.edges[u, v, k]["travel_time"] == float("inf")


def test_cached_rows_are_dropped_when_roads_close(net: RoadNetwork) -> None:
    """A one-to-many row cached before a closure is recomputed after it."""
    stops = net.random_locations(30, seed=8)
    origin = stops[0]
    before = net.durations([origin], stops)
    e = net.edge_index[origin.edge]  # type: ignore[index]
    # close the origin's road: the origin itself becomes unreachable from elsewhere
    closed = {net.edges[e]} | ({net.edges[int(net.twins[e])]} if net.twins[e] >= 0 else set())
    net.apply_closures([Closure("here", edges=frozenset(closed))])
    after = net.durations([origin], stops)
    assert (after[0, 1:] == UNREACHABLE).any() or (after != before).any()
    net.apply_closures([])
    assert (net.durations([origin], stops) == before).all()


def test_snap_avoids_closed_roads(net: RoadNetwork) -> None:
    """While a road is closed, points beside it snap to the nearest open road."""
    e = int(np.argmax(net.lengths))
    mid = net.geoms[e].interpolate(0.5, normalized=True)
    assert net.snap(mid.y, mid.x, max_distance_m=5000).edge in (
        net.edges[e],
        net.edges[int(net.twins[e])],
    )
    closed = {net.edges[e], net.edges[int(net.twins[e])]}
    net.apply_closures([Closure("x", edges=frozenset(closed))])
    assert net.snap(mid.y, mid.x, max_distance_m=5000).edge not in closed


def test_bad_closures_are_refused(net: RoadNetwork) -> None:
    """Unknown edges, point geometries, empty closures and repeated ids are invalid."""
    from shapely.geometry import Point

    with pytest.raises(InvalidInput, match="not in this road network"):
        net.apply_closures([Closure("x", edges=frozenset({(1, 2, 0)}))])
    with pytest.raises(InvalidInput, match="LineString"):
        Closure("p", geometry=Point(11.5, 50.0))
    with pytest.raises(InvalidInput, match="give a geometry or edges"):
        Closure("empty")
    area = Closure("a", geometry=box(11.52, 50.00, 11.55, 50.02))
    with pytest.raises(InvalidInput, match="unique"):
        net.apply_closures([area, area])
