"""ISO 8601 at the edge, integer service-day seconds inside (``docs/design.md``, "Units").

A service area's day starts at local midnight (Asia/Tokyo for Japanese towns) of the date the
area was first opened; times are seconds since that midnight, so a shift past midnight simply
runs over 86 400. The date lives in Redis with the rest of the area's state.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    """The wall clock, timezone-aware."""
    return datetime.now(UTC)


class ServiceClock:
    """Converts between aware datetimes and seconds since the service day's local midnight."""

    def __init__(
        self, service_day: date, timezone: str, now: Callable[[], datetime] = utc_now
    ) -> None:
        self.service_day = service_day
        self.tz = ZoneInfo(timezone)
        self.midnight = datetime.combine(service_day, time(0), tzinfo=self.tz)
        self._now = now

    def aware(self, moment: datetime) -> datetime:
        """``moment`` with a timezone: a naive time is read as the area's local time."""
        return moment.replace(tzinfo=self.tz) if moment.tzinfo is None else moment

    def seconds(self, moment: datetime) -> float:
        """Exact seconds since the service day's midnight (may be negative or past a day)."""
        return (self.aware(moment) - self.midnight).total_seconds()

    def earliest(self, moment: datetime) -> int:
        """Integer seconds for a lower bound: rounded up, so the bound is never loosened."""
        return math.ceil(self.seconds(moment) - 1e-9)

    def latest(self, moment: datetime) -> int:
        """Integer seconds for an upper bound: rounded down, so the bound is never loosened."""
        return math.floor(self.seconds(moment) + 1e-9)

    def iso(self, seconds: int | float) -> str:
        """ISO 8601 with the area's UTC offset for a service-day time."""
        return (self.midnight + timedelta(seconds=seconds)).astimezone(self.tz).isoformat()

    def now_seconds(self) -> int:
        """The present as integer service-day seconds (rounded down)."""
        return self.latest(self._now())

    def now(self) -> datetime:
        """The present, timezone-aware."""
        return self._now()


def local_date(moment: datetime, timezone: str) -> date:
    """The calendar date of ``moment`` in ``timezone``: the service day a new area opens on."""
    return moment.astimezone(ZoneInfo(timezone)).date()
