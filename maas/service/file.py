"""Service files: the YAML an operator writes, validated into a frozen ``ServiceDefinition``.

Parsing lives here only. Unknown keys are errors (a typo must not fall back to a default),
and every error names the file and the field: ``demo-service.yaml: booking.days_ahead: ...``.
The schema is versioned (``version: 1``) and names no Python class.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from datetime import date as Date  # a field of an override is called date
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from maas.roads.winter import WINTER_MONTHS
from maas.service.booking_rules import BookingRules
from maas.service.calendar import Calendar, DayType, HolidayCalendar, Hours
from maas.service.clock import WEEKDAYS, clock_to_seconds
from maas.service.definition import (
    BBox,
    NetworkSpec,
    ServiceDefinition,
    TransitSpec,
    resolve_data_path,
)
from maas.service.emergency import CareRules, Emergency
from maas.service.errors import ServiceError
from maas.service.fares import Fares
from maas.service.meeting import (
    DEFAULT_DOOR_TO_DOOR_FLAGS,
    RIDER_FLAGS,
    MeetingPointSpec,
    MeetingPolicy,
    Seasonal,
)
from maas.service.parcels import ParcelRules
from maas.service.places import Zone
from maas.service.policy import PolicySpec, checked_rescue_iterations
from maas.service.roster import (
    BreakSpec,
    CargoSpec,
    Fleet,
    Point,
    RosterOverride,
    ShiftSpec,
    VanSpec,
)

SCHEMA_VERSION = 1
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
KEY_SAFE = r"^[a-z0-9][a-z0-9_-]{0,62}$"  # usable inside Redis keys and URLs


class _Strict(BaseModel):
    """Unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _clock_range(value: tuple[str, str]) -> tuple[str, str]:
    start, end = (clock_to_seconds(v) for v in value)
    if end <= start:
        msg = f"ends ({value[1]}) before it starts ({value[0]})"
        raise ValueError(msg)
    return value


class LatLonIn(_Strict):
    """A point in degrees, or a named place (``place: depot``)."""

    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    place: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> LatLonIn:
        has_point = self.lat is not None and self.lon is not None
        if has_point == (self.place is not None) or (self.lat is None) != (self.lon is None):
            msg = "give either lat and lon, or place"
            raise ValueError(msg)
        return self


class PointIn(_Strict):
    """A point in degrees."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class NetworkIn(_Strict):
    source: str
    service_area: str | tuple[float, float, float, float] | None = None
    winter: bool = False


class HolidaysIn(_Strict):
    country: str = "JP"
    subdivision: str | None = None
    closed: bool = True


class CalendarIn(_Strict):
    weekdays: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
    holidays: HolidaysIn | None = HolidaysIn()
    closed_dates: tuple[date, ...] = ()
    open_dates: tuple[date, ...] = ()


class HoursIn(_Strict):
    weekday: tuple[str, str] | None = None
    saturday: tuple[str, str] | None = None
    sunday: tuple[str, str] | None = None
    holiday: tuple[str, str] | None = None

    @field_validator("weekday", "saturday", "sunday", "holiday")
    @classmethod
    def _range(cls, value: tuple[str, str] | None) -> tuple[str, str] | None:
        return None if value is None else _clock_range(value)


class BookingIn(_Strict):
    same_day_min_notice_minutes: float = Field(default=30, ge=0, le=24 * 60)
    prior_day_deadline: str = "17:00"
    days_ahead: int = Field(default=14, ge=0, le=366)
    provisional_window_minutes: float = Field(default=30, gt=0, le=240)

    @field_validator("prior_day_deadline")
    @classmethod
    def _deadline(cls, value: str) -> str:
        if clock_to_seconds(value) >= 24 * 3600:
            msg = f"{value!r} must be a time of the day before (before 24:00)"
            raise ValueError(msg)
        return value


class RideTimeIn(_Strict):
    base_minutes: float = Field(default=10, ge=0, le=240)
    factor: float = Field(default=1.5, ge=1.0, le=10)


class ReoptimiseIn(_Strict):
    every_minutes: float | None = Field(default=20, gt=0)
    every_bookings: int | None = Field(default=10, ge=1)
    time_limit_seconds: float = Field(default=5.0, gt=0, le=600)
    # Search steps per round (the deterministic search's count; none: the solver's 3000).
    iterations: int | None = Field(default=150, ge=10, le=100_000)
    vans: int = Field(default=3, ge=1, le=500)
    prebook_time_limit_seconds: float = Field(default=20.0, gt=0, le=3600)
    deterministic: bool = True
    # Cores for the day's batch plan: 2 runs two searches that exchange their best plans
    # (better at the same time limit; not repeatable, so ignored when deterministic).
    day_plan_cores: int = Field(default=1, ge=1, le=2)


class RescueIn(_Strict):
    # Refusal rescue: an ask no insertion fits is placed by a solve of this many search
    # steps over the vans near it (0 or null: off); ``vans``: how many in a large fleet.
    iterations: int | None = Field(default=100, ge=0, le=100_000)
    vans: int = Field(default=4, ge=1, le=500)

    @field_validator("iterations")
    @classmethod
    def _enough_steps(cls, value: int | None) -> int | None:
        return checked_rescue_iterations(value)


class BoardingIn(_Strict):
    board_seconds: int = Field(default=60, ge=0, le=3600)
    alight_seconds: int = Field(default=60, ge=0, le=3600)
    wheelchair_board_seconds: int = Field(default=300, ge=0, le=3600)
    wheelchair_alight_seconds: int = Field(default=300, ge=0, le=3600)


class WeightsIn(_Strict):
    travel_time: float = Field(default=1.0, ge=0)
    ride_time: float = Field(default=0.2, ge=0)
    rejection: float = Field(default=100_000.0, ge=0)


class PolicyIn(_Strict):
    pickup_window_minutes: float = Field(default=10, gt=0, le=240)
    max_wait_minutes: float = Field(default=30, gt=0, le=240)
    offer_ttl_seconds: int = Field(default=120, ge=1, le=3600)
    alternative_horizon_minutes: float = Field(default=120, ge=0, le=24 * 60)
    alternative_step_minutes: float = Field(default=15, gt=0, le=240)
    arrive_by_slack_minutes: float = Field(default=30, ge=0, le=240)
    ride_time: RideTimeIn = RideTimeIn()
    no_show_wait_minutes: float = Field(default=3, ge=0, le=60)
    travel_time_margin: float = Field(default=0.2, ge=0, le=1)
    travel_time_noise: float = Field(default=0.1, ge=0, le=1)
    reoptimise: ReoptimiseIn = ReoptimiseIn()
    rescue: RescueIn = RescueIn()
    boarding: BoardingIn = BoardingIn()
    weights: WeightsIn = WeightsIn()
    max_snap_distance_m: float = Field(default=500.0, gt=0, le=10_000)
    seed: int = 0


class FaresIn(_Strict):
    currency: str = Field(default="JPY", pattern=r"^[A-Z]{3}$")
    adult: int = Field(ge=0)
    child: int | None = Field(default=None, ge=0)
    disability: int | None = Field(default=None, ge=0)


class BreakIn(_Strict):
    between: tuple[str, str]  # the break starts inside this clock range
    minutes: float = Field(gt=0, le=240)

    @field_validator("between")
    @classmethod
    def _range(cls, value: tuple[str, str]) -> tuple[str, str]:
        start, end = (clock_to_seconds(v) for v in value)
        if end < start:
            msg = f"ends ({value[1]}) before it starts ({value[0]})"
            raise ValueError(msg)
        return value


class ShiftIn(_Strict):
    start: str
    end: str
    break_: BreakIn | None = Field(default=None, alias="break")

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        clock_to_seconds(value)
        return value


ShiftRef = str | ShiftIn  # a name from fleet.shift_patterns, or a shift written out


class CargoIn(_Strict):
    kg: int = Field(ge=0, le=5_000)  # payload for parcels
    litres: int = Field(ge=0, le=20_000)  # cargo volume with every seat up
    folded_seats: int = Field(default=0, ge=0, le=59)  # seats folded away for the day
    litres_per_folded_seat: int = Field(default=150, ge=0, le=1_000)


class ParcelsIn(_Strict):
    pickup_handling_seconds: int = Field(default=120, ge=0, le=3600)
    delivery_handling_seconds: int = Field(default=120, ge=0, le=3600)
    window: Literal["today"] | float = "today"  # hours from the pickup, or "today"
    return_to: Literal["depot", "pickup"] = "depot"

    @field_validator("window")
    @classmethod
    def _window(cls, value: str | float) -> str | float:
        if not isinstance(value, str) and not 0 < value <= 24:
            msg = "give hours in (0, 24] or \"today\""
            raise ValueError(msg)
        return value


class VanIn(_Strict):
    id: str = Field(pattern=KEY_SAFE)
    name: str | None = None
    model: str = "van"
    seats: int = Field(default=8, ge=1, le=60)
    wheelchair_places: int = Field(default=0, ge=0, le=10)
    depot: LatLonIn | None = None
    shift: ShiftRef | None = None  # every operating weekday of the calendar
    shifts: dict[Weekday, ShiftRef | None] | None = None  # per weekday; missing = day off
    cargo: CargoIn | None = None  # no cargo space: the van carries no parcels


class OverrideIn(_Strict):
    van: str
    date: Date
    until: Date | None = None  # inclusive; default: the one date
    off_duty: bool = False
    shift: ShiftRef | None = None
    reason: str = ""


class FleetIn(_Strict):
    depot: LatLonIn | None = None
    shift_patterns: dict[str, ShiftIn] = {}
    vans: tuple[VanIn, ...] = ()  # none: stand-in vans only (POST /v1/vehicles)
    overrides: tuple[OverrideIn, ...] = ()


class TransitIn(_Strict):
    feed: str = Field(min_length=1)  # a GTFS-JP / GTFS zip or directory
    transfer_stops: tuple[str, ...] = ()  # stop_ids of the feed where riders change
    transfer_buffer_minutes: float = Field(default=5, ge=0, le=60)
    connection_confidence: float = Field(default=0.95, gt=0.5, lt=1)


class DisasterIn(_Strict):
    evacuation_pickup_within_minutes: float = Field(default=60, gt=0, le=24 * 60)


class CareIn(_Strict):
    welfare_no_shows: int = Field(default=2, ge=1, le=100)
    welfare_period_days: int = Field(default=30, ge=1, le=366)


Ring = tuple[tuple[float, float], ...]


def _check_rings(kind: str, value: dict[str, Ring]) -> dict[str, Ring]:
    for name, ring in value.items():
        if len(ring) < 3:
            msg = f"{kind} {name!r} needs at least 3 points [lon, lat]"
            raise ValueError(msg)
        if any(not (-180 <= lon <= 180 and -90 <= lat <= 90) for lon, lat in ring):
            msg = f"{kind} {name!r}: points are [lon, lat] in degrees"
            raise ValueError(msg)
    return value


class SeasonalIn(_Strict):
    summer: float = Field(gt=0)
    winter: float = Field(gt=0)


class MeetingPointIn(_Strict):
    """A listed meeting point: ``id`` and ``name``, and lat/lon or a place of the file."""

    id: str = Field(pattern=KEY_SAFE)
    name: str = Field(min_length=1, max_length=200)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    place: str | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> MeetingPointIn:
        has_point = self.lat is not None and self.lon is not None
        if has_point == (self.place is not None) or (self.lat is None) != (self.lon is None):
            msg = "give either lat and lon, or place"
            raise ValueError(msg)
        return self


class MeetingPointsIn(_Strict):
    mode: Literal["door_to_door", "stop_based", "mixed"]
    points: tuple[MeetingPointIn, ...] = ()
    from_gtfs: bool = False  # every stop of transit.feed is a meeting point
    gtfs_stops: tuple[str, ...] = ()  # or only these stop_ids of it
    walk_limit_m: SeasonalIn = SeasonalIn(summer=300, winter=150)
    walk_speed_m_s: SeasonalIn = SeasonalIn(summer=1.0, winter=0.8)
    winter_months: tuple[int, ...] | None = None  # default: December to March
    door_to_door_flags: tuple[str, ...] | None = None  # mixed only
    out_of_reach: Literal["door_to_door", "reject"] = "door_to_door"
    candidates: int = Field(default=3, ge=1, le=10)

    @field_validator("walk_limit_m")
    @classmethod
    def _limits(cls, value: SeasonalIn) -> SeasonalIn:
        if value.summer > 3000 or value.winter > 3000:
            msg = "a walk limit above 3000 m is no meeting point"
            raise ValueError(msg)
        return value

    @field_validator("winter_months")
    @classmethod
    def _months(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if value is not None and (not value or not set(value) <= set(range(1, 13))):
            msg = "months are numbers 1 to 12 (at least one)"
            raise ValueError(msg)
        return value


class ServiceIn(_Strict):
    version: Literal[1] = 1  # SCHEMA_VERSION
    name: str = Field(min_length=1)
    area: str = Field(pattern=KEY_SAFE)
    timezone: str = "Asia/Tokyo"
    network: NetworkIn
    calendar: CalendarIn = CalendarIn()
    hours: HoursIn
    booking: BookingIn = BookingIn()
    policy: PolicyIn = PolicyIn()
    fares: FaresIn
    fleet: FleetIn
    zones: dict[str, tuple[tuple[float, float], ...]] = {}  # name -> ring of [lon, lat]
    places: dict[str, PointIn] = {}
    transit: TransitIn | None = None
    shelters: dict[str, LatLonIn] = {}  # name -> point or place (issue 16)
    hazard_zones: dict[str, Ring] = {}  # name -> ring of [lon, lat]
    disaster: DisasterIn = DisasterIn()
    care: CareIn = CareIn()
    parcels: ParcelsIn = ParcelsIn()
    meeting_points: MeetingPointsIn | None = None

    @field_validator("hazard_zones")
    @classmethod
    def _hazard_rings(cls, value: dict[str, Ring]) -> dict[str, Ring]:
        return _check_rings("hazard zone", value)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            msg = f"{value!r} is not an IANA time zone (e.g. Asia/Tokyo)"
            raise ValueError(msg) from exc
        return value

    @field_validator("zones")
    @classmethod
    def _rings(
        cls, value: dict[str, tuple[tuple[float, float], ...]]
    ) -> dict[str, tuple[tuple[float, float], ...]]:
        return _check_rings("zone", value)


# ------------------------------------------------------------------------ errors

_TYPE_TAGS = {"str", "int", "float", "bool", "date", "list", "tuple", "dict", "none",
              *(c.__name__ for c in (LatLonIn, PointIn, NetworkIn, HolidaysIn, CalendarIn,
                                     HoursIn, BookingIn, RideTimeIn, ReoptimiseIn, BoardingIn,
                                     WeightsIn, PolicyIn, FaresIn, BreakIn, ShiftIn, VanIn,
                                     OverrideIn, FleetIn, TransitIn, DisasterIn,
                                     CareIn, SeasonalIn, MeetingPointIn, MeetingPointsIn))}


def _field_name(loc: tuple[int | str, ...]) -> str:
    parts = [str(p) for p in loc if not (isinstance(p, str) and (p in _TYPE_TAGS or "[" in p))]
    return ".".join(parts) or "(top level)"


def _validation_message(origin: str, exc: ValidationError) -> str:
    # With unions pydantic reports each member; the deepest location is the telling one.
    errors = exc.errors()
    best = max(errors, key=lambda e: len([p for p in e["loc"] if str(p) not in _TYPE_TAGS]))
    text = str(best["msg"]).removeprefix("Value error, ")
    return f"{origin}: {_field_name(best['loc'])}: {text}"


class _Build:
    """Turns a validated file into the frozen definition, checking what spans sections."""

    def __init__(self, raw: ServiceIn, base_dir: Path, origin: str) -> None:
        self.raw, self.base_dir, self.origin = raw, base_dir, origin

    def fail(self, where: str, why: str) -> ServiceError:
        return ServiceError(f"{self.origin}: {where}: {why}")

    def places(self) -> dict[str, Point]:
        found: dict[str, Point] = {}
        if self.raw.network.source == "demo":
            from maas.roads import demo_town

            found.update({k: Point(lat, lon) for k, (lat, lon) in demo_town.places().items()})
        found.update({k: Point(p.lat, p.lon) for k, p in self.raw.places.items()})
        return found

    def point(self, where: str, value: LatLonIn, places: Mapping[str, Point]) -> Point:
        if value.place is None:
            assert value.lat is not None and value.lon is not None
            return Point(value.lat, value.lon)
        if value.place not in places:
            known = ", ".join(sorted(places)) or "none: add a places section"
            raise self.fail(f"{where}.place", f"unknown place {value.place!r} (known: {known})")
        return places[value.place]

    def calendar(self) -> Calendar:
        cal, hrs = self.raw.calendar, self.raw.hours
        by_type: dict[DayType, Hours | None] = {}
        for kind in ("weekday", "saturday", "sunday", "holiday"):
            rng = getattr(hrs, kind)
            by_type[kind] = None if rng is None else Hours(*(clock_to_seconds(v) for v in rng))  # type: ignore[index]
        need = {"sat": "saturday", "sun": "sunday"}
        for day in cal.weekdays:
            kind = need.get(day, "weekday")
            if by_type[kind] is None:  # type: ignore[index]
                raise self.fail("calendar.weekdays",
                                f"{day} is an operating weekday but hours.{kind} is null")
        holidays = None
        if cal.holidays is not None:
            try:
                holidays = HolidayCalendar(cal.holidays.country, cal.holidays.subdivision)
            except NotImplementedError as exc:
                raise self.fail("calendar.holidays", str(exc)) from exc
            if not cal.holidays.closed and by_type["holiday"] is None:
                raise self.fail("hours.holiday",
                                "null, but calendar.holidays.closed is false (give hours)")
        both = set(cal.closed_dates) & set(cal.open_dates)
        if both:
            raise self.fail("calendar.open_dates", f"{min(both)} is also a closed date")
        return Calendar(
            weekdays=frozenset(WEEKDAYS.index(d) for d in cal.weekdays),
            hours_by_type=dict(by_type),
            holidays=holidays,
            closed_on_holidays=cal.holidays.closed if cal.holidays is not None else False,
            closed_dates=frozenset(cal.closed_dates),
            open_dates=frozenset(cal.open_dates),
        )

    def shift(self, where: str, ref: ShiftRef) -> ShiftSpec:
        patterns = self.raw.fleet.shift_patterns
        if isinstance(ref, str):
            if ref not in patterns:
                known = ", ".join(sorted(patterns)) or "none"
                raise self.fail(where, f"unknown shift pattern {ref!r} (fleet.shift_patterns: "
                                       f"{known})")
            where, shift_in = f"fleet.shift_patterns.{ref}", patterns[ref]
        else:
            shift_in = ref
        start, end = clock_to_seconds(shift_in.start), clock_to_seconds(shift_in.end)
        if end <= start:
            raise self.fail(f"{where}.end", f"shift ends ({shift_in.end}) before it starts "
                                           f"({shift_in.start})")
        brk = None
        if shift_in.break_ is not None:
            b = shift_in.break_
            lo, hi = (clock_to_seconds(v) for v in b.between)
            dur = round(b.minutes * 60)
            if lo < start or hi + dur > end:
                raise self.fail(f"{where}.break", f"a {b.minutes:g}-minute break starting "
                                f"{b.between[0]}-{b.between[1]} does not fit in the shift "
                                f"{shift_in.start}-{shift_in.end}")
            brk = BreakSpec(lo, hi, dur)
        return ShiftSpec(start, end, brk)

    def fleet(self, places: Mapping[str, Point], weekdays: frozenset[int]) -> Fleet:
        raw = self.raw.fleet
        default_depot = None if raw.depot is None else self.point("fleet.depot", raw.depot, places)
        vans: list[VanSpec] = []
        for i, v in enumerate(raw.vans):
            where = f"fleet.vans.{i}"
            if v.id in {x.id for x in vans}:
                raise self.fail(f"{where}.id", f"duplicate van id {v.id!r}")
            if v.depot is not None:
                depot = self.point(f"{where}.depot", v.depot, places)
            elif default_depot is not None:
                depot = default_depot
            else:
                raise self.fail(f"{where}.depot", "no depot (give fleet.depot or the van's own)")
            if (v.shift is None) == (v.shifts is None):
                raise self.fail(where, "give exactly one of shift (every operating weekday) "
                                       "or shifts (per weekday)")
            week: dict[int, ShiftSpec] = {}
            if v.shift is not None:
                spec = self.shift(f"{where}.shift", v.shift)
                week = dict.fromkeys(sorted(weekdays), spec)
            else:
                assert v.shifts is not None
                for day, ref in v.shifts.items():
                    if ref is not None:
                        week[WEEKDAYS.index(day)] = self.shift(f"{where}.shifts.{day}", ref)
            cargo = None
            if v.cargo is not None:
                if v.cargo.folded_seats >= v.seats:
                    raise self.fail(f"{where}.cargo.folded_seats",
                                    f"folds {v.cargo.folded_seats} of {v.seats} seats: at least "
                                    "one must stay up")
                cargo = CargoSpec(v.cargo.kg, v.cargo.litres, v.cargo.folded_seats,
                                  v.cargo.litres_per_folded_seat)
            vans.append(VanSpec(
                id=v.id, name=v.name or v.id, seats=v.seats,
                wheelchair_places=v.wheelchair_places, depot=depot,
                week=dict(week), model=v.model, cargo=cargo,
            ))
        ids = {v.id for v in vans}
        overrides = []
        for i, o in enumerate(raw.overrides):
            where = f"fleet.overrides.{i}"
            if o.van not in ids:
                raise self.fail(f"{where}.van", f"unknown van {o.van!r} (vans: "
                                f"{', '.join(sorted(ids))})")
            last = o.until or o.date
            if last < o.date:
                raise self.fail(f"{where}.until", f"{last} is before date {o.date}")
            if o.off_duty == (o.shift is not None):
                raise self.fail(where, "give exactly one of off_duty: true or shift")
            shift = None if o.shift is None else self.shift(f"{where}.shift", o.shift)
            overrides.append(RosterOverride(o.van, o.date, last, shift, o.reason))
        return Fleet(tuple(vans), tuple(overrides))

    def network(self) -> NetworkSpec:
        n = self.raw.network
        area = n.service_area
        bbox: BBox | None = None
        if isinstance(area, tuple):
            w, s, e, north = area
            if w >= e or s >= north:
                raise self.fail("network.service_area", "bbox must be [min_lon, min_lat, "
                                                        "max_lon, max_lat]")
            bbox = area
        elif isinstance(area, str):
            bbox = self._geojson_bbox(area)
        return NetworkSpec(n.source, area, n.winter, bbox)

    def _geojson_bbox(self, name: str) -> BBox:
        path = resolve_data_path(name, self.base_dir, self.origin)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            coords: list[list[float]] = []

            def walk(node: Any) -> None:
                if isinstance(node, list) and node and isinstance(node[0], int | float):
                    coords.append(node)
                elif isinstance(node, list):
                    for child in node:
                        walk(child)

            geoms = [f["geometry"] for f in data.get("features", [])] or [
                data.get("geometry", data)]
            for g in geoms:
                walk(g["coordinates"])
            lons, lats = [c[0] for c in coords], [c[1] for c in coords]
            return (min(lons), min(lats), max(lons), max(lats))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise self.fail("network.service_area", f"{path} is not a GeoJSON polygon: "
                                                     f"{exc}") from exc

    def policy(self) -> PolicySpec:
        p = self.raw.policy
        r = p.reoptimise
        return PolicySpec(
            pickup_window_s=round(p.pickup_window_minutes * 60),
            max_wait_s=round(p.max_wait_minutes * 60),
            offer_ttl_s=p.offer_ttl_seconds,
            alternative_horizon_s=round(p.alternative_horizon_minutes * 60),
            alternative_step_s=round(p.alternative_step_minutes * 60),
            arrive_by_slack_s=round(p.arrive_by_slack_minutes * 60),
            ride_time_a_s=round(p.ride_time.base_minutes * 60),
            ride_time_b=p.ride_time.factor,
            no_show_wait_s=round(p.no_show_wait_minutes * 60),
            travel_time_margin=p.travel_time_margin,
            travel_time_noise=p.travel_time_noise,
            reoptimise_every_s=None if r.every_minutes is None else round(r.every_minutes * 60),
            reoptimise_every_bookings=r.every_bookings,
            reoptimise_time_limit_s=r.time_limit_seconds,
            reoptimise_iterations=r.iterations,
            reoptimise_vans=r.vans,
            prebook_time_limit_s=r.prebook_time_limit_seconds,
            deterministic=r.deterministic,
            day_plan_cores=r.day_plan_cores,
            seed=p.seed,
            max_snap_distance_m=p.max_snap_distance_m,
            board_s=p.boarding.board_seconds,
            alight_s=p.boarding.alight_seconds,
            wheelchair_board_s=p.boarding.wheelchair_board_seconds,
            wheelchair_alight_s=p.boarding.wheelchair_alight_seconds,
            weight_travel_time=p.weights.travel_time,
            weight_ride_time=p.weights.ride_time,
            weight_rejection=p.weights.rejection,
            rescue_iterations=p.rescue.iterations or None,
            rescue_vans=p.rescue.vans,
        )

    def booking(self) -> BookingRules:
        b = self.raw.booking
        rules = BookingRules(
            min_notice_s=round(b.same_day_min_notice_minutes * 60),
            prior_day_deadline_s=clock_to_seconds(b.prior_day_deadline),
            days_ahead=b.days_ahead,
            provisional_window_s=round(b.provisional_window_minutes * 60),
        )
        if rules.provisional_window_s < round(self.raw.policy.pickup_window_minutes * 60):
            raise self.fail("booking.provisional_window_minutes",
                            "narrower than policy.pickup_window_minutes (the final window must "
                            "fit inside the provisional one)")
        return rules

    def parcels(self) -> ParcelRules:
        p = self.raw.parcels
        window = None if isinstance(p.window, str) else round(p.window * 3600)
        return ParcelRules(p.pickup_handling_seconds, p.delivery_handling_seconds, window,
                           p.return_to)

    def transit(self) -> TransitSpec | None:
        t = self.raw.transit
        if t is None:
            return None
        if len(set(t.transfer_stops)) != len(t.transfer_stops):
            raise self.fail("transit.transfer_stops", "a stop is listed twice")
        try:
            path = resolve_data_path(t.feed, self.base_dir, self.origin)
        except ServiceError as exc:
            raise self.fail("transit.feed", str(exc).removeprefix(f"{self.origin}: ")) from exc
        return TransitSpec(path, t.transfer_stops, round(t.transfer_buffer_minutes * 60),
                           t.connection_confidence)

    def emergency(self, places: Mapping[str, Point]) -> Emergency:
        raw = self.raw
        hazards = tuple(Zone(k, tuple((lon, lat) for lon, lat in ring))
                        for k, ring in raw.hazard_zones.items())
        if hazards and not raw.shelters:
            raise self.fail("shelters", "hazard_zones are given but no shelter to evacuate to")
        shelters: dict[str, Point] = {}
        for name, value in raw.shelters.items():
            where = f"shelters.{name}"
            if not re.match(KEY_SAFE, name):
                raise self.fail(where, "a shelter name is lower-case letters, digits, - or _")
            point = self.point(where, value, places)
            inside = next((z.name for z in hazards if z.contains(point.lat, point.lon)), None)
            if inside is not None:
                raise self.fail(where, f"lies inside hazard zone {inside!r}: a shelter must be "
                                       "safe from the hazard")
            shelters[name] = point
        within = round(raw.disaster.evacuation_pickup_within_minutes * 60)
        return Emergency(shelters, hazards, within)

    def meeting(self, places: Mapping[str, Point]) -> MeetingPolicy:
        m = self.raw.meeting_points
        if m is None:
            return MeetingPolicy()
        where = "meeting_points"
        ids: set[str] = set()
        points = []
        for i, p in enumerate(m.points):
            if p.id in ids:
                raise self.fail(f"{where}.points.{i}.id", f"duplicate meeting point id {p.id!r}")
            ids.add(p.id)
            at = self.point(f"{where}.points.{i}",
                            LatLonIn(lat=p.lat, lon=p.lon, place=p.place), places)
            points.append(MeetingPointSpec(p.id, p.name, at.lat, at.lon))
        if (m.from_gtfs or m.gtfs_stops) and self.raw.transit is None:
            raise self.fail(f"{where}.{'from_gtfs' if m.from_gtfs else 'gtfs_stops'}",
                            "meeting points from GTFS need a transit section (transit.feed)")
        if m.from_gtfs and m.gtfs_stops:
            raise self.fail(f"{where}.gtfs_stops", "give from_gtfs: true (every stop) or "
                                                   "gtfs_stops (some), not both")
        if len(set(m.gtfs_stops)) != len(m.gtfs_stops):
            raise self.fail(f"{where}.gtfs_stops", "a stop is listed twice")
        if m.mode != "door_to_door" and not (points or m.from_gtfs or m.gtfs_stops):
            raise self.fail(f"{where}.points", f"mode {m.mode} needs meeting points (points, "
                                               "from_gtfs or gtfs_stops)")
        if m.walk_limit_m.winter > m.walk_limit_m.summer:
            raise self.fail(f"{where}.walk_limit_m.winter", "longer than the summer limit "
                                                            "(snow makes walks shorter)")
        flags = m.door_to_door_flags
        if flags is not None:
            if m.mode != "mixed":
                raise self.fail(f"{where}.door_to_door_flags",
                                f"only with mode mixed (mode {m.mode} meets "
                                f"{'nobody' if m.mode == 'stop_based' else 'everyone'} at "
                                "the door)")
            unknown = sorted(set(flags) - RIDER_FLAGS)
            if unknown:
                raise self.fail(f"{where}.door_to_door_flags",
                                f"unknown rider flag {unknown[0]!r} (known: "
                                f"{', '.join(sorted(RIDER_FLAGS))})")
        return MeetingPolicy(
            mode=m.mode,
            points=tuple(points),
            from_gtfs=m.from_gtfs,
            gtfs_stops=m.gtfs_stops,
            walk_limit_m=Seasonal(m.walk_limit_m.summer, m.walk_limit_m.winter),
            walk_speed_m_s=Seasonal(m.walk_speed_m_s.summer, m.walk_speed_m_s.winter),
            winter_months=(frozenset(m.winter_months) if m.winter_months is not None
                           else WINTER_MONTHS),
            door_to_door_flags=DEFAULT_DOOR_TO_DOOR_FLAGS if flags is None else flags,
            out_of_reach=m.out_of_reach,
            candidates=m.candidates,
        )

    def definition(self) -> ServiceDefinition:
        raw = self.raw
        places = self.places()
        calendar = self.calendar()
        return ServiceDefinition(
            name=raw.name,
            area=raw.area,
            timezone=raw.timezone,
            network=self.network(),
            calendar=calendar,
            booking=self.booking(),
            policy=self.policy(),
            fares=Fares(raw.fares.currency, raw.fares.adult, raw.fares.child,
                        raw.fares.disability),
            fleet=self.fleet(places, calendar.weekdays),
            zones=tuple(Zone(k, tuple((lon, lat) for lon, lat in ring))
                        for k, ring in raw.zones.items()),
            places=dict(places),
            transit=self.transit(),
            parcels=self.parcels(),
            meeting=self.meeting(places),
            base_dir=self.base_dir,
            origin=self.origin,
            emergency=self.emergency(places),
            care=CareRules(raw.care.welfare_no_shows, raw.care.welfare_period_days),
        )


def parse_service(
    data: Mapping[str, Any], base_dir: Path, origin: str = "service"
) -> ServiceDefinition:
    """Validate a mapping (the parsed YAML) into a ``ServiceDefinition``."""
    if not isinstance(data, Mapping):
        msg = f"{origin}: expected a mapping of sections, got {type(data).__name__}"
        raise ServiceError(msg)
    try:
        raw = ServiceIn.model_validate(dict(data))
    except ValidationError as exc:
        raise ServiceError(_validation_message(origin, exc)) from exc
    return _Build(raw, base_dir, origin).definition()


def load_service(path: str | Path) -> ServiceDefinition:
    """Read and validate a service file (relative paths in it resolve beside it)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"cannot read service file {path}: {exc.strerror or exc}"
        raise ServiceError(msg) from exc
    except yaml.YAMLError as exc:
        msg = f"{path.name}: not valid YAML: {exc}".replace("\n", " ")
        raise ServiceError(msg) from exc
    return parse_service(data, path.resolve().parent, origin=path.name)

