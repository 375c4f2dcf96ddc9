"""Where the service picks up and drops off, as GeoJSON polygons for published feeds.

The service area of the file (a GeoJSON polygon file, or a bbox) is one zone named after the
area; without one, the file's ``zones`` are the zones. A service with neither cannot say
where it runs, and is refused.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

from maas.errors import InvalidInput
from maas.service import ServiceDefinition


@dataclass(frozen=True, slots=True)
class PublicZone:
    """A zone id, its name, and its GeoJSON geometry (Polygon or MultiPolygon, lon/lat)."""

    id: str
    name: str
    geometry: dict[str, Any]

    def multipolygon(self) -> dict[str, Any]:
        """The geometry as a MultiPolygon (GOFS-lite asks for one)."""
        if self.geometry["type"] == "MultiPolygon":
            return self.geometry
        return {"type": "MultiPolygon", "coordinates": [self.geometry["coordinates"]]}


def _closed(ring: list[list[float]]) -> list[list[float]]:
    return ring if ring[0] == ring[-1] else [*ring, ring[0]]


def _ccw(ring: list[list[float]]) -> list[list[float]]:
    """RFC 7946: exterior rings counter-clockwise."""
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    return ring if area2 > 0 else ring[::-1]


def service_zones(svc: ServiceDefinition) -> list[PublicZone]:
    """The zones a published feed shows for ``svc`` (see the module docstring)."""
    area = svc.network.service_area
    if isinstance(area, str):
        path = svc.resolve_path(area)
        data = json.loads(path.read_text(encoding="utf-8"))
        geoms = [f["geometry"] for f in data.get("features", [])] or [data.get("geometry", data)]
        polys = [g for g in geoms if g.get("type") in ("Polygon", "MultiPolygon")]
        if not polys:
            msg = f"{svc.origin}: network.service_area: {path} holds no polygon"
            raise InvalidInput(msg)
        out = []
        for i, g in enumerate(polys):
            rings = g["coordinates"] if g["type"] == "Polygon" else [
                r for p in g["coordinates"] for r in p[:1]]
            coords = [[_ccw(_closed([list(map(float, c)) for c in rings[0]]))]] \
                if g["type"] == "Polygon" else [[_ccw(_closed([list(map(float, c)) for c in r]))]
                                                for r in rings]
            geom = {"type": "Polygon", "coordinates": coords[0]} if g["type"] == "Polygon" \
                else {"type": "MultiPolygon", "coordinates": coords}
            zid = svc.area if len(polys) == 1 else f"{svc.area}_{i + 1}"
            out.append(PublicZone(zid, svc.name, geom))
        return out
    if isinstance(area, tuple):
        w, s, e, n = area
        ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
        return [PublicZone(svc.area, svc.name, {"type": "Polygon", "coordinates": [ring]})]
    if svc.zones:
        return [PublicZone(z.name, z.name, {"type": "Polygon", "coordinates": [
            _ccw(_closed([[lon, lat] for lon, lat in z.ring]))]}) for z in svc.zones]
    msg = (f"{svc.origin}: network.service_area: none, and no zones: a published feed must "
           "say where the service runs (give a service_area or zones)")
    raise InvalidInput(msg)
