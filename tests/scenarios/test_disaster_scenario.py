"""A flood in a simulated day (issue 16): the scenario's section is validated, registered
riders come from the demand model inside the hazard zone, the evacuation is served before
ordinary rides, asks during it are paused, and the KPIs count it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from maas.roads import load_network
from scenarios.config import ScenarioError, load_scenario
from scenarios.demand import generate_demand
from scenarios.evacuation import registered_riders
from scenarios.kpis import compute_kpis
from scenarios.records import TripStatus
from scenarios.run import rostered_vehicles
from scenarios.simulator import simulate
from tests.scenarios.conftest import SCENARIOS
from tests.scenarios.test_service_scenario import service_scenario

FLOOD = {"at": "10:00", "ends_at": "12:00",
         "areas": [[[141.9880, 42.9883], [141.9942, 42.9883], [141.9942, 42.9928],
                    [141.9880, 42.9928]]],
         "registered": {"count": 6, "needs_help_share": 0.5, "wheelchair_share": 0.0}}


def test_the_shipped_flood_scenario_loads() -> None:
    sc = load_scenario(SCENARIOS / "demo-flood.yaml")
    assert sc.disaster is not None and sc.disaster.at == "10:00" and sc.disaster.evacuate
    assert sc.service_definition is not None and sc.service_definition.emergency.shelters


@pytest.mark.parametrize(
    ("disaster", "where"),
    [
        ({**FLOOD, "at": "10h"}, r"disaster\.at: "),
        ({**FLOOD, "ends_at": "09:00"}, r"disaster\.ends_at: 09:00 is not after"),
        ({**FLOOD, "areas": [[[142.0, 43.0], [142.1, 43.0]]]}, r"disaster\.areas: .*area 0"),
        ({**FLOOD, "hazard_zones": ["harbour"]}, r"disaster\.hazard_zones: unknown"),
        ({**FLOOD, "evacute": True}, r"disaster\.evacute: Extra inputs"),
    ],
)
def test_a_bad_disaster_section_is_named(tmp_path: Path, disaster: dict[str, Any],
                                         where: str) -> None:
    with pytest.raises(ScenarioError, match=where):
        load_scenario(service_scenario(tmp_path, disaster=disaster))


def test_an_evacuation_needs_shelters(tmp_path: Path) -> None:
    path = SCENARIOS / "demo.yaml"  # its own fleet: no service file, no shelters
    with pytest.raises(ScenarioError, match=r"disaster\.evacuate: needs a service file"):
        load_scenario(path, {"disaster": FLOOD})


def test_a_flooded_day_evacuates_the_hazard_zone_first(tmp_path: Path) -> None:
    sc = load_scenario(service_scenario(tmp_path, disaster=FLOOD))
    roads = load_network("demo")
    people = registered_riders(sc, roads)
    svc = sc.service_definition
    assert svc is not None and len(people) == 6
    assert all(svc.emergency.in_hazard(p.origin.lat, p.origin.lon) for p in people)
    assert people == registered_riders(sc, roads)  # seeded
    vans = rostered_vehicles(sc, roads)
    demand = generate_demand(sc, roads)
    result = simulate(sc, roads, demand, vans[0].depot, 3, synthetic=True, vehicles=vans,
                      registered=people)
    roads.apply_closures([])
    kpis = compute_kpis(result, sc.cost)
    evac = kpis["evacuation"]
    done = [r for r in result.evacuations if r.status is TripStatus.SERVED]
    assert evac["registered"] == 6 and evac["evacuated"] == len(done) > 0
    assert evac["evacuated_share"] == round(len(done) / 6, 4)
    shelters = {roads.snap(p.lat, p.lon) for p in svc.emergency.shelters.values()}
    assert all(r.destination in shelters and r.pickup_at is not None
               and r.pickup_at >= 10 * 3600 for r in done)
    # Asks while the town evacuates are paused; after the end they are served again.
    paused = [t for t in result.trips if t.reject_reason == "paused_for_evacuation"]
    assert evac["ordinary"]["paused"] == len(paused)
    assert all(10 * 3600 <= t.requested_at < 12 * 3600 for t in paused)
    assert any(t.status is TripStatus.SERVED and t.requested_at >= 12 * 3600
               for t in result.trips)
    assert kpis["requests"] == len(result.trips) == 30  # evacuations are not ordinary rides
