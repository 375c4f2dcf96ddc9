"""The road a van drives to its next stop, for the driver's small map.

The path runs on the road network with the day's closures in force (the same closures the
dispatcher plans with: ``RoadNetwork.apply_closures`` is idempotent, and nothing awaits
between setting them and reading the path), from where the van is (its latest reported
position, else its depot) to its next planned stop.
"""

from __future__ import annotations

from pydantic import BaseModel

from api.schemas import LatLon
from api.views import lat_lon, stop_id
from maas.domain import StopKind
from maas.errors import InvalidInput
from maas.roads import RoadNetwork
from solver.dispatch import DispatchState


class NextLeg(BaseModel):
    """The van's next leg: ``path`` is ``[lat, lon]`` pairs along the roads (empty when the
    van has no stop left, or when closures cut the stop off: ``reachable`` false)."""

    vehicle_id: str
    stop_id: str | None
    origin: LatLon
    destination: LatLon | None
    path: list[tuple[float, float]]
    reachable: bool
    duration_s: int | None
    distance_m: int | None


def next_leg(network: RoadNetwork, state: DispatchState, vehicle_id: str) -> NextLeg:
    """The leg from the van's position to its next stop (the van must be in ``state``)."""
    vehicle = state.vehicle(vehicle_id)
    assert vehicle is not None
    here = vehicle.start_location
    stops = [s for s in state.plan.route(vehicle_id).stops if s.request_id in state.bookings]
    if not stops:
        return NextLeg(vehicle_id=vehicle_id, stop_id=None, origin=lat_lon(here),
                       destination=None, path=[], reachable=True, duration_s=None,
                       distance_m=None)
    stop = stops[0]
    request = state.bookings[stop.request_id].request
    there = request.origin if stop.kind is StopKind.PICKUP else request.destination
    network.apply_closures(list(state.closures))
    try:
        path = network.path(here, there)
    except InvalidInput:  # closures cut the stop off: say so, draw nothing
        return NextLeg(vehicle_id=vehicle_id, stop_id=stop_id(stop.request_id, stop.kind),
                       origin=lat_lon(here), destination=lat_lon(there), path=[],
                       reachable=False, duration_s=None, distance_m=None)
    return NextLeg(
        vehicle_id=vehicle_id, stop_id=stop_id(stop.request_id, stop.kind),
        origin=lat_lon(here), destination=lat_lon(there),
        path=[(round(lat, 6), round(lon, 6)) for lat, lon in path], reachable=True,
        duration_s=int(network.durations([here], [there])[0, 0]),
        distance_m=int(network.distances([here], [there])[0, 0]))
