"""One area's service definition: the validated, frozen content of a service file.

Times the methods return are the engine's: day-seconds from the service date's local
midnight (``TimeWindow``), or aware local datetimes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from maas.domain import TimeWindow, Vehicle
from maas.service.booking_rules import BookingRules
from maas.service.calendar import Calendar, DayType
from maas.service.clock import WEEKDAYS, midnight, wall, wall_to_day_seconds
from maas.service.fares import Fares
from maas.service.parcels import ParcelRules
from maas.service.places import Zone, zone_of
from maas.service.policy import PolicySpec
from maas.service.roster import Fleet, Point, Snap, vehicles_for
from maas.settings import settings

BBox = tuple[float, float, float, float]  # (min_lon, min_lat, max_lon, max_lat)


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """Where the roads come from (as ``scenarios.NetworkConfig``): ``source`` is ``demo``,
    ``place:NAME`` or a file path; ``service_area`` a GeoJSON path or a bbox; ``bbox`` the
    area's bounding box (of the GeoJSON polygon when it is a file), resolved at load."""

    source: str
    service_area: str | BBox | None = None
    winter: bool = False
    bbox: BBox | None = None


@dataclass(frozen=True, slots=True)
class TransitSpec:
    """The public-transport feed the service connects to (``transit:`` in the file): the
    feed's path, resolved at load, and the stop ids that are transfer points. Read it with
    ``maas.transit.load_feed`` (the stop ids are checked against the feed there)."""

    feed: Path
    transfer_stops: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServiceDefinition:
    """Everything one area's service runs by (see docs in scenarios/README.md)."""

    name: str
    area: str
    timezone: str
    network: NetworkSpec
    calendar: Calendar
    booking: BookingRules
    policy: PolicySpec
    fares: Fares
    fleet: Fleet
    zones: tuple[Zone, ...] = ()
    places: Mapping[str, Point] = field(default_factory=dict)
    transit: TransitSpec | None = None
    parcels: ParcelRules = field(default_factory=ParcelRules)
    base_dir: Path = Path(".")
    origin: str = "service"  # the file name, for messages

    @property
    def tz(self) -> ZoneInfo:
        """The area's time zone."""
        return ZoneInfo(self.timezone)

    # ---------------------------------------------------------------- calendar

    def is_operating(self, d: date) -> bool:
        """Whether the service runs on ``d``."""
        return self.calendar.is_operating(d)

    def day_type(self, d: date) -> DayType:
        """``weekday``, ``saturday``, ``sunday`` or ``holiday`` (a public holiday)."""
        return self.calendar.day_type(d)

    def hours(self, d: date) -> TimeWindow | None:
        """Operating hours of ``d`` in day-seconds; None when the service does not run."""
        h = self.calendar.hours(d)
        if h is None:
            return None
        tz = self.tz
        return TimeWindow(wall_to_day_seconds(tz, d, h.open), wall_to_day_seconds(tz, d, h.close))

    def closed_reason(self, d: date) -> str:
        """Why ``d`` has no service, in words (for refusals)."""
        cal = self.calendar
        if d in cal.closed_dates:
            return "closed that day"
        if cal.holidays is not None and cal.is_holiday(d) and cal.closed_on_holidays:
            return f"public holiday: {cal.holidays.name(d)}"
        if d.weekday() not in cal.weekdays or cal.hours_by_type.get(cal.day_type(d)) is None:
            return f"no service on {WEEKDAYS[d.weekday()]}"
        return "operating"

    def next_operating_day(self, d: date, *, include: bool = True) -> date | None:
        """The first operating day from ``d`` (``include``) or after it, within a year."""
        return self.calendar.next_operating_day(d, include=include)

    def horizon(self, today: date) -> list[date]:
        """Operating days in ``[today, today + days_ahead]``."""
        days = (today + timedelta(days=i) for i in range(self.booking.days_ahead + 1))
        return [d for d in days if self.is_operating(d)]

    def midnight(self, d: date) -> datetime:
        """The aware local midnight that starts ``d``."""
        return midnight(self.tz, d)

    def booking_deadline(self, d: date) -> datetime:
        """When booking a ride on ``d`` ahead closes (the day before, at the deadline clock);
        the batch plan of ``d`` runs then."""
        return wall(self.tz, d - timedelta(days=1), self.booking.prior_day_deadline_s)

    # ---------------------------------------------------------------- roster, fares, places

    def vehicles_for(self, d: date, snap: Snap) -> tuple[Vehicle, ...]:
        """Vans rostered on ``d`` (none on a day without service), depots snapped."""
        return vehicles_for(self.fleet, self.tz, d, snap, operating=self.is_operating(d))

    def fare(
        self, passengers: int, *, wheelchairs: int = 0, children: int = 0, disability: int = 0
    ) -> int:
        """The fare of one booking (see ``Fares.fare``)."""
        return self.fares.fare(passengers, wheelchairs=wheelchairs, children=children,
                               disability=disability)

    def zone_of(self, lat: float, lon: float) -> str | None:
        """The first zone holding the point, if any."""
        return zone_of(self.zones, lat, lon)

    def resolve_path(self, name: str) -> Path:
        """A file named in the service file: beside it, then under MAAS_DATA_DIR (and osm/)."""
        return resolve_data_path(name, self.base_dir, self.origin)


def resolve_data_path(name: str, base_dir: Path, origin: str = "service") -> Path:
    """Find ``name`` relative to ``base_dir``, then ``MAAS_DATA_DIR`` (and its ``osm/``)."""
    from maas.service.errors import ServiceError

    path = Path(name).expanduser()
    if path.is_absolute():
        candidates = [path]
    else:
        data_dir = settings().data_dir
        candidates = [base_dir / path, data_dir / path, data_dir / "osm" / path]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    msg = f"{origin}: file {name!r} not found (tried {tried}); set MAAS_DATA_DIR"
    raise ServiceError(msg)
