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
    return_to: Location | None = None
    return_by: int = 0

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
    times for this rider (e.g. a rider with a cane).
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
    """

    OUTSIDE_AREA = "outside_area"
    OUTSIDE_HOURS = "outside_hours"
    NO_WHEELCHAIR_VEHICLE = "no_wheelchair_vehicle"
    GROUP_TOO_LARGE = "group_too_large"
    UNREACHABLE = "unreachable"
    NO_CAPACITY = "no_capacity"
    TOO_LATE = "too_late"
    OFFER_EXPIRED = "offer_expired"
    NO_LONGER_FEASIBLE = "no_longer_feasible"
    DUPLICATE_BOOKING = "duplicate_booking"
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


@dataclass(frozen=True)
class DispatchState:
    """One service area at one moment: vans, the live plan, bookings, closures.

    ``plan`` routes only active bookings (a rider on board has just their drop-off left).
    ``arrivals`` records when a van reported arriving at a pickup (for the no-show wait);
    ``at_risk`` the bookings already reported as "promise at risk" (reported once);
    ``silent`` the vans reported silent (judged as not moving until they report again);
    ``committed_rounds`` how many re-optimisation rounds replaced the plan.
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
