"""Departures by stop and service date.

Which trips run on a date is the feed's ``calendar.txt`` and ``calendar_dates.txt``, read by
``gtfs-kit`` (``get_active_services``). Times are seconds from the service day's noon minus
12 hours (midnight, but on a daylight-saving day), as GTFS counts them; they may pass 24:00.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import gtfs_kit as gk


@dataclass(frozen=True, slots=True)
class StopDeparture:
    """One timed boarding in the feed (any date)."""

    stop_id: str
    seconds: int
    trip_id: str
    service_id: str
    route_id: str
    route_name: str = ""
    headsign: str = ""


@dataclass(frozen=True, slots=True)
class Departure:
    """A departure on one service date."""

    stop_id: str
    service_date: date
    seconds: int  # from the service date's noon minus 12 h; may pass 24:00
    trip_id: str
    route_id: str
    route_name: str
    headsign: str

    @property
    def clock(self) -> str:
        """``HH:MM:SS`` as GTFS writes it (``25:10:00`` after midnight)."""
        h, rest = divmod(self.seconds, 3600)
        return f"{h:02d}:{rest // 60:02d}:{rest % 60:02d}"

    def at(self, tz: ZoneInfo) -> datetime:
        """The aware local time of the departure."""
        noon = datetime.combine(self.service_date, time(12), tz)
        return noon - timedelta(hours=12) + timedelta(seconds=self.seconds)


def _after_seconds(after: int | str | time | None) -> int:
    if after is None:
        return 0
    if isinstance(after, int):
        return after
    if isinstance(after, time):
        return after.hour * 3600 + after.minute * 60 + after.second
    parts = [int(p) for p in after.split(":")]
    if not 2 <= len(parts) <= 3:
        msg = f"after: {after!r} is not HH:MM or HH:MM:SS"
        raise ValueError(msg)
    parts += [0] * (3 - len(parts))
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def _index(rows: list[StopDeparture]) -> tuple[dict[str, list[StopDeparture]],
                                               dict[str, list[int]]]:
    by_stop: dict[str, list[StopDeparture]] = defaultdict(list)
    for row in rows:
        by_stop[row.stop_id].append(row)
    ordered = {k: sorted(v, key=lambda r: (r.seconds, r.trip_id)) for k, v in by_stop.items()}
    return ordered, {k: [r.seconds for r in v] for k, v in ordered.items()}


class Timetable:
    """Departures of every stop; ``departures(stop_id, date, after)`` by service date.

    Holds the active services per date it was asked (an explicit cache of this object).
    """

    def __init__(self, feed: Any, rows: list[StopDeparture], timezone: str | None,
                 arrivals: list[StopDeparture] | None = None) -> None:
        self._feed = feed
        self.timezone = timezone
        self._by_stop, self._keys = _index(rows)
        self._arr_by_stop, self._arr_keys = _index(arrivals or [])
        self._active: dict[date, frozenset[str]] = {}

    def services_on(self, d: date) -> frozenset[str]:
        """The ``service_id``s running on ``d`` (calendar and calendar_dates)."""
        if d not in self._active:
            found = gk.get_active_services(self._feed, d.strftime("%Y%m%d"))
            self._active[d] = frozenset(str(s) for s in found)
        return self._active[d]

    def stop_ids(self) -> list[str]:
        """Stops with at least one timed departure."""
        return sorted(self._by_stop)

    def departures(self, stop_id: str, d: date, after: int | str | time | None = None
                   ) -> list[Departure]:
        """Departures from ``stop_id`` on service date ``d`` at or after ``after`` (day
        seconds, ``"HH:MM"`` or a ``time``), earliest first; none at an unknown stop."""
        return self._on(self._by_stop, self._keys, stop_id, d, after)

    def arrivals(self, stop_id: str, d: date, after: int | str | time | None = None
                 ) -> list[Departure]:
        """Arrivals at ``stop_id`` (stop times where riders may alight: ``drop_off_type``
        not 1) on service date ``d`` at or after ``after``, earliest first."""
        return self._on(self._arr_by_stop, self._arr_keys, stop_id, d, after)

    def _on(self, by_stop: dict[str, list[StopDeparture]], keys: dict[str, list[int]],
            stop_id: str, d: date, after: int | str | time | None) -> list[Departure]:
        rows = by_stop.get(stop_id, [])
        start = bisect.bisect_left(keys.get(stop_id, []), _after_seconds(after))
        active = self.services_on(d)
        return [Departure(r.stop_id, d, r.seconds, r.trip_id, r.route_id, r.route_name,
                          r.headsign)
                for r in rows[start:] if r.service_id in active]

    def find(self, stop_id: str, d: date, *, at: int | None = None,
             after: int | str | time | None = None, route: str | None = None,
             headsign: str | None = None, arriving: bool = False) -> Departure | None:
        """One departure (``arriving``: arrival) at the stop on ``d``: the one at exactly
        ``at`` (day seconds), else the first at or after ``after`` whose route (id or name)
        is ``route`` and whose headsign contains ``headsign`` (either may be left out)."""
        found = (self.arrivals if arriving else self.departures)(
            stop_id, d, at if at is not None else after)
        for dep in found:
            if at is not None and dep.seconds != at:
                return None
            if route is not None and route not in (dep.route_id, dep.route_name):
                continue
            if headsign is not None and headsign not in dep.headsign:
                continue
            return dep
        return None

    def next_departure(self, stop_id: str, d: date, after: int | str | time | None = None
                       ) -> Departure | None:
        """The first departure at or after ``after`` that day, if any."""
        found = self.departures(stop_id, d, after)
        return found[0] if found else None
