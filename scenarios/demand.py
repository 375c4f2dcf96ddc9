"""Seeded demand of one service day: who travels, from where, to where, when, booked how.

Origins lie where people live (residential road length, or a population grid when the
scenario has one); destinations are attractors chosen by trip purpose; departure times follow
a time-of-day profile per purpose. Rider behaviour (declining an offer, cancelling, not
showing up) is drawn here too, up front, so a run does not depend on event order.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from maas.domain import Location
from maas.errors import InvalidInput, OffNetworkError
from scenarios.config import Attractor, PopulationCell, Scenario

RESIDENTIAL_CLASSES = frozenset({"residential", "living_street", "unclassified", "service"})

# Hourly weights (00..23) of outbound trips by purpose for rural elderly riders: a morning
# clinic peak, midday shopping, errands in office hours, station trips around trains.
_ELDERLY_PROFILES: dict[str, list[float]] = {
    "clinic": [0.0] * 7 + [2, 6, 8, 6, 3, 1, 1, 2, 2, 1] + [0] * 7,
    "shopping": [0] * 7 + [0, 1, 2, 4, 6, 6, 4, 3, 2, 1, 0.5] + [0] * 6,
    "errands": [0] * 7 + [0, 1, 3, 3, 2, 1, 2, 2, 1, 0.5] + [0] * 6 + [0],
    "station": [0] * 6 + [1, 4, 3, 1, 1, 1, 1, 1, 1, 2, 3, 2, 1, 0.5] + [0] * 4,
    "other": [0] * 7 + [1, 2, 3, 3, 3, 3, 3, 3, 2, 2, 1, 0.5] + [0] * 5,
}
_PURPOSE_SHARE = {"clinic": 0.35, "shopping": 0.3, "errands": 0.15, "station": 0.1, "other": 0.1}
_FLAT = [1.0] * 24
_RETURN_SHARE = 0.45  # trips that bring a rider home after the activity
_STAY_SECONDS = {"clinic": (3600, 9000), "shopping": (1800, 5400), "errands": (1800, 5400),
                 "station": (14400, 28800), "other": (3600, 10800)}
_PURPOSE_WORDS = {
    "clinic": ("clinic", "hospital", "medical", "doctor", "病院", "医院", "診療所", "クリニック"),
    "shopping": ("shop", "super", "market", "store", "mall", "スーパー", "店"),
    "errands": ("hall", "office", "post", "bank", "library", "役場", "役所", "郵便局"),
    "station": ("station", "駅", "bus", "terminal"),
}


class RoadNetworkLike(Protocol):
    """What demand generation needs of ``maas.roads.RoadNetwork``."""

    graph: Any

    def snap(self, lat: float, lon: float) -> Location: ...


@dataclass(frozen=True, slots=True)
class TripDemand:
    """One rider's wish and behaviour, fixed before the day starts.

    ``desired_pickup`` is when the rider wants to leave; ``requested_at`` when they ask
    (the prebooking cut-off for prebooked trips; the same moment for an ``asap`` ask, which
    wants a van as soon as possible). ``decline_draw`` is compared with the
    offer's delay to decide acceptance; ``cancel_at`` (if any) is when they cancel.
    """

    id: str
    origin: Location
    destination: Location
    purpose: str
    outbound: bool
    desired_pickup: int
    requested_at: int
    prebooked: bool
    asap: bool
    passengers: int
    wheelchairs: int
    board: int
    alight: int
    no_show: bool
    cancel_at: int | None
    decline_draw: float
    walk_metres: int = 0


@dataclass(frozen=True, slots=True)
class Place:
    """An attractor resolved to the network, with its purpose."""

    name: str
    purpose: str
    weight: float
    location: Location


def purpose_of(name: str, explicit: str | None = None) -> str:
    """The trip purpose of a place, from its configured purpose or its name."""
    if explicit:
        return explicit
    lowered = name.lower()
    for purpose, words in _PURPOSE_WORDS.items():
        if any(w in lowered for w in words):
            return purpose
    return "other"


def network_places(network: RoadNetworkLike) -> list[Attractor]:
    """Named places the network itself knows (the demo town's clinic, station...)."""
    raw = getattr(network.graph, "graph", {}).get("places") or {}
    items = raw.items() if isinstance(raw, dict) else enumerate(raw)
    places = []
    for key, value in items:
        name, lat, lon = str(key), None, None
        if isinstance(value, dict):
            name = str(value.get("name", key))
            lat, lon = value.get("lat", value.get("y")), value.get("lon", value.get("x"))
        elif isinstance(value, (tuple, list)) and len(value) >= 2:
            lat, lon = value[0], value[1]
        elif hasattr(value, "lat"):
            name = str(getattr(value, "name", key))
            lat, lon = value.lat, value.lon
        if lat is not None and lon is not None:
            places.append(Attractor(name=name, lat=float(lat), lon=float(lon)))
    return places


def resolve_places(scenario: Scenario, network: RoadNetworkLike) -> list[Place]:
    """The scenario's attractors (or the network's named places), snapped to roads."""
    configured = list(scenario.demand.attractors) or network_places(network)
    places = []
    for a in configured:
        try:
            loc = network.snap(a.lat, a.lon)
        except OffNetworkError as exc:
            msg = f"demand.attractors: {a.name}: {exc}"
            raise InvalidInput(msg) from exc
        places.append(Place(a.name, purpose_of(a.name, a.purpose), a.weight, loc))
    return places


class OriginSampler:
    """Draws home locations: along residential roads by length, or from a population grid."""

    def __init__(
        self, network: RoadNetworkLike, grid: Sequence[PopulationCell] | None = None
    ) -> None:
        self.network = network
        self.grid = list(grid) if grid else []
        if self.grid:
            weights = np.array([c.population for c in self.grid], dtype=float)
            if weights.sum() <= 0:
                msg = "demand.population_grid: total population is zero"
                raise InvalidInput(msg)
            self.weights = weights / weights.sum()
        else:
            self.edges, self.weights = _residential_edges(network.graph)

    def draw(self, rng: np.random.Generator) -> Location:
        """One seeded home location on the network."""
        for _ in range(50):
            lat, lon = self._point(rng)
            try:
                return self.network.snap(lat, lon)
            except OffNetworkError:
                continue
        msg = "demand: could not place a home on the network after 50 tries"
        raise InvalidInput(msg)

    def _point(self, rng: np.random.Generator) -> tuple[float, float]:
        if self.grid:
            cell = self.grid[int(rng.choice(len(self.grid), p=self.weights))]
            # Jitter about 150 m around the cell centre so riders do not share one door.
            dlat = rng.normal(0, 150) / 111_000
            dlon = rng.normal(0, 150) / (111_000 * math.cos(math.radians(cell.lat)))
            return cell.lat + dlat, cell.lon + dlon
        u, v, data = self.edges[int(rng.choice(len(self.edges), p=self.weights))]
        return _point_on_edge(self.network.graph, u, v, data, float(rng.random()))


class MeetingPoints:
    """Meeting points of a stop-based service; a rider walks to the nearest one in reach."""

    def __init__(self, network: RoadNetworkLike, points: Sequence[tuple[float, float]],
                 walk_max_m: float) -> None:
        from scipy.spatial import cKDTree

        if not points:
            msg = "demand.meeting_points: no meeting points"
            raise InvalidInput(msg)
        self.network = network
        self.points = list(points)
        self.walk_max_m = walk_max_m
        self.lat0 = float(np.mean([p[0] for p in points]))
        self.tree = cKDTree(np.array([self._xy(lat, lon) for lat, lon in points]))
        self._snapped: dict[int, Location | None] = {}

    def _xy(self, lat: float, lon: float) -> tuple[float, float]:
        return lon * 111_320 * math.cos(math.radians(self.lat0)), lat * 110_540

    def nearest(self, home: Location) -> tuple[Location, int] | None:
        """The meeting point for a rider living at ``home`` and the walk in metres."""
        dist, index = self.tree.query(self._xy(home.lat, home.lon),
                                      distance_upper_bound=self.walk_max_m)
        if not np.isfinite(dist):
            return None
        i = int(index)
        if i not in self._snapped:
            try:
                self._snapped[i] = self.network.snap(*self.points[i])
            except OffNetworkError:
                self._snapped[i] = None
        stop = self._snapped[i]
        return None if stop is None else (stop, round(float(dist)))


def junctions(graph: Any) -> list[tuple[float, float]]:
    """``(lat, lon)`` of road junctions: nodes where three or more roads meet."""
    out = []
    for node, data in graph.nodes(data=True):
        neighbours = set(graph.successors(node)) | set(graph.predecessors(node))
        if len(neighbours) >= 3:
            out.append((float(data["y"]), float(data["x"])))
    return out


def meeting_points(scenario: Scenario, network: RoadNetworkLike) -> MeetingPoints | None:
    """The scenario's meeting points, or None for a door-to-door service."""
    spec = scenario.demand.meeting_points
    if spec is None:
        return None
    points = junctions(network.graph) if spec == "intersections" else [
        (p.lat, p.lon) for p in spec]
    return MeetingPoints(network, points, scenario.demand.walk_max_m)


def _residential_edges(graph: Any) -> tuple[list[tuple[Any, Any, dict]], np.ndarray]:
    edges, lengths = [], []
    fallback, fallback_lengths = [], []
    for u, v, data in graph.edges(data=True):
        highway = data.get("highway")
        classes = set(highway) if isinstance(highway, list) else {highway}
        length = float(data.get("length", 0.0))
        fallback.append((u, v, data))
        fallback_lengths.append(length)
        if classes & RESIDENTIAL_CLASSES:
            edges.append((u, v, data))
            lengths.append(length)
    if not edges or sum(lengths) <= 0:
        edges, lengths = fallback, fallback_lengths
    weights = np.array(lengths, dtype=float)
    if weights.sum() <= 0:
        msg = "demand: the road network has no road length to place homes on"
        raise InvalidInput(msg)
    return edges, weights / weights.sum()


def _point_on_edge(graph: Any, u: Any, v: Any, data: dict, fraction: float) -> tuple[float, float]:
    geometry = data.get("geometry")
    if geometry is not None:
        point = geometry.interpolate(fraction, normalized=True)
        return float(point.y), float(point.x)
    a, b = graph.nodes[u], graph.nodes[v]
    return (
        a["y"] + fraction * (b["y"] - a["y"]),
        a["x"] + fraction * (b["x"] - a["x"]),
    )


def _hour_profile(profile: str, purpose: str) -> list[float]:
    if profile == "flat":
        return _FLAT
    return _ELDERLY_PROFILES.get(purpose, _ELDERLY_PROFILES["other"])


def _draw_time(
    rng: np.random.Generator, weights: Sequence[float], window: tuple[int, int]
) -> int | None:
    """A second of the day drawn from hourly weights, inside ``window``."""
    start, end = window
    w = np.array(
        [
            weights[h] * max(0, min(end, (h + 1) * 3600) - max(start, h * 3600))
            for h in range(24)
        ],
        dtype=float,
    )
    if w.sum() <= 0:
        return None
    hour = int(rng.choice(24, p=w / w.sum()))
    lo, hi = max(start, hour * 3600), min(end, (hour + 1) * 3600)
    return int(rng.integers(lo, hi)) if hi > lo else lo


def generate_demand(scenario: Scenario, network: RoadNetworkLike) -> list[TripDemand]:
    """The seeded trips of one day (sorted by the time riders ask)."""
    d, sim = scenario.demand, scenario.simulation
    rng = np.random.default_rng(d.seed)
    shift_start, shift_end = scenario.day_span
    cutoff = scenario.prebook_cutoff_seconds
    # Riders ask for pickups that leave time to reach the destination before the shift ends.
    window = (shift_start, max(shift_start + 60, shift_end - 3600))
    grid = population_grid(scenario)
    origins = OriginSampler(network, grid)
    stops = meeting_points(scenario, network)
    places = resolve_places(scenario, network)
    count = d.requests if d.exact_count else int(rng.poisson(d.requests))
    purposes = list(_PURPOSE_SHARE)
    purpose_p = np.array(list(_PURPOSE_SHARE.values()))
    trips: list[TripDemand] = []
    while len(trips) < count:
        purpose = str(rng.choice(purposes, p=purpose_p))
        home = origins.draw(rng)
        matching = [p for p in places if p.purpose == purpose] or places
        if matching:
            pw = np.array([p.weight for p in matching], dtype=float)
            place = matching[int(rng.choice(len(matching), p=pw / pw.sum()))].location
        else:
            place = origins.draw(rng)
        leave = _draw_time(rng, _hour_profile(d.profile, purpose), window)
        outbound = bool(rng.random() >= _RETURN_SHARE)
        if leave is not None and not outbound:
            lo, hi = _STAY_SECONDS.get(purpose, _STAY_SECONDS["other"])
            leave = leave + int(rng.integers(lo, hi))
        if leave is None or leave > window[1] or home == place:
            continue
        prebooked = bool(rng.random() < d.prebooked_share)
        lead_lo, lead_hi = sim.immediate_lead_minutes
        lead = int(rng.uniform(min(lead_lo, lead_hi), max(lead_lo, lead_hi)) * 60)
        # Some immediate riders ask for a van as soon as possible, when they want to go.
        asap = (not prebooked) and bool(rng.random() < sim.asap_share)
        asked = leave if asap else leave - lead
        requested_at = cutoff if prebooked else max(cutoff, asked)
        wheelchair = bool(rng.random() < d.wheelchair_share)
        walk = 0
        stop = stops.nearest(home) if stops is not None and not wheelchair else None
        if stop is not None:
            home, walk = stop
            if home == place:
                continue  # the meeting point is the destination itself: nobody rides
        origin, destination = (home, place) if outbound else (place, home)
        group = (not wheelchair) and bool(rng.random() < d.group_share)
        slow = bool(rng.random() < 0.5)  # an elderly rider with a cane boards slowly
        board = 300 if wheelchair else (120 if slow else 60)
        cancels = bool(rng.random() < sim.cancel_rate)
        cancel_at = None
        if cancels:
            # A minute after asking at the soonest, so the booking exists by then.
            cancel_at = int(rng.integers(requested_at + 60, max(requested_at + 61, leave - 300)))
        trips.append(
            TripDemand(
                id=f"r{len(trips) + 1:04d}",
                origin=origin,
                destination=destination,
                purpose=purpose,
                outbound=outbound,
                desired_pickup=int(leave),
                requested_at=int(requested_at),
                prebooked=prebooked,
                asap=asap and requested_at == leave,
                passengers=0 if wheelchair else (2 if group else 1),
                wheelchairs=1 if wheelchair else 0,
                board=board,
                alight=board,
                no_show=bool(rng.random() < sim.no_show_rate),
                cancel_at=cancel_at,
                decline_draw=float(rng.random()),
                walk_metres=walk,
            )
        )
    trips.sort(key=lambda t: (t.requested_at, t.desired_pickup, t.id))
    return trips


def population_grid(scenario: Scenario) -> list[PopulationCell] | None:
    grid = scenario.demand.population_grid
    if grid is None:
        return None
    if isinstance(grid, str):
        return read_population_csv(scenario.resolve_path(grid))
    return list(grid)


def read_population_csv(path: Any) -> list[PopulationCell]:
    """A population grid from a CSV with columns ``lat,lon,population``."""
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    try:
        return [
            PopulationCell(lat=float(r["lat"]), lon=float(r["lon"]),
                           population=float(r["population"]))
            for r in rows
        ]
    except (KeyError, ValueError) as exc:
        msg = f"demand.population_grid: {path}: needs columns lat,lon,population ({exc})"
        raise InvalidInput(msg) from exc
