"""The live state of one service area and the promises it holds.

Everything here is frozen and made of domain objects, tuples and plain dicts, so that the API
can pickle a state into Redis and the simulator can keep every past state. Nothing in this
module computes; ``solver.dispatch.dispatcher`` does the transitions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from maas.domain import Location, Plan, Request, Route, TimeWindow, Vehicle
from maas.meeting import Walk
from solver.dispatch.connections import Connection


class BookingStatus(StrEnum):
    """Where a confirmed booking stands."""

    CONFIRMED = "confirmed"
    ONBOARD = "onboard"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    RETURNED = "returned"  # a parcel nobody took at its address, brought back


ACTIVE_STATUSES = frozenset({BookingStatus.CONFIRMED, BookingStatus.ONBOARD})


@dataclass(frozen=True, slots=True)
class Promise:
    """What the rider was told: a pickup window, a latest drop-off and a maximum ride time."""

    pickup: TimeWindow
    dropoff_by: int
    max_ride: int


@dataclass(frozen=True, slots=True)
class Booking:
    """A confirmed ride, or an accepted parcel. ``request`` carries the promise (its pickup
    window, drop-off window and ``max_ride``); it never changes after confirmation.

    For a parcel (``request.is_parcel``) ``rider_id`` is the shipper; ``vehicle_id`` is ""
    while the parcel waits for a van (no plan holds it); ``return_to`` is set once delivery
    failed (nobody home): the parcel then rides to that point by ``return_by`` and ends
    ``RETURNED``.
    """

    id: str
    rider_id: str | None
    request: Request
    vehicle_id: str
    status: BookingStatus = BookingStatus.CONFIRMED
    confirmed_at: int = 0
    picked_up_at: int | None = None
    dropped_off_at: int | None = None
    # Appended for issue 16: an evacuation ride (disaster mode), and a rider whose no-show is
    # a welfare signal (living alone or elderly): copied from the ask at confirmation.
    evacuation: bool = False
    welfare: bool = False
    return_to: Location | None = None
    return_by: int = 0
    # A train this ride connects with (its deadline is in ``request``; a delay of an
    # arriving train moves the request: the one change a promise takes after confirmation).
    connection: Connection | None = None
    # A van that reported arriving at the pickup before the plan's boarding time, where
    # boarding at once would break the rider's ride limit: the rider boards from this time
    # (the driver's manifest says so), and the limit counts from it until "picked_up".
    board_from: int | None = None

    @property
    def is_parcel(self) -> bool:
        """Whether this booking is a parcel."""
        return self.request.is_parcel

    @property
    def waiting(self) -> bool:
        """Whether this is a parcel accepted but on no van's route (it waits for room)."""
        return (self.status is BookingStatus.CONFIRMED and self.vehicle_id == ""
                and self.request.is_parcel)

    @property
    def promise(self) -> Promise:
        """The promise made to the rider."""
        r = self.request
        return Promise(r.pickup, r.dropoff.latest, r.max_ride)

    @property
    def active(self) -> bool:
        """Whether the booking still needs a van (confirmed or on board)."""
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True, slots=True)
class RideAsk:
    """A rider's question "can you take me?", with snapped locations.

    Give ``pickup_after`` (earliest pickup), ``arrive_before`` (appointment), or neither
    (as soon as possible from ``now``). ``board``/``alight`` override the policy's service
    times for this rider (e.g. a rider with a cane). ``connect`` names a train to catch at
    the destination (``kind`` departure) or to come off at the origin (arrival); the
    dispatcher turns it into ``arrive_before`` or ``pickup_after``
    (``solver.dispatch.connections``).

    Meeting points (``maas.meeting``): ``origin_walks``/``destination_walks`` are the places
    a van may meet the rider at each end (empty: ``origin``/``destination`` themselves);
    the offer picks one of each. ``pickup_walk``/``dropoff_walk`` are the places chosen
    (an offer's ask has them, and its ``origin``/``destination`` are theirs): the rider
    reaches the pickup ``pickup_walk.walk_s`` after the asked time, and walks
    ``dropoff_walk.walk_s`` after the drop-off (an appointment counts it).
    """

    origin: Location
    destination: Location
    passengers: int = 1
    wheelchairs: int = 0
    pickup_after: int | None = None
    arrive_before: int | None = None
    now: int = 0
    rider_id: str | None = None
    board: int | None = None
    alight: int | None = None
    welfare: bool = False  # a no-show of this rider alerts the operator (issue 16)
    connect: Connection | None = None
    origin_walks: tuple[Walk, ...] = ()
    destination_walks: tuple[Walk, ...] = ()
    pickup_walk: Walk | None = None
    dropoff_walk: Walk | None = None

    @property
    def walk_to_s(self) -> int:
        """Seconds from the asked point to the chosen pickup place."""
        return self.pickup_walk.walk_s if self.pickup_walk is not None else 0

    @property
    def walk_from_s(self) -> int:
        """Seconds from the chosen drop-off place to the asked destination."""
        return self.dropoff_walk.walk_s if self.dropoff_walk is not None else 0


@dataclass(frozen=True, slots=True)
class ParcelAsk:
    """A shipper's parcel, with snapped locations: collect it at ``origin`` from
    ``pickup_after`` (default: now) and deliver it at ``destination`` by ``deliver_by``
    (default: the service file's parcel window, "today" = closing time)."""

    origin: Location
    destination: Location
    kg: int
    litres: int
    pickup_after: int | None = None
    deliver_by: int | None = None
    now: int = 0
    shipper_id: str | None = None


@dataclass(frozen=True, slots=True)
class Offer:
    """A feasible insertion offered to a rider; it holds no seat until confirmed."""

    id: str
    ask: RideAsk
    vehicle_id: str
    pickup: TimeWindow
    dropoff_by: int
    max_ride: int
    expires_at: int
    planned_pickup: int = 0
    planned_dropoff: int = 0
    board: int = 60
    alight: int = 60

    @property
    def pickup_point(self) -> Walk | None:
        """Where the rider boards (None: an offer made without meeting points)."""
        return self.ask.pickup_walk

    @property
    def dropoff_point(self) -> Walk | None:
        """Where the rider alights (None: an offer made without meeting points)."""
        return self.ask.dropoff_walk

    def request(self, booking_id: str) -> Request:
        """The request (with this offer's promise) a confirmation commits as ``booking_id``."""
        return Request(
            id=booking_id,
            origin=self.ask.origin,
            destination=self.ask.destination,
            pickup=self.pickup,
            dropoff=TimeWindow(self.pickup.earliest, self.dropoff_by),
            max_ride=self.max_ride,
            passengers=self.ask.passengers,
            wheelchairs=self.ask.wheelchairs,
            board=self.board,
            alight=self.alight,
        )


class RejectionReason(StrEnum):
    """Why an ask or an event was turned down (the value is the stable machine code).

    An offer is refused for one of six reasons, checked in this order: a point outside the
    area, a time outside the hours, no van of the fleet with enough wheelchair places, no van
    with enough seats for the group, no open road between the points (closures), and no
    capacity: every van that could carry the group is busy at the asked time.
    ``no_meeting_point`` is the caller's (API, simulator): a stop-based rider with no meeting
    point within the walk limit, when the service refuses such rides (``maas.meeting``).
    """

    OUTSIDE_AREA = "outside_area"
    OUTSIDE_HOURS = "outside_hours"
    NO_WHEELCHAIR_VEHICLE = "no_wheelchair_vehicle"
    GROUP_TOO_LARGE = "group_too_large"
    UNREACHABLE = "unreachable"
    NO_CAPACITY = "no_capacity"
    NO_MEETING_POINT = "no_meeting_point"
    TOO_LATE = "too_late"
    OFFER_EXPIRED = "offer_expired"
    NO_LONGER_FEASIBLE = "no_longer_feasible"
    DUPLICATE_BOOKING = "duplicate_booking"
    PAUSED_FOR_EVACUATION = "paused_for_evacuation"
    BUMPED_FOR_EVACUATION = "bumped_for_evacuation"
    UNKNOWN_BOOKING = "unknown_booking"
    UNKNOWN_VEHICLE = "unknown_vehicle"
    INVALID_EVENT = "invalid_event"
    PARCEL_TOO_LARGE = "parcel_too_large"
    # Former names, kept as aliases of the codes that replaced them.
    OUTSIDE_SERVICE_AREA = "outside_area"
    OUTSIDE_OPERATING_HOURS = "outside_hours"
    NO_VEHICLE = "no_capacity"


@dataclass(frozen=True, slots=True)
class Alternative:
    """A time that can be served instead of the asked one: ask again with ``pickup_after``
    (or, for an appointment, ``arrive_before``); ``pickup`` and ``dropoff`` are the
    estimated times of that ride on the plan of the moment."""

    pickup: int
    dropoff: int
    pickup_after: int | None = None
    arrive_before: int | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """No offer: why (a code and words) and what could be served instead.

    ``alternatives`` holds up to the policy's count of times before and after the asked one
    (for an appointment: earlier arrivals), soonest first within each side;
    ``alternative`` is the earliest later pickup among them (``pickup_after`` to ask
    again), kept for callers that offer one time.
    """

    reason: RejectionReason
    message: str
    alternative: int | None = None
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True, slots=True)
class Evacuee:
    """Someone to take from home (``origin``, snapped) to the nearest reachable shelter.

    ``id`` becomes the evacuation ride's booking id; ``needs_help`` (a wheelchair, living
    alone, registered as needing help) puts them before the others.
    """

    id: str
    origin: Location
    rider_id: str | None = None
    passengers: int = 1
    wheelchairs: int = 0
    needs_help: bool = False


@dataclass(frozen=True, slots=True)
class DisasterMode:
    """A declared event: the closures it applied at once (by id), when, and whether the
    fleet evacuates (``shelters``: where to; ``waiting``: evacuees no van could take yet,
    tried again on every tick; ``pickup_within``: how far ahead an evacuation pickup may
    be planned)."""

    event_id: str
    name: str
    closure_ids: tuple[str, ...]
    started_at: int
    evacuation: bool = False
    shelters: tuple[Location, ...] = ()
    waiting: tuple[Evacuee, ...] = ()
    pickup_within: int = 3_600


@dataclass(frozen=True)
class DispatchState:
    """One service area at one moment: vans, the live plan, bookings, closures.

    ``disaster`` is the declared event in force (its closures are among ``closures``), with
    its evacuation mode: ordinary bookings are refused while it is on.

    ``plan`` routes only active bookings (a rider on board has just their drop-off left).
    ``arrivals`` records when a van reported arriving at a pickup (for the no-show wait);
    ``at_risk`` the bookings already reported as "promise at risk" (reported once);
    ``silent`` the vans reported silent (judged as not moving until they report again);
    ``committed_rounds`` how many re-optimisation rounds replaced the plan;
    ``connections_at_risk`` the bookings whose train connection was reported at risk.
    ``version`` grows by one with every change; the API uses it for its optimistic check.
    """

    area: str
    vehicles: tuple[Vehicle, ...]
    plan: Plan
    bookings: Mapping[str, Booking] = field(default_factory=dict)
    closures: tuple[Any, ...] = ()
    now: int = 0
    version: int = 0
    arrivals: Mapping[str, int] = field(default_factory=dict)
    last_reoptimised_at: int = 0
    confirmed_since_reoptimise: int = 0
    reoptimise_round: int = 0
    at_risk: frozenset[str] = frozenset()
    silent: frozenset[str] = frozenset()
    committed_rounds: int = 0
    disaster: DisasterMode | None = None  # issue 16: a declared flood or landslide
    connections_at_risk: frozenset[str] = frozenset()  # connection alerts raised (once each)

    @classmethod
    def empty(cls, area: str, vehicles: Sequence[Vehicle], now: int) -> DispatchState:
        """A fresh state: vans with empty routes, no bookings, no closures."""
        vans = tuple(vehicles)
        plan = Plan(routes=tuple(Route(v.id) for v in vans))
        return cls(area=area, vehicles=vans, plan=plan, now=now, last_reoptimised_at=now)

    def vehicle(self, vehicle_id: str) -> Vehicle | None:
        """The van with this id, if the area has it."""
        for v in self.vehicles:
            if v.id == vehicle_id:
                return v
        return None

    def active_bookings(self) -> dict[str, Booking]:
        """Bookings that still need a van, by id."""
        return {k: b for k, b in self.bookings.items() if b.active}
