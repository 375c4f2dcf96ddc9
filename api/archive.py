"""Where a closed service day goes: a ``maas.history.DayRecord`` built from the day's live
state and booking records, written as one JSON file per day (the archive, without personal
data) and imported into the trip history database (``MAAS_HISTORY_URL``, else an SQLite
file beside the archive).

The archive file is written first (atomically: a temporary file renamed into place), so a
crash between archiving and removing the day's keys from Redis loses nothing: closing again
rewrites the same file and the history import is idempotent.

Van kilometres and hours are not reported by the vans themselves; they are measured on the
road network along the stops each van served, in the order it reported them, from and back
to its depot.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from api.clock import ServiceClock
from maas.domain import Location, Vehicle
from maas.history.day import (
    BookingRecord,
    ClosureRecord,
    DayRecord,
    ParcelRecord,
    RiderRecord,
    StatusChange,
    VanDayRecord,
    day_to_json,
)
from maas.roads import RoadNetwork
from solver.dispatch import Booking, BookingStatus, DispatchState

_FINAL_STATUS = {
    BookingStatus.COMPLETED: "completed",
    BookingStatus.CANCELLED: "cancelled",
    BookingStatus.NO_SHOW: "no_show",
}
_PARCEL_STATUS = {
    BookingStatus.COMPLETED: "delivered",
    BookingStatus.RETURNED: "returned",
    BookingStatus.CANCELLED: "cancelled",
}


class DayArchive:
    """Writes closed days under ``folder/{area}/{date}.json`` and, optionally, the history."""

    def __init__(self, folder: Path, history_url: str | None = None) -> None:
        self.folder = folder
        self.history_url = history_url

    def path(self, area: str, day: str) -> Path:
        """The archive file of one day."""
        return self.folder / area / f"{day}.json"

    def keep(self, record: DayRecord) -> Path:
        """Write the record's file (replacing an earlier one) and import it into the history.

        The file leaves out the riders' personal data (names, phones): it is a copy no
        erasure reaches. The history keeps it in a table of its own that erasure clears."""
        target = self.path(record.area, record.date.isoformat())
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(day_to_json(replace(record, riders=())))
        os.replace(tmp, target)
        if self.history_url:
            from maas.history import HistoryStore

            with HistoryStore(self.history_url) as history:
                history.migrate()
                history.import_day(record)
        return target


def day_record(area: str, clock: ServiceClock, state: DispatchState,
               records: Mapping[str, dict[str, Any]], riders: Mapping[str, dict[str, Any]],
               vehicles: Mapping[str, dict[str, Any]], network: RoadNetwork,
               closed_at: datetime, parcels: Mapping[str, dict[str, Any]] | None = None,
               shippers: Mapping[str, dict[str, Any]] | None = None) -> DayRecord:
    """The history's record of a finished day (every booking is completed, cancelled or a
    no-show, every parcel delivered, returned, withdrawn or still waiting for a van; the
    caller checks that).
    ``parcels``: the day's parcel records (who handed each in, when); ``shippers``: the
    shipper accounts (their kind)."""
    bookings = tuple(_booking(clock, b, records.get(b.id, {}))
                     for b in state.bookings.values()
                     if b.status in _FINAL_STATUS and not b.is_parcel)
    carried = [b for b in state.bookings.values()
               if b.is_parcel and (b.status in _PARCEL_STATUS or b.waiting)]
    vans = tuple(_van(clock, v, state, vehicles.get(v.id, {}), network) for v in state.vehicles)
    closures = tuple(ClosureRecord(id=str(getattr(c, "id", c)), start=clock.moment(0))
                     for c in state.closures)
    rider_ids = sorted({b.rider_id for b in bookings if b.rider_id})
    people = tuple(RiderRecord(id=rid, name=riders.get(rid, {}).get("name"),
                               phone=riders.get(rid, {}).get("phone")) for rid in rider_ids)
    return DayRecord(area=area, date=clock.service_day, timezone=str(clock.tz),
                     closed_at=closed_at, bookings=bookings, vans=vans, closures=closures,
                     riders=people,
                     parcels=_parcels(clock, carried, parcels or {}, shippers or {}, network))


def _parcels(clock: ServiceClock, carried: list[Booking], records: Mapping[str, dict[str, Any]],
             shippers: Mapping[str, dict[str, Any]], network: RoadNetwork
             ) -> tuple[ParcelRecord, ...]:
    if not carried:
        return ()
    origins = [b.request.origin for b in carried]
    metres = network.distances(origins, [b.request.destination for b in carried])
    out = []
    for i, b in enumerate(carried):
        r, record = b.request, records.get(b.id, {})
        delivered = b.status is BookingStatus.COMPLETED and b.dropped_off_at is not None
        handed_in = record.get("handed_in_at")
        out.append(ParcelRecord(
            id=b.id, status="undelivered" if b.waiting  # never collected: still with its shipper
            else _PARCEL_STATUS[b.status],  # type: ignore[arg-type]
            kg=r.cargo_kg, litres=r.cargo_litres,
            pickup_lat=r.origin.lat, pickup_lon=r.origin.lon,
            delivery_lat=r.destination.lat, delivery_lon=r.destination.lon,
            handed_in_at=datetime.fromisoformat(handed_in) if handed_in
            else clock.moment(b.confirmed_at),
            shipper_id=b.rider_id, source=shippers.get(b.rider_id or "", {}).get("kind"),
            deliver_by=clock.moment(r.dropoff.latest), vehicle_id=b.vehicle_id or None,
            picked_up_at=None if b.picked_up_at is None else clock.moment(b.picked_up_at),
            delivered_at=clock.moment(b.dropped_off_at) if delivered
            and b.dropped_off_at is not None else None,
            direct_m=int(metres[i, i])))
    return tuple(out)


def _at(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _booking(clock: ServiceClock, b: Booking, record: dict[str, Any]) -> BookingRecord:
    r = b.request
    provisional = record.get("provisional_window") or {}
    changes = tuple(StatusChange(at=datetime.fromisoformat(c["at"]), status=c["status"])
                    for c in record.get("status_changes", ()))
    cancelled_at = next((c.at for c in changes if c.status == "cancelled"), None)
    return BookingRecord(
        id=b.id, status=_FINAL_STATUS[b.status],  # type: ignore[arg-type]
        passengers=r.passengers, wheelchairs=r.wheelchairs,
        origin_lat=r.origin.lat, origin_lon=r.origin.lon,
        destination_lat=r.destination.lat, destination_lon=r.destination.lon,
        booked_at=clock.moment(b.confirmed_at), rider_id=b.rider_id,
        pickup_after=_at(record.get("asked_pickup_after")),
        arrive_before=_at(record.get("asked_arrive_before")),
        pickup_earliest=clock.moment(r.pickup.earliest),
        pickup_latest=clock.moment(r.pickup.latest),
        provisional_earliest=_at(provisional.get("start")),
        provisional_latest=_at(provisional.get("end")),
        window_final=bool(record.get("window_final", True)),
        dropoff_by=clock.moment(r.dropoff.latest), max_ride_s=r.max_ride,
        vehicle_id=b.vehicle_id or None,
        picked_up_at=None if b.picked_up_at is None else clock.moment(b.picked_up_at),
        dropped_off_at=None if b.dropped_off_at is None else clock.moment(b.dropped_off_at),
        cancelled_at=cancelled_at,
        direct_s=record.get("direct_s"), direct_m=record.get("direct_m"),
        fare=int(record.get("fare", 0)) if b.status is BookingStatus.COMPLETED else 0,
        standing_id=record.get("standing_id"), outbound_id=record.get("outbound_booking_id"),
        status_changes=changes,
        cancel_reason=record.get("cancel_reason") if b.status is BookingStatus.CANCELLED
        else None,
        cancel_note=record.get("cancel_note") if b.status is BookingStatus.CANCELLED else None,
    )


def _van(clock: ServiceClock, vehicle: Vehicle, state: DispatchState, record: dict[str, Any],
         network: RoadNetwork) -> VanDayRecord:
    """A van's day, measured along the stops it served in the order it reported them."""
    visits: list[tuple[int, Location]] = []
    riders = people = 0
    for b in state.bookings.values():
        if b.vehicle_id != vehicle.id:
            continue
        if b.picked_up_at is not None:
            visits.append((b.picked_up_at, b.request.origin))
        if b.dropped_off_at is not None:
            visits.append((b.dropped_off_at, b.request.destination))
        if b.status is BookingStatus.COMPLETED:
            riders += 1
            people += b.request.passengers + b.request.wheelchairs
    visits.sort(key=lambda v: v[0])
    km = hours = 0.0
    if visits:
        places = [vehicle.depot, *(loc for _, loc in visits), vehicle.end_location]
        origins, dests = places[:-1], places[1:]
        metres = network.distances(origins, dests)
        times = network.durations(origins, dests)
        km = sum(int(metres[i, i]) for i in range(len(origins))) / 1000
        out_leg, back_leg = int(times[0, 0]), int(times[-1, -1])
        hours = (visits[-1][0] + back_leg - (visits[0][0] - out_leg)) / 3600
    return VanDayRecord(
        vehicle_id=vehicle.id, name=str(record.get("name", vehicle.type.name)),
        seats=vehicle.type.seats, wheelchair_places=vehicle.type.wheelchair_places,
        shift_start=clock.moment(vehicle.shift.earliest),
        shift_end=clock.moment(vehicle.shift.latest),
        km=round(km, 3), hours=round(max(0.0, hours), 3), riders=riders, passengers=people)


def archive_json(record: DayRecord) -> dict[str, Any]:
    """The archive file's content as a mapping (for tests and the operator's download)."""
    loaded: dict[str, Any] = json.loads(day_to_json(record))
    return loaded
