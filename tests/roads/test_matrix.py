"""Travel-time and distance matrices: exact shortest paths, both search directions."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from maas.domain import Location
from maas.roads import RoadNetwork
from maas.travel import TravelTimeSource
from tests.roads.oracle import node_location, reference_times


def test_node_to_node_entries_equal_networkx(toyama_network: RoadNetwork) -> None:
    """At nodes, matrix entries are networkx's Dijkstra travel times, rounded once."""
    net = toyama_network
    rng = np.random.default_rng(7)
    nodes = [net.nodes[i] for i in rng.choice(len(net.nodes), 12, replace=False)]
    locs = [node_location(net, n) for n in nodes]
    got = net.durations(locs, locs)
    for i, a in enumerate(nodes):
        ref = nx.single_source_dijkstra_path_length(net.graph, a, weight="travel_time")
        assert [round(ref[b]) for b in nodes] == got[i].tolist()


def test_distances_follow_the_fastest_path(toyama_network: RoadNetwork) -> None:
    """Distances are the metres along networkx's fastest path, rounded."""
    net = toyama_network
    rng = np.random.default_rng(8)
    nodes = [net.nodes[i] for i in rng.choice(len(net.nodes), 6, replace=False)]
    locs = [node_location(net, n) for n in nodes]
    got = net.distances(locs, locs)
    for i, a in enumerate(nodes):
        _, paths = nx.single_source_dijkstra(net.graph, a, weight="travel_time")
        for j, b in enumerate(nodes):
            metres = 0.0
            for u, v in itertools.pairwise(paths[b]):
                fastest = min(net.graph[u][v].values(), key=lambda d: d["travel_time"])
                metres += fastest["length"]
            assert abs(got[i, j] - metres) <= 1


def test_positions_inside_edges_match_a_split_graph(bayreuth_network: RoadNetwork) -> None:
    """Between points inside edges, times equal networkx on a graph split at those points."""
    net = bayreuth_network
    locs = net.random_locations(50, seed=11)
    ref = np.rint(np.array(reference_times(net, locs, locs))).astype(np.int64)
    assert (net.durations(locs, locs) == ref).all()


def test_same_edge_pairs(demo_network: RoadNetwork) -> None:
    """Two points on one road: straight along it, either way on a two-way road."""
    net = demo_network
    e = next(i for i in range(len(net.edges)) if net.twins[i] >= 0 and net.lengths[i] > 500)
    a = Location(0.0, 0.0, net.edges[e], 0.2)
    b = Location(0.0, 0.0, net.edges[e], 0.7)
    b_on_twin = Location(0.0, 0.0, net.edges[int(net.twins[e])], 0.3)
    got = net.durations([a, b, b_on_twin], [a, b, b_on_twin])
    ahead = round(0.5 * net.times[e])
    back = round(0.5 * net.times[int(net.twins[e])])
    assert got.tolist() == [[0, ahead, ahead], [back, 0, 0], [back, 0, 0]]
    ref = np.rint(np.array(reference_times(net, [a, b], [a, b]))).astype(np.int64)
    assert (got[:2, :2] == ref).all()


def test_one_way_edge_behind_goes_around(toyama_network: RoadNetwork) -> None:
    """On a one-way street a point behind the origin is reached by driving round the block."""
    net = toyama_network
    one_way = (net.twins < 0) & (net.tails != net.heads) & (net.lengths > 100)
    e = int(np.nonzero(one_way)[0][0])
    a = Location(0.0, 0.0, net.edges[e], 0.8)
    b = Location(0.0, 0.0, net.edges[e], 0.2)
    got = net.durations([a], [b])[0, 0]
    assert got > 0.4 * net.times[e]
    assert got == round(reference_times(net, [a], [b])[0][0])


def test_ends_of_one_way_roads_are_their_junctions(bayreuth_network: RoadNetwork) -> None:
    """Offset 0 of a one-way road is its tail node and offset 1 its head node: locations at
    one junction are 0 s apart, and travel from or to them is travel from or to the node."""
    net = bayreuth_network
    one_way = [
        i for i in range(len(net.edges)) if net.twins[i] < 0 and net.tails[i] != net.heads[i]
    ]
    assert one_way

    def others_at(node: int, e: int) -> list[int]:
        return [i for i in range(len(net.edges)) if i != e and net.tails[i] == node]

    start = next(e for e in one_way if others_at(int(net.tails[e]), e))
    end = next(e for e in one_way if others_at(int(net.heads[e]), e))
    for e, offset, node in ((start, 0.0, int(net.tails[start])), (end, 1.0, int(net.heads[end]))):
        on_one_way = Location(0.0, 0.0, net.edges[e], offset)
        at_node = Location(0.0, 0.0, net.edges[others_at(node, e)[0]], 0.0)
        here = [on_one_way, at_node]
        assert net.durations(here, here).tolist() == [[0, 0], [0, 0]]
        ref = nx.single_source_dijkstra_path_length(
            net.graph, net.nodes[node], weight="travel_time"
        )
        back = nx.single_source_dijkstra_path_length(
            net.graph.reverse(copy=False), net.nodes[node], weight="travel_time"
        )
        nodes = [net.nodes[i] for i in np.random.default_rng(2).choice(len(net.nodes), 20)]
        there = [node_location(net, n, lambda i: bool(net.twins[i] >= 0)) for n in nodes]
        assert net.durations([on_one_way], there)[0].tolist() == [round(ref[n]) for n in nodes]
        assert net.durations(there, [on_one_way])[:, 0].tolist() == [round(back[n]) for n in nodes]
        oracle = np.rint(np.array(reference_times(net, here, there))).astype(np.int64)
        assert (net.durations(here, there) == oracle).all()


def test_forward_and_backward_searches_agree(bayreuth_network: RoadNetwork) -> None:
    """Few origins search forward, few destinations backward: the entries are the same."""
    net = bayreuth_network
    stops = net.random_locations(40, seed=3)
    pair = net.random_locations(2, seed=4)
    full = net.durations([*pair, *stops], [*pair, *stops])  # 42 x 42, forward
    rows = net.durations(pair, stops)  # 2 x 40, forward from the pair
    cols = net.durations(stops, pair)  # 40 x 2, backward to the pair
    assert (rows == full[:2, 2:]).all()
    assert (cols == full[2:, :2]).all()
    assert (net.durations(pair, stops) == rows).all()  # again, from cached rows


def test_large_batches_equal_cached_rows(toyama_network: RoadNetwork) -> None:
    """A 100 x 80 matrix (early-stopping searches) equals its rows asked one by one."""
    net = toyama_network
    origins = net.random_locations(100, seed=21)
    targets = net.random_locations(80, seed=22)
    big = net.durations(origins, targets)
    for i in (0, 37, 99):
        assert (net.durations([origins[i]], targets)[0] == big[i]).all()
    assert big.dtype == np.int64 and big.shape == (100, 80)


def test_road_network_is_a_travel_time_source(demo_network: RoadNetwork) -> None:
    """The network satisfies the TravelTimeSource protocol the solver codes against."""
    assert isinstance(demo_network, TravelTimeSource)
    empty = demo_network.durations([], demo_network.random_locations(3, seed=1))
    assert empty.shape == (0, 3)


@pytest.mark.parametrize("which", ["demo", "bayreuth"])
def test_path_runs_from_a_to_b_along_the_distance(
    which: str, demo_network: RoadNetwork, bayreuth_network: RoadNetwork
) -> None:
    """Each path polyline starts at a, ends at b, and is as long as the matrix distance."""
    from maas.roads.loading import _haversine_m

    net = demo_network if which == "demo" else bayreuth_network
    locs = net.random_locations(40, seed=9)
    locs.append(Location(0.0, 0.0, locs[0].edge, min(1.0, locs[0].offset + 0.3)))  # same road
    metres = net.distances(locs, locs)
    for i, j in [(i, (i * 7 + 3) % len(locs)) for i in range(len(locs))] + [(0, 40), (40, 0)]:
        a, b = locs[i], locs[j]
        line = net.path(a, b)
        assert _haversine_m(line[0][::-1], (a.lon, a.lat)) < 1 or (a.lat, a.lon) == (0.0, 0.0)
        assert _haversine_m(line[-1][::-1], (b.lon, b.lat)) < 1 or (b.lat, b.lon) == (0.0, 0.0)
        length = sum(_haversine_m(p[::-1], q[::-1]) for p, q in itertools.pairwise(line))
        assert abs(length - metres[i, j]) <= 0.002 * length + 1


def test_many_to_few_from_cached_rows_equals_the_backward_search(
    bayreuth_network: RoadNetwork,
) -> None:
    """Stops to two new points: answered from the stops' cached rows, the same as searched
    backwards from the two points, and as networkx."""
    net = bayreuth_network
    stops = net.random_locations(30, seed=21)
    new = net.random_locations(2, seed=22)
    backward = net.durations(stops, new)
    for stop in stops:  # one-to-few asks cache each stop's whole row
        net.durations([stop], new)
    assert net._engine.missing(net._numbers(stops).tolist(), reverse=False) == 0
    forward = net.durations(stops, new)
    ref = np.rint(np.array(reference_times(net, stops, new))).astype(np.int64)
    assert (forward == backward).all()
    assert (forward == ref).all()


def test_evicted_rows_are_searched_again_exactly(
    demo_network: RoadNetwork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With room for 8 rows, 20 sources asked twice in turn still get exact rows."""
    from maas.roads import matrix

    monkeypatch.setattr(matrix, "ROW_CACHE_BYTES", 8 * 8 * len(demo_network.nodes))
    net = RoadNetwork(demo_network.graph.copy(), source="demo copy")
    sources = net.random_locations(20, seed=23)
    targets = net.random_locations(5, seed=24)
    ref = np.rint(np.array(reference_times(net, sources, targets))).astype(np.int64)
    for _ in range(2):
        for i, source in enumerate(sources):
            assert (net.durations([source], targets)[0] == ref[i]).all()


def test_equal_copies_of_a_location_travel_alike(demo_network: RoadNetwork) -> None:
    """A location rebuilt from its fields (as parsed from a request) gets the same times."""
    net = demo_network
    locs = net.random_locations(6, seed=25)
    copies = [Location(x.lat, x.lon, x.edge, x.offset, x.snap_distance_m) for x in locs]
    assert (net.durations(locs, locs) == net.durations(copies, locs)).all()
    assert (net.durations(locs[:2], locs) == net.durations(locs[:2], copies)).all()


def test_rows_searched_in_parallel_equal_rows_searched_one_by_one(
    demo_network: RoadNetwork,
) -> None:
    """A batch of whole rows (searched in parallel) is bit-for-bit the rows searched one at
    a time, and a rider's two places asked together answer as asked apart."""
    net = RoadNetwork(demo_network.graph.copy(), source="demo copy")
    places = net.random_locations(5, seed=31)
    together = net.durations(places, places)  # five missing rows: one parallel batch
    apart = RoadNetwork(demo_network.graph.copy(), source="demo copy")
    one_by_one = np.vstack([apart.durations([p], places) for p in places])
    assert (together == one_by_one).all()
    ref = np.rint(np.array(reference_times(net, places, places))).astype(np.int64)
    assert (together == ref).all()
