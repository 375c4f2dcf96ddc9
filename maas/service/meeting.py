"""The meeting-point policy of a service file (``meeting_points:``): where vans meet riders.

Three modes. ``door_to_door``: every rider at their door (the default, no section needed).
``stop_based``: every rider walks to a meeting point within the walk limit. ``mixed``:
stop-based, except riders holding one of ``door_to_door_flags`` (a wheelchair, a town's
elderly registration...), who are met at the door. The walk limit and the walking speed
have a summer and a winter value; winter is the months of ``winter_months`` (by default the
Hokkaido winter of ``maas.roads.winter``). A stop-based rider with no meeting point within
the limit is met at the door (``out_of_reach: door_to_door``) or refused
(``out_of_reach: reject``).

Points are listed (a name and lat/lon, or a place of the file) or taken from the service's
GTFS feed (``from_gtfs: true`` for every stop, or ``gtfs_stops`` for some); placing them on
the road network is ``maas.meeting``'s job, which needs the network.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from maas.roads.winter import WINTER_MONTHS

Mode = Literal["door_to_door", "stop_based", "mixed"]
OutOfReach = Literal["door_to_door", "reject"]

#: Rider flags that grant door-to-door in a mixed service when the file names none.
DEFAULT_DOOR_TO_DOOR_FLAGS: tuple[str, ...] = ("door_to_door", "needs_wheelchair")

#: Every rider flag the engine knows (api rider records hold them as booleans).
RIDER_FLAGS: frozenset[str] = frozenset({
    "door_to_door", "needs_wheelchair", "walker", "registered_elderly", "disability_card"})


@dataclass(frozen=True, slots=True)
class MeetingPointSpec:
    """A listed meeting point: a stable id (key-safe), a name riders read, where it is."""

    id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True, slots=True)
class Seasonal:
    """A value with a summer and a winter setting."""

    summer: float
    winter: float

    def on(self, winter: bool) -> float:
        """The value of the season."""
        return self.winter if winter else self.summer


@dataclass(frozen=True)
class MeetingPolicy:
    """Where riders are met (see the module doc). Distances in metres, speeds in m/s."""

    mode: Mode = "door_to_door"
    points: tuple[MeetingPointSpec, ...] = ()
    from_gtfs: bool = False
    gtfs_stops: tuple[str, ...] = ()
    walk_limit_m: Seasonal = Seasonal(300, 150)
    walk_speed_m_s: Seasonal = Seasonal(1.0, 0.8)
    winter_months: frozenset[int] = WINTER_MONTHS
    door_to_door_flags: tuple[str, ...] = DEFAULT_DOOR_TO_DOOR_FLAGS
    out_of_reach: OutOfReach = "door_to_door"
    candidates: int = 3  # meeting points tried per end of a ride (the nearest ones)

    @property
    def uses_points(self) -> bool:
        """Whether any rider is ever sent to a meeting point."""
        return self.mode != "door_to_door"

    def is_winter(self, day: dt.date) -> bool:
        """Whether ``day`` falls in the winter months (the shorter walk limit applies)."""
        return day.month in self.winter_months

    def walk_limit(self, day: dt.date) -> float:
        """The longest walk to a meeting point on ``day``, in metres."""
        return self.walk_limit_m.on(self.is_winter(day))

    def walk_seconds(self, metres: float, day: dt.date) -> int:
        """How long a walk of ``metres`` takes on ``day`` (slower in snow), whole seconds."""
        return math.ceil(metres / self.walk_speed_m_s.on(self.is_winter(day)))

    def door_to_door_for(self, flags: Iterable[str]) -> bool:
        """Whether a rider holding ``flags`` is met at the door."""
        if self.mode == "door_to_door":
            return True
        if self.mode == "stop_based":
            return False
        return any(f in self.door_to_door_flags for f in flags)
