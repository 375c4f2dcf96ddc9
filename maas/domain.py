"""Frozen domain objects shared by the solver, the dispatcher, the API and the simulator.

Units inside the engine: integer seconds for times and durations, integer metres for
distances. Times of day are seconds since midnight of the service day (local time);
conversion to and from clock times and ISO 8601 happens at the edges only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from math import floor

from maas.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Location:
    """A place on the road network, usually the snapped position of an address.

    ``edge`` is the directed edge ``(u, v, key)`` of the road graph the point lies on and
    ``offset`` the fraction of that edge's length from ``u`` (0 = at ``u``). Sources that
    are not road graphs (the Euclidean benchmark plane) leave ``edge`` as ``None`` and use
    ``lon``/``lat`` as x/y. Locations are hashable: they key travel-time caches.
    """

    lat: float
    lon: float
    edge: tuple[int, int, int] | None = None
    offset: float = 0.0
    snap_distance_m: float = 0.0


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A closed interval ``[earliest, latest]`` of times in seconds."""

    earliest: int
    latest: int

    def __post_init__(self) -> None:
        if self.latest < self.earliest:
            msg = f"time window ends ({self.latest}) before it starts ({self.earliest})"
            raise InvalidInput(msg)

    def contains(self, t: int) -> bool:
        """Whether ``t`` lies inside the window."""
        return self.earliest <= t <= self.latest

    @property
    def width(self) -> int:
        """Length of the window in seconds."""
        return self.latest - self.earliest


OPEN_DAY = TimeWindow(0, 10 * 86_400)


class StopKind(StrEnum):
    """What happens at a stop."""

    PICKUP = "pickup"
    DROPOFF = "dropoff"


@dataclass(frozen=True, slots=True)
class RideTimePolicy:
    """Maximum ride time as ``a + b * direct`` seconds (e.g. 10 min + 1.5 x direct)."""

    a_seconds: int = 600
    b: float = 1.5

    def limit(self, direct_seconds: int) -> int:
        """Maximum ride time for a trip whose direct travel time is ``direct_seconds``."""
        return int(self.a_seconds + floor(self.b * direct_seconds))


@dataclass(frozen=True, slots=True)
class Request:
    """A ride request as the operator plans it.

    ``pickup`` bounds the start of boarding at the origin; ``dropoff`` bounds the start of
    alighting at the destination (an arrive-by request has a tight ``dropoff.latest``).
    ``max_ride`` bounds the time from the end of boarding to the start of alighting.
    ``board`` and ``alight`` are the rider's service times at each end (longer for a
    wheelchair with a lift).

    A parcel (貨客混載) is a request with no passenger and no wheelchair but a cargo load
    (``cargo_kg``, ``cargo_litres``): ``board``/``alight`` are then its handling times,
    its windows are long and its ``max_ride`` is no real limit (see ``maas.parcels``).
    """

    id: str
    origin: Location
    destination: Location
    pickup: TimeWindow
    dropoff: TimeWindow
    max_ride: int
    passengers: int = 1
    wheelchairs: int = 0
    board: int = 60
    alight: int = 60
    cargo_kg: int = 0
    cargo_litres: int = 0

    def __post_init__(self) -> None:
        if min(self.passengers, self.wheelchairs, self.cargo_kg, self.cargo_litres) < 0:
            msg = f"request {self.id}: loads must not be negative"
            raise InvalidInput(msg)
        if self.passengers + self.wheelchairs < 1 and self.cargo_kg + self.cargo_litres < 1:
            msg = (f"request {self.id}: needs at least one passenger or wheelchair place, "
                   "or a cargo load")
            raise InvalidInput(msg)
        if self.max_ride < 0 or self.board < 0 or self.alight < 0:
            msg = f"request {self.id}: ride and service times must not be negative"
            raise InvalidInput(msg)

    @property
    def is_parcel(self) -> bool:
        """Whether this is a parcel (cargo only, nobody rides)."""
        return self.passengers == 0 and self.wheelchairs == 0


@dataclass(frozen=True, slots=True)
class VehicleType:
    """A van model: seats for walking riders, places for wheelchairs and cargo space
    (``cargo_kg`` payload and ``cargo_litres`` volume for parcels; seats folded into cargo
    space for a service day are already counted here, see ``maas.service``)."""

    name: str = "hiace"
    seats: int = 9
    wheelchair_places: int = 1
    cargo_kg: int = 0
    cargo_litres: int = 0


@dataclass(frozen=True, slots=True)
class Break:
    """A driver break of ``duration`` seconds that must start inside ``window``."""

    window: TimeWindow
    duration: int


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A van on shift.

    A van that is already on the road has ``position`` (where it is, or where it will next
    be free) and ``available_at`` (when it is free there); ``onboard`` lists the requests
    whose riders sit in it now, whose drop-offs must stay on this van's route. ``end``
    defaults to the depot.
    """

    id: str
    type: VehicleType
    depot: Location
    shift: TimeWindow
    position: Location | None = None
    available_at: int | None = None
    onboard: tuple[str, ...] = ()
    end: Location | None = None
    max_duration: int | None = None
    break_: Break | None = None

    @property
    def start_location(self) -> Location:
        """Where the van's remaining route starts."""
        return self.position if self.position is not None else self.depot

    @property
    def start_time(self) -> int:
        """Earliest time the van's remaining route can start."""
        if self.available_at is None:
            return self.shift.earliest
        return max(self.available_at, self.shift.earliest)

    @property
    def end_location(self) -> Location:
        """Where the van must finish its shift."""
        return self.end if self.end is not None else self.depot


@dataclass(frozen=True, slots=True)
class Stop:
    """One visit of a van: the pickup or drop-off of one request.

    A ``locked`` stop is already under way (the van is driving to it or serving it): plans
    may not move it from the head of its route.
    """

    request_id: str
    kind: StopKind
    locked: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    """The ordered stops a van still has to make."""

    vehicle_id: str
    stops: tuple[Stop, ...] = ()


@dataclass(frozen=True, slots=True)
class Plan:
    """Routes for every van (in fleet order) and the requests left unserved."""

    routes: tuple[Route, ...]
    unserved: tuple[str, ...] = ()

    def route(self, vehicle_id: str) -> Route:
        """The route of one van (empty if the plan has none for it)."""
        for route in self.routes:
            if route.vehicle_id == vehicle_id:
                return route
        return Route(vehicle_id)

    def vehicle_of(self, request_id: str) -> str | None:
        """The van whose route serves ``request_id``, if any."""
        for route in self.routes:
            if any(s.request_id == request_id for s in route.stops):
                return route.vehicle_id
        return None


@dataclass(frozen=True, slots=True)
class CostWeights:
    """Objective: vehicle travel time + ``ride_time`` x rider ride time + rejections."""

    travel_time: float = 1.0
    ride_time: float = 0.2
    rejection: float = 100_000.0


@dataclass(frozen=True)
class Problem:
    """Everything a plan is judged against: who asks, which vans, and at what weights."""

    requests: Mapping[str, Request]
    vehicles: tuple[Vehicle, ...]
    weights: CostWeights = field(default_factory=CostWeights)

    def vehicle(self, vehicle_id: str) -> Vehicle:
        """The van with this id."""
        for v in self.vehicles:
            if v.id == vehicle_id:
                return v
        msg = f"unknown vehicle {vehicle_id!r}"
        raise KeyError(msg)
