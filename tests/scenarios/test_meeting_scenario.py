"""The simulator applies the service file's meeting-point policy, as the live service does:
riders asking on the day are offered points within the winter limit, flagged riders and
riders out of reach ride from the door, and the scenario-level option still works."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from maas.meeting import service_meeting_points
from maas.roads import load_network
from scenarios.config import ScenarioError, load_scenario
from scenarios.demand import generate_demand
from scenarios.records import TripStatus
from scenarios.run import rostered_vehicles, scenario_meeting_points
from scenarios.simulator import Simulation
from tests.scenarios.conftest import SCENARIOS

MONDAY = date(2026, 12, 7)  # winter: a 150 m walk limit


def scenario_file(tmp_path: Path, meeting: dict[str, Any] | None = None, **fields: Any) -> Path:
    """A scenario beside a copy of the demo service file (its meeting_points updated)."""
    data = yaml.safe_load((SCENARIOS / "demo-service.yaml").read_text(encoding="utf-8"))
    data["meeting_points"].update(meeting or {})
    (tmp_path / "town.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                        encoding="utf-8")
    scenario: dict[str, Any] = {
        "name": "meeting-day", "service": "town.yaml", "date": MONDAY,
        "demand": {"requests": 40, "exact_count": True, "seed": 5, "prebooked_share": 0.3,
                   "rider_flags": {"door_to_door": 0.2}},
        "simulation": {"travel_time_noise": 0, "no_show_rate": 0, "cancel_rate": 0,
                       "decline_rate": 0},
        **fields,
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, allow_unicode=True), encoding="utf-8")
    return path


def _walk(a: tuple[float, float], b: tuple[float, float]) -> float:
    dy = (a[0] - b[0]) * 110_540
    dx = (a[1] - b[1]) * 111_320 * math.cos(math.radians(a[0]))
    return math.hypot(dx, dy)


@pytest.mark.slow
def test_the_service_policy_is_applied(tmp_path: Path) -> None:
    sc = load_scenario(scenario_file(tmp_path, meeting_mode="mixed"))
    roads = load_network("demo")
    meeting = scenario_meeting_points(sc, roads)
    assert meeting is not None and meeting.policy.mode == "mixed"
    vans = rostered_vehicles(sc, roads)
    assert vans is not None
    demand = generate_demand(sc, roads)
    result = Simulation(sc, roads, demand, vans[0].depot, sc.demand.seed, synthetic=True,
                        vehicles=vans, meeting=meeting).run()
    points = {p.location: p for p in meeting.points}
    by_id = {t.id: t for t in demand}
    booked = [t for t in result.trips if t.booking is not None]
    assert len(booked) >= 20
    walked = 0
    for rec in booked:
        trip = by_id[rec.request_id]
        assert rec.booking is not None
        assert rec.walk_metres <= 2 * 150  # each end within the winter limit
        if trip.flags & {"door_to_door", "needs_wheelchair"}:
            # Flagged riders ride door to door.
            assert (rec.booking.origin, rec.booking.destination) == (trip.origin,
                                                                     trip.destination)
            assert rec.walk_metres == 0
            continue
        reach = [{p.location for p, _ in meeting.nearest(e.lat, e.lon, 150, 3)}
                 for e in (trip.origin, trip.destination)]
        one_stop = len(reach[0]) == 1 and reach[0] == reach[1]  # nowhere to ride: the door
        for end, asked, near in ((rec.booking.origin, trip.origin, reach[0]),
                                 (rec.booking.destination, trip.destination, reach[1])):
            if end in points:  # at a point: within the limit of the asked place
                assert _walk((asked.lat, asked.lon), (points[end].lat, points[end].lon)) \
                    <= 150.5
            else:  # out of reach (out_of_reach: door_to_door), or one stop for both ends
                assert end == asked
                assert not near or one_stop
        walked += rec.walk_metres > 0
    assert walked >= 5
    assert any(by_id[r.request_id].flags & {"door_to_door"} for r in booked)
    served = [t for t in result.trips if t.status is TripStatus.SERVED]
    assert served and all(t.promise_kept for t in served)


@pytest.mark.slow
def test_reject_out_of_reach_refuses_with_its_code(tmp_path: Path) -> None:
    sc = load_scenario(scenario_file(tmp_path, {"mode": "stop_based", "out_of_reach": "reject"},
                                     demand={"requests": 30, "exact_count": True, "seed": 5}))
    roads = load_network("demo")
    vans = rostered_vehicles(sc, roads)
    assert vans is not None
    meeting = scenario_meeting_points(sc, roads)
    result = Simulation(sc, roads, generate_demand(sc, roads), vans[0].depot, 5,
                        synthetic=True, vehicles=vans, meeting=meeting).run()
    refused = [t for t in result.trips if t.reject_reason == "no_meeting_point"]
    assert refused
    assert meeting is not None
    for rec in refused:
        ends = (rec.origin, rec.destination)
        assert any(not meeting.nearest(e.lat, e.lon, 150, 1) for e in ends)
    assert all(t.booking is None for t in refused)


def test_door_to_door_service_has_no_meeting_points(tmp_path: Path) -> None:
    sc = load_scenario(scenario_file(tmp_path))
    assert sc.meeting_policy is None
    assert scenario_meeting_points(sc, load_network("demo")) is None


@pytest.mark.parametrize(("fields", "message"), [
    ({"meeting_mode": "mixed", "demand": {"requests": 5, "meeting_points": "intersections"}},
     "demand.meeting_points: the service file town.yaml has its own meeting points"),
    ({"meeting_mode": "bus"}, "meeting_mode"),
    ({"demand": {"requests": 5, "rider_flags": {"vip": 0.1}}}, "unknown rider flag 'vip'"),
    ({"demand": {"requests": 5, "rider_flags": {"door_to_door": 2}}}, "between 0 and 1"),
])
def test_bad_meeting_fields(tmp_path: Path, fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ScenarioError, match=message):
        load_scenario(scenario_file(tmp_path, **fields))


def test_meeting_mode_needs_a_service_file(tmp_path: Path) -> None:
    data = yaml.safe_load((SCENARIOS / "demo.yaml").read_text(encoding="utf-8"))
    data["meeting_mode"] = "mixed"
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match="meeting_mode: only with a service file"):
        load_scenario(path)


def test_the_shipped_meeting_scenario_loads() -> None:
    sc = load_scenario(SCENARIOS / "demo-meeting-points.yaml")
    policy = sc.meeting_policy
    assert policy is not None and policy.mode == "mixed"
    assert sc.service_definition is not None
    placed = service_meeting_points(sc.service_definition, load_network("demo").snap)
    assert len(placed.points) == len(policy.points)
    assert not placed.unplaced
