"""What an event led to, as frozen values returned by ``Dispatcher.apply`` (the API turns them
into responses and server-sent events, the simulator into its log)."""

from __future__ import annotations

from dataclasses import dataclass

from solver.dispatch.state import Booking, RejectionReason


@dataclass(frozen=True, slots=True)
class BookingConfirmed:
    """A booking was committed; its promise is now a hard constraint."""

    booking: Booking


@dataclass(frozen=True, slots=True)
class BookingRejected:
    """An offer could not be confirmed (or a prebooked ask could not be served)."""

    reason: RejectionReason
    message: str = ""
    booking_id: str | None = None


@dataclass(frozen=True, slots=True)
class BookingCancelled:
    """A booking was cancelled and its seat released."""

    booking_id: str


@dataclass(frozen=True, slots=True)
class PromiseAtRisk:
    """No plan found keeps this booking's promise any more; ``detail`` says which part.

    Reported once per breach, with the re-planned estimates of the rider's pickup (None
    once on board) and drop-off.
    """

    booking_id: str
    detail: str
    pickup_estimate: int | None = None
    dropoff_estimate: int | None = None


@dataclass(frozen=True, slots=True)
class PromiseRecovered:
    """A booking reported at risk is kept by the plan again, with its new estimates."""

    booking_id: str
    pickup_estimate: int | None = None
    dropoff_estimate: int | None = None


@dataclass(frozen=True, slots=True)
class VehicleSilent:
    """A van with stops to serve has not reported for ``silent_s`` seconds past the moment
    its plan expected word from it (last report ``last_report_at``); its promises are now
    judged as if it had not moved since (reported once until it reports again)."""

    vehicle_id: str
    last_report_at: int
    silent_s: int


@dataclass(frozen=True, slots=True)
class BookingsAffected:
    """Bookings a road closure (or reopening) stops from being served as planned."""

    closure_id: str
    booking_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlanChanged:
    """The routes of these vans changed (order, van or times); manifests must be re-sent."""

    vehicle_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RiderNoShow:
    """The rider did not come; the seat is released."""

    booking_id: str


@dataclass(frozen=True, slots=True)
class RiderPickedUp:
    """The rider boarded."""

    booking_id: str
    at: int


@dataclass(frozen=True, slots=True)
class RiderDroppedOff:
    """The rider arrived."""

    booking_id: str
    at: int


@dataclass(frozen=True, slots=True)
class Reoptimised:
    """A re-optimisation ran over ``vehicle_ids`` (round ``round``); ``improved`` says
    whether it replaced the plan."""

    improved: bool
    cost_before: float
    cost_after: float
    vehicle_ids: tuple[str, ...] = ()
    round: int = 0


@dataclass(frozen=True, slots=True)
class EventRejected:
    """An event that did not fit the state (unknown booking, early no-show...); state unchanged."""

    reason: RejectionReason
    message: str


@dataclass(frozen=True, slots=True)
class ParcelAccepted:
    """A parcel was accepted: ``booking.vehicle_id`` is its van, or "" while it waits."""

    booking: Booking


@dataclass(frozen=True, slots=True)
class ParcelPlaced:
    """A waiting parcel found room on a van's route."""

    booking_id: str
    vehicle_id: str


@dataclass(frozen=True, slots=True)
class ParcelDeferred:
    """A parcel not yet collected left its van's route (a rider's promise needed the room);
    it waits for the next van with room."""

    booking_id: str


@dataclass(frozen=True, slots=True)
class ParcelReturning:
    """Nobody took a parcel at its address: it rides back to ``return_to``."""

    booking_id: str
    vehicle_id: str


Outcome = (
    BookingConfirmed
    | BookingRejected
    | BookingCancelled
    | PromiseAtRisk
    | PromiseRecovered
    | VehicleSilent
    | BookingsAffected
    | PlanChanged
    | RiderNoShow
    | RiderPickedUp
    | RiderDroppedOff
    | Reoptimised
    | EventRejected
    | ParcelAccepted
    | ParcelPlaced
    | ParcelDeferred
    | ParcelReturning
)
