"""A month's figures for the town's report (利用実績, 収支率): pure functions of day records.

What the figures mean (one definition, used by the CSV, the HTML page and the API):

- ``bookings``: booked rides (every status but ``rejected``); ``rides``: completed bookings;
  ``riders``: people carried on them (walking riders + wheelchair users, 延べ利用者数);
  ``distinct_riders`` (month only): different rider ids among the rides (実利用者数).
- ``no_shows``, ``cancelled``, ``rejected``: bookings (or requests) that ended so;
  ``cancelled_by_reason`` (month): the cancellations per reason code (``unspecified``: none
  given).
- ``wait``: minutes from the wished pickup time (``pickup_after``; else the start of the
  pickup window) to boarding, never negative. ``on_time_share``: rides boarded inside their
  pickup window and dropped off by ``dropoff_by``.
- ``van_days``: vans that drove that day (km or hours above zero); ``vehicle_km`` and
  ``vehicle_hours`` from the van days. ``occupancy``: people on board averaged over the
  vehicle hours; ``pooled_share``: rides that shared the van with another ride for a while.
- ``cost`` (``CostModel``: per vehicle hour, per km, fixed per van day that drove), ``fares``
  (of completed rides), ``fare_recovery`` = fares / cost (収支率), ``cost_per_ride``.
- ``by_weekday`` (service date), ``by_hour`` (local hour of boarding), ``by_zone`` (zone of the
  origin: named polygons, or a grid when the area has none).
- ``equity`` (who the service leaves behind, issue 16): per zone of origin, and for
  bookings with a wheelchair against the rest, the requests (booked or refused), the share
  refused (``rejected_share``), the wait (p50, p90 of completed rides, as ``wait``) and the
  ``on_time_share`` (as above), each over that group's own bookings.
- ``parcels`` (month only): the parcels carried (``maas.history.parcel_figures``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Final, Protocol

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from maas.errors import InvalidInput
from maas.history.day import CANCEL_REASONS, BookingRecord, DayRecord, VanDayRecord
from maas.history.parcel_figures import ParcelFigures, parcel_figures

WEEKDAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
OUTSIDE: Final = "outside"
UNSPECIFIED: Final = "unspecified"  # a cancellation without a reason
REPORT_SCHEMA: Final = "maas.history.month-report"
REPORT_VERSION: Final = 3  # 2: ``equity`` added (issue 16); 3: ``parcels``


class ReportError(InvalidInput):
    """Bad report input (a month, a zone polygon, a cost figure); names the field."""

    code = "bad_report_input"


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month, written ``YYYY-MM``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.month <= 12 and 1 <= self.year <= 9999):
            msg = f"month: {self.year}-{self.month} is not a month"
            raise ReportError(msg)

    @classmethod
    def parse(cls, text: str) -> Month:
        """``"2026-12"`` -> ``Month(2026, 12)``; anything else raises ``ReportError``."""
        m = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
        if m is None:
            msg = f"month: {text!r} is not YYYY-MM"
            raise ReportError(msg)
        return cls(int(m[1]), int(m[2]))

    @property
    def first(self) -> dt.date:
        """Its first day."""
        return dt.date(self.year, self.month, 1)

    @property
    def last(self) -> dt.date:
        """Its last day."""
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def previous(self) -> Month:
        """The month before."""
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def __contains__(self, day: dt.date) -> bool:
        return (day.year, day.month) == (self.year, self.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class CostModel:
    """What running the vans costs, in ``currency`` units."""

    per_vehicle_hour: float = 3500.0
    per_km: float = 25.0
    fixed_per_van_day: float = 4000.0
    currency: str = "JPY"

    def __post_init__(self) -> None:
        for name in ("per_vehicle_hour", "per_km", "fixed_per_van_day"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                msg = f"cost.{name}: {value} must be a number >= 0"
                raise ReportError(msg)

    def van_day(self, van: VanDayRecord) -> float:
        """The cost of one van day (nothing for a van that never left)."""
        if not driven(van):
            return 0.0
        return van.hours * self.per_vehicle_hour + van.km * self.per_km + self.fixed_per_van_day


def driven(van: VanDayRecord) -> bool:
    """Whether a van drove that day (a rostered van that never left costs nothing here)."""
    return van.km > 0 or van.hours > 0


# --- zones ------------------------------------------------------------------------------

Ring = list[tuple[float, float]]  # [(lon, lat), ...]


class Zones(Protocol):
    """Names the zone of a point and draws it."""

    def zone_of(self, lat: float, lon: float) -> str:
        """The zone a point lies in (``OUTSIDE`` if none)."""
        ...

    def outline(self, name: str) -> Ring | None:
        """The zone's outline as ``(lon, lat)`` points (None for ``OUTSIDE``)."""
        ...


class PolygonZones:
    """Named polygons (hamlets, 地区), each a ring of ``[lon, lat]`` points; first match wins."""

    def __init__(self, polygons: Mapping[str, Sequence[Sequence[float]]]) -> None:
        self._rings: dict[str, Ring] = {}
        self._shapes: list[tuple[str, Polygon]] = []
        for name, ring in polygons.items():
            points = [tuple(p) for p in ring]
            if len(points) < 3 or any(len(p) != 2 for p in points):
                msg = f"zones.{name}: needs at least 3 [lon, lat] points"
                raise ReportError(msg)
            if any(not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90) for p in points):
                msg = f"zones.{name}: points must be [lon, lat] in degrees"
                raise ReportError(msg)
            polygon = Polygon(points)
            if not polygon.is_valid or polygon.area == 0:
                msg = f"zones.{name}: not a valid polygon"
                raise ReportError(msg)
            shapely.prepare(polygon)
            self._rings[name] = [(float(x), float(y)) for x, y in points]
            self._shapes.append((name, polygon))

    def zone_of(self, lat: float, lon: float) -> str:
        point = Point(lon, lat)
        return next((name for name, poly in self._shapes if poly.covers(point)), OUTSIDE)

    def outline(self, name: str) -> Ring | None:
        return self._rings.get(name)


class GridZones:
    """Square cells of about ``cell_km`` (at latitude ``ref_lat``), named by their SW corner."""

    def __init__(self, cell_km: float = 1.0, ref_lat: float = 43.0) -> None:
        if not (cell_km > 0 and math.isfinite(cell_km)):
            msg = f"zones.grid_km: {cell_km} must be > 0"
            raise ReportError(msg)
        self.dlat = cell_km / 111.32
        self.dlon = cell_km / (111.32 * max(0.01, math.cos(math.radians(ref_lat))))

    def _cell(self, lat: float, lon: float) -> tuple[int, int]:
        return math.floor(lat / self.dlat), math.floor(lon / self.dlon)

    def zone_of(self, lat: float, lon: float) -> str:
        iy, ix = self._cell(lat, lon)
        return f"{iy * self.dlat:.4f}N {ix * self.dlon:.4f}E"

    def outline(self, name: str) -> Ring | None:
        m = re.fullmatch(r"(-?[\d.]+)N (-?[\d.]+)E", name)
        if m is None:
            return None
        iy, ix = self._cell(float(m[1]) + self.dlat / 2, float(m[2]) + self.dlon / 2)
        s, w = iy * self.dlat, ix * self.dlon
        n, e = s + self.dlat, w + self.dlon
        return [(w, s), (e, s), (e, n), (w, n), (w, s)]


def parse_zones(data: object, origin: str = "zones") -> dict[str, list[list[float]]]:
    """Zone polygons from a mapping ``{name: [[lon, lat], ...]}`` (a service file's ``zones``)
    or a GeoJSON FeatureCollection of Polygons with a ``name`` property."""
    if isinstance(data, Mapping) and data.get("type") == "FeatureCollection":
        out: dict[str, list[list[float]]] = {}
        for i, feature in enumerate(data.get("features") or []):
            if not isinstance(feature, Mapping):
                feature = {}
            geometry = feature.get("geometry") or {}
            name = (feature.get("properties") or {}).get("name")
            if geometry.get("type") != "Polygon" or not isinstance(name, str):
                msg = f"{origin}: features[{i}]: needs a Polygon and a properties.name"
                raise ReportError(msg)
            out[name] = [list(map(float, p)) for p in geometry["coordinates"][0]]
        return out
    if not isinstance(data, Mapping):
        msg = f"{origin}: expected a mapping of zone name to [[lon, lat], ...]"
        raise ReportError(msg)
    out = {}
    for name, ring in data.items():
        try:
            out[str(name)] = [[float(x), float(y)] for x, y in ring]
        except (TypeError, ValueError) as exc:
            msg = f"{origin}.{name}: expected a list of [lon, lat] points"
            raise ReportError(msg) from exc
    PolygonZones(out)  # validates every ring, naming a bad one
    return out


def zones_from(polygons: Mapping[str, Sequence[Sequence[float]]] | None, days: Sequence[DayRecord],
               grid_km: float = 1.0) -> Zones:
    """Named polygons if given, else a grid laid at the rides' mean latitude."""
    if polygons:
        return PolygonZones(polygons)
    lats = [b.origin_lat for d in days for b in d.bookings]
    return GridZones(grid_km, float(np.mean(lats)) if lats else 43.0)


# --- figures ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of one day or one month (see the module docstring for each)."""

    bookings: int
    rides: int
    riders: int
    no_shows: int
    cancelled: int
    rejected: int
    van_days: int
    vehicle_km: float
    vehicle_hours: float
    cost: float
    fares: int
    fare_recovery: float | None
    cost_per_ride: float | None
    wait_mean_min: float | None
    wait_p50_min: float | None
    wait_p90_min: float | None
    on_time_share: float | None
    pooled_share: float | None
    occupancy: float | None
    riders_per_vehicle_hour: float | None


@dataclass(frozen=True, slots=True)
class Count:
    """Rides and riders of one weekday, hour or zone."""

    key: str
    rides: int
    riders: int


@dataclass(frozen=True, slots=True)
class GroupFigures:
    """Equity figures of one group of bookings (a zone, wheelchair users, the rest)."""

    key: str
    requests: int
    rejected: int
    rejected_share: float | None
    rides: int
    wait_p50_min: float | None
    wait_p90_min: float | None
    on_time_share: float | None


@dataclass(frozen=True, slots=True)
class Equity:
    """Figures by zone of origin and for wheelchair users against the rest."""

    by_zone: tuple[GroupFigures, ...]
    wheelchair: GroupFigures
    rest: GroupFigures


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One service day's figures."""

    date: dt.date
    figures: Figures


@dataclass(frozen=True, slots=True)
class MonthFigures:
    """A month: per day, the total, and rides by weekday, hour and zone."""

    area: str
    month: Month
    days: tuple[DayFigures, ...]
    total: Figures
    distinct_riders: int
    by_weekday: tuple[Count, ...]
    by_hour: tuple[Count, ...]
    by_zone: tuple[Count, ...]
    equity: Equity | None = None
    cancelled_by_reason: tuple[tuple[str, int], ...] = ()
    parcels: ParcelFigures = field(default_factory=ParcelFigures)


@dataclass(frozen=True, slots=True)
class MonthReport:
    """A month beside the month before, with the cost model used."""

    current: MonthFigures
    previous: MonthFigures
    cost: CostModel = field(default_factory=CostModel)


def wait_seconds(b: BookingRecord) -> int | None:
    """Seconds from the wished pickup (or the window's start) to boarding; None if not ridden."""
    if b.status != "completed" or b.picked_up_at is None:
        return None
    wished = b.pickup_after or b.pickup_earliest
    if wished is None:
        return None
    return max(0, round((b.picked_up_at - wished).total_seconds()))


def on_time(b: BookingRecord) -> bool | None:
    """Whether a completed ride kept its pickup window and drop-off promise."""
    if (b.status != "completed" or b.picked_up_at is None or b.dropped_off_at is None
            or b.pickup_earliest is None or b.pickup_latest is None or b.dropoff_by is None):
        return None
    return (b.pickup_earliest <= b.picked_up_at <= b.pickup_latest
            and b.dropped_off_at <= b.dropoff_by)


def pooled(bookings: Sequence[BookingRecord]) -> set[str]:
    """Ids of completed rides that shared their van with another ride for a while."""
    by_van: dict[str, list[BookingRecord]] = {}
    for b in bookings:
        if b.status == "completed" and b.vehicle_id is not None:
            by_van.setdefault(b.vehicle_id, []).append(b)
    shared: set[str] = set()
    for rides in by_van.values():
        rides.sort(key=lambda b: b.picked_up_at or dt.datetime.min.replace(tzinfo=dt.UTC))
        for i, a in enumerate(rides):
            assert a.picked_up_at is not None and a.dropped_off_at is not None
            for b in rides[i + 1:]:
                assert b.picked_up_at is not None and b.dropped_off_at is not None
                if b.picked_up_at >= a.dropped_off_at:
                    break
                shared.update((a.id, b.id))
    return shared


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _minutes(values: Sequence[int], q: float | None) -> float | None:
    if not values:
        return None
    if q is None:
        return round(float(np.mean(values)) / 60, 2)
    return round(float(np.quantile(np.asarray(values, dtype=float), q)) / 60, 2)


def figures(days: Iterable[DayRecord], cost: CostModel) -> Figures:
    """The figures of any set of days (one day, or a month)."""
    days = list(days)
    bookings = [b for d in days for b in d.bookings]
    vans = [v for d in days for v in d.vans]
    status = Counter(b.status for b in bookings)
    rides = [b for b in bookings if b.status == "completed"]
    riders = sum(b.people for b in rides)
    waits = [w for b in rides if (w := wait_seconds(b)) is not None]
    kept = [k for b in rides if (k := on_time(b)) is not None]
    shared = sum(len(pooled(d.bookings)) for d in days)
    km = sum(v.km for v in vans)
    hours = sum(v.hours for v in vans)
    total_cost = sum(cost.van_day(v) for v in vans)
    fares = sum(b.fare for b in rides)
    on_board_s = sum(b.people * (b.dropped_off_at - b.picked_up_at).total_seconds()
                     for b in rides if b.dropped_off_at and b.picked_up_at)
    return Figures(
        bookings=len(bookings) - status["rejected"],
        rides=len(rides),
        riders=riders,
        no_shows=status["no_show"],
        cancelled=status["cancelled"],
        rejected=status["rejected"],
        van_days=sum(driven(v) for v in vans),
        vehicle_km=round(km, 3),
        vehicle_hours=round(hours, 3),
        cost=round(total_cost, 2),
        fares=fares,
        fare_recovery=round(fares / total_cost, 4) if total_cost else None,
        cost_per_ride=round(total_cost / len(rides), 2) if rides else None,
        wait_mean_min=_minutes(waits, None),
        wait_p50_min=_minutes(waits, 0.5),
        wait_p90_min=_minutes(waits, 0.9),
        on_time_share=_share(sum(kept), len(kept)),
        pooled_share=_share(shared, len(rides)),
        occupancy=round(on_board_s / (hours * 3600), 4) if hours else None,
        riders_per_vehicle_hour=round(riders / hours, 4) if hours else None,
    )


def group_figures(key: str, bookings: Sequence[BookingRecord]) -> GroupFigures:
    """Requests, refusals, waits and punctuality of one group of bookings."""
    rides = [b for b in bookings if b.status == "completed"]
    waits = [w for b in rides if (w := wait_seconds(b)) is not None]
    kept = [k for b in rides if (k := on_time(b)) is not None]
    rejected = sum(b.status == "rejected" for b in bookings)
    return GroupFigures(key, len(bookings), rejected, _share(rejected, len(bookings)),
                        len(rides), _minutes(waits, 0.5), _minutes(waits, 0.9),
                        _share(sum(kept), len(kept)))


def equity(bookings: Sequence[BookingRecord], zones: Zones) -> Equity:
    """The equity figures of these bookings (refused requests included)."""
    by_zone: dict[str, list[BookingRecord]] = {}
    for b in bookings:
        by_zone.setdefault(zones.zone_of(b.origin_lat, b.origin_lon), []).append(b)
    order = sorted(by_zone, key=lambda k: (-len(by_zone[k]), k))
    return Equity(
        by_zone=tuple(group_figures(k, by_zone[k]) for k in order),
        wheelchair=group_figures("wheelchair", [b for b in bookings if b.wheelchairs > 0]),
        rest=group_figures("rest", [b for b in bookings if b.wheelchairs == 0]),
    )


def _counts(pairs: Iterable[tuple[str, int]], order: Sequence[str] | None = None
            ) -> tuple[Count, ...]:
    rides: Counter[str] = Counter()
    riders: Counter[str] = Counter()
    for key, people in pairs:
        rides[key] += 1
        riders[key] += people
    keys = list(order) if order is not None else sorted(rides, key=lambda k: (-rides[k], k))
    return tuple(Count(k, rides[k], riders[k]) for k in keys)


def month_figures(area: str, month: Month, days: Sequence[DayRecord], cost: CostModel,
                  zones: Zones) -> MonthFigures:
    """The figures of ``month`` from the day records of ``area`` (other days are ignored)."""
    days = sorted((d for d in days if d.area == area and d.date in month), key=lambda d: d.date)
    rides = [(d, b) for d in days for b in d.bookings if b.status == "completed"]

    def hour(d: DayRecord, b: BookingRecord) -> str:
        assert b.picked_up_at is not None
        return f"{b.picked_up_at.astimezone(d.tz).hour:02d}"

    return MonthFigures(
        area=area,
        month=month,
        days=tuple(DayFigures(d.date, figures([d], cost)) for d in days),
        total=figures(days, cost),
        distinct_riders=len({b.rider_id for _, b in rides if b.rider_id is not None}),
        by_weekday=_counts(((WEEKDAYS[d.date.weekday()], b.people) for d, b in rides), WEEKDAYS),
        by_hour=_counts(((hour(d, b), b.people) for d, b in rides),
                        [f"{h:02d}" for h in range(24)]),
        by_zone=_counts((zones.zone_of(b.origin_lat, b.origin_lon), b.people) for _, b in rides),
        equity=equity([b for d in days for b in d.bookings], zones),
        cancelled_by_reason=cancellations_by_reason(days),
        parcels=parcel_figures(days),
    )


def cancellations_by_reason(days: Iterable[DayRecord]) -> tuple[tuple[str, int], ...]:
    """Cancelled bookings per reason code, every code listed (``unspecified``: cancelled
    without a reason, as every booking before reasons were kept)."""
    found: Counter[str] = Counter(b.cancel_reason or UNSPECIFIED for d in days for b in d.bookings
                    if b.status == "cancelled")
    return tuple((code, found[code]) for code in (*CANCEL_REASONS, UNSPECIFIED))


def month_report(area: str, month: Month, days: Sequence[DayRecord], cost: CostModel,
                 zones: Zones) -> MonthReport:
    """``month`` beside the month before; ``days`` should hold both months' records."""
    return MonthReport(month_figures(area, month, days, cost, zones),
                       month_figures(area, month.previous(), days, cost, zones), cost)


# --- plain data -------------------------------------------------------------------------

DAY_COLUMNS: Final = ("date", *Figures.__dataclass_fields__)


def figures_dict(f: Figures) -> dict[str, Any]:
    """A figures object as a plain mapping (the CSV columns after ``date``)."""
    return asdict(f)


def month_dict(m: MonthFigures) -> dict[str, Any]:
    """A month's figures as JSON-ready data."""
    return {
        "month": str(m.month),
        "days": [{"date": d.date.isoformat(), **figures_dict(d.figures)} for d in m.days],
        "total": figures_dict(m.total),
        "distinct_riders": m.distinct_riders,
        "by_weekday": [{"weekday": c.key, "rides": c.rides, "riders": c.riders}
                       for c in m.by_weekday],
        "by_hour": [{"hour": int(c.key), "rides": c.rides, "riders": c.riders}
                    for c in m.by_hour],
        "by_zone": [{"zone": c.key, "rides": c.rides, "riders": c.riders} for c in m.by_zone],
        **({} if m.equity is None else {"equity": equity_dict(m.equity)}),
        "cancelled_by_reason": dict(m.cancelled_by_reason),
        "parcels": asdict(m.parcels),
    }


def equity_dict(e: Equity) -> dict[str, Any]:
    """Equity figures as JSON-ready data."""
    def group(g: GroupFigures) -> dict[str, Any]:
        data = asdict(g)
        del data["key"]
        return data

    return {"by_zone": [{"zone": g.key, **group(g)} for g in e.by_zone],
            "wheelchair": group(e.wheelchair), "rest": group(e.rest)}


def report_dict(r: MonthReport) -> dict[str, Any]:
    """The month report as JSON (schema name and version, never class names)."""
    return {
        "schema": REPORT_SCHEMA,
        "version": REPORT_VERSION,
        "area": r.current.area,
        "month": str(r.current.month),
        "currency": r.cost.currency,
        "cost_model": {"per_vehicle_hour": r.cost.per_vehicle_hour, "per_km": r.cost.per_km,
                       "fixed_per_van_day": r.cost.fixed_per_van_day},
        "current": month_dict(r.current),
        "previous": month_dict(r.previous),
    }


def csv_rows(m: MonthFigures) -> list[dict[str, Any]]:
    """One row per day (``date`` first) and a last row ``date = total``."""
    rows = [{"date": d.date.isoformat(), **figures_dict(d.figures)} for d in m.days]
    rows.append({"date": "total", **figures_dict(m.total)})
    return rows
