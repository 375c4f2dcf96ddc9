"""The record of a closed service day: what the history keeps of it, and its JSON codec.

A ``DayRecord`` is built once, when a day closes (by the API from its live state, by the
simulator from its trips), and imported into the history (``HistoryStore.import_day``). The
field names are a contract between those writers and the history: keep them stable.

Times are aware ``datetime`` values (any zone; the history stores UTC and reports in the
record's ``timezone``). The JSON form carries ``{"schema": "maas.history.day", "version": N}``
and never a Python class name; ``day_from_json`` refuses another schema or a newer version.
Version 2 adds ``cancel_reason`` and ``cancel_note`` to bookings; version 3 adds ``parcels``.
A day is written as the lowest version that holds what it has: a day with no parcels and no
cancel reasons is still version 1 (the same text, so the same digest: a day imported before
stays the same day on a re-import).

Field meanings (``BookingRecord``):

- ``passengers``: walking riders (seats); ``wheelchairs``: wheelchair places. People carried
  are ``passengers + wheelchairs`` (as in ``maas.domain.Request``).
- ``status``: ``completed`` (picked up and dropped off), ``cancelled``, ``no_show``, or
  ``rejected`` (asked and never booked; only such a record may lack a promise).
- ``pickup_after`` / ``arrive_before``: what the rider asked for (at most one of them).
- ``pickup_earliest`` / ``pickup_latest``: the pickup window in force when the day closed
  (the final one once ``window_final``); ``provisional_*``: the provisional window given when a
  ride was booked for a later day; ``dropoff_by`` and ``max_ride_s``: the other promises.
- ``planned_pickup`` / ``planned_dropoff``: the plan's last times; ``picked_up_at`` /
  ``dropped_off_at``: when boarding and alighting happened; ``cancelled_at``.
- ``direct_s`` / ``direct_m``: the direct drive from origin to destination.
- ``fare``: what the rider pays for a completed ride, in the service's currency units.
- ``standing_id``: the standing booking it was made from; ``outbound_id``: the outbound ride of
  a return trip. ``status_changes``: every status with its time, oldest first.
- ``cancel_reason``: why a cancelled booking was cancelled (``CANCEL_REASONS``; None: not
  said, as before version 2); ``cancel_note``: the clerk's free text (may name a person:
  erasing the rider removes it).

``VanDayRecord``: ``km`` driven and ``hours`` out (first departure to last arrival) that day,
``riders`` = completed bookings carried, ``passengers`` = people carried (incl. wheelchairs).
``ParcelRecord`` (貨客混載): a parcel a shipper handed in. ``status``: ``delivered``,
``returned`` (nobody took it at its address; brought back), ``cancelled`` (withdrawn before a
van collected it), ``refused`` (no van could take it; simulator only: the live service
answers 409 and keeps nothing) or ``undelivered`` (no van collected it before the day
closed; in a simulated day also one still on a van at the end). ``shipper_id`` is the
shipper's account (a business, not a rider); ``source`` its kind (``post_office``,
``shop``, ``farm``, ``depot``, ``other``). ``direct_m``: the drive from pickup to delivery,
what a separate delivery round would at least have driven for it.

``RiderRecord`` holds personal data (``name``, ``phone``); the history keeps it in its own table
so that it can be erased.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final, Literal, TypeVar, cast, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from maas.errors import InvalidInput

SCHEMA: Final = "maas.history.day"
VERSION: Final = 3  # the newest this engine reads and writes
BASE_VERSION: Final = 1  # what a day without version-2 fields is written as

BookingStatus = Literal["completed", "cancelled", "no_show", "rejected"]
BOOKING_STATUSES: Final[tuple[str, ...]] = get_args(BookingStatus)
CancelReason = Literal["rider_request", "no_longer_needed", "weather", "illness", "operator",
                       "other"]
CANCEL_REASONS: Final[tuple[str, ...]] = get_args(CancelReason)
CANCEL_NOTE_MAX: Final = 500
_V2_BOOKING_FIELDS: Final = ("cancel_reason", "cancel_note")
ParcelStatus = Literal["delivered", "returned", "cancelled", "refused", "undelivered"]
PARCEL_STATUSES: Final[tuple[str, ...]] = get_args(ParcelStatus)


class DayRecordError(InvalidInput):
    """A day record (or its JSON) with a bad field; the message names the field."""

    code = "bad_day_record"


def _aware(where: str, value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        msg = f"{where}: time {value.isoformat()} has no time zone"
        raise DayRecordError(msg)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A booking entering ``status`` at ``at`` (any status word of the live service)."""

    at: datetime
    status: str


@dataclass(frozen=True, slots=True)
class BookingRecord:
    """One booking (or refused request) of the day with its promises and what happened."""

    id: str
    status: BookingStatus
    passengers: int
    wheelchairs: int
    origin_lat: float
    origin_lon: float
    destination_lat: float
    destination_lon: float
    booked_at: datetime
    rider_id: str | None = None
    pickup_after: datetime | None = None
    arrive_before: datetime | None = None
    pickup_earliest: datetime | None = None
    pickup_latest: datetime | None = None
    provisional_earliest: datetime | None = None
    provisional_latest: datetime | None = None
    window_final: bool = True
    dropoff_by: datetime | None = None
    max_ride_s: int | None = None
    vehicle_id: str | None = None
    planned_pickup: datetime | None = None
    planned_dropoff: datetime | None = None
    picked_up_at: datetime | None = None
    dropped_off_at: datetime | None = None
    cancelled_at: datetime | None = None
    direct_s: int | None = None
    direct_m: int | None = None
    fare: int = 0
    standing_id: str | None = None
    outbound_id: str | None = None
    status_changes: tuple[StatusChange, ...] = ()
    cancel_reason: CancelReason | None = None
    cancel_note: str | None = None

    def __post_init__(self) -> None:
        where = f"booking {self.id}"
        if self.cancel_reason is not None and self.cancel_reason not in CANCEL_REASONS:
            msg = (f"{where}: cancel_reason: {self.cancel_reason!r} is not one of "
                   f"{', '.join(CANCEL_REASONS)}")
            raise DayRecordError(msg)
        if (self.cancel_reason is not None or self.cancel_note) and self.status != "cancelled":
            msg = f"{where}: cancel_reason: only a cancelled booking has one"
            raise DayRecordError(msg)
        if self.cancel_note is not None and len(self.cancel_note) > CANCEL_NOTE_MAX:
            msg = f"{where}: cancel_note: longer than {CANCEL_NOTE_MAX} characters"
            raise DayRecordError(msg)
        if not self.id:
            msg = "booking: id must not be empty"
            raise DayRecordError(msg)
        if self.status not in BOOKING_STATUSES:
            msg = f"{where}: status: {self.status!r} is not one of {', '.join(BOOKING_STATUSES)}"
            raise DayRecordError(msg)
        if self.passengers < 0 or self.wheelchairs < 0 or self.passengers + self.wheelchairs < 1:
            msg = f"{where}: passengers: needs at least one passenger or wheelchair place"
            raise DayRecordError(msg)
        _places_and_times(self, where, ("origin", "destination"), _BOOKING_TIMES)
        for i, change in enumerate(self.status_changes):
            _aware(f"{where}: status_changes[{i}]", change.at)
        if self.pickup_after is not None and self.arrive_before is not None:
            msg = f"{where}: pickup_after and arrive_before: give at most one"
            raise DayRecordError(msg)
        if self.status != "rejected":
            for name in ("pickup_earliest", "pickup_latest", "dropoff_by"):
                if getattr(self, name) is None:
                    msg = f"{where}: {name}: a {self.status} booking needs its promise"
                    raise DayRecordError(msg)
        if (self.pickup_earliest is not None and self.pickup_latest is not None
                and self.pickup_latest < self.pickup_earliest):
            msg = f"{where}: pickup_latest: before pickup_earliest"
            raise DayRecordError(msg)
        if self.status == "completed":
            if self.picked_up_at is None or self.dropped_off_at is None:
                msg = f"{where}: picked_up_at/dropped_off_at: a completed ride needs both"
                raise DayRecordError(msg)
            if self.dropped_off_at < self.picked_up_at:
                msg = f"{where}: dropped_off_at: before picked_up_at"
                raise DayRecordError(msg)
        elif self.picked_up_at is not None or self.dropped_off_at is not None:
            msg = f"{where}: picked_up_at/dropped_off_at: only a completed ride has them"
            raise DayRecordError(msg)
        if self.fare < 0:
            msg = f"{where}: fare: must not be negative"
            raise DayRecordError(msg)

    @property
    def people(self) -> int:
        """People carried by this booking (walking riders and wheelchair users)."""
        return self.passengers + self.wheelchairs


_BOOKING_TIMES: Final = (
    "booked_at", "pickup_after", "arrive_before", "pickup_earliest", "pickup_latest",
    "provisional_earliest", "provisional_latest", "dropoff_by", "planned_pickup",
    "planned_dropoff", "picked_up_at", "dropped_off_at", "cancelled_at",
)


def _places_and_times(record: object, where: str, places: tuple[str, ...],
                      times: tuple[str, ...]) -> None:
    """Each ``{place}_lat``/``{place}_lon`` of ``record`` is a position, each time aware."""
    for name in places:
        lat, lon = getattr(record, f"{name}_lat"), getattr(record, f"{name}_lon")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            msg = f"{where}: {name}_lat/{name}_lon: ({lat}, {lon}) is not a position"
            raise DayRecordError(msg)
    for name in times:
        _aware(f"{where}: {name}", getattr(record, name))


@dataclass(frozen=True, slots=True)
class VanDayRecord:
    """One van's day: its roster entry and what it drove."""

    vehicle_id: str
    name: str
    seats: int
    wheelchair_places: int
    shift_start: datetime
    shift_end: datetime
    km: float
    hours: float
    riders: int
    passengers: int

    def __post_init__(self) -> None:
        where = f"van {self.vehicle_id}"
        _aware(f"{where}: shift_start", self.shift_start)
        _aware(f"{where}: shift_end", self.shift_end)
        for name in ("seats", "wheelchair_places", "km", "hours", "riders", "passengers"):
            if getattr(self, name) < 0:
                msg = f"{where}: {name}: must not be negative"
                raise DayRecordError(msg)


@dataclass(frozen=True, slots=True)
class ClosureRecord:
    """A road closure in force during the day (``until`` None: not lifted that day)."""

    id: str
    start: datetime
    until: datetime | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        _aware(f"closure {self.id}: start", self.start)
        _aware(f"closure {self.id}: until", self.until)


@dataclass(frozen=True, slots=True)
class ParcelRecord:
    """A parcel of the day and what became of it."""

    id: str
    status: ParcelStatus
    kg: int
    litres: int
    pickup_lat: float
    pickup_lon: float
    delivery_lat: float
    delivery_lon: float
    handed_in_at: datetime
    shipper_id: str | None = None
    source: str | None = None
    deliver_by: datetime | None = None
    vehicle_id: str | None = None
    picked_up_at: datetime | None = None
    delivered_at: datetime | None = None
    direct_m: int | None = None

    def __post_init__(self) -> None:
        where = f"parcel {self.id}"
        if not self.id:
            msg = "parcel: id must not be empty"
            raise DayRecordError(msg)
        if self.status not in PARCEL_STATUSES:
            msg = f"{where}: status: {self.status!r} is not one of {', '.join(PARCEL_STATUSES)}"
            raise DayRecordError(msg)
        if self.kg < 0 or self.litres < 0 or self.kg + self.litres < 1:
            msg = f"{where}: kg/litres: needs a weight or a volume, neither negative"
            raise DayRecordError(msg)
        _places_and_times(self, where, ("pickup", "delivery"), _PARCEL_TIMES)
        if (self.status == "delivered") != (self.delivered_at is not None):
            msg = f"{where}: delivered_at: a delivered parcel has one, no other parcel does"
            raise DayRecordError(msg)
        if self.status in ("delivered", "returned") and self.picked_up_at is None:
            msg = f"{where}: picked_up_at: a {self.status} parcel was collected"
            raise DayRecordError(msg)
        if (self.delivered_at is not None and self.picked_up_at is not None
                and self.delivered_at < self.picked_up_at):
            msg = f"{where}: delivered_at: before picked_up_at"
            raise DayRecordError(msg)

    @property
    def on_time(self) -> bool | None:
        """Delivered by its ``deliver_by`` (None: not delivered, or no deadline)."""
        if self.delivered_at is None or self.deliver_by is None:
            return None
        return self.delivered_at <= self.deliver_by


_PARCEL_TIMES: Final = ("handed_in_at", "deliver_by", "picked_up_at", "delivered_at")


@dataclass(frozen=True, slots=True)
class RiderRecord:
    """A rider's personal data as the service knew it when the day closed."""

    id: str
    name: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class DayRecord:
    """A closed service day of one area: everything the history keeps of it."""

    area: str
    date: date
    timezone: str
    closed_at: datetime
    bookings: tuple[BookingRecord, ...] = ()
    vans: tuple[VanDayRecord, ...] = ()
    closures: tuple[ClosureRecord, ...] = ()
    riders: tuple[RiderRecord, ...] = field(default=())
    parcels: tuple[ParcelRecord, ...] = ()

    def __post_init__(self) -> None:
        if not self.area:
            msg = "day record: area must not be empty"
            raise DayRecordError(msg)
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"day record: timezone: {self.timezone!r} is not an IANA time zone"
            raise DayRecordError(msg) from exc
        _aware("day record: closed_at", self.closed_at)
        for what, items in (("bookings", self.bookings), ("vans", self.vans),
                            ("closures", self.closures), ("riders", self.riders),
                            ("parcels", self.parcels)):
            keys = [_key(item) for item in items]
            if len(set(keys)) != len(keys):
                dup = next(k for k in keys if keys.count(k) > 1)
                msg = f"day record: {what}: id {dup!r} appears twice"
                raise DayRecordError(msg)

    @property
    def tz(self) -> ZoneInfo:
        """The area's time zone."""
        return ZoneInfo(self.timezone)


def _key(item: BookingRecord | VanDayRecord | ClosureRecord | RiderRecord | ParcelRecord
         ) -> str:
    return item.vehicle_id if isinstance(item, VanDayRecord) else item.id


# --- JSON codec -------------------------------------------------------------------------

def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _booking_to_dict(b: BookingRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in BookingRecord.__dataclass_fields__:
        value = getattr(b, name)
        if name == "status_changes":
            value = [{"at": c.at.isoformat(), "status": c.status} for c in value]
        elif isinstance(value, datetime):
            value = value.isoformat()
        elif name in _V2_BOOKING_FIELDS and value is None:
            continue  # unset: the version-1 text
        out[name] = value
    return out


def _plain_to_dict(item: VanDayRecord | ClosureRecord | RiderRecord | ParcelRecord
                   ) -> dict[str, Any]:
    return {name: (_iso(v) if isinstance(v := getattr(item, name), datetime) else v)
            for name in type(item).__dataclass_fields__}


def day_to_dict(record: DayRecord) -> dict[str, Any]:
    """The JSON-ready mapping of a day record (schema and version first)."""
    v2 = any(getattr(b, name) is not None for b in record.bookings for name in _V2_BOOKING_FIELDS)
    version = 3 if record.parcels else 2 if v2 else BASE_VERSION
    parcels = {"parcels": [_plain_to_dict(p) for p in record.parcels]} if record.parcels else {}
    return {
        "schema": SCHEMA,
        "version": version,
        "area": record.area,
        "date": record.date.isoformat(),
        "timezone": record.timezone,
        "closed_at": record.closed_at.isoformat(),
        "bookings": [_booking_to_dict(b) for b in record.bookings],
        "vans": [_plain_to_dict(v) for v in record.vans],
        "closures": [_plain_to_dict(c) for c in record.closures],
        "riders": [_plain_to_dict(r) for r in record.riders],
        **parcels,
    }


def day_to_json(record: DayRecord) -> str:
    """The record as canonical JSON (sorted keys, no spaces): equal records, equal text."""
    return json.dumps(day_to_dict(record), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def day_digest(record: DayRecord) -> str:
    """SHA-256 of the canonical JSON: tells a re-import of the same day from a different one."""
    return hashlib.sha256(day_to_json(record).encode("utf-8")).hexdigest()


T = TypeVar("T")


class _Reader:
    """Reads one JSON object, naming the field path in every error."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, Mapping):
            msg = f"{where}: expected an object, got {type(data).__name__}"
            raise DayRecordError(msg)
        self.data, self.where = data, where

    def _get(self, name: str, kind: type | tuple[type, ...], optional: bool) -> Any:
        if name not in self.data or self.data[name] is None:
            if optional:
                return None
            msg = f"{self.where}.{name}: missing"
            raise DayRecordError(msg)
        value = self.data[name]
        bad_bool = isinstance(value, bool) and kind in (int, float, (int, float))
        if bad_bool or not isinstance(value, kind):
            msg = f"{self.where}.{name}: {value!r} has the wrong type"
            raise DayRecordError(msg)
        return value

    def text(self, name: str) -> str:
        return cast(str, self._get(name, str, False))

    def opt_text(self, name: str) -> str | None:
        return cast("str | None", self._get(name, str, True))

    def integer(self, name: str) -> int:
        return cast(int, self._get(name, int, False))

    def opt_integer(self, name: str) -> int | None:
        return cast("int | None", self._get(name, int, True))

    def number(self, name: str) -> float:
        return float(self._get(name, (int, float), False))

    def flag(self, name: str) -> bool:
        return cast(bool, self._get(name, bool, False))

    def time(self, name: str) -> datetime:
        value = self.opt_time(name)
        if value is None:
            msg = f"{self.where}.{name}: missing"
            raise DayRecordError(msg)
        return value

    def opt_time(self, name: str) -> datetime | None:
        text = self.opt_text(name)
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError as exc:
            msg = f"{self.where}.{name}: {text!r} is not an ISO 8601 time"
            raise DayRecordError(msg) from exc
        _aware(f"{self.where}.{name}", value)
        return value

    def items(self, name: str, read: Callable[[_Reader], T]) -> tuple[T, ...]:
        values = self._get(name, list, True) or []
        return tuple(read(_Reader(v, f"{self.where}.{name}[{i}]")) for i, v in enumerate(values))


def _read_booking(r: _Reader) -> BookingRecord:
    status = r.text("status")
    if status not in BOOKING_STATUSES:
        msg = f"{r.where}.status: {status!r} is not one of {', '.join(BOOKING_STATUSES)}"
        raise DayRecordError(msg)
    times = {name: r.opt_time(name) for name in _BOOKING_TIMES if name != "booked_at"}
    return BookingRecord(
        id=r.text("id"), status=cast(BookingStatus, status),
        passengers=r.integer("passengers"),
        wheelchairs=r.integer("wheelchairs"), origin_lat=r.number("origin_lat"),
        origin_lon=r.number("origin_lon"), destination_lat=r.number("destination_lat"),
        destination_lon=r.number("destination_lon"), booked_at=r.time("booked_at"),
        rider_id=r.opt_text("rider_id"), window_final=r.flag("window_final"),
        max_ride_s=r.opt_integer("max_ride_s"), vehicle_id=r.opt_text("vehicle_id"),
        direct_s=r.opt_integer("direct_s"), direct_m=r.opt_integer("direct_m"),
        fare=r.integer("fare"),
        standing_id=r.opt_text("standing_id"), outbound_id=r.opt_text("outbound_id"),
        status_changes=r.items("status_changes",
                               lambda c: StatusChange(c.time("at"), c.text("status"))),
        cancel_reason=cast("CancelReason | None", r.opt_text("cancel_reason")),
        cancel_note=r.opt_text("cancel_note"),
        **times,
    )


def _read_van(r: _Reader) -> VanDayRecord:
    return VanDayRecord(
        vehicle_id=r.text("vehicle_id"), name=r.text("name"), seats=r.integer("seats"),
        wheelchair_places=r.integer("wheelchair_places"), shift_start=r.time("shift_start"),
        shift_end=r.time("shift_end"), km=r.number("km"), hours=r.number("hours"),
        riders=r.integer("riders"), passengers=r.integer("passengers"),
    )


def _read_parcel(r: _Reader) -> ParcelRecord:
    status = r.text("status")
    if status not in PARCEL_STATUSES:
        msg = f"{r.where}.status: {status!r} is not one of {', '.join(PARCEL_STATUSES)}"
        raise DayRecordError(msg)
    return ParcelRecord(
        id=r.text("id"), status=cast(ParcelStatus, status), kg=r.integer("kg"),
        litres=r.integer("litres"), pickup_lat=r.number("pickup_lat"),
        pickup_lon=r.number("pickup_lon"), delivery_lat=r.number("delivery_lat"),
        delivery_lon=r.number("delivery_lon"), handed_in_at=r.time("handed_in_at"),
        shipper_id=r.opt_text("shipper_id"), source=r.opt_text("source"),
        deliver_by=r.opt_time("deliver_by"), vehicle_id=r.opt_text("vehicle_id"),
        picked_up_at=r.opt_time("picked_up_at"), delivered_at=r.opt_time("delivered_at"),
        direct_m=r.opt_integer("direct_m"),
    )


def day_from_dict(data: object) -> DayRecord:
    """A day record from its JSON mapping; a bad field raises ``DayRecordError`` naming it."""
    r = _Reader(data, "day")
    schema, version = r.text("schema"), r.integer("version")
    if schema != SCHEMA:
        msg = f"day.schema: {schema!r} is not {SCHEMA!r}"
        raise DayRecordError(msg)
    if version > VERSION:
        msg = f"day.version: {version} is newer than this engine reads ({VERSION})"
        raise DayRecordError(msg)
    try:
        day = date.fromisoformat(r.text("date"))
    except ValueError as exc:
        msg = f"day.date: {r.data['date']!r} is not a date YYYY-MM-DD"
        raise DayRecordError(msg) from exc
    return DayRecord(
        area=r.text("area"), date=day, timezone=r.text("timezone"), closed_at=r.time("closed_at"),
        bookings=r.items("bookings", _read_booking),
        vans=r.items("vans", _read_van),
        closures=r.items("closures", lambda c: ClosureRecord(
            c.text("id"), c.time("start"), c.opt_time("until"), c.opt_text("reason"))),
        riders=r.items("riders", lambda p: RiderRecord(
            p.text("id"), p.opt_text("name"), p.opt_text("phone"))),
        parcels=r.items("parcels", _read_parcel),
    )


def day_from_json(text: str | bytes) -> DayRecord:
    """A day record from JSON text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"day record is not JSON: {exc}"
        raise DayRecordError(msg) from exc
    return day_from_dict(data)


def riders_referenced(record: DayRecord) -> Sequence[str]:
    """Rider ids the bookings name, in first-seen order."""
    return list(dict.fromkeys(b.rider_id for b in record.bookings if b.rider_id is not None))
