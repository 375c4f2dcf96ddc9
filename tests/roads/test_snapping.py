"""Snapping: the nearest point of the nearest drivable edge, or a clear refusal."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from maas.errors import InvalidInput, OffNetworkError
from maas.roads import RoadNetwork


def _offset_point(net: RoadNetwork, e: int, metres: float) -> tuple[float, float]:
    """A point ``metres`` to the side of the middle of edge ``e``."""
    line = net.projection.geometry(net.geoms[e])
    mid = line.interpolate(0.5, normalized=True)
    ahead = line.interpolate(0.5 + 1.0 / max(line.length, 1.0), normalized=True)
    dx, dy = ahead.x - mid.x, ahead.y - mid.y
    norm = math.hypot(dx, dy)
    x, y = mid.x - dy / norm * metres, mid.y + dx / norm * metres
    lon, lat = net.projection.inverse(np.array([x]), np.array([y]))
    return float(lat[0]), float(lon[0])


def test_point_in_a_field_snaps_to_the_road_beside_it(toyama_network: RoadNetwork) -> None:
    """A point 40 m beside a long rural road snaps onto the nearest road, 40 m or less away."""
    net = toyama_network
    e = int(np.argmax(np.where(net.lat[net.tails] < 36.66, net.lengths, 0)))  # rural south
    lat, lon = _offset_point(net, e, 40.0)
    loc = net.snap(lat, lon)
    point = net.projection.geometry(shapely.Point(lon, lat))
    nearest = min(shapely.distance(net.projection.geometry(net.geoms), point))
    assert loc.snap_distance_m == pytest.approx(nearest, abs=0.01)
    assert loc.snap_distance_m <= 40.01
    assert loc.edge is not None and 0.0 <= loc.offset <= 1.0
    on_road = net.projection.geometry(shapely.Point(loc.lon, loc.lat))
    assert shapely.distance(on_road, point) == pytest.approx(loc.snap_distance_m, abs=0.05)


def test_snap_lands_inside_the_edge_not_at_a_node(bayreuth_network: RoadNetwork) -> None:
    """The snapped position is the foot of the perpendicular, not the nearest node."""
    net = bayreuth_network
    e = int(np.argmax(net.lengths))
    lat, lon = _offset_point(net, e, 15.0)
    loc = net.snap(lat, lon)
    assert loc.edge in (net.edges[e], net.edges[int(net.twins[e])])
    assert 0.3 < loc.offset < 0.7
    assert loc.snap_distance_m == pytest.approx(15.0, abs=0.5)


def test_point_five_km_off_road_is_rejected(toyama_network: RoadNetwork) -> None:
    """A point 5 km south of the extract is refused with the point and the distance."""
    lat, lon = 36.64 - 0.045, 137.20
    with pytest.raises(OffNetworkError) as err:
        toyama_network.snap(lat, lon)
    assert err.value.distance_m > 4500
    assert f"{lat:.6f}" in str(err.value) and "m from the nearest drivable road" in str(err.value)


def test_limit_is_configurable(bayreuth_network: RoadNetwork) -> None:
    """A point 300 m off is fine by default and refused with a 100 m limit."""
    net = bayreuth_network
    e = int(np.argmax(net.lengths))
    lat, lon = _offset_point(net, e, 300.0)
    loc = net.snap(lat, lon)
    assert loc.snap_distance_m <= 300.01
    with pytest.raises(OffNetworkError):
        net.snap(lat, lon, max_distance_m=min(100.0, loc.snap_distance_m - 1))


def test_snap_many_equals_snap(bayreuth_network: RoadNetwork) -> None:
    """The vectorised snap gives the same positions as one-by-one snapping."""
    net = bayreuth_network
    rng = np.random.default_rng(2)
    lats = rng.uniform(49.99, 50.04, 60)
    lons = rng.uniform(11.50, 11.58, 60)
    points = [(float(a), float(b)) for a, b in zip(lats, lons, strict=True)]
    many = net.snap_many(points, max_distance_m=5000)
    single = [net.snap(a, b, max_distance_m=5000) for a, b in points]
    for m, s in zip(many, single, strict=True):
        assert m.snap_distance_m == pytest.approx(s.snap_distance_m, abs=1e-6)


def test_snap_many_rejects_any_off_road_point(bayreuth_network: RoadNetwork) -> None:
    """One far point in a batch raises for that point."""
    with pytest.raises(OffNetworkError, match=r"49\.800000"):
        bayreuth_network.snap_many([(50.0, 11.55), (49.8, 11.55)])


def test_bad_coordinates_are_invalid_input(demo_network: RoadNetwork) -> None:
    """NaN or out-of-range coordinates are refused before any search."""
    for lat, lon in ((float("nan"), 142.0), (95.0, 142.0), (43.0, 200.0)):
        with pytest.raises(InvalidInput):
            demo_network.snap(lat, lon)
