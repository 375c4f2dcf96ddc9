"""Standing bookings: a rider's weekly ride (dialysis Monday, Wednesday and Friday at 08:30)
that becomes one booking on each matching operating day.

A standing booking is an area-wide record (``maas:{area}:standing``, schema
``maas.standing`` v1). Its ride on a day is created when that day opens, inside the same
transaction that opens it, so no other ride of the day is offered first; a standing booking
made later gets its rides on the days already open at once. A ride that cannot be served
is never dropped silently: the rider and the operator get a ``standing_ride_unserved`` event
with the reason, and the day's record lists it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from api import meeting
from api.clock import ServiceClock
from api.errors import ApiError
from api.snap_cache import SnapCache
from api.store import event_entry
from api.views import booking_public, booking_record
from api.welfare import welfare_watch
from maas.errors import MaasError
from maas.meeting import MeetingPoints, Walk
from maas.service import ServiceDefinition
from maas.service.clock import clock_to_seconds, wall_to_day_seconds
from solver.dispatch import (
    Booking,
    Dispatcher,
    DispatchState,
    Rejection,
    RejectionReason,
    RideAsk,
    outcomes,
)
from solver.dispatch.events import ConfirmOffer

SCHEMA = "maas.standing"
VERSION = 1
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def applies(record: dict[str, Any], day: date, service: ServiceDefinition) -> bool:
    """Whether the standing booking has a ride on ``day``."""
    if WEEKDAYS[day.weekday()] not in record["weekdays"]:
        return False
    if day < date.fromisoformat(record["first_date"]):
        return False
    last = record.get("last_date")
    if last is not None and day > date.fromisoformat(last):
        return False
    return not (record.get("skip_holidays", True) and service.calendar.is_holiday(day))


def ask_for(record: dict[str, Any], day: date, clock: ServiceClock, service: ServiceDefinition,
            snapper: SnapCache, points: MeetingPoints | None = None,
            rider: Mapping[str, Any] | None = None) -> RideAsk:
    """The ride the standing booking asks for on ``day`` (raises what snapping raises), at
    the meeting points in reach when the service has them (raises ``ApiError``
    ``no_meeting_point`` as offers do). ``rider``: the rider's record, read as an offer reads
    it: a wheelchair, longer boarding and alighting, the welfare watch of a no-show, and the
    door-to-door flags."""
    o, d = record["origin"], record["destination"]
    origin = snapper.snap(o["lat"], o["lon"])
    destination = snapper.snap(d["lat"], d["lon"])
    needs = rider or {}  # the rider's own needs, as an offer reads them (api.routers.offers)
    wheelchairs = 1 if record.get("wheelchair") or needs.get("needs_wheelchair") else 0
    walks: tuple[tuple[Walk, ...], tuple[Walk, ...]] = ((), ())
    if points is not None:
        walks = meeting.walks(points, day, meeting.rider_flags(needs, wheelchairs > 0),
                              (o["lat"], o["lon"], origin), (d["lat"], d["lon"], destination))

    def at(text: str | None) -> int | None:
        if text is None:
            return None
        return wall_to_day_seconds(service.tz, day, clock_to_seconds(text))

    return RideAsk(origin=origin, destination=destination,
                   passengers=int(record["passengers"]) - wheelchairs, wheelchairs=wheelchairs,
                   pickup_after=at(record.get("pickup_after")),
                   arrive_before=at(record.get("arrive_before")),
                   now=clock.now_seconds(), rider_id=record["rider_id"],
                   board=needs.get("board_seconds"), alight=needs.get("alight_seconds"),
                   welfare=welfare_watch(needs),
                   origin_walks=walks[0], destination_walks=walks[1])


@dataclass
class StandingRides:
    """What creating a day's standing rides did: the new state, the booking records to
    store, the events to publish, and the rides that could not be served."""

    state: DispatchState
    bookings: dict[str, dict[str, Any]]
    events: list[dict[str, str]]
    unserved: list[dict[str, str]]


def create_rides(state: DispatchState, day: date, records: Iterable[dict[str, Any]],
                 dispatcher: Dispatcher, clock: ServiceClock, service: ServiceDefinition,
                 snapper: SnapCache, new_id: Any, public: Any,
                 points: MeetingPoints | None = None,
                 riders: Mapping[str, Mapping[str, Any]] | None = None) -> StandingRides:
    """Book each standing booking's ride on ``day`` into ``state``, one after the other.

    ``new_id(day)`` makes booking ids; ``public(clock, booking, extra)`` the booking record.
    With ``points`` (the service's meeting points) a stop-based rider's ride is offered at
    the points in reach, as an offer would be (``riders``: the rider records by id).
    """
    made: dict[str, dict[str, Any]] = {}
    events: list[dict[str, str]] = []
    unserved: list[dict[str, str]] = []
    now = clock.now_seconds()
    for record in sorted(records, key=lambda r: str(r["id"])):
        if not applies(record, day, service):
            continue
        try:
            ask = ask_for(record, day, clock, service, snapper, points,
                          (riders or {}).get(record["rider_id"]))
            answer = dispatcher.offer(state, ask)
        except MaasError as exc:
            answer = Rejection(reason=RejectionReason.NO_VEHICLE, message=str(exc))
        except ApiError as exc:  # no meeting point in reach
            answer = Rejection(reason=RejectionReason.NO_MEETING_POINT, message=exc.message)
        if not isinstance(answer, Rejection):
            booking_id = new_id(day)
            state, results = dispatcher.apply(state, ConfirmOffer(answer, booking_id, now))
            confirmed = next((o.booking for o in results
                              if isinstance(o, outcomes.BookingConfirmed)), None)
            if confirmed is not None:
                made[booking_id] = public(clock, confirmed, {
                    "standing_id": record["id"],
                    "pickup_point": _dumped(meeting.place_public(answer.pickup_point)),
                    "dropoff_point": _dumped(meeting.place_public(answer.dropoff_point))})
                events.append(event_entry(
                    "booking_confirmed", {"booking_id": booking_id, "standing_id": record["id"],
                                          "vehicle_id": confirmed.vehicle_id},
                    vehicle_ids=(confirmed.vehicle_id,), rider_ids=(record["rider_id"],)))
                continue
            answer = Rejection(reason=RejectionReason.NO_VEHICLE, message="no longer feasible")
        miss = {"standing_id": record["id"], "rider_id": record["rider_id"],
                "date": day.isoformat(), "reason": answer.reason.value,
                "message": answer.message}
        unserved.append(miss)
        events.append(event_entry("standing_ride_unserved", miss,
                                  rider_ids=(record["rider_id"],)))
    return StandingRides(state, made, events, unserved)


def _dumped(place: Any) -> dict[str, Any] | None:
    return None if place is None else dict(place.model_dump())


def record_maker(service: ServiceDefinition, now: datetime, same_day: bool
                 ) -> Callable[[ServiceClock, Booking, dict[str, Any]], dict[str, Any]]:
    """How a standing ride's booking record is made: its public view (provisional window
    and fare included) and its first status change at ``now``."""

    def make(clock: ServiceClock, booking: Booking, extra: dict[str, Any]) -> dict[str, Any]:
        r = booking.request
        view = booking_public(clock, booking, {
            "window_final": same_day, **extra,
            "fare": service.fare(r.passengers, wheelchairs=r.wheelchairs)})
        if not same_day:
            view = view.model_copy(update={"provisional_window": view.pickup_window})
        return booking_record(view, seq=0, status_changes=[
            {"at": now.isoformat(), "status": "confirmed"}])

    return make


def new_record(standing_id: str, rider_id: str, body: dict[str, Any],
               created_at: datetime) -> dict[str, Any]:
    """The stored form of a new standing booking."""
    return {"schema": SCHEMA, "version": VERSION, "id": standing_id, "rider_id": rider_id,
            **body, "created_at": created_at.isoformat()}
