"""A service as a GTFS-Flex v2 feed, for journey planners.

Files: ``agency.txt``, ``routes.txt``, ``trips.txt``, ``stop_times.txt`` (zone to zone, with
``start/end_pickup_drop_off_window`` and ``safe_duration_factor/offset``),
``locations.geojson`` (the zones), ``booking_rules.txt``, ``calendar.txt``,
``calendar_dates.txt`` (public holidays, closed and open dates), ``fare_attributes.txt``,
``fare_rules.txt``, ``feed_info.txt``.

Meeting points: a service that meets riders at points (``meeting_points`` mode
``stop_based`` or ``mixed``) lists them in ``stops.txt``, one ``location_groups.txt`` group
per zone of the points inside it (``location_group_stops.txt``), and its stop times name the
group instead of the zone: a journey planner then tells a rider where to walk. A zone with no
point keeps its polygon (the van comes to the door there). Who is still met at the door (a
mixed service's flagged riders, a rider with no point in reach) is said in the booking
rule's message, since GTFS-Flex cannot say it per rider. Points outside every zone are left
out.

Booking: GTFS-Flex gives one booking rule per stop time, while the service takes a ride
booked the day before (by the deadline, up to ``days_ahead`` days) *or* on the day itself
(with the minimum notice). So each zone pair and day type has two trips with the same
windows: one bookable ahead (``booking_type`` 2) and one bookable on the day
(``booking_type`` 1, opening at the day's midnight). Fares: fare_attributes carries the
adult fare only (GTFS fare_attributes has no rider categories; the reduced fares are in
the booking rule's message).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from maas.errors import InvalidInput
from maas.publish.ride_times import DurationFit
from maas.publish.service_days import dates, day_types, hms, service_type_on, ymd
from maas.publish.zones import PublicZone, service_zones
from maas.service import MeetingPointSpec, ServiceDefinition
from maas.service.clock import WEEKDAYS

WEEKDAY_COLUMNS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday",
                          "saturday", "sunday")
DEFAULT_DAYS: Final = 365


@dataclass(frozen=True, slots=True)
class FeedOptions:
    """What the service file does not hold: the agency's URL (required by GTFS) and phone,
    the first date and length of the calendar, the language."""

    agency_url: str
    start: date
    days: int = DEFAULT_DAYS
    phone: str | None = None
    booking_url: str | None = None
    lang: str = "ja"
    contact_email: str | None = None
    feed_version: str | None = None

    def __post_init__(self) -> None:
        if not self.agency_url.startswith(("http://", "https://")):
            msg = f"agency_url: {self.agency_url!r} must be a full http(s) URL"
            raise InvalidInput(msg)
        if not 1 <= self.days <= 3 * 366:
            msg = f"days: {self.days} must be 1-1098"
            raise InvalidInput(msg)


Table = tuple[Sequence[str], Sequence[Sequence[object]]]


def flex_tables(svc: ServiceDefinition, fit: DurationFit, opts: FeedOptions,
                points: Sequence[MeetingPointSpec] = ()
                ) -> tuple[dict[str, Table], dict[str, object] | None]:
    """The feed's text tables (file name -> header, rows) and its ``locations.geojson`` (None
    when every zone is served at meeting points). ``points``: the service's meeting points
    (``maas.meeting.service_point_specs``), used when its policy meets riders at points."""
    zones = service_zones(svc)
    groups = point_groups(zones, points) if svc.meeting.uses_points else {}
    types = day_types(svc)
    last = opts.start.fromordinal(opts.start.toordinal() + opts.days - 1)
    agency = svc.area
    t: dict[str, Table] = {}
    t["agency.txt"] = (("agency_id", "agency_name", "agency_url", "agency_timezone",
                        "agency_lang", "agency_phone"),
                       [(agency, svc.name, opts.agency_url, svc.timezone, opts.lang,
                         opts.phone or "")])
    t["routes.txt"] = (("route_id", "agency_id", "route_short_name", "route_long_name",
                        "route_type"), [(svc.area, agency, "", svc.name, 3)])
    b = svc.booking
    fares = svc.fares
    fare_note = f"運賃 大人{fares.adult}円" + (
        f"・小児{fares.child}円" if fares.child is not None else "") + (
        f"・障害者{fares.disability}円" if fares.disability is not None else "")
    deadline = hms(b.prior_day_deadline_s)
    meet_note = meeting_note(svc) if groups else ""
    t["booking_rules.txt"] = (
        ("booking_rule_id", "booking_type", "prior_notice_duration_min",
         "prior_notice_last_day", "prior_notice_last_time", "prior_notice_start_day",
         "prior_notice_start_time", "message", "phone_number", "booking_url"),
        [(f"{svc.area}_prior_day", 2, "", 1, deadline, b.days_ahead, "00:00:00",
          f"前日{deadline[:5]}まで（{b.days_ahead}日前から）予約。{fare_note}{meet_note}",
          opts.phone or "", opts.booking_url or ""),
         (f"{svc.area}_same_day", 1, b.min_notice_s // 60, "", "", 0, "00:00:00",
          f"当日は{b.min_notice_s // 60}分前まで予約。{fare_note}{meet_note}",
          opts.phone or "", opts.booking_url or "")])
    cal_rows = []
    weekdays = svc.calendar.weekdays
    for kind in types:
        flags = [0] * 7
        if kind == "weekday":
            flags[:5] = [int(i in weekdays) for i in range(5)]
        elif kind == "saturday":
            flags[5] = int(5 in weekdays)
        elif kind == "sunday":
            flags[6] = int(6 in weekdays)
        if any(flags):  # a type that runs on no weekday (holidays) lives in calendar_dates
            cal_rows.append((kind, *flags, ymd(opts.start), ymd(last)))
    t["calendar.txt"] = (("service_id", *WEEKDAY_COLUMNS, "start_date", "end_date"), cal_rows)
    exceptions = []
    for d in dates(opts.start, opts.days):
        base = _by_weekday(d, weekdays, types)
        want = service_type_on(svc, d)
        if base != want:
            if base is not None:
                exceptions.append((base, ymd(d), 2))
            if want is not None:
                exceptions.append((want, ymd(d), 1))
    t["calendar_dates.txt"] = (("service_id", "date", "exception_type"), exceptions)
    trips, stop_times = [], []
    pairs = [(a, z) for a in zones for z in zones]
    running = {r[0] for r in cal_rows} | {e[0] for e in exceptions if e[2] == 1}
    for kind, hours in types.items():
        if kind not in running:
            continue  # no date of the published range runs it
        start, end = hms(hours.open), hms(hours.close)
        for o, dz in pairs:
            for rule in ("prior_day", "same_day"):
                trip_id = f"{svc.area}_{kind}_{o.id}_{dz.id}_{rule}"
                trips.append((svc.area, kind, trip_id, svc.name))
                rule_id = f"{svc.area}_{rule}"
                common = (start, end, fit.factor, fit.offset_min)
                stop_times.append((trip_id, 1, *_where(o, groups), *common[:2], 2, 1,
                                   rule_id, "", *common[2:]))
                stop_times.append((trip_id, 2, *_where(dz, groups), *common[:2], 1, 2, "",
                                   rule_id, *common[2:]))
    t["trips.txt"] = (("route_id", "service_id", "trip_id", "trip_headsign"), trips)
    t["stop_times.txt"] = (("trip_id", "stop_sequence", "location_id", "location_group_id",
                            "start_pickup_drop_off_window", "end_pickup_drop_off_window",
                            "pickup_type", "drop_off_type", "pickup_booking_rule_id",
                            "drop_off_booking_rule_id", "safe_duration_factor",
                            "safe_duration_offset"), stop_times)
    fare_id = f"{svc.area}_adult"
    t["fare_attributes.txt"] = (("fare_id", "price", "currency_type", "payment_method",
                                 "transfers", "agency_id"),
                                [(fare_id, fares.adult, fares.currency, 0, 0, agency)])
    t["fare_rules.txt"] = (("fare_id", "route_id"), [(fare_id, svc.area)])
    t["feed_info.txt"] = (("feed_publisher_name", "feed_publisher_url", "feed_lang",
                           "feed_start_date", "feed_end_date", "feed_version",
                           "feed_contact_email", "feed_contact_url"),
                          [(svc.name, opts.agency_url, opts.lang, ymd(opts.start), ymd(last),
                            opts.feed_version or ymd(opts.start), opts.contact_email or "",
                            opts.agency_url)])
    if groups:
        members = [(g, p) for g, ps in groups.items() for p in ps]
        t["stops.txt"] = (("stop_id", "stop_name", "stop_lat", "stop_lon", "location_type"),
                          [(_stop_id(p), p.name, round(p.lat, 7), round(p.lon, 7), 0)
                           for p in dict.fromkeys(p for _, p in members)])
        names = {z.id: z.name for z in zones}
        t["location_groups.txt"] = (("location_group_id", "location_group_name"),
                                    [(g, f"{names[z]} 乗降場所") for z, g in
                                     ((z, _group_id(z)) for z in groups)])
        t["location_group_stops.txt"] = (("location_group_id", "stop_id"),
                                         [(_group_id(z), _stop_id(p)) for z, p in members])
    at_door = [z for z in zones if z.id not in groups]
    return t, locations_geojson(at_door) if at_door else None


def point_groups(zones: Sequence[PublicZone], points: Sequence[MeetingPointSpec]
                 ) -> dict[str, list[MeetingPointSpec]]:
    """Zone id -> the meeting points inside it (a point in two zones is in both), zones
    without a point left out."""
    from shapely.geometry import Point, shape

    shapes = [(z.id, shape(z.geometry)) for z in zones]
    groups: dict[str, list[MeetingPointSpec]] = {}
    for p in points:
        here = Point(p.lon, p.lat)
        for zid, geom in shapes:
            if geom.covers(here):
                groups.setdefault(zid, []).append(p)
    return groups


def meeting_note(svc: ServiceDefinition) -> str:
    """The booking rule's words on where riders are met."""
    m = svc.meeting
    limit = f"徒歩{m.walk_limit_m.summer:.0f}m以内（冬季{m.walk_limit_m.winter:.0f}m以内）"
    note = f" 乗降は{limit}の乗降場所で。"
    if m.mode == "mixed":
        note += "車椅子の方など登録された方は自宅前まで。"
    if m.out_of_reach == "door_to_door":
        note += "近くに乗降場所がない方は自宅前まで。"
    return note


def _stop_id(p: MeetingPointSpec) -> str:
    return f"mp_{p.id}"


def _group_id(zone_id: str) -> str:
    return f"{zone_id}_meeting_points"


def _where(zone: PublicZone, groups: Mapping[str, object]) -> tuple[str, str]:
    """``(location_id, location_group_id)`` of a stop time in ``zone``."""
    return ("", _group_id(zone.id)) if zone.id in groups else (zone.id, "")


def _by_weekday(d: date, weekdays: frozenset[int], types: Collection[str]) -> str | None:
    """The service id calendar.txt alone runs on ``d``."""
    wd = d.weekday()
    if wd not in weekdays:
        return None
    kind = "weekday" if wd < 5 else WEEKDAYS[wd].replace("sat", "saturday").replace(
        "sun", "sunday")
    return kind if kind in types else None


def locations_geojson(zones: Sequence[PublicZone]) -> dict[str, object]:
    """GTFS-Flex ``locations.geojson``: a FeatureCollection, one Feature per zone."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": z.id, "properties": {"stop_name": z.name},
         "geometry": z.geometry} for z in zones]}


def write_gtfs_flex(svc: ServiceDefinition, fit: DurationFit, opts: FeedOptions, out: Path,
                    points: Sequence[MeetingPointSpec] = ()) -> list[Path]:
    """Write the feed's files into ``out`` (created); returns them."""
    tables, locations = flex_tables(svc, fit, opts, points)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, (header, rows) in tables.items():
        path = out / name
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)
        written.append(path)
    if locations is not None:
        path = out / "locations.geojson"
        path.write_text(json.dumps(locations, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written
