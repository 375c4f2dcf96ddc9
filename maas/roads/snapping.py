"""Snapping points to the nearest position on the nearest drivable edge.

Edge geometries are projected to a local equirectangular plane in metres (accurate to well
under 0.1 % across a town) and indexed in a shapely ``STRtree``. Each two-way road is
indexed once: a position on it is reachable from both of its directed edges.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely
from shapely import STRtree
from shapely.geometry.base import BaseGeometry

from maas.errors import InvalidInput, OffNetworkError

EARTH_RADIUS_M = 6_371_008.8


class LocalProjection:
    """Equirectangular projection around a reference point: (lon, lat) <-> metres."""

    def __init__(self, lon0: float, lat0: float) -> None:
        self.lon0, self.lat0 = lon0, lat0
        self.ky = math.pi / 180.0 * EARTH_RADIUS_M
        self.kx = self.ky * math.cos(math.radians(lat0))

    def forward(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Metres east and north of the reference point."""
        return (np.asarray(lon) - self.lon0) * self.kx, (np.asarray(lat) - self.lat0) * self.ky

    def inverse(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude of plane coordinates."""
        return np.asarray(x) / self.kx + self.lon0, np.asarray(y) / self.ky + self.lat0

    def geometry(self, geom: BaseGeometry | np.ndarray) -> BaseGeometry | np.ndarray:
        """A (lon, lat) geometry (or array of them) in plane metres."""
        return shapely.transform(geom, lambda c: np.column_stack(self.forward(c[:, 0], c[:, 1])))


def check_point(lat: float, lon: float) -> None:
    """Refuse coordinates that are not a point on Earth."""
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        msg = f"({lat}, {lon}) is not a latitude/longitude pair"
        raise InvalidInput(msg)


class EdgeIndex:
    """Nearest-edge queries over the directed edges ``edge_ids`` with plane geometries."""

    def __init__(
        self, projection: LocalProjection, geoms: np.ndarray, edge_ids: np.ndarray
    ) -> None:
        self.projection = projection
        self.geoms = geoms
        self.edge_ids = edge_ids
        self.tree = STRtree(geoms)

    def _points(self, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
        x, y = self.projection.forward(lons, lats)
        return shapely.points(x, y)

    def nearest(
        self, lat: float, lon: float, max_distance_m: float, usable: np.ndarray
    ) -> tuple[int, float, float]:
        """``(edge, offset, distance_m)`` of the nearest usable edge within the limit."""
        check_point(lat, lon)
        point = self._points(np.array([lat]), np.array([lon]))[0]
        cands = self.tree.query(point, predicate="dwithin", distance=max_distance_m)
        cands = cands[usable[self.edge_ids[cands]]]
        if len(cands) == 0:
            raise OffNetworkError(lat, lon, self._any_distance(point, usable), max_distance_m)
        dists = shapely.distance(self.geoms[cands], point)
        best = int(cands[np.argmin(dists)])
        return self._position(best, point)

    def nearest_many(
        self, points: Sequence[tuple[float, float]], max_distance_m: float, usable: np.ndarray
    ) -> list[tuple[int, float, float]]:
        """``nearest`` for many ``(lat, lon)`` points with one tree query."""
        if len(points) == 0:
            return []
        arr = np.asarray(points, dtype=float).reshape(-1, 2)
        for lat, lon in arr:
            check_point(float(lat), float(lon))
        pts = self._points(arr[:, 0], arr[:, 1])
        (inp, hit), _ = self.tree.query_nearest(
            pts, max_distance=max_distance_m, return_distance=True, all_matches=False
        )
        found = np.full(len(pts), -1)
        found[inp] = hit
        out = []
        for i, tree_idx in enumerate(found):
            if tree_idx < 0 or not usable[self.edge_ids[tree_idx]]:
                out.append(self.nearest(float(arr[i, 0]), float(arr[i, 1]), max_distance_m, usable))
            else:
                out.append(self._position(int(tree_idx), pts[i]))
        return out

    def _position(self, tree_idx: int, point: shapely.Point) -> tuple[int, float, float]:
        line = self.geoms[tree_idx]
        offset = float(shapely.line_locate_point(line, point, normalized=True))
        distance = float(shapely.distance(line, point))
        return int(self.edge_ids[tree_idx]), min(max(offset, 0.0), 1.0), distance

    def _any_distance(self, point: shapely.Point, usable: np.ndarray) -> float:
        keep = usable[self.edge_ids]
        if not keep.any():
            return math.inf
        return float(shapely.distance(self.geoms[keep], point).min())
