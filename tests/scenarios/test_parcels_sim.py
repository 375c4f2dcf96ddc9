"""Parcels in the simulated day (issue 16): the simulator ships them through the dispatcher
as the API does, delivers or brings them back, and ``kpis.json`` reports them."""

from __future__ import annotations

from pathlib import Path

import pytest

from maas.domain import Location
from maas.roads import load_network
from scenarios.config import load_scenario
from scenarios.demand import generate_demand
from scenarios.kpis import compute_kpis
from scenarios.parcels import generate_parcels, nearest_neighbour_km
from scenarios.records import (
    ParcelFigures,
    ParcelRecord,
    ParcelStatus,
    SimulationResult,
    TripStatus,
)
from scenarios.run import rostered_vehicles
from scenarios.simulator import Simulation

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_parcel_kpis_count_what_became_of_the_parcels() -> None:
    result = SimulationResult("t", 1, True, (0, 1), ("v1",), Location(0, 0))
    result.parcels = [ParcelRecord(f"p{i}", "shop", 1, 1, 0, status=s) for i, s in enumerate(
        [ParcelStatus.DELIVERED] * 7 + [ParcelStatus.RETURNED, ParcelStatus.UNDELIVERED,
                                        ParcelStatus.REFUSED])]
    result.parcel_figures = ParcelFigures(truck_km=30.0, van_km=12.5, wait_minutes_added=3.0,
                                          ride_minutes_added=4.0, riders_affected=2)
    from scenarios.config import CostConfig

    k = compute_kpis(result, CostConfig())
    assert k["parcels"] == {"requests": 10, "delivered": 7, "delivered_share": 0.7,
                            "returned": 1, "undelivered": 1, "refused": 1,
                            "truck_round_km": 30.0, "van_km_for_parcels": 12.5}
    assert k["truck_km_saved"] == 17.5
    assert k["parcel_cost_to_passengers"]["wait_minutes_added"] == 3.0
    assert "parcels" not in compute_kpis(SimulationResult("t", 1, True, (0, 1), (),
                                                          Location(0, 0)), CostConfig())


def test_a_truck_round_visits_every_stop_and_comes_back() -> None:
    roads = load_network("demo")
    places = roads.graph.graph["places"]
    depot = roads.snap(*places["depot"])
    stops = [roads.snap(*places[p]) for p in ("clinic", "station", "supermarket")]
    km = nearest_neighbour_km(roads, depot, stops)
    out_and_back = max(float(roads.distances([depot], [s])[0, 0]) +
                       float(roads.distances([s], [depot])[0, 0]) for s in stops) / 1000
    assert km >= out_and_back > 0
    assert nearest_neighbour_km(roads, depot, []) == 0.0


@pytest.mark.slow
def test_a_small_day_delivers_or_brings_back_every_parcel() -> None:
    """A small demo day (20 rides, 12 parcels, nobody home for a third) on exact roads:
    every parcel is delivered by its deadline or brought back, riders' promises hold, and
    kpis.json has the parcel figures."""
    sc = load_scenario(SCENARIOS / "demo-parcels.yaml", {
        "demand.requests": 20, "parcels.count": 12, "parcels.not_home_rate": 0.34,
        "simulation.travel_time_noise": 0, "simulation.no_show_rate": 0})
    roads = load_network("demo")
    vans = rostered_vehicles(sc, roads)
    assert vans is not None
    parcels = generate_parcels(sc, roads, vans[0].depot)
    assert len(parcels) == 12 and any(p.nobody_home for p in parcels)
    assert {p.source for p in parcels} <= {"post_office", "shop", "depot", "farm"}
    sim = Simulation(sc, roads, generate_demand(sc, roads), vans[0].depot, sc.demand.seed,
                     synthetic=True, vehicles=vans, parcels=parcels)
    result = sim.run()
    by_id = {p.id: p for p in parcels}
    for rec in result.parcels:
        if by_id[rec.id].nobody_home:
            assert rec.status in (ParcelStatus.RETURNED, ParcelStatus.UNDELIVERED)
        else:
            assert rec.status is ParcelStatus.DELIVERED, rec
            assert rec.delivered_at is not None and rec.deliver_by is not None
            assert rec.delivered_at <= rec.deliver_by
    assert any(r.status is ParcelStatus.RETURNED for r in result.parcels)
    served = [t for t in result.trips if t.status is TripStatus.SERVED]
    assert served and all(t.promise_kept for t in served)
    k = compute_kpis(result, sc.cost)
    assert k["parcels"]["requests"] == 12
    assert k["parcels"]["delivered"] + k["parcels"]["returned"] + \
        k["parcels"]["undelivered"] + k["parcels"]["refused"] == 12
    assert k["truck_km_saved"] == pytest.approx(
        k["parcels"]["truck_round_km"] - k["parcels"]["van_km_for_parcels"], abs=1e-3)
    assert k["requests"] == len(result.trips)  # riders only: parcels are not trips
