"""Domain objects -> response bodies: the one place that turns the dispatcher's state (integer
service-day seconds, ``maas.domain`` objects) into contract v1's JSON shapes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

from api.clock import ServiceClock
from api.schemas import (
    AlternativePublic,
    BookingPublic,
    LatLon,
    Load,
    Manifest,
    ManifestStop,
    MeetingPlacePublic,
    OfferPublic,
    ParcelLoad,
    TimeWindowPublic,
    VehicleStatus,
)
from maas.domain import Location, Plan, StopKind, TimeWindow
from solver.dispatch import Alternative, Booking, DispatchState, Offer

STOP_ID_SEPARATOR = "~"


def stop_id(booking_id: str, kind: StopKind) -> str:
    """A stop's id, stable across re-plans: the booking and whether it is the pickup."""
    return f"{booking_id}{STOP_ID_SEPARATOR}{kind.value}"


def parse_stop_id(value: str) -> tuple[str, StopKind] | None:
    """``(booking_id, kind)`` of a stop id, or None if it is not one."""
    booking_id, sep, kind = value.rpartition(STOP_ID_SEPARATOR)
    if not sep or not booking_id or kind not in ("pickup", "dropoff"):
        return None
    return booking_id, StopKind(kind)


def lat_lon(location: Location) -> LatLon:
    """The position of a location as the API shows it."""
    return LatLon(lat=location.lat, lon=location.lon)


def window(clock: ServiceClock, tw: TimeWindow) -> TimeWindowPublic:
    """A time window as clock times."""
    return TimeWindowPublic(start=clock.iso(tw.earliest), end=clock.iso(tw.latest))


def alternative_public(clock: ServiceClock, alt: Alternative) -> AlternativePublic:
    """A servable time as the rider sees it (the time to ask again with, and estimates)."""
    return AlternativePublic(
        pickup_after=None if alt.pickup_after is None else clock.iso(alt.pickup_after),
        arrive_before=None if alt.arrive_before is None else clock.iso(alt.arrive_before),
        estimated_pickup=clock.iso(alt.pickup), estimated_dropoff=clock.iso(alt.dropoff))


def offer_public(clock: ServiceClock, offer: Offer, window_final: bool, fare: int,
                 alternatives: Iterable[Alternative] = (),
                 pickup_point: MeetingPlacePublic | None = None,
                 dropoff_point: MeetingPlacePublic | None = None) -> OfferPublic:
    """An offer as the rider sees it (with the meeting points it was made at, if any)."""
    return OfferPublic(
        offer_id=offer.id,
        service_date=clock.service_day.isoformat(),
        pickup_window=window(clock, offer.pickup),
        window_final=window_final,
        dropoff_by=clock.iso(offer.dropoff_by),
        expires_at=clock.iso(offer.expires_at),
        estimated_pickup=clock.iso(offer.planned_pickup),
        estimated_dropoff=clock.iso(offer.planned_dropoff),
        fare=fare,
        alternatives=[alternative_public(clock, a) for a in alternatives],
        pickup_point=pickup_point,
        dropoff_point=dropoff_point,
    )


# Fields of a stored booking record that the live state does not know (api.store: the
# day's ``bookings`` hash); everything else of a record is the public view when written.
RECORD_EXTRAS = ("window_final", "provisional_window", "fare", "standing_id",
                 "outbound_booking_id", "return_booking_id", "pickup_point", "dropoff_point",
                 "cancel_reason", "cancel_note")


def booking_public(clock: ServiceClock, booking: Booking,
                   record: Mapping[str, Any] | None = None) -> BookingPublic:
    """A booking and its promise (``record``: the stored record, for what the state lacks)."""
    r = booking.request
    extra = {k: record[k] for k in RECORD_EXTRAS if record is not None and k in record}
    return BookingPublic(
        id=booking.id,
        status=booking.status.value,
        service_date=clock.service_day.isoformat(),
        pickup_window=window(clock, r.pickup),
        dropoff_by=clock.iso(r.dropoff.latest),
        vehicle_id=booking.vehicle_id,
        rider_id=booking.rider_id,
        origin=lat_lon(r.origin),
        destination=lat_lon(r.destination),
        passengers=r.passengers + r.wheelchairs,
        wheelchair=r.wheelchairs > 0,
        **extra,
    )


def booking_record(public: BookingPublic, seq: int, **more: Any) -> dict[str, Any]:
    """The stored booking record (schema ``maas.booking`` v1): the public view, its
    confirmation order and what the history needs (asked times, status changes)."""
    return {"schema": "maas.booking", "version": 1, **public.model_dump(mode="json"),
            "seq": seq, **more}


def manifest(
    clock: ServiceClock, state: DispatchState, schedules: Mapping[str, Any], vehicle_id: str
) -> Manifest:
    """The stops ``vehicle_id`` still has to make, in driving order, with planned times."""
    planned = {(s.stop.request_id, s.stop.kind): s.start for s in schedules.get(vehicle_id, ())}
    stops = []
    for stop in state.plan.route(vehicle_id).stops:
        booking = state.bookings.get(stop.request_id)
        if booking is None:
            continue
        r = booking.request
        place = r.origin if stop.kind is StopKind.PICKUP else \
            (booking.return_to or r.destination)
        at = planned.get((stop.request_id, stop.kind), r.pickup.earliest)
        parcel = ParcelLoad(kg=r.cargo_kg, litres=r.cargo_litres,
                            returning=booking.return_to is not None) if r.is_parcel else None
        stops.append(
            ManifestStop(
                stop_id=stop_id(booking.id, stop.kind),
                booking_id=booking.id,
                type=stop.kind.value,
                passengers=r.passengers + r.wheelchairs,
                planned_at=clock.iso(at),
                location=lat_lon(place),
                parcel=parcel,
                board_from=None if booking.board_from is None or stop.kind is not
                StopKind.PICKUP else clock.iso(booking.board_from),
            )
        )
    return Manifest(vehicle_id=vehicle_id, stops=stops)


def vehicle_status(
    clock: ServiceClock,
    state: DispatchState,
    schedules: Mapping[str, Any],
    vehicle_id: str,
    name: str,
    next_stops: int = 3,
) -> VehicleStatus:
    """Where a van is, how full it is and its next stops (the operator's fleet view)."""
    vehicle = state.vehicle(vehicle_id)
    assert vehicle is not None
    onboard = [state.bookings[b].request for b in vehicle.onboard if b in state.bookings]
    at = vehicle.available_at
    return VehicleStatus(
        id=vehicle.id,
        name=name,
        position=lat_lon(vehicle.start_location),
        position_at=None if at is None else clock.iso(at),
        load=Load(
            passengers=sum(r.passengers for r in onboard),
            wheelchairs=sum(r.wheelchairs for r in onboard),
        ),
        next_stops=manifest(clock, state, schedules, vehicle_id).stops[:next_stops],
    )


class ScheduleCache:
    """Planned stop times of the latest state seen (states are immutable and the store hands
    out the same object until the version changes, so identity is the key). One per open
    service day (``api.service_days.DayContext``)."""

    def __init__(self, dispatcher: Callable[[], Any]) -> None:
        self.dispatcher = dispatcher  # the day's dispatcher
        self._state: DispatchState | None = None
        self._schedules: Mapping[str, Any] = {}
        self._van_state: DispatchState | None = None
        self._vans: dict[str, Mapping[str, Any]] = {}

    def __call__(self, state: DispatchState) -> Mapping[str, Any]:
        """Planned times of every van (``maas.evaluation.ScheduledStop`` tuples by van id)."""
        if self._state is not state:
            self._schedules = self.dispatcher().schedule(state).schedules
            self._state = state
        return self._schedules

    def of_vehicle(self, state: DispatchState, vehicle_id: str) -> Mapping[str, Any]:
        """Planned times of one van only (a manifest need not time the whole fleet)."""
        if self._state is state:
            return self._schedules
        if self._van_state is not state:
            self._van_state, self._vans = state, {}
        if vehicle_id not in self._vans:
            alone = replace(state, plan=Plan(routes=(state.plan.route(vehicle_id),)))
            self._vans[vehicle_id] = self.dispatcher().schedule(alone).schedules
        return self._vans[vehicle_id]
