"""A simulated day as a ``maas.history.DayRecord``, so that it enters the trip history through
the same import as a day the live service closed (``maas simulate --history URL``).

Simulated times are seconds from the service date's local midnight; the record gets aware
datetimes in the area's time zone. Van days: ``km`` from the legs driven, ``hours`` from the
first departure to the last arrival (as ``kpis.json``); the fare of a booking is the
scenario's fare per person. Simulated riders have no rider account: ``rider_id`` is empty.
Parcels keep their simulated outcome (``undelivered``: waiting or on a van when the day
ended; ``refused``: no van could take it) and their source as the shipper's kind.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from maas.domain import Location
from maas.errors import InvalidInput
from maas.history import BookingRecord, DayRecord, ParcelRecord, StatusChange, VanDayRecord
from maas.history.day import BookingStatus, ParcelStatus
from scenarios.config import Scenario
from scenarios.records import ParcelRecord as SimulatedParcel
from scenarios.records import SimulationResult, TripRecord, TripStatus

_STATUS: dict[TripStatus, BookingStatus] = {
    TripStatus.SERVED: "completed",
    TripStatus.CANCELLED: "cancelled",
    TripStatus.NO_SHOW: "no_show",
    TripStatus.REJECTED: "rejected",
}


@dataclass(frozen=True, slots=True)
class VanRoster:
    """A simulated van's roster entry (shift in day seconds)."""

    vehicle_id: str
    seats: int
    wheelchair_places: int
    shift_start_s: int
    shift_end_s: int
    name: str | None = None


def area_slug(name: str) -> str:
    """A key-safe area name from a scenario name (``Demo town`` -> ``demo-town``)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "scenario"


def _booking(t: TripRecord, at: _Clock, fare: float, no_show_at: int | None) -> BookingRecord:
    status = _STATUS[t.status]
    b = t.booking
    if b is None:
        status = "rejected"  # never booked: no promise to keep
    changes = [StatusChange(at(t.requested_at), "requested")]
    if b is not None:
        changes.append(StatusChange(at(t.requested_at), "confirmed"))
    completed = status == "completed"
    if completed and t.pickup_at is not None and t.dropoff_at is not None:
        changes += [StatusChange(at(t.pickup_at), "picked_up"),
                    StatusChange(at(t.dropoff_at), "completed")]
    elif status == "no_show" and no_show_at is not None:
        changes.append(StatusChange(at(no_show_at), "no_show"))
    return BookingRecord(
        id=t.request_id, status=status, passengers=t.passengers, wheelchairs=t.wheelchairs,
        origin_lat=t.origin.lat, origin_lon=t.origin.lon,
        destination_lat=t.destination.lat, destination_lon=t.destination.lon,
        booked_at=at(t.requested_at), pickup_after=at(t.desired_pickup),
        pickup_earliest=None if b is None else at(b.pickup.earliest),
        pickup_latest=None if b is None else at(b.pickup.latest),
        window_final=b is not None,
        dropoff_by=None if b is None else at(b.dropoff.latest),
        max_ride_s=None if b is None else b.max_ride,
        vehicle_id=t.vehicle_id,
        picked_up_at=at(t.pickup_at) if completed and t.pickup_at is not None else None,
        dropped_off_at=at(t.dropoff_at) if completed and t.dropoff_at is not None else None,
        direct_s=t.direct_seconds, direct_m=t.direct_metres,
        fare=round(fare * (t.passengers + t.wheelchairs)),
        status_changes=tuple(changes),
    )


def _parcel(p: SimulatedParcel, at: _Clock) -> ParcelRecord:
    if p.origin is None or p.destination is None:
        msg = f"parcel {p.id}: the simulated record has no places"
        raise InvalidInput(msg)
    status: ParcelStatus = p.status.value  # type: ignore[assignment]
    return ParcelRecord(
        id=p.id, status=status, kg=p.kg, litres=p.litres,
        pickup_lat=p.origin.lat, pickup_lon=p.origin.lon,
        delivery_lat=p.destination.lat, delivery_lon=p.destination.lon,
        handed_in_at=at(p.handed_in_at), source=p.source,
        deliver_by=None if p.deliver_by is None else at(p.deliver_by),
        vehicle_id=p.vehicle_id,
        picked_up_at=None if p.picked_up_at is None else at(p.picked_up_at),
        delivered_at=at(p.delivered_at) if status == "delivered" and p.delivered_at is not None
        else None,
        direct_m=p.direct_metres)


class _Clock:
    """Day seconds -> aware datetimes of one service date."""

    def __init__(self, day: dt.date, tz: ZoneInfo) -> None:
        self.midnight = dt.datetime.combine(day, dt.time(), tz)

    def __call__(self, seconds: int) -> dt.datetime:
        # Wall-clock arithmetic from local midnight, as the live service counts day seconds.
        return (self.midnight + dt.timedelta(seconds=seconds)).astimezone(self.midnight.tzinfo)


def day_record(result: SimulationResult, *, area: str, day: dt.date, timezone: str,
               fare_per_person: float, vans: Sequence[VanRoster]) -> DayRecord:
    """The closed-day record of a simulated day (``vans``: the day's roster)."""
    at = _Clock(day, ZoneInfo(timezone))
    no_show_at = {v.request_id: v.end for v in result.visits if v.kind == "no_show"}
    bookings = tuple(_booking(t, at, fare_per_person, no_show_at.get(t.request_id))
                     for t in sorted(result.trips, key=lambda t: t.request_id))
    spans: dict[str, tuple[int, int]] = {}
    metres: dict[str, int] = {}
    for leg in result.legs:
        lo, hi = spans.get(leg.vehicle_id, (leg.depart, leg.arrive))
        spans[leg.vehicle_id] = (min(lo, leg.depart), max(hi, leg.arrive))
        metres[leg.vehicle_id] = metres.get(leg.vehicle_id, 0) + leg.metres
    van_days = []
    for v in vans:
        done = [b for b in bookings if b.vehicle_id == v.vehicle_id and b.status == "completed"]
        lo, hi = spans.get(v.vehicle_id, (0, 0))
        van_days.append(VanDayRecord(
            vehicle_id=v.vehicle_id, name=v.name or v.vehicle_id, seats=v.seats,
            wheelchair_places=v.wheelchair_places, shift_start=at(v.shift_start_s),
            shift_end=at(v.shift_end_s), km=metres.get(v.vehicle_id, 0) / 1000,
            hours=(hi - lo) / 3600, riders=len(done), passengers=sum(b.people for b in done)))
    last = max([v.shift_end_s for v in vans] + [leg.arrive for leg in result.legs] + [0])
    return DayRecord(area=area, date=day, timezone=timezone, closed_at=at(last),
                     bookings=bookings, vans=tuple(van_days),
                     parcels=tuple(_parcel(p, at) for p in result.parcels))


DEFAULT_TIMEZONE = "Asia/Tokyo"


def scenario_day_record(scenario: Scenario, result: SimulationResult,
                        day: dt.date | None = None) -> DayRecord:
    """The record of a scenario's simulated day: with a service file its area, time zone,
    date and roster; else the scenario's name as the area, Japan's time, ``day`` (required)
    and the ``fleet`` section for every van."""
    svc = scenario.service_definition
    when = scenario.date or day
    if when is None:
        msg = "the history needs the simulated day's date: give --date (or date: in the file)"
        raise InvalidInput(msg)
    if svc is not None:
        names = {v.id: v.name for v in svc.fleet.vans}
        rostered = svc.vehicles_for(when, lambda lat, lon: Location(lat, lon))
        vans = [VanRoster(v.id, v.type.seats, v.type.wheelchair_places, v.shift.earliest,
                          v.shift.latest, names.get(v.id)) for v in rostered]
        area, timezone = svc.area, svc.timezone
    else:
        f = scenario.fleet
        assert f is not None  # a scenario has a fleet or a service file
        start, end = f.shift_seconds
        vans = [VanRoster(v, f.seats, f.wheelchair_places, start, end)
                for v in result.vehicle_ids]
        area, timezone = area_slug(scenario.name), DEFAULT_TIMEZONE
    return day_record(result, area=area, day=when, timezone=timezone,
                      fare_per_person=scenario.cost.fare, vans=vans)
