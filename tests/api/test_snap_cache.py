"""The per-worker snap memory answers exactly what the road network would, and forgets
everything when closures change which roads are open."""

from __future__ import annotations

import pytest

from api.snap_cache import SnapCache
from maas.errors import OffNetworkError
from maas.roads import Closure, RoadNetwork, load_network


@pytest.fixture()
def own_network() -> RoadNetwork:
    """A demo town of this test's own (closures here must not leak into other tests)."""
    return load_network("demo")


def test_same_coordinates_give_the_same_location_object(own_network: RoadNetwork) -> None:
    """Asking twice for one place returns the very Location the network snapped first."""
    lat, lon = own_network.graph.graph["places"]["station"]
    cache = SnapCache(own_network)
    first = cache.snap(lat, lon)
    assert first == own_network.snap(lat, lon)
    assert cache.snap(lat, lon) is first


def test_a_closure_of_the_snapped_road_forces_a_fresh_snap(own_network: RoadNetwork) -> None:
    """After the snapped edge closes, the cache snaps again, onto an open road."""
    lat, lon = own_network.graph.graph["places"]["clinic"]
    cache = SnapCache(own_network)
    before = cache.snap(lat, lon)
    assert before.edge is not None
    u, v, key = before.edge
    own_network.apply_closures([Closure("c1", edges=frozenset({(u, v, key), (v, u, key)}))])
    after = cache.snap(lat, lon)
    assert after == own_network.snap(lat, lon)
    assert after.edge not in {(u, v, key), (v, u, key)}


def test_an_off_network_point_is_refused_every_time(own_network: RoadNetwork) -> None:
    """A point far from every road raises on each ask; failures are not remembered."""
    cache = SnapCache(own_network, max_entries=1)
    for _ in range(2):
        with pytest.raises(OffNetworkError):
            cache.snap(0.0, 0.0)
