"""Shelters, hazard zones and the welfare-office rules in the service file (issue 16)."""

from __future__ import annotations

import pytest

from maas.service import ServiceDefinition, ServiceError
from tests.service.conftest import service


def test_the_demo_lists_its_shelters_hazard_zone_and_care_rules(demo: ServiceDefinition
                                                              ) -> None:
    from maas.roads import demo_town

    e = demo.emergency
    assert set(e.shelters) == {"town_hall", "community_centre", "higashisawa_school"}
    hall = demo.places["town_hall"]
    assert e.shelters["town_hall"] == hall
    assert [z.name for z in e.hazard_zones] == ["upper_valley"]
    assert e.pickup_within_s == 3600
    hamlets = demo_town.build_ways()[2]
    inside = sorted(n for n, (lat, lon) in hamlets.items() if e.in_hazard(lat, lon))
    assert inside == ["Okusawa", "Shimizu"]
    assert e.in_hazard(hall.lat, hall.lon) is None
    assert (demo.care.welfare_no_shows, demo.care.welfare_period_days) == (2, 30)


def test_a_file_without_the_sections_has_none() -> None:
    svc = service(drop=("shelters", "hazard_zones", "disaster", "care"))
    assert svc.emergency.shelters == {} and svc.emergency.hazard_zones == ()
    assert svc.care.welfare_no_shows == 2


@pytest.mark.parametrize(
    ("changes", "drop", "where"),
    [
        ({"shelters.gym": {"place": "harbour"}}, (), r"shelters\.gym\.place: unknown place"),
        ({"shelters.gym": {"lat": 43.0}}, (), r"shelters\.gym: "),
        ({"shelters.Big Gym": {"lat": 43.0, "lon": 142.0}}, (), r"shelters\.Big Gym: a shelter"),
        ({"shelters.gym": {"lat": 43.0, "lon": 141.94}}, (),
         r"shelters\.gym: lies inside hazard zone 'upper_valley'"),
        ({"hazard_zones.river": [[142.0, 43.0], [142.1, 43.0]]}, (),
         r"hazard_zones: hazard zone 'river' needs at least 3"),
        ({"hazard_zones.river": [[242.0, 43.0], [142.1, 43.0], [142.1, 43.1]]}, (),
         r"hazard_zones: hazard zone 'river': points are \[lon, lat\]"),
        ({}, ("shelters",), r"shelters: hazard_zones are given but no shelter"),
        ({"disaster.evacuation_pickup_within_minutes": 0}, (),
         r"disaster\.evacuation_pickup_within_minutes: "),
        ({"care.welfare_no_shows": 0}, (), r"care\.welfare_no_shows: "),
        ({"care.welfare_period_day": 3}, (), r"care\.welfare_period_day: Extra inputs"),
    ],
)
def test_a_bad_emergency_field_is_named(changes: dict[str, object], drop: tuple[str, ...],
                                        where: str) -> None:
    with pytest.raises(ServiceError, match=rf"^demo-service\.yaml: {where}"):
        service(changes, drop)
