"""The service file's meeting_points section: validation with clear errors, and the places a
rider may be met at (``maas.meeting``) by season, flags and the out-of-reach rule."""

from __future__ import annotations

import math
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from maas.domain import Location
from maas.errors import InvalidInput, OffNetworkError
from maas.meeting import MeetingPoints, OutOfReach, place_meeting_points, service_meeting_points
from maas.service import ServiceError, parse_service
from maas.service.meeting import MeetingPointSpec, MeetingPolicy
from tests.service.conftest import SCENARIOS, edited, service

SUMMER, WINTER = date(2026, 7, 6), date(2026, 12, 7)
LAT0, LON0 = 43.0, 142.0
M_PER_DEG_LAT = 110_540
M_PER_DEG_LON = 111_320 * math.cos(math.radians(LAT0))


def north(metres: float) -> tuple[float, float]:
    """A point ``metres`` north of (LAT0, LON0)."""
    return LAT0 + metres / M_PER_DEG_LAT, LON0


def east(metres: float) -> tuple[float, float]:
    return LAT0, LON0 + metres / M_PER_DEG_LON


def snap(lat: float, lon: float) -> Location:
    """A stand-in network: every point is on a road, where it is."""
    return Location(lat, lon)


def mp(**section: Any) -> dict[str, Any]:
    """Changes that give the demo file this meeting_points section."""
    return {"meeting_points": section}


POINTS = [{"id": "a", "name": "A", "lat": LAT0, "lon": LON0},
          {"id": "b", "name": "B", "place": "station"}]


def test_demo_file_lists_points_and_stays_door_to_door() -> None:
    svc = service()
    assert svc.meeting.mode == "door_to_door" and not svc.meeting.uses_points
    assert len(svc.meeting.points) > 20
    assert svc.meeting.walk_limit(SUMMER) == 300 and svc.meeting.walk_limit(WINTER) == 150


def test_section_is_read_in_engine_units() -> None:
    svc = service(mp(mode="mixed", points=POINTS, walk_limit_m={"summer": 400, "winter": 200},
                     door_to_door_flags=["registered_elderly"], candidates=2,
                     winter_months=[11, 12, 1, 2, 3, 4]))
    m = svc.meeting
    assert m.mode == "mixed" and m.candidates == 2
    assert m.points[0] == MeetingPointSpec("a", "A", LAT0, LON0)
    station = svc.places["station"]
    assert (m.points[1].lat, m.points[1].lon) == (station.lat, station.lon)
    assert m.walk_limit(date(2026, 11, 20)) == 200 and m.walk_limit(date(2026, 5, 1)) == 400
    assert m.door_to_door_for({"registered_elderly"}) and not m.door_to_door_for({"walker"})


@pytest.mark.parametrize(("section", "where", "why"), [
    ({"mode": "stop_based"}, "meeting_points.points", "needs meeting points"),
    ({"mode": "by_bus", "points": POINTS}, "meeting_points.mode", "door_to_door"),
    ({"mode": "mixed", "points": [{"id": "a", "name": "A"}]}, "meeting_points.points.0",
     "give either lat and lon, or place"),
    ({"mode": "mixed", "points": [POINTS[0], POINTS[0]]}, "meeting_points.points.1.id",
     "duplicate meeting point id 'a'"),
    ({"mode": "mixed", "points": [{"id": "x", "name": "X", "place": "nowhere"}]},
     "meeting_points.points.0.place", "unknown place 'nowhere'"),
    ({"mode": "mixed", "points": POINTS, "walk_limit_m": {"summer": 150, "winter": 300}},
     "meeting_points.walk_limit_m.winter", "longer than the summer limit"),
    ({"mode": "mixed", "points": POINTS, "walk_limit_m": {"summer": 0, "winter": 0}},
     "meeting_points.walk_limit_m.summer", "greater than 0"),
    ({"mode": "stop_based", "points": POINTS, "door_to_door_flags": ["door_to_door"]},
     "meeting_points.door_to_door_flags", "only with mode mixed"),
    ({"mode": "mixed", "points": POINTS, "door_to_door_flags": ["vip"]},
     "meeting_points.door_to_door_flags", "unknown rider flag 'vip'"),
    ({"mode": "mixed", "from_gtfs": True}, "meeting_points.from_gtfs",
     "need a transit section"),
    ({"mode": "mixed", "points": POINTS, "winter_months": [13]},
     "meeting_points.winter_months", "1 to 12"),
    ({"mode": "mixed", "points": POINTS, "walk": 100}, "meeting_points.walk",
     "Extra inputs are not permitted"),
])
def test_bad_sections_name_the_field(section: dict[str, Any], where: str, why: str) -> None:
    with pytest.raises(ServiceError) as err:
        service(mp(**section))
    assert str(err.value).startswith(f"demo-service.yaml: {where}: "), err.value
    assert why in str(err.value)


def policy(mode: str = "stop_based", **more: Any) -> MeetingPolicy:
    pts = (MeetingPointSpec("n100", "100 m north", *north(100)),
           MeetingPointSpec("n250", "250 m north", *north(250)),
           MeetingPointSpec("e120", "120 m east", *east(120)),
           MeetingPointSpec("far", "900 m east", *east(900)))
    return MeetingPolicy(mode=mode, points=pts, **more)  # type: ignore[arg-type]


def test_points_in_reach_shrink_in_winter() -> None:
    """Summer 300 m: three points, nearest first, with the walk; winter 150 m: two, slower."""
    points = place_meeting_points(policy(), snap)
    door = Location(LAT0, LON0)
    summer = points.options(LAT0, LON0, door, SUMMER, frozenset())
    winter = points.options(LAT0, LON0, door, WINTER, frozenset())
    assert not isinstance(summer, OutOfReach) and not isinstance(winter, OutOfReach)
    assert [w.point_id for w in summer] == ["n100", "e120", "n250"]
    assert [w.point_id for w in winter] == ["n100", "e120"]
    assert all(w.walk_m <= 150 for w in winter)
    assert abs(summer[0].walk_m - 100) <= 1
    assert summer[0].walk_s == math.ceil(summer[0].walk_m / 1.0)
    assert winter[0].walk_s == math.ceil(winter[0].walk_m / 0.8)  # slower in snow
    capped = place_meeting_points(policy(candidates=1), snap).options(
        LAT0, LON0, door, SUMMER, frozenset())
    assert [w.point_id for w in capped] == ["n100"]  # type: ignore[union-attr]


def test_flags_decide_the_door_by_mode() -> None:
    """mixed: a flagged rider at the door, others at points; stop_based: everyone at points;
    door_to_door: everyone at the door."""
    door = Location(LAT0, LON0)
    flagged, plain = frozenset({"needs_wheelchair"}), frozenset[str]()

    def at_door(mode: str, flags: frozenset[str]) -> bool:
        found = place_meeting_points(policy(mode), snap).options(LAT0, LON0, door, SUMMER,
                                                                 flags)
        assert not isinstance(found, OutOfReach)
        return len(found) == 1 and found[0].at_door and found[0].location == door

    assert at_door("mixed", flagged) and not at_door("mixed", plain)
    assert not at_door("stop_based", flagged) and not at_door("stop_based", plain)
    assert at_door("door_to_door", flagged) and at_door("door_to_door", plain)


def test_out_of_reach_goes_to_the_door_or_is_refused() -> None:
    """600 m south of the points: the door by default, else a refusal naming the nearest
    (120 m east of the origin: 612 m)."""
    lat, lon = north(-600)
    home = Location(lat, lon)
    to_door = place_meeting_points(policy(), snap).options(lat, lon, home, SUMMER, frozenset())
    assert not isinstance(to_door, OutOfReach) and to_door[0].at_door
    assert to_door[0].location == home
    refuse = place_meeting_points(policy(out_of_reach="reject"), snap)
    found = refuse.options(lat, lon, home, SUMMER, frozenset())
    assert isinstance(found, OutOfReach)
    assert found.limit_m == 300 and found.nearest_name == "120 m east"
    assert found.nearest_m is not None and abs(found.nearest_m - math.hypot(600, 120)) <= 2


def test_points_off_the_network_are_reported_not_dropped() -> None:
    def picky(lat: float, lon: float) -> Location:
        if lon > LON0 + 0.005:
            raise OffNetworkError(lat, lon, 800.0, 500.0)
        return Location(lat, lon)

    points = place_meeting_points(policy(), picky)
    assert [u.id for u in points.unplaced] == ["far"]
    assert "800 m" in points.unplaced[0].reason
    with pytest.raises(InvalidInput, match="no meeting point could be placed"):
        MeetingPoints(policy(), [], points.unplaced)


def test_gtfs_stops_become_meeting_points(tmp_path: Path, data_dir: Path) -> None:
    """``from_gtfs: true`` takes every stop of the feed; ``gtfs_stops`` some, checked."""
    shutil.copy(data_dir / "gtfs" / "toyama" / "gtfs-jp.zip", tmp_path / "feed.zip")
    data = edited({"transit": {"feed": "feed.zip"},
                   **mp(mode="stop_based", from_gtfs=True)})
    svc = parse_service(data, tmp_path, "toyama.yaml")
    every = service_meeting_points(svc, snap)
    assert len(every.points) == 70
    station = next(p for p in every.points if p.id == "gtfs-1_1")
    assert station.name == "富山駅前"
    some = parse_service(edited({"transit": {"feed": "feed.zip"},
                                 **mp(mode="stop_based", gtfs_stops=["1_1"])}),
                         tmp_path, "toyama.yaml")
    assert [p.id for p in service_meeting_points(some, snap).points] == ["gtfs-1_1"]
    bad = parse_service(edited({"transit": {"feed": "feed.zip"},
                                **mp(mode="stop_based", gtfs_stops=["nope"])}),
                        tmp_path, "toyama.yaml")
    with pytest.raises(InvalidInput, match="'nope'"):
        service_meeting_points(bad, snap)


def test_shipped_demo_points_all_lie_on_the_demo_roads() -> None:
    from maas.roads import load_network

    svc = parse_service(edited({}), SCENARIOS, "demo-service.yaml")
    placed = service_meeting_points(svc, load_network("demo").snap)
    assert not placed.unplaced and len(placed.points) == len(svc.meeting.points)
