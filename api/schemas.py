"""Request and response bodies of contract v1: one class per use (``BookingCreate``,
``BookingPublic``...). Validation of shapes and ranges happens here; checks that need the
service area (the road network, the clock, the fleet) happen in the routers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from maas.history.day import CANCEL_NOTE_MAX, CancelReason

Name = Annotated[str, Field(min_length=1, max_length=200)]
Id = Annotated[str, Field(min_length=1, max_length=100)]


def _plausible(moment: datetime) -> datetime:
    # A guard against far-off dates that would overflow time arithmetic downstream.
    if not 2000 <= moment.year <= 2100:
        msg = "time must lie between the years 2000 and 2100"
        raise ValueError(msg)
    return moment


Moment = Annotated[datetime, AfterValidator(_plausible)]


class Strict(BaseModel):
    """Bodies reject unknown fields, so a typo is an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class LatLon(Strict):
    """A WGS 84 position."""

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class TimeWindowPublic(BaseModel):
    """An interval of clock times (ISO 8601 with the area's UTC offset)."""

    start: str
    end: str


# --- riders -------------------------------------------------------------------------------


Phone = Annotated[str, Field(max_length=40)]
ServiceSeconds = Annotated[int, Field(ge=0, le=1800)]


class RiderCreate(Strict):
    """A resident registered by the operator. ``board_seconds``/``alight_seconds`` override
    the policy's boarding times for this rider (a cane, a walker); ``registered_elderly``
    and ``disability_card`` are eligibility flags the town keeps; ``door_to_door`` grants
    pickups at the door in a service with meeting points (so may other flags, as the service
    file's ``meeting_points.door_to_door_flags`` says); ``notes`` are for the driver (where
    the door is, call before arriving)."""

    name: Name
    name_kana: Annotated[str, Field(max_length=200)] | None = None
    phone: Phone | None = None
    needs_wheelchair: bool = False
    walker: bool = False
    board_seconds: ServiceSeconds | None = None
    alight_seconds: ServiceSeconds | None = None
    registered_elderly: bool = False
    disability_card: bool = False
    door_to_door: bool = False
    notes: Annotated[str, Field(max_length=500)] | None = None
    # Care and evacuation (issue 16): a no-show of a rider living alone or registered
    # elderly alerts the operator with the contact person; ``home`` and ``needs_help``
    # (避難行動要支援者) are what an evacuation fetches first.
    lives_alone: bool = False
    needs_help: bool = False
    home: LatLon | None = None
    contact_name: Annotated[str, Field(max_length=200)] | None = None
    contact_phone: Phone | None = None


class RiderUpdate(Strict):
    """Fields of a rider to change (absent fields stay as they are)."""

    name: Name | None = None
    name_kana: Annotated[str, Field(max_length=200)] | None = None
    phone: Phone | None = None
    needs_wheelchair: bool | None = None
    walker: bool | None = None
    board_seconds: ServiceSeconds | None = None
    alight_seconds: ServiceSeconds | None = None
    registered_elderly: bool | None = None
    disability_card: bool | None = None
    door_to_door: bool | None = None
    notes: Annotated[str, Field(max_length=500)] | None = None
    lives_alone: bool | None = None
    needs_help: bool | None = None
    home: LatLon | None = None
    contact_name: Annotated[str, Field(max_length=200)] | None = None
    contact_phone: Phone | None = None


class RiderPublic(BaseModel):
    """A rider as the API shows them (``erased``: personal data removed on request)."""

    id: str
    name: str | None
    name_kana: str | None = None
    phone: str | None = None
    needs_wheelchair: bool = False
    walker: bool = False
    board_seconds: int | None = None
    alight_seconds: int | None = None
    registered_elderly: bool = False
    disability_card: bool = False
    door_to_door: bool = False
    notes: str | None = None
    lives_alone: bool = False
    needs_help: bool = False
    home: LatLon | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    erased: bool = False

    @property
    def welfare_watch(self) -> bool:
        """Whether a no-show of this rider is a welfare signal (living alone or elderly)."""
        return not self.erased and (self.lives_alone or self.registered_elderly)


class RiderList(BaseModel):
    """Riders found."""

    riders: list[RiderPublic]


class RiderCreated(RiderPublic):
    """A new rider with their bearer token (shown once; only its hash is stored)."""

    token: str


# --- vehicles -----------------------------------------------------------------------------


class VehicleCreate(Strict):
    """A van and its shift (ISO 8601 times; without an offset they are the area's local time)."""

    name: Name
    seats: int = Field(ge=0, le=60)
    wheelchair_places: int = Field(default=0, ge=0, le=10)
    depot: LatLon
    shift_start: Moment
    shift_end: Moment
    cargo_kg: int = Field(default=0, ge=0, le=5_000)  # space for parcels (貨客混載)
    cargo_litres: int = Field(default=0, ge=0, le=20_000)

    @model_validator(mode="after")
    def _consistent(self) -> VehicleCreate:
        if self.seats + self.wheelchair_places < 1:
            msg = "a vehicle needs at least one seat or wheelchair place"
            raise ValueError(msg)
        start, end = self.shift_start, self.shift_end
        if (start.tzinfo is None) != (end.tzinfo is None):
            msg = "give both shift times with a UTC offset, or neither"
            raise ValueError(msg)
        if end <= start:
            msg = "shift_end must be after shift_start"
            raise ValueError(msg)
        return self


class VehicleUpdate(Strict):
    """Fields of a van to change (absent fields stay as they are)."""

    name: Name | None = None
    seats: int | None = Field(default=None, ge=0, le=60)
    wheelchair_places: int | None = Field(default=None, ge=0, le=10)
    depot: LatLon | None = None


class VehiclePublic(BaseModel):
    """A van as registered."""

    id: str
    name: str
    seats: int
    wheelchair_places: int
    depot: LatLon
    shift_start: str
    shift_end: str
    retired: bool = False  # DELETE /v1/vehicles/{id}: no new rides
    cargo_kg: int = 0
    cargo_litres: int = 0


class VehicleCreated(VehiclePublic):
    """A new van with its driver's bearer token (shown once)."""

    driver_token: str


class PositionReport(Strict):
    """Where the van is, and when it was there."""

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    at: Moment


class PositionResult(BaseModel):
    """The reported position as snapped onto the road network, and whether it was applied
    (false: the van has a newer report already, so this late one is ignored)."""

    lat: float
    lon: float
    applied: bool


class ParcelLoad(BaseModel):
    """A parcel on a van's manifest: its size, and whether it is riding back (nobody was
    home at its address)."""

    kg: int
    litres: int
    returning: bool = False


class ManifestStop(BaseModel):
    """One stop of a van's manifest (``parcel``: set when the stop is a parcel's)."""

    stop_id: str
    booking_id: str
    type: Literal["pickup", "dropoff"]
    passengers: int
    planned_at: str
    location: LatLon
    parcel: ParcelLoad | None = None
    # Set at a pickup the van reached early where boarding at once would break the rider's
    # ride limit (the plan waits later on): board the rider at this time, not before.
    board_from: str | None = None


class Manifest(BaseModel):
    """The stops a van still has to make, in driving order."""

    vehicle_id: str
    stops: list[ManifestStop]


class Load(BaseModel):
    """Riders on board now."""

    passengers: int
    wheelchairs: int


class VehicleStatus(BaseModel):
    """A van as the operator watches it: where it is, how full, where it goes next."""

    id: str
    name: str
    position: LatLon
    position_at: str | None
    load: Load
    next_stops: list[ManifestStop]


class VehicleList(BaseModel):
    """The whole fleet."""

    vehicles: list[VehicleStatus]


class StopEventCreate(Strict):
    """A driver's report at a stop."""

    type: Literal["arrived", "picked_up", "dropped_off", "no_show", "not_home"]


class StopEventResult(BaseModel):
    """What the report changed."""

    booking_id: str
    type: str
    booking_status: str


# --- offers and bookings ------------------------------------------------------------------


class ConnectTo(Strict):
    """A departure to catch at a transfer stop: the one at ``departure``, or the first after
    ``after`` on ``route`` (route id or name) whose headsign contains ``headsign``."""

    stop_id: Id
    departure: Moment | None = None
    after: Moment | None = None
    route: Name | None = None
    headsign: Name | None = None

    @model_validator(mode="after")
    def _one_time(self) -> ConnectTo:
        if (self.departure is None) == (self.after is None):
            msg = "give departure (a scheduled time) or after (the next one from then)"
            raise ValueError(msg)
        return self


class ConnectFrom(Strict):
    """An arriving train to wait for at a transfer stop: the one arriving at ``arrival``,
    or the first after ``after`` (optionally on ``route`` / towards ``headsign``)."""

    stop_id: Id
    arrival: Moment | None = None
    after: Moment | None = None
    route: Name | None = None
    headsign: Name | None = None

    @model_validator(mode="after")
    def _one_time(self) -> ConnectFrom:
        if (self.arrival is None) == (self.after is None):
            msg = "give arrival (a scheduled time) or after (the next one from then)"
            raise ValueError(msg)
        return self


class OfferCreate(Strict):
    """A ride request. Give ``pickup_after`` or ``arrive_before`` (neither: as soon as
    possible). ``passengers`` counts everyone travelling; with ``wheelchair`` one of them
    uses a wheelchair place instead of a seat. The operator books for a rider by phone with
    ``rider_id``."""

    origin: LatLon
    destination: LatLon
    passengers: int = Field(default=1, ge=1, le=60)
    wheelchair: bool = False
    pickup_after: Moment | None = None
    arrive_before: Moment | None = None
    rider_id: Id | None = None
    outbound_booking_id: Id | None = Field(
        default=None, description="the outbound ride this one returns from (same day)")
    alternatives: bool = Field(
        default=False, description="also list other times that could be served beside the "
        "offer (earlier than asked, later than offered; appointments: earlier arrivals)")
    connect_to: ConnectTo | None = Field(
        default=None, description="a train to catch at the destination (a transfer stop)")
    connect_from: ConnectFrom | None = Field(
        default=None, description="a train to meet at the origin (a transfer stop)")

    @model_validator(mode="after")
    def _consistent(self) -> OfferCreate:
        if self.pickup_after is not None and self.arrive_before is not None:
            msg = "give pickup_after or arrive_before, not both"
            raise ValueError(msg)
        if (self.connect_to or self.connect_from) and (self.pickup_after or self.arrive_before):
            msg = "a train connection sets the time: give no pickup_after or arrive_before"
            raise ValueError(msg)
        if self.connect_to is not None and self.connect_from is not None:
            msg = "give connect_to or connect_from, not both"
            raise ValueError(msg)
        if (self.origin.lat, self.origin.lon) == (self.destination.lat, self.destination.lon):
            msg = "origin and destination are the same place"
            raise ValueError(msg)
        return self


class MeetingPlacePublic(BaseModel):
    """A meeting point the rider walks to (or from): its id and name, where it is, and the
    walk from (to) the asked point in metres, as the crow flies."""

    id: str
    name: str
    lat: float
    lon: float
    walk_m: int


class AlternativePublic(BaseModel):
    """A time that could be served instead: ask again with ``pickup_after`` (or, for an
    appointment, ``arrive_before``); the estimates hold on the plan of the moment."""

    pickup_after: str | None = None
    arrive_before: str | None = None
    estimated_pickup: str
    estimated_dropoff: str


class OfferPublic(BaseModel):
    """An offer: a pickup window and a latest drop-off, valid until ``expires_at``.

    ``window_final`` is false for a ride on a later day: its pickup window is provisional
    and narrows to the final width when that day is planned (at the prior-day deadline).
    ``alternatives`` is filled when the ask asked for them. ``pickup_point``/``dropoff_point``
    name the meeting point a stop-based rider boards or alights at (the pickup window is at
    that point, the walk counted); null: at the asked point (door to door)."""

    offer_id: str
    service_date: str
    pickup_window: TimeWindowPublic
    window_final: bool
    dropoff_by: str
    expires_at: str
    estimated_pickup: str
    estimated_dropoff: str
    fare: int
    alternatives: list[AlternativePublic] = Field(default_factory=list)
    connection: ConnectionPublic | None = None
    pickup_point: MeetingPlacePublic | None = None
    dropoff_point: MeetingPlacePublic | None = None


class ConnectionPublic(BaseModel):
    """The train an offer connects to: ``departure`` (caught at the destination: the ride
    arrives by ``at_stop_by`` = scheduled - buffer - margin) or ``arrival`` (met at the
    origin: the pickup window opens after it)."""

    kind: Literal["departure", "arrival"]
    stop_id: str
    stop_name: str
    scheduled: str
    trip_id: str
    route: str
    headsign: str
    buffer_minutes: float
    margin_minutes: float
    at_stop_by: str | None = None


class TrainDelayCreate(Strict):
    """A train (GTFS ``trip_id``) runs late; rides waiting for it follow."""

    trip_id: Id
    delay_minutes: float = Field(ge=0, le=720)
    stop_id: Id | None = None


class TrainDelayPublic(BaseModel):
    """The rides that moved, with their new pickup windows."""

    trip_id: str
    delay_minutes: float
    moved: list[MovedRide]


class MovedRide(BaseModel):
    """One return ride that follows the late train."""

    booking_id: str
    pickup_window: TimeWindowPublic


class BookingCreate(Strict):
    """Accept an offer."""

    offer_id: Id


class BookingPublic(BaseModel):
    """A booking and the promise it carries: ``pickup_window`` is the promise in force now;
    ``window_final`` is false until the booking's day is planned, and
    ``provisional_window`` keeps the wider window a ride booked ahead was first given."""

    id: str
    status: str
    service_date: str
    pickup_window: TimeWindowPublic
    window_final: bool = True
    provisional_window: TimeWindowPublic | None = None
    dropoff_by: str
    vehicle_id: str
    rider_id: str | None
    origin: LatLon
    destination: LatLon
    passengers: int
    wheelchair: bool
    fare: int = 0
    standing_id: str | None = None
    outbound_booking_id: str | None = None
    return_booking_id: str | None = None
    pickup_point: MeetingPlacePublic | None = None
    dropoff_point: MeetingPlacePublic | None = None
    cancel_reason: CancelReason | None = None
    cancel_note: str | None = None


class BookingCancel(Strict):
    """Why a booking is cancelled: a reason code and, optionally, the clerk's words."""

    reason: CancelReason
    note: Annotated[str, Field(max_length=CANCEL_NOTE_MAX)] | None = None


class BookingList(BaseModel):
    """Bookings, newest first."""

    bookings: list[BookingPublic]


# --- closures -----------------------------------------------------------------------------



def _lon_lat(position: list[float]) -> list[float]:
    if not (-180 <= position[0] <= 180 and -90 <= position[1] <= 90):
        msg = "a position is [longitude, latitude] within [-180, 180] x [-90, 90]"
        raise ValueError(msg)
    return position[:2]  # an altitude, if given, plays no part in closing roads


Position = Annotated[list[Annotated[float, Field(allow_inf_nan=False)]],
                     Field(min_length=2, max_length=3), AfterValidator(_lon_lat)]


class LineStringGeometry(Strict):
    """A GeoJSON LineString (lon, lat order)."""

    type: Literal["LineString"]
    coordinates: Annotated[list[Position], Field(min_length=2, max_length=10_000)]


class PolygonGeometry(Strict):
    """A GeoJSON Polygon (lon, lat order; rings closed)."""

    type: Literal["Polygon"]
    coordinates: Annotated[
        list[Annotated[list[Position], Field(min_length=4, max_length=10_000)]],
        Field(min_length=1, max_length=100),
    ]


class ClosureCreate(Strict):
    """A road closure: the roads a line crosses, or every road inside a polygon."""

    geometry: Annotated[LineStringGeometry | PolygonGeometry, Field(discriminator="type")]
    until: Moment | None = None


class ClosurePublic(BaseModel):
    """A closure in force and the bookings it stops from being served as planned."""

    id: str
    until: str | None
    affected_bookings: list[str]
    promises_at_risk: list[str]


# --- service, days, standing bookings, clock ----------------------------------------------


HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["08:30"])]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class StandingCreate(Strict):
    """A weekly ride: the same trip on the given weekdays, from ``first_date`` on."""

    origin: LatLon
    destination: LatLon
    passengers: int = Field(default=1, ge=1, le=60)
    wheelchair: bool = False
    weekdays: Annotated[list[Weekday], Field(min_length=1, max_length=7)]
    pickup_after: HHMM | None = None
    arrive_before: HHMM | None = None
    first_date: date
    last_date: date | None = None
    skip_holidays: bool = True
    rider_id: Id | None = None

    @model_validator(mode="after")
    def _consistent(self) -> StandingCreate:
        if (self.pickup_after is None) == (self.arrive_before is None):
            msg = "give exactly one of pickup_after or arrive_before (local HH:MM)"
            raise ValueError(msg)
        if self.last_date is not None and self.last_date < self.first_date:
            msg = "last_date lies before first_date"
            raise ValueError(msg)
        if len(set(self.weekdays)) != len(self.weekdays):
            msg = "a weekday is given twice"
            raise ValueError(msg)
        if (self.origin.lat, self.origin.lon) == (self.destination.lat, self.destination.lon):
            msg = "origin and destination are the same place"
            raise ValueError(msg)
        return self


class StandingRide(BaseModel):
    """What became of a standing booking on one open day."""

    date: str
    booking_id: str | None = None
    reason: str | None = None
    message: str | None = None


class StandingPublic(BaseModel):
    """A standing booking as stored, with its rides on the days already open."""

    id: str
    rider_id: str
    origin: LatLon
    destination: LatLon
    passengers: int
    wheelchair: bool
    weekdays: list[str]
    pickup_after: str | None
    arrive_before: str | None
    first_date: str
    last_date: str | None
    skip_holidays: bool
    rides: list[StandingRide] = []


class StandingList(BaseModel):
    """Standing bookings."""

    standing_bookings: list[StandingPublic]


class PlanFiguresPublic(BaseModel):
    """What a day's plan costs."""

    bookings: int
    vans_used: int
    km: float
    van_hours: float
    cost: float


class DayPublic(BaseModel):
    """An open service day."""

    date: str
    status: str
    planned: bool
    booking_deadline: str
    bookings: int
    active: int
    standing: int
    vans_rostered: int
    vans_on_road: int
    standing_unserved: list[StandingRide] = []
    plan_before: PlanFiguresPublic | None = None
    plan_after: PlanFiguresPublic | None = None
    plan_seconds: float | None = None


class DayList(BaseModel):
    """The open service days, in date order."""

    days: list[DayPublic]


class DayPlanned(BaseModel):
    """The result of a day's batch plan."""

    date: str
    bookings: int
    final_windows: int
    solver_improved: bool
    before: PlanFiguresPublic
    after: PlanFiguresPublic


class DayClosed(BaseModel):
    """A closed day: what it served, and where its record went."""

    date: str
    bookings: int
    completed: int
    cancelled: int
    no_shows: int
    archive: str


class ClockSet(Strict):
    """Move the training clock (forward only); ``running`` lets it go on at wall speed."""

    now: Moment
    running: bool = False


class ClockPublic(BaseModel):
    """The service's time, and what moving it did."""

    now: str
    training: bool
    running: bool
    opened: list[str] = []
    planned: list[str] = []
    closed: list[str] = []
