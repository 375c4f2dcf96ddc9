"""Parcels in the simulated day (貨客混載): who ships what, what became of it, and what the
parcels cost and saved.

Shippers hand parcels in at the town's shops, the post office, the depot and farms; they go
to homes. ``generate_parcels`` draws them (seeded); the simulator ships them through the
dispatcher as the API does (``events.ShipParcel``) and records a ``ParcelRecord`` each.
``parcel_figures`` turns the day's van visits into the figures ``kpis.json`` reports: the
km of a separate delivery round for the parcels delivered (a truck from the depot, nearest
neighbour on the same network), the km the vans drove for the parcels, and the minutes the
parcel stops added to riders' waits and rides.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from maas.domain import Location
from maas.travel import TravelTimeSource
from scenarios.config import Scenario
from scenarios.demand import OriginSampler, RoadNetworkLike, network_places, population_grid
from scenarios.records import (
    ParcelFigures,
    ParcelRecord,
    ParcelStatus,
    SimulationResult,
    StopVisit,
)


@dataclass(frozen=True, slots=True)
class ParcelDemand:
    """One parcel: where and when it is handed in, where it goes, its size, and whether
    anybody will be home to take it."""

    id: str
    origin: Location
    destination: Location
    source: str  # post_office, shop, depot, farm
    handed_in_at: int
    kg: int
    litres: int
    nobody_home: bool


def generate_parcels(scenario: Scenario, network: RoadNetworkLike, depot: Location
                     ) -> list[ParcelDemand]:
    """The seeded parcels of one day: handed in between opening and the parcel section's
    last hand-in time at the post office (the town hall of the demo town), a shop (the
    network's other named places), the depot or a farm (a home drawn at random), and
    delivered to a home."""
    cfg = scenario.parcels
    if cfg is None or cfg.count == 0:
        return []
    rng = np.random.default_rng([cfg.seed, 16])
    homes = OriginSampler(network, population_grid(scenario))
    named = {a.name: network.snap(a.lat, a.lon) for a in network_places(network)}
    start, end = scenario.day_span
    last = min(end - 3600, start + int(cfg.handed_in_until_hours * 3600))
    shops = [loc for name, loc in named.items() if name not in ("depot", "town_hall")]
    post = named.get("town_hall", shops[0] if shops else depot)
    out: list[ParcelDemand] = []
    sources = ("post_office", "shop", "depot", "farm")
    share = np.array(cfg.source_shares, dtype=float)
    while len(out) < cfg.count:
        source = sources[int(rng.choice(4, p=share / share.sum()))]
        if source == "depot":
            origin = depot
        elif source == "farm" or (source == "shop" and not shops):
            origin = homes.draw(rng)
        elif source == "post_office":
            origin = post
        else:
            origin = shops[int(rng.integers(len(shops)))]
        destination = homes.draw(rng)
        if destination == origin:
            continue
        out.append(ParcelDemand(
            id=f"p{len(out) + 1:04d}", origin=origin, destination=destination, source=source,
            handed_in_at=int(rng.integers(start, max(start + 1, last))),
            kg=int(rng.integers(cfg.kg[0], cfg.kg[1] + 1)),
            litres=int(rng.integers(cfg.litres[0], cfg.litres[1] + 1)),
            nobody_home=bool(rng.random() < cfg.not_home_rate),
        ))
    out.sort(key=lambda p: (p.handed_in_at, p.id))
    return out


def nearest_neighbour_km(travel: TravelTimeSource, start: Location,
                         stops: Sequence[Location]) -> float:
    """Km of a round from ``start`` through ``stops`` (nearest next stop each time) and
    back: the separate delivery round a parcel truck would drive."""
    if not stops:
        return 0.0
    points = list(dict.fromkeys([start, *stops]))
    index = {p: i for i, p in enumerate(points)}
    metres = np.asarray(travel.distances(points, points), dtype=float)
    here = index[start]
    todo = {index[s] for s in stops} - {here}
    total = 0.0
    while todo:
        nxt = min(todo, key=lambda j: (metres[here, j], j))
        total += metres[here, nxt]
        todo.discard(nxt)
        here = nxt
    total += metres[here, index[start]]
    return total / 1000


def parcel_figures(result: SimulationResult, travel: TravelTimeSource,
                   parcels: dict[str, ParcelRecord], origins: dict[str, Location],
                   destinations: dict[str, Location], depot: Location,
                   rider_windows: dict[str, int]) -> ParcelFigures:
    """Truck km, van km for parcels and minutes added to riders (module docstring).

    The vans' parcel km: each van's driven km minus the km of its visits without the
    parcel stops (the same van, the same riders, in the same order). A parcel stop's cost
    to riders: its detour seconds plus handling; it adds to the ride of every rider on
    board then, and to the wait of the van's next pickup when that rider was picked up
    after the time they asked for (``rider_windows``: booking id -> wished pickup).
    """
    if not parcels:
        return ParcelFigures()
    delivered = [p for p in parcels.values() if p.status is ParcelStatus.DELIVERED]
    # One truck round: collect at the distinct pickup points, then deliver.
    pickups = list(dict.fromkeys(origins[p.id] for p in delivered))
    drops = [destinations[p.id] for p in delivered]
    truck = 0.0
    if delivered:
        truck = nearest_neighbour_km(travel, depot, pickups) + \
            nearest_neighbour_km(travel, depot, drops)
    by_van: dict[str, list[StopVisit]] = {}
    for v in result.visits:
        by_van.setdefault(v.vehicle_id, []).append(v)
    van_km = 0.0
    ride_added = 0.0
    wait_added = 0.0
    affected: set[str] = set()
    riders = {t.request_id: t for t in result.trips}
    for vid, visits in by_van.items():
        visits.sort(key=lambda v: (v.arrive, v.start))
        driven = [v.location for v in visits]
        plain = [v.location for v in visits if v.request_id not in parcels]
        van_km += (_path_km(travel, driven) - _path_km(travel, plain))
        for k, v in enumerate(visits):
            if v.request_id not in parcels:
                continue
            prev = visits[k - 1].location if k > 0 else v.location
            nxt = visits[k + 1].location if k + 1 < len(visits) else v.location
            secs = _secs(travel, prev, v.location) + _secs(travel, v.location, nxt) - \
                _secs(travel, prev, nxt) + (v.end - v.start)
            for rid, trip in riders.items():
                if (trip.picked_by == vid and trip.boarded_at is not None
                        and trip.dropoff_at is not None
                        and trip.boarded_at <= v.start < trip.dropoff_at):
                    ride_added += secs
                    affected.add(rid)
            later = next((w for w in visits[k + 1:] if w.request_id not in parcels), None)
            if later is not None and later.kind == "pickup" and later.request_id in riders:
                trip = riders[later.request_id]
                wished = rider_windows.get(later.request_id)
                if trip.pickup_at is not None and wished is not None:
                    late = trip.pickup_at - wished
                    if late > 0:
                        wait_added += min(late, max(0, secs))
                        affected.add(later.request_id)
    return ParcelFigures(round(truck, 3), round(max(0.0, van_km), 3),
                         round(wait_added / 60, 2), round(ride_added / 60, 2), len(affected))


def _secs(travel: TravelTimeSource, a: Location, b: Location) -> float:
    if a == b:
        return 0.0
    return float(travel.durations([a], [b])[0, 0])


def _path_km(travel: TravelTimeSource, points: Sequence[Location]) -> float:
    pts = [p for k, p in enumerate(points) if k == 0 or p != points[k - 1]]
    if len(pts) < 2:
        return 0.0
    unique = list(dict.fromkeys(pts))
    idx = {p: i for i, p in enumerate(unique)}
    metres = np.asarray(travel.distances(unique, unique), dtype=float)
    return float(sum(metres[idx[a], idx[b]] for a, b in itertools.pairwise(pts))) / 1000
