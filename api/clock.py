"""Time in the service: one ``Clock`` that everything reads, and conversion between ISO 8601
at the edge and integer seconds of a service day inside (``docs/design.md``, "Units").

Each service day's times count from that day's local midnight (Asia/Tokyo for Japanese
towns), so a shift past midnight simply runs over 86 400. Nothing in the service reads the
wall clock except ``WallClock``: a training service (``maas serve --training``) runs on a
``TrainingClock`` instead, which the operator sets forward through ``PUT /v1/clock`` so that
staff can be trained and tests can play a week in seconds.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    """Where the service gets "now" from."""

    def now(self) -> datetime:
        """The present, timezone-aware."""
        ...


class WallClock:
    """The real time."""

    def now(self) -> datetime:
        """The wall clock, timezone-aware (UTC)."""
        return datetime.now(UTC)


class ClockError(ValueError):
    """A training clock set backwards, or a clock record that cannot be read."""


class TrainingClock:
    """A settable clock: it stands at the moment it was set to (or, when ``running``, moves on
    from it at wall-clock speed) and only ever goes forward.

    The setting lives in Redis beside the area (``record``/``from_record``), so every worker
    of a training service reads the same time; ``adopt`` takes a newer setting read there.
    """

    def __init__(self, start: datetime, running: bool = False, wall: Clock | None = None,
                 set_at: datetime | None = None) -> None:
        if start.tzinfo is None:
            msg = "a training clock needs a time with a UTC offset"
            raise ClockError(msg)
        self.wall = wall or WallClock()
        self.start, self.running = start, running
        self.set_at = set_at or self.wall.now()

    def now(self) -> datetime:
        """The training time."""
        if not self.running:
            return self.start
        return self.start + max(timedelta(0), self.wall.now() - self.set_at)

    def set(self, moment: datetime, running: bool = False) -> None:
        """Move the clock to ``moment`` (refused if that is earlier than now)."""
        if moment.tzinfo is None:
            msg = "give the new time with a UTC offset"
            raise ClockError(msg)
        if moment < self.now():
            msg = f"the training clock only moves forward (it is {self.now().isoformat()})"
            raise ClockError(msg)
        self.start, self.running, self.set_at = moment, running, self.wall.now()

    def record(self) -> dict[str, Any]:
        """The setting as stored (schema ``maas.clock`` version 1)."""
        return {"schema": "maas.clock", "version": 1, "start": self.start.isoformat(),
                "running": self.running, "set_at": self.set_at.isoformat()}

    def adopt(self, record: dict[str, Any]) -> None:
        """Take the stored setting if it is not behind this one."""
        if record.get("schema") != "maas.clock" or record.get("version") != 1:
            msg = f"unknown clock record {record.get('schema')!r} v{record.get('version')!r}"
            raise ClockError(msg)
        start = datetime.fromisoformat(record["start"])
        set_at = datetime.fromisoformat(record["set_at"])
        if (start, set_at) != (self.start, self.set_at):
            self.start, self.running, self.set_at = start, bool(record["running"]), set_at


class ServiceClock:
    """Converts between aware datetimes and seconds since one service day's local midnight."""

    def __init__(self, service_day: date, timezone: str, clock: Clock | None = None) -> None:
        self.service_day = service_day
        self.tz = ZoneInfo(timezone)
        self.midnight = datetime.combine(service_day, time(0), tzinfo=self.tz)
        self.clock: Clock = clock or WallClock()

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

    def moment(self, seconds: int | float) -> datetime:
        """The aware local time of a service-day time."""
        return (self.midnight + timedelta(seconds=seconds)).astimezone(self.tz)

    def iso(self, seconds: int | float) -> str:
        """ISO 8601 with the area's UTC offset for a service-day time."""
        return self.moment(seconds).isoformat()

    def now_seconds(self) -> int:
        """The present as integer service-day seconds (rounded down)."""
        return self.latest(self.clock.now())

    def now(self) -> datetime:
        """The present, timezone-aware."""
        return self.clock.now()


def local_date(moment: datetime, timezone: str) -> date:
    """The calendar date of ``moment`` in ``timezone``."""
    return moment.astimezone(ZoneInfo(timezone)).date()
