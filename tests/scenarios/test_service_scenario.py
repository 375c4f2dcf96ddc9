"""Scenarios that name a service file: the simulated day runs the file's roster and policy."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from maas.roads import load_network
from maas.service import load_service
from scenarios.config import Scenario, ScenarioError, load_scenario, parse_scenario
from scenarios.demand import generate_demand
from scenarios.records import TripStatus
from scenarios.run import rostered_vehicles
from scenarios.simulator import Simulation
from solver.dispatch.policy import policy_for_day
from tests.scenarios.conftest import SCENARIOS

MONDAY = date(2026, 12, 7)


def service_scenario(tmp_path: Path, **fields: Any) -> Path:
    """A scenario beside a copy of the demo service file, naming it relatively."""
    shutil.copy(SCENARIOS / "demo-service.yaml", tmp_path / "town.yaml")
    data: dict[str, Any] = {
        "name": "service-day", "service": "town.yaml", "date": MONDAY,
        "demand": {"requests": 30, "exact_count": True, "seed": 3},
        "simulation": {"travel_time_noise": 0, "no_show_rate": 0, "cancel_rate": 0},
        **fields,
    }
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_service_day_loads_its_service() -> None:
    """scenarios/demo-service-day.yaml: no fleet of its own; network and fare from the file."""
    sc = load_scenario(SCENARIOS / "demo-service-day.yaml")
    svc = sc.service_definition
    assert svc is not None and svc.area == "demo"
    assert sc.fleet is None
    assert sc.network.source == "demo"
    assert sc.cost.fare == 300
    assert sc.day_span == (7 * 3600, 18 * 3600)
    assert sc.prebook_cutoff_seconds == -7 * 3600  # 17:00 the day before


def test_a_scenario_may_still_set_winter(tmp_path: Path) -> None:
    """``network: {winter: true}`` plays the same service on winter roads."""
    sc = load_scenario(service_scenario(tmp_path, network={"winter": True}))
    assert sc.network.winter and sc.network.source == "demo"


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"fleet": {"vehicles": 3}}, r"fleet: comes from the service file"),
        ({"policy": {"max_wait_minutes": 10}}, r"policy: comes from the service file"),
        ({"date": None}, r"date: required with a service file"),
        ({"date": date(2026, 12, 6)}, r"date: 2026-12-06 is not an operating day.*2026-12-07"),
        ({"date": date(2027, 1, 11)}, r"date: .*Coming of Age"),
        ({"network": {"source": "demo"}}, r"network: comes from the service file"),
        ({"service": "nowhere.yaml"}, r"service: .*nowhere\.yaml"),
    ],
)
def test_service_scenario_mistakes_name_the_field(
    tmp_path: Path, fields: dict[str, Any], where: str
) -> None:
    """Fleet and policy come from the service file only; the date must be a service day."""
    with pytest.raises(ScenarioError, match=where):
        load_scenario(service_scenario(tmp_path, **fields))


def test_a_bad_service_file_is_named_through_the_scenario(tmp_path: Path) -> None:
    """The service file's own error (file and field) reaches the planner."""
    path = service_scenario(tmp_path)
    town = yaml.safe_load((tmp_path / "town.yaml").read_text(encoding="utf-8"))
    town["booking"]["days_ahead"] = "soon"
    (tmp_path / "town.yaml").write_text(yaml.safe_dump(town, allow_unicode=True),
                                        encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"service: town\.yaml: booking\.days_ahead"):
        load_scenario(path)


def test_a_date_without_a_service_file_is_refused() -> None:
    """``date`` only means something with a service file."""
    data = yaml.safe_load((SCENARIOS / "demo.yaml").read_text(encoding="utf-8"))
    with pytest.raises(ScenarioError, match="date: only with a service file"):
        parse_scenario({**data, "date": MONDAY}, SCENARIOS)


def test_a_scenario_without_fleet_or_service_is_refused() -> None:
    """The fleet is required when no service file gives it."""
    data = yaml.safe_load((SCENARIOS / "demo.yaml").read_text(encoding="utf-8"))
    del data["fleet"]
    with pytest.raises(ScenarioError, match="fleet: Field required"):
        parse_scenario(data, SCENARIOS)


def simulation(sc: Scenario) -> Simulation:
    roads = load_network("demo")
    vans = rostered_vehicles(sc, roads)
    assert vans is not None
    demand = generate_demand(sc, roads)
    return Simulation(sc, roads, demand, vans[0].depot, sc.demand.seed, synthetic=True,
                      vehicles=vans)


def served_in_window(result: Any) -> list[bool]:
    """Per served trip: whether the pickup started inside its promised window."""
    return [bool(t.booking.pickup.earliest <= t.pickup_at <= t.booking.pickup.latest)
            for t in result.trips if t.status is TripStatus.SERVED]


@pytest.mark.slow
def test_the_simulated_day_runs_the_policy_and_roster_of_the_file(tmp_path: Path) -> None:
    """Dispatcher policy == policy_for_day, vans == vehicles_for (with the two noon breaks),
    the batch at the deadline; riders asking on the day never get a pickup earlier than the
    30 minutes' notice, and every promise is the final 10-minute window."""
    sc = load_scenario(service_scenario(tmp_path))
    svc = load_service(tmp_path / "town.yaml")
    sim = simulation(sc)
    assert sim.policy == policy_for_day(svc, MONDAY)
    assert sim.state.vehicles == svc.vehicles_for(MONDAY, load_network("demo").snap)
    assert sum(v.break_ is not None for v in sim.state.vehicles) == 2
    assert sim.cutoff == -7 * 3600
    result = sim.run()
    booked = [t for t in result.trips if t.booking is not None]
    assert any(t.prebooked for t in booked) and any(not t.prebooked for t in booked)
    for trip in booked:
        assert trip.booking is not None
        if not trip.prebooked:
            assert trip.booking.pickup.earliest >= trip.requested_at + svc.booking.min_notice_s
        assert trip.booking.pickup.width <= svc.policy.pickup_window_s
    assert served_in_window(result)


@pytest.mark.slow
def test_without_breaks_every_promise_holds_on_exact_roads(tmp_path: Path) -> None:
    """The service day on noise-free roads, vans without breaks: every pickup in its window."""
    path = service_scenario(tmp_path)
    town = yaml.safe_load((tmp_path / "town.yaml").read_text(encoding="utf-8"))
    for van in town["fleet"]["vans"]:
        van["shift"] = "day"
    (tmp_path / "town.yaml").write_text(yaml.safe_dump(town, allow_unicode=True),
                                        encoding="utf-8")
    assert all(served_in_window(simulation(load_scenario(path)).run()))


@pytest.mark.slow
def test_with_breaks_every_promise_holds_on_exact_roads(tmp_path: Path) -> None:
    """The demo roster (two vans with a noon break) on noise-free roads keeps every promise."""
    assert all(served_in_window(simulation(load_scenario(service_scenario(tmp_path))).run()))


@pytest.mark.slow
def test_a_van_in_the_garage_is_missing_from_the_simulated_day(tmp_path: Path) -> None:
    """A roster override in the service file takes the van out of the simulation too."""
    path = service_scenario(tmp_path)
    town = yaml.safe_load((tmp_path / "town.yaml").read_text(encoding="utf-8"))
    town["fleet"]["overrides"] = [{"van": "v4", "date": MONDAY, "off_duty": True}]
    (tmp_path / "town.yaml").write_text(yaml.safe_dump(town, allow_unicode=True),
                                        encoding="utf-8")
    sim = simulation(load_scenario(path))
    assert [v.id for v in sim.state.vehicles] == ["v1", "v2", "v3"]
    result = sim.run()
    assert {leg.vehicle_id for leg in result.legs} <= {"v1", "v2", "v3"}
