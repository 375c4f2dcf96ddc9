"""Small hand-made problems on a plane where one unit takes one minute."""

from __future__ import annotations

from maas.domain import (
    CostWeights,
    Location,
    Problem,
    Request,
    TimeWindow,
    Vehicle,
    VehicleType,
)
from maas.travel import EuclideanTravel

MINUTE = 60
TRAVEL = EuclideanTravel(scale=MINUTE)
DAY = TimeWindow(0, 12 * 3600)
VAN = VehicleType("hiace", seats=4, wheelchair_places=0)
LIFT_VAN = VehicleType("lift", seats=4, wheelchair_places=1)


def at(x: float, y: float) -> Location:
    """A point of the plane."""
    return Location(lat=y, lon=x)


def request(rid: str, origin: tuple[float, float], destination: tuple[float, float],
            pickup: tuple[int, int] = (0, 720), max_ride: int = 3600,
            wheelchairs: int = 0, passengers: int = 1) -> Request:
    """A request with a pickup window in minutes and a generous drop-off window."""
    return Request(rid, at(*origin), at(*destination),
                   pickup=TimeWindow(pickup[0] * MINUTE, pickup[1] * MINUTE),
                   dropoff=DAY, max_ride=max_ride, passengers=passengers,
                   wheelchairs=wheelchairs, board=60, alight=60)


def van(vid: str, kind: VehicleType = VAN, **kwargs: object) -> Vehicle:
    """A van at the origin depot on a 12-hour shift."""
    return Vehicle(vid, kind, at(0, 0), DAY, **kwargs)  # type: ignore[arg-type]


def problem(requests: list[Request], vehicles: list[Vehicle]) -> Problem:
    """A problem with the default weights and a high rejection penalty."""
    return Problem({r.id: r for r in requests}, tuple(vehicles),
                   CostWeights(travel_time=1.0, ride_time=0.2, rejection=100_000.0))
