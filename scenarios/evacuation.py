"""Disaster mode in the simulator (issue 16): the registered riders an evacuation fetches,
the scenario's flood as dispatcher events, and the ``evacuation`` KPIs.

Registered riders are synthesised from the demand model: homes drawn (seeded) the way the
demand draws riders' homes, kept when they lie in the evacuated hazard zones, a seeded
share of them needing help (living alone; some in a wheelchair).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely.geometry

from maas.roads import Closure
from maas.service.emergency import Emergency
from scenarios.config import DisasterConfig, Scenario
from scenarios.demand import OriginSampler, RoadNetworkLike, population_grid
from scenarios.records import SimulationResult, TripStatus
from solver.dispatch import events
from solver.dispatch.state import Evacuee

MAX_DRAWS_PER_RIDER = 400


def hazard_names(config: DisasterConfig, emergency: Emergency) -> tuple[str, ...]:
    """The hazard zones evacuated: the scenario's, else all of the service file's."""
    if config.hazard_zones is not None:
        return config.hazard_zones
    return tuple(z.name for z in emergency.hazard_zones)


def registered_riders(scenario: Scenario, network: RoadNetworkLike) -> list[Evacuee]:
    """The registered riders living in the evacuated hazard zones (seeded; see module doc).
    Fewer than asked when the zones hold too little of the town's homes to find them."""
    config, svc = scenario.disaster, scenario.service_definition
    if config is None or not config.evacuate or svc is None:
        return []
    reg = config.registered
    zones = hazard_names(config, svc.emergency)
    rng = np.random.default_rng([reg.seed, 16])
    homes = OriginSampler(network, population_grid(scenario))
    found: list[Evacuee] = []
    for _ in range(reg.count * MAX_DRAWS_PER_RIDER):
        if len(found) >= reg.count:
            break
        home = homes.draw(rng)
        if svc.emergency.in_hazard(home.lat, home.lon, zones) is None:
            continue
        helped = bool(rng.random() < reg.needs_help_share)
        wheel = 1 if helped and rng.random() < reg.wheelchair_share / max(
            reg.needs_help_share, 1e-9) else 0
        found.append(Evacuee(id=f"evac-{len(found) + 1:03d}", origin=home,
                             rider_id=f"registered-{len(found) + 1:03d}",
                             passengers=1 - wheel, wheelchairs=wheel, needs_help=helped))
    return found


def declaration(scenario: Scenario, network: Any, evacuees: Sequence[Evacuee], now: int
                ) -> events.DisasterDeclared:
    """The scenario's flood as the dispatcher event the API would apply."""
    config, svc = scenario.disaster, scenario.service_definition
    assert config is not None
    closures = tuple(Closure(f"flood-{i + 1}", geometry=shapely.geometry.Polygon(ring))
                     for i, ring in enumerate(config.areas))
    shelters: tuple[Any, ...] = ()
    within = 3_600
    if config.evacuate and svc is not None:
        shelters = tuple(network.snap(p.lat, p.lon) for p in svc.emergency.shelters.values())
        within = svc.emergency.pickup_within_s
    return events.DisasterDeclared("flood", config.name, closures, now,
                                   evacuation=config.evacuate, shelters=shelters,
                                   evacuees=tuple(evacuees) if config.evacuate else (),
                                   pickup_within=within)


def evacuation_kpis(result: SimulationResult) -> dict[str, Any] | None:
    """``evacuation`` {registered, evacuated, evacuated_share, minutes_p90} (minutes from the
    declaration to arriving at a shelter), those who need help apart, and what happened to
    the ordinary rides; None for a day without an event."""
    if result.disaster_at is None:
        return None
    start = result.disaster_at
    rec = result.evacuations
    done = [r for r in rec if r.status is TripStatus.SERVED and r.dropoff_at is not None]
    minutes = [(r.dropoff_at - start) / 60 for r in done if r.dropoff_at is not None]
    helped = [r for r in rec if r.request_id in result.needs_help]
    helped_done = [r for r in done if r.request_id in result.needs_help]
    trips = result.trips
    during = [t for t in trips if t.requested_at >= start
              and (result.disaster_ended_at is None or t.requested_at < result.disaster_ended_at)]

    def p90(values: Sequence[float]) -> float | None:
        return round(float(np.quantile(np.asarray(values), 0.9)), 2) if values else None

    return {
        "registered": len(rec),
        "evacuated": len(done),
        "evacuated_share": round(len(done) / len(rec), 4) if rec else None,
        "minutes_p90": p90(minutes),
        "minutes_max": round(max(minutes), 2) if minutes else None,
        "needs_help": {"registered": len(helped), "evacuated": len(helped_done),
                       "minutes_p90": p90([(r.dropoff_at - start) / 60 for r in helped_done
                                           if r.dropoff_at is not None])},
        "declared_at_s": start,
        "ended_at_s": result.disaster_ended_at,
        "ordinary": {
            "affected": len(result.affected_by_disaster),
            "bumped": sum(t.reject_reason == "bumped_for_evacuation" for t in trips),
            "asked_during_event": len(during),
            "paused": sum(t.reject_reason == "paused_for_evacuation" for t in trips),
            "affected_served": sum(t.status is TripStatus.SERVED for t in trips
                                   if t.request_id in set(result.affected_by_disaster)),
        },
    }
