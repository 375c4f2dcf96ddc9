"""The winter profile: snow and ice slow every road, minor roads most.

Hokkaido plows trunk roads first; minor and municipal roads stay packed with snow, and speeds
there drop by a third or more. The profile multiplies each road segment's summer travel time
by a factor per ``highway`` class; factors below 1 are refused, so winter never makes a trip
faster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from maas.errors import InvalidInput

#: Travel-time multipliers by ``highway`` class (1.5 = speed cut by a third).
HOKKAIDO_WINTER: Mapping[str, float] = {
    "motorway": 1.15,
    "motorway_link": 1.2,
    "trunk": 1.2,
    "trunk_link": 1.25,
    "primary": 1.25,
    "primary_link": 1.3,
    "secondary": 1.3,
    "secondary_link": 1.35,
    "tertiary": 1.35,
    "tertiary_link": 1.4,
    "unclassified": 1.5,
    "residential": 1.5,
    "living_street": 1.6,
    "service": 1.6,
    "road": 1.5,
}


@dataclass(frozen=True)
class WinterProfile:
    """Winter travel-time multipliers by ``highway`` class and the months winter lasts."""

    multipliers: Mapping[str, float] = field(default_factory=lambda: dict(HOKKAIDO_WINTER))
    default_multiplier: float = 1.5
    months: frozenset[int] = frozenset({12, 1, 2, 3})

    def __post_init__(self) -> None:
        bad = [k for k, v in self.multipliers.items() if not v >= 1.0]
        if bad or not self.default_multiplier >= 1.0:
            msg = f"winter multipliers must be >= 1 (winter never speeds a trip up): {bad}"
            raise InvalidInput(msg)

    def multiplier(self, highway: str) -> float:
        """Travel-time factor for a road of class ``highway``."""
        return self.multipliers.get(highway, self.default_multiplier)

    def is_winter(self, day: dt.date) -> bool:
        """Whether ``day`` falls in the winter months."""
        return day.month in self.months

    def cache_key(self) -> str:
        """A stable text of every setting (part of the graph cache key)."""
        return f"winter:{sorted(self.multipliers.items())}:{self.default_multiplier}"


def winter_active(winter: bool | dt.date | None, profile: WinterProfile) -> bool:
    """Resolve a ``winter=`` argument: a flag as given, a date by the profile's months."""
    if winter is None:
        return False
    if isinstance(winter, bool):
        return winter
    if isinstance(winter, dt.date):
        return profile.is_winter(winter)
    msg = f"winter must be a bool or a date, not {winter!r}"
    raise InvalidInput(msg)
