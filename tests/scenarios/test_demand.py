"""Demand generation: seeded, where people live, with the rural elderly time profile."""

from __future__ import annotations

from functools import cache

import numpy as np

from maas.roads import RoadNetwork, load_network
from scenarios.config import Scenario
from scenarios.demand import RESIDENTIAL_CLASSES, TripDemand, generate_demand, purpose_of
from tests.scenarios.conftest import demo


@cache
def _town() -> RoadNetwork:
    return load_network("demo")


def _demand(scenario: Scenario) -> list[TripDemand]:
    return generate_demand(scenario, _town())


def test_same_seed_same_demand() -> None:
    """Two draws with one seed are identical; another seed differs."""
    a, b = _demand(demo()), _demand(demo())
    c = _demand(demo(**{"demand.seed": 2}))
    assert a == b
    assert [t.desired_pickup for t in a] != [t.desired_pickup for t in c]


def test_exact_count_and_expected_count() -> None:
    """exact_count gives the asked number; otherwise the count is Poisson around it."""
    assert len(_demand(demo())) == 40
    counts = [len(_demand(demo(**{"demand.exact_count": False, "demand.seed": s})))
              for s in range(5)]
    assert all(20 <= n <= 60 for n in counts)


def test_homes_lie_on_residential_roads() -> None:
    """Trips leave from or return to homes on residential-class roads."""
    town = _town()
    trips = _demand(demo(**{"demand.requests": 200}))
    homes = [t.origin if t.outbound else t.destination for t in trips]
    classes = []
    for home in homes:
        highway = town.graph.edges[home.edge].get("highway")
        classes.append(set(highway) if isinstance(highway, list) else {highway})
    share = np.mean([bool(c & RESIDENTIAL_CLASSES) for c in classes])
    assert share > 0.95


def test_clinic_trips_peak_in_the_morning() -> None:
    """Outbound clinic trips mostly leave before noon; few trips ask for the evening."""
    trips = _demand(demo(**{"demand.requests": 400}))
    clinic = [t for t in trips if t.purpose == "clinic" and t.outbound]
    assert np.mean([t.desired_pickup < 12 * 3600 for t in clinic]) > 0.7
    assert np.mean([t.desired_pickup >= 17 * 3600 for t in trips]) < 0.1


def test_prebooked_requests_are_asked_at_the_cutoff() -> None:
    """Prebooked trips are asked at the cut-off; immediate ones at or before their pickup."""
    trips = _demand(demo(**{"demand.requests": 200, "demand.prebooked_share": 0.5}))
    prebooked = [t for t in trips if t.prebooked]
    assert 0.35 < len(prebooked) / len(trips) < 0.65
    assert {t.requested_at for t in prebooked} == {6 * 3600}
    assert all(t.requested_at <= t.desired_pickup for t in trips if not t.prebooked)
    asap = [t for t in trips if t.asap]
    assert asap and all(t.requested_at == t.desired_pickup and not t.prebooked for t in asap)


def test_population_grid_places_homes_near_cells() -> None:
    """With a population grid, homes cluster around the populated cell."""
    town = _town()
    node = next(iter(town.graph.nodes))
    lat, lon = town.graph.nodes[node]["y"], town.graph.nodes[node]["x"]
    scenario = demo(**{"demand.population_grid": [{"lat": lat, "lon": lon, "population": 100}]})
    homes = [t.origin if t.outbound else t.destination for t in _demand(scenario)]
    distances_km = [np.hypot(h.lat - lat, (h.lon - lon) * np.cos(np.radians(lat))) * 111
                    for h in homes]
    assert np.median(distances_km) < 1.0


def test_purpose_from_place_names() -> None:
    """Place names map to trip purposes; an explicit purpose wins."""
    assert purpose_of("Town clinic") == "clinic"
    assert purpose_of("駅") == "station"
    assert purpose_of("Somewhere", "shopping") == "shopping"


def test_meeting_points_gather_riders_within_walking_distance() -> None:
    """With junctions as meeting points, riders share few pickup places a short walk away;
    wheelchair riders stay door to door."""
    scenario = demo(**{"demand.requests": 200, "demand.meeting_points": "intersections",
                       "demand.walk_max_m": 400, "demand.wheelchair_share": 0.2})
    trips = _demand(scenario)
    homes = [t.origin if t.outbound else t.destination for t in trips]
    walking = [t for t in trips if t.walk_metres > 0]
    assert len(walking) > len(trips) / 2
    assert all(t.walk_metres <= 400 for t in trips)
    assert all(t.walk_metres == 0 for t in trips if t.wheelchairs)
    door_to_door = [h for h, t in zip(homes, trips, strict=True) if t.walk_metres == 0]
    stop_based = {h for h, t in zip(homes, trips, strict=True) if t.walk_metres > 0}
    assert len(stop_based) < len(walking) / 2  # many riders per meeting point
    assert door_to_door  # wheelchair riders (and homes out of reach) keep their door
