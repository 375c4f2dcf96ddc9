"""JIS X 0410 grid squares against published codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from maas.publish.mesh import MeshError, bounds, centre, level_of, mesh_code, parent


@pytest.mark.parametrize(("lat", "lon", "level", "code"), [
    # japanmesh's documented example (Shinjuku): 5339 / 533945 / 53394547 / 533945471
    (35.70078, 139.71475, "10km", "533945"),
    (35.70078, 139.71475, "1km", "53394547"),
    (35.70078, 139.71475, "500m", "533945471"),
    # Tokyo station lies in the 1 km square 53394611 (Statistics Bureau's mesh maps)
    (35.681236, 139.767125, "1km", "53394611"),
    # a square's south-west corner belongs to it; a hair south-west does not
    (36.0, 139.0, "1km", "54390000"),
    (35.99999, 138.99999, "1km", "53387799"),
])
def test_known_codes(lat: float, lon: float, level: str, code: str) -> None:
    assert mesh_code(lat, lon, level) == code  # type: ignore[arg-type]


def test_bounds_of_known_squares() -> None:
    assert centre("53394547") == pytest.approx((35.704166666666666, 139.71875))
    s, w, n, e = bounds("53394547")
    assert (n - s, e - w) == pytest.approx((30 / 3600, 45 / 3600))
    s, w, n, e = bounds("533945471")  # the south-west quarter
    assert (s, w) == pytest.approx(bounds("53394547")[:2])
    assert (n - s, e - w) == pytest.approx((15 / 3600, 22.5 / 3600))
    assert bounds("533945474")[2:] == pytest.approx(bounds("53394547")[2:])  # north-east


def test_bad_codes_and_points() -> None:
    for bad in ("5339454", "53398547", "533945475", "abcdefgh"):
        with pytest.raises(MeshError):
            bounds(bad)
    with pytest.raises(MeshError):
        mesh_code(10.0, 50.0)
    with pytest.raises(MeshError):
        parent("533945")


@given(st.floats(24.0, 46.0), st.floats(122.0, 154.0))
def test_point_lies_in_its_square_at_every_level(lat: float, lon: float) -> None:
    fine = mesh_code(lat, lon, "500m")
    assert level_of(fine) == "500m"
    assert parent(fine) == mesh_code(lat, lon, "1km")
    assert parent(parent(fine)) == mesh_code(lat, lon, "10km")
    for code in (fine, parent(fine), parent(parent(fine))):
        s, w, n, e = bounds(code)
        assert s - 1e-9 <= lat < n + 1e-9 and w - 1e-9 <= lon < e + 1e-9
        c_lat, c_lon = centre(code)
        assert mesh_code(c_lat, c_lon, level_of(code)) == code
