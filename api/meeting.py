"""Where an offer meets the rider: the service file's meeting-point policy (``maas.meeting``)
applied to one ask, between the offers router and the dispatcher.

The rider's flags come from their record (``door_to_door``, ``needs_wheelchair``,
``registered_elderly``...) and the ask (a wheelchair asked for counts as
``needs_wheelchair``). A door-to-door rider's ask carries no places (the van comes to the
door, as before meeting points); a stop-based rider's carries the nearest points in reach
at each end, and the dispatcher picks. No point in reach under ``out_of_reach: reject`` is
a 422 ``no_meeting_point`` naming the limit and the nearest point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from api.errors import ApiError
from api.schemas import MeetingPlacePublic
from maas.domain import Location
from maas.meeting import MeetingPoints, OutOfReach, Walk
from maas.service.meeting import RIDER_FLAGS


def rider_flags(record: Mapping[str, Any], wheelchair: bool) -> frozenset[str]:
    """The eligibility flags a rider holds (record booleans, and a wheelchair asked for)."""
    flags = {f for f in RIDER_FLAGS if record.get(f)}
    if wheelchair:
        flags.add("needs_wheelchair")
    return frozenset(flags)


def walks(points: MeetingPoints, day: dt.date, flags: frozenset[str],
          origin: tuple[float, float, Location], destination: tuple[float, float, Location]
          ) -> tuple[tuple[Walk, ...], tuple[Walk, ...]]:
    """The places the rider may be met at each end (``(lat, lon, snapped)`` as asked);
    empty when at the door."""
    out: list[tuple[Walk, ...]] = []
    for end, (lat, lon, door) in (("origin", origin), ("destination", destination)):
        found = points.options(lat, lon, door, day, flags)
        if isinstance(found, OutOfReach):
            raise _out_of_reach(end, found)
        out.append(() if all(w.at_door for w in found) else found)
    return out[0], out[1]


def place_public(walk: Walk | None) -> MeetingPlacePublic | None:
    """A chosen meeting point as the rider reads it (None: at the door)."""
    if walk is None or walk.at_door:
        return None
    assert walk.point_id is not None
    return MeetingPlacePublic(id=walk.point_id, name=walk.name,
                              lat=walk.location.lat if walk.lat is None else walk.lat,
                              lon=walk.location.lon if walk.lon is None else walk.lon,
                              walk_m=walk.walk_m)


def _out_of_reach(end: str, found: OutOfReach) -> ApiError:
    near = "no meeting points" if found.nearest_m is None else \
        f"the nearest, {found.nearest_name}, is {found.nearest_m} m away"
    extra: dict[str, Any] = {"field": end, "walk_limit_m": round(found.limit_m)}
    if found.nearest_m is not None:
        extra["nearest_point"] = {"name": found.nearest_name, "walk_m": found.nearest_m}
    return ApiError(422, "no_meeting_point",
                    f"no meeting point within {found.limit_m:.0f} m of the {end} ({near}); "
                    "this service meets riders at its meeting points", extra)
