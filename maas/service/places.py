"""Named places (for the phone-booking clerk) and zones (named polygons, for reports)."""

from __future__ import annotations

from dataclasses import dataclass

from maas.service.roster import Point


@dataclass(frozen=True, slots=True)
class Zone:
    """A named polygon, its ring as ``(lon, lat)`` pairs (GeoJSON order)."""

    name: str
    ring: tuple[tuple[float, float], ...]

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies inside the ring (even-odd rule; edges count as either)."""
        inside = False
        ring = self.ring
        j = len(ring) - 1
        for i in range(len(ring)):
            (xi, yi), (xj, yj) = ring[i], ring[j]
            if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
                inside = not inside
            j = i
        return inside


def zone_of(zones: tuple[Zone, ...], lat: float, lon: float) -> str | None:
    """The name of the first zone holding the point, if any."""
    return next((z.name for z in zones if z.contains(lat, lon)), None)


__all__ = ["Point", "Zone", "zone_of"]
