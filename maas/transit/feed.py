"""Reading a GTFS-JP / GTFS feed (zip or directory) with the maintained ``gtfs-kit`` library.

GTFS-JP is GTFS plus Japanese files (``office_jp.txt``, fare and translation files); the
standard tables are all this engine needs, so one reader serves both. Only stops and
stations (``location_type`` 0 or 1, or empty) become ``TransitStop``s.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import gtfs_kit as gk
import pandas as pd

from maas.errors import InvalidInput
from maas.service import ServiceDefinition
from maas.transit.timetable import StopDeparture, Timetable


class TransitError(InvalidInput):
    """A feed that cannot be read, or a bad stop id or time; the message names it."""

    code = "bad_transit_feed"


@dataclass(frozen=True, slots=True)
class TransitStop:
    """A stop of the feed: its id, its name as published, where it is."""

    stop_id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class TransitFeed:
    """The stops of a feed (by id, in feed order) and its timetable."""

    path: Path
    stops: Mapping[str, TransitStop]
    timetable: Timetable
    agency_timezone: str | None = None

    def stop(self, stop_id: str) -> TransitStop:
        """The stop with this id; ``TransitError`` naming it when the feed has none."""
        try:
            return self.stops[stop_id]
        except KeyError:
            msg = f"{self.path.name}: stop_id {stop_id!r} is not in stops.txt"
            raise TransitError(msg) from None

    def check_stops(self, stop_ids: Iterable[str], where: str) -> None:
        """Refuse ids the feed does not have (``where`` names the field that gave them)."""
        missing = [s for s in stop_ids if s not in self.stops]
        if missing:
            msg = (f"{where}: stop ids {', '.join(map(repr, missing))} are not in "
                   f"{self.path.name} (stops.txt)")
            raise TransitError(msg)


def _seconds(value: object) -> int | None:
    """``H:MM:SS`` (hours may pass 24) -> seconds from the service day's noon minus 12 h."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    if not text:
        return None
    h, m, s = (int(p) for p in text.split(":"))
    return h * 3600 + m * 60 + s


def load_feed(path: str | Path) -> TransitFeed:
    """Read a GTFS-JP or GTFS feed (a ``.zip`` or a directory)."""
    path = Path(path)
    if not path.exists():
        msg = f"transit feed {path} not found"
        raise TransitError(msg)
    try:
        feed = gk.read_feed(path, dist_units="km")
    except Exception as exc:  # gtfs-kit raises bare ValueErrors and pandas errors
        msg = f"transit feed {path.name}: cannot read it: {exc}"
        raise TransitError(msg) from exc
    if feed.stops is None or feed.stop_times is None or feed.trips is None:
        msg = f"transit feed {path.name}: needs stops.txt, trips.txt and stop_times.txt"
        raise TransitError(msg)
    stops: dict[str, TransitStop] = {}
    for row in feed.stops.itertuples(index=False):
        kind = getattr(row, "location_type", 0)
        if kind is not pd.NA and not (isinstance(kind, float) and math.isnan(kind)) \
                and int(kind) not in (0, 1):
            continue  # entrances, nodes, boarding areas: not places a van meets
        stops[str(row.stop_id)] = TransitStop(str(row.stop_id), str(row.stop_name),
                                              float(row.stop_lat), float(row.stop_lon))
    trips = feed.trips.set_index("trip_id")
    routes = (feed.routes.set_index("route_id") if feed.routes is not None else None)
    rows: list[StopDeparture] = []
    arrivals: list[StopDeparture] = []
    for st in feed.stop_times.itertuples(index=False):
        dep = _seconds(st.departure_time)
        arr = _seconds(st.arrival_time)
        dep, arr = (dep if dep is not None else arr), (arr if arr is not None else dep)
        if dep is None or arr is None:
            continue  # an untimed stop between timepoints: no time to promise
        trip = trips.loc[st.trip_id]
        route_id = str(trip["route_id"])
        name = ""
        if routes is not None and route_id in routes.index:
            r = routes.loc[route_id]
            name = next((str(r[c]) for c in ("route_short_name", "route_long_name")
                         if c in r and isinstance(r[c], str) and r[c]), "")
        headsign = st.stop_headsign if isinstance(getattr(st, "stop_headsign", None), str) \
            else trip.get("trip_headsign")
        pickup = getattr(st, "pickup_type", 0)
        drop_off = getattr(st, "drop_off_type", 0)
        for secs, refused, out in ((dep, pickup, rows), (arr, drop_off, arrivals)):
            if refused is not pd.NA and refused == 1:
                continue  # no boarding (alighting) here
            out.append(StopDeparture(
                stop_id=str(st.stop_id), seconds=secs, trip_id=str(st.trip_id),
                service_id=str(trip["service_id"]), route_id=route_id, route_name=name,
                headsign=str(headsign) if isinstance(headsign, str) else ""))
    tz = None
    if feed.agency is not None and "agency_timezone" in feed.agency:
        tz = str(feed.agency["agency_timezone"].iloc[0])
    return TransitFeed(path, stops, Timetable(feed, rows, tz, arrivals), tz)


def load_service_feed(svc: ServiceDefinition) -> TransitFeed | None:
    """The feed a service file names (``transit:``), its transfer stops checked against it;
    None when the file names none."""
    if svc.transit is None:
        return None
    feed = load_feed(svc.transit.feed)
    feed.check_stops(svc.transit.transfer_stops, f"{svc.origin}: transit.transfer_stops")
    return feed
