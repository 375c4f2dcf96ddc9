"""Everything that can happen to a service area, as frozen values fed to ``Dispatcher.apply``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from maas.domain import Location, StopKind, Vehicle
from solver.dispatch.state import Offer, ParcelAsk, RideAsk

# ``not_home``: a parcel's drop-off failed (nobody took it); it rides back (see Booking).
StopWhat = Literal["arrived", "picked_up", "dropped_off", "no_show", "not_home"]


@dataclass(frozen=True, slots=True)
class ConfirmOffer:
    """The rider accepts ``offer``; it becomes booking ``booking_id`` if still feasible."""

    offer: Offer
    booking_id: str
    now: int


@dataclass(frozen=True, slots=True)
class CancelBooking:
    """The rider (or operator) cancels a booking that has not boarded yet."""

    booking_id: str
    now: int


@dataclass(frozen=True, slots=True)
class VehicleMoved:
    """A van reports where it is at time ``at``; its plan is re-timed from there."""

    vehicle_id: str
    position: Location
    at: int


@dataclass(frozen=True, slots=True)
class StopReported:
    """A driver reports progress at a stop of ``booking_id``."""

    vehicle_id: str
    booking_id: str
    kind: StopKind
    what: StopWhat
    at: int


@dataclass(frozen=True, slots=True)
class RoadClosed:
    """A road closure (``maas.roads.Closure``) takes effect."""

    closure: Any
    now: int


@dataclass(frozen=True, slots=True)
class RoadReopened:
    """The closure with this id is lifted."""

    closure_id: str
    now: int


@dataclass(frozen=True, slots=True)
class Tick:
    """Time passes: re-time idle vans, check promises, re-optimise when due."""

    now: int


@dataclass(frozen=True, slots=True)
class AddVehicle:
    """A van joins the fleet (or starts its shift)."""

    vehicle: Vehicle


@dataclass(frozen=True, slots=True)
class PrebookBatch:
    """Requests booked ahead, solved together by the solver core at the cut-off.

    ``booking_ids`` names the bookings (one per ask); left empty, ids are derived from
    ``now`` and the ask's position.
    """

    asks: tuple[RideAsk, ...]
    now: int
    booking_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShipParcel:
    """A shipper hands in a parcel; it becomes booking ``parcel_id``, on a van's route
    where one has room without harming any promise, else waiting for one."""

    parcel_id: str
    ask: ParcelAsk
    now: int


Event = (
    ConfirmOffer
    | CancelBooking
    | VehicleMoved
    | StopReported
    | RoadClosed
    | RoadReopened
    | Tick
    | AddVehicle
    | PrebookBatch
    | ShipParcel
)
