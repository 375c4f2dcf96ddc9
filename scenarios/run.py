"""One scenario run end to end: roads, demand, the simulated day, and every output file."""

from __future__ import annotations

import json
import math
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from maas.domain import Location, Vehicle
from maas.errors import InvalidInput, OffNetworkError
from maas.meeting import MeetingPoints, service_meeting_points
from scenarios.config import Scenario
from scenarios.demand import generate_demand, network_places
from scenarios.evacuation import registered_riders
from scenarios.kpis import compute_kpis
from scenarios.mapping import write_map
from scenarios.parcels import generate_parcels
from scenarios.records import SimulationResult
from scenarios.report import write_report
from scenarios.simulator import simulate
from scenarios.trains import train_trips
from scenarios.trips import write_trips_csv

if TYPE_CHECKING:
    from maas.roads import RoadNetwork

Stage = Callable[[str, float], None]  # (what is happening, fraction of the day done)

SYNTHETIC_NOTE = "The town is synthetic: a generated Hokkaido-style valley, not a real place."


@dataclass(frozen=True)
class RunOutput:
    """What a run wrote and its KPIs."""

    out: Path
    kpis: dict[str, Any]
    result: SimulationResult
    seconds: float


def load_roads(scenario: Scenario) -> RoadNetwork:
    """The scenario's road network (``maas.roads.load_network``), clipped to its area."""
    from maas.roads import load_network

    net = scenario.network
    source = net.source
    if source != "demo" and not source.startswith("place:"):
        source = str(scenario.resolve_path(source))
    area: Any = net.service_area
    if isinstance(area, str):
        area = scenario.resolve_path(area)
    return load_network(source, polygon=area, winter=net.winter)


def service_area_outline(scenario: Scenario) -> list[list[float]] | None:
    """The service area as ``[[lat, lon], ...]`` for the map (bbox or GeoJSON polygon)."""
    area = scenario.network.service_area
    if area is None:
        return None
    if not isinstance(area, str):
        w, s, e, n = area
        return [[s, w], [s, e], [n, e], [n, w], [s, w]]
    data = json.loads(scenario.resolve_path(area).read_text(encoding="utf-8"))
    geom = data
    if data.get("type") == "FeatureCollection":
        geom = data["features"][0]["geometry"]
    elif data.get("type") == "Feature":
        geom = data["geometry"]
    ring = geom["coordinates"][0] if geom["type"] == "Polygon" else geom["coordinates"][0][0]
    return [[lat, lon] for lon, lat in ring]


def rostered_vehicles(scenario: Scenario, roads: RoadNetwork) -> tuple[Vehicle, ...] | None:
    """The service roster of the scenario's date (depots snapped), or None without a
    service file."""
    svc = scenario.service_definition
    if svc is None or scenario.date is None:
        return None
    try:
        vans = svc.vehicles_for(scenario.date, roads.snap)
    except OffNetworkError as exc:
        msg = f"{svc.origin}: fleet depot: {exc}"
        raise InvalidInput(msg) from exc
    if not vans:
        msg = f"{svc.origin}: no van is rostered on {scenario.date}"
        raise InvalidInput(msg)
    return vans


def depot_location(scenario: Scenario, roads: RoadNetwork) -> Location:
    """The depot snapped to the road: the configured point, else the town's named depot
    or town hall, else the network's first node."""
    depot = scenario.fleet.depot if scenario.fleet is not None else None
    if depot is not None:
        lat, lon = depot.lat, depot.lon
    else:
        places = {p.name.lower(): p for p in network_places(roads)}
        pick = next((places[k] for k in places if "depot" in k or "hall" in k), None)
        if pick is None and places:
            pick = next(iter(places.values()))
        if pick is not None:
            lat, lon = pick.lat, pick.lon
        else:
            node = next(iter(roads.graph.nodes))
            lat, lon = roads.graph.nodes[node]["y"], roads.graph.nodes[node]["x"]
    try:
        return roads.snap(lat, lon)
    except OffNetworkError as exc:
        msg = f"fleet.depot: {exc}"
        raise InvalidInput(msg) from exc


def first_metres(
    roads: RoadNetwork, metres: float = 5.0
) -> Callable[[Location, Location], Location | None]:
    """A function telling where a van is ``metres`` along its fastest path from a to b."""

    def locate(a: Location, b: Location) -> Location | None:
        try:
            coords = roads.path(a, b)
        except InvalidInput:
            return None
        if len(coords) < 2:
            return None
        (lat1, lon1), (lat2, lon2) = coords[0], coords[1]
        dy = (lat2 - lat1) * 111_320
        dx = (lon2 - lon1) * 111_320 * math.cos(math.radians(lat1))
        length = math.hypot(dx, dy)
        if length <= 0:
            return None
        f = min(0.5, metres / length)
        try:
            return roads.snap(lat1 + f * (lat2 - lat1), lon1 + f * (lon2 - lon1), 50.0)
        except OffNetworkError:
            return None

    return locate


def scenario_meeting_points(scenario: Scenario, roads: RoadNetwork) -> MeetingPoints | None:
    """The service file's meeting points on the roads, when its policy (or the scenario's
    ``meeting_mode``) sends riders to them; None for a door-to-door day."""
    policy = scenario.meeting_policy
    svc = scenario.service_definition
    if policy is None or svc is None:
        return None
    return service_meeting_points(replace(svc, meeting=policy), roads.snap)


def run_note(scenario: Scenario, vehicles: tuple[Vehicle, ...] | None) -> str:
    """The report's one-paragraph description of what was simulated."""
    d, f = scenario.demand, scenario.fleet
    if vehicles is not None:
        svc = scenario.service_definition
        origin = svc.origin if svc is not None else "the service file"
        breaks = sum(v.break_ is not None for v in vehicles)
        fleet_text = (f"service file {origin} on {scenario.date}: {len(vehicles)} vans "
                      f"rostered ({breaks} with a break), "
                      f"{sum(v.type.seats for v in vehicles)} seats in all")
    else:
        assert f is not None
        fleet_text = (f"{f.vehicles} vans of {f.seats} seats and {f.wheelchair_places} "
                      f"wheelchair places, shift {f.shift[0]}-{f.shift[1]}")
    return (f"Network {scenario.network.source}"
            f"{' (winter)' if scenario.network.winter else ''}; {fleet_text}; about "
            f"{d.requests} requests, {d.prebooked_share:.0%} prebooked; "
            f"{_meeting_note(scenario)}.")


def _meeting_note(scenario: Scenario) -> str:
    policy = scenario.meeting_policy
    if policy is not None:
        return (f"meeting points of the service file, {policy.mode.replace('_', '-')} (walk "
                f"limit {policy.walk_limit_m.summer:g} m, {policy.walk_limit_m.winter:g} m "
                "in winter)")
    return "meeting points" if scenario.demand.meeting_points else "door to door"


def simulate_scenario(scenario: Scenario, roads: RoadNetwork, stage: Stage | None = None,
                      vehicles: tuple[Vehicle, ...] | None = None) -> SimulationResult:
    """One simulated day of ``scenario`` on ``roads`` (its demand, roster, parcels, meeting
    points and evacuees), with no outputs written (``run_scenario`` writes them).
    ``vehicles``: the roster if the caller already has it (``rostered_vehicles``)."""

    def say(what: str, done: float = 0.0) -> None:
        if stage:
            stage(what, done)

    say("drawing demand")
    if vehicles is None:
        vehicles = rostered_vehicles(scenario, roads)
    depot = vehicles[0].depot if vehicles else depot_location(scenario, roads)
    demand = generate_demand(scenario, roads) + train_trips(scenario, roads)
    demand.sort(key=lambda t: (t.requested_at, t.desired_pickup, t.id))
    meeting = scenario_meeting_points(scenario, roads)
    parcels = generate_parcels(scenario, roads, depot)
    area = scenario.network.service_area
    bbox = tuple(area) if area is not None and not isinstance(area, str) else None
    return simulate(
        scenario, roads, demand, depot, scenario.demand.seed,
        synthetic=bool(getattr(roads, "synthetic", False)), service_area=bbox,
        progress=lambda f: say("simulating the day", f), locate=first_metres(roads),
        vehicles=vehicles, parcels=parcels, meeting=meeting,
        registered=registered_riders(scenario, roads),
    )


def run_scenario(
    scenario: Scenario,
    out: Path,
    seed: int | None = None,
    stage: Stage | None = None,
) -> RunOutput:
    """Simulate ``scenario`` (with ``seed`` replacing its demand seed) and write all outputs."""
    started = time.perf_counter()
    if seed is not None:
        scenario = scenario.model_copy(
            update={"demand": scenario.demand.model_copy(update={"seed": seed})}
        )
    seed = scenario.demand.seed

    def say(what: str, done: float = 0.0) -> None:
        if stage:
            stage(what, done)

    say("loading roads")
    roads = load_roads(scenario)
    vehicles = rostered_vehicles(scenario, roads)
    result = simulate_scenario(scenario, roads, say, vehicles)
    say("writing outputs", 1.0)
    out.mkdir(parents=True, exist_ok=True)
    kpis = compute_kpis(result, scenario.cost)
    (out / "kpis.json").write_text(json.dumps(kpis, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    write_trips_csv(result.trips, out / "trips.csv")
    note = run_note(scenario, vehicles)
    if result.synthetic_network:
        note = f"{SYNTHETIC_NOTE} {note}"
    write_report(result, kpis, out, note)
    write_map(result, roads.graph, out, service_area_outline(scenario), roads.path)
    seconds = time.perf_counter() - started
    run_meta = {
        "scenario": scenario.name,
        "seed": seed,
        "runtime_seconds": round(seconds, 3),
        "requests": kpis["requests"],
        "synthetic_network": result.synthetic_network,
        "network_source": scenario.network.source,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (out / "run.json").write_text(json.dumps(run_meta, indent=2) + "\n", encoding="utf-8")
    return RunOutput(out, kpis, result, seconds)
