"""Driving speeds by road class, overridden by ``maxspeed`` tags.

The defaults suit Japanese rural roads: the general legal limit is 60 km/h where no sign says
otherwise, national routes through valleys run at 50-60 km/h, prefectural and municipal roads
slower, and village streets at 30 km/h or less.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from maas.errors import InvalidInput

#: km/h by ``highway`` class where no ``maxspeed`` tag applies.
JAPAN_RURAL_KMH: Mapping[str, float] = {
    "motorway": 80.0,
    "motorway_link": 40.0,
    "trunk": 50.0,
    "trunk_link": 40.0,
    "primary": 50.0,
    "primary_link": 35.0,
    "secondary": 45.0,
    "secondary_link": 30.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "living_street": 15.0,
    "service": 20.0,
    "road": 30.0,
}

_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$")


def parse_maxspeed(value: object) -> float | None:
    """km/h of a ``maxspeed`` tag value (``"50"``, ``"30 mph"``, ``"40;50"``), or None.

    Symbolic values (``"JP:nsl"``, ``"signals"``, ``"walk"``) give None: the class default
    applies. Of several values the lowest counts.
    """
    if value is None:
        return None
    values = value if isinstance(value, list) else str(value).split(";")
    speeds = []
    for part in values:
        match = _NUMBER.match(str(part))
        if not match:
            continue
        kmh = float(match.group(1))
        if match.group(2) == "mph":
            kmh *= 1.609344
        elif match.group(2) == "knots":
            kmh *= 1.852
        if kmh > 0:
            speeds.append(kmh)
    return min(speeds) if speeds else None


@dataclass(frozen=True)
class SpeedProfile:
    """Speeds (km/h) a van drives at, by ``highway`` class.

    ``maxspeed_factor`` scales a posted limit into a driving speed (1.0: drive at the
    limit); set ``use_maxspeed=False`` to ignore the tags. Speeds are clamped to
    ``[min_kmh, max_kmh]``.
    """

    kmh: Mapping[str, float] = field(default_factory=lambda: dict(JAPAN_RURAL_KMH))
    default_kmh: float = 30.0
    use_maxspeed: bool = True
    maxspeed_factor: float = 1.0
    min_kmh: float = 5.0
    max_kmh: float = 100.0

    def __post_init__(self) -> None:
        bad = [k for k, v in self.kmh.items() if not v > 0]
        if bad or not self.default_kmh > 0 or not 0 < self.min_kmh <= self.max_kmh:
            msg = f"speeds must be positive (check {bad or 'default/min/max'})"
            raise InvalidInput(msg)

    def speed_kmh(self, highway: str, maxspeed: object = None) -> float:
        """Driving speed on a way of class ``highway`` with this ``maxspeed`` tag value."""
        kmh = None
        if self.use_maxspeed:
            posted = parse_maxspeed(maxspeed)
            if posted is not None:
                kmh = posted * self.maxspeed_factor
        if kmh is None:
            kmh = self.kmh.get(highway, self.default_kmh)
        return min(max(kmh, self.min_kmh), self.max_kmh)

    def cache_key(self) -> str:
        """A stable text of every setting (part of the graph cache key)."""
        return (
            f"speeds:{sorted(self.kmh.items())}:{self.default_kmh}:{self.use_maxspeed}:"
            f"{self.maxspeed_factor}:{self.min_kmh}:{self.max_kmh}"
        )
