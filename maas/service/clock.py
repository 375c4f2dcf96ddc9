"""Clock texts and day-seconds: the one place that turns local wall times into the engine's
integer seconds from a service day's local midnight, and back.

Day-seconds are *elapsed* seconds since the aware local midnight of the service day, so a
day with a daylight-saving change still counts real seconds (Asia/Tokyo has none today, but
nothing here assumes +09:00). A wall time past 24:00 (``"25:30"``) belongs to the next
calendar date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY = 86_400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def clock_to_seconds(text: str) -> int:
    """``"07:30"`` (or ``"07:30:15"``, up to ``"47:59"`` past midnight) -> wall seconds."""
    parts = str(text).strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        msg = f"{text!r} is not a clock time HH:MM"
        raise ValueError(msg)
    h, m, s = (int(p) for p in (*parts, "0")[:3])
    if h > 47 or m > 59 or s > 59:
        msg = f"{text!r} is not a clock time HH:MM (hours up to 47 for times past midnight)"
        raise ValueError(msg)
    return h * 3600 + m * 60 + s


def seconds_to_clock(seconds: int) -> str:
    """Wall seconds -> ``"HH:MM"`` (``"HH:MM:SS"`` when not on a minute)."""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def midnight(tz: ZoneInfo, d: date) -> datetime:
    """The aware local midnight that starts ``d``."""
    return datetime.combine(d, time(0), tzinfo=tz)


def wall(tz: ZoneInfo, d: date, clock_s: int) -> datetime:
    """The aware local datetime of wall clock ``clock_s`` on ``d`` (past 24:00: a later date)."""
    days, rest = divmod(int(clock_s), DAY)
    naive = datetime.combine(d + timedelta(days=days), time(0)) + timedelta(seconds=rest)
    return naive.replace(tzinfo=tz)


def to_day_seconds(tz: ZoneInfo, d: date, when: datetime) -> int:
    """Elapsed whole seconds from ``d``'s local midnight to the aware ``when`` (floored)."""
    if when.tzinfo is None or when.utcoffset() is None:
        msg = f"{when.isoformat()} has no time zone"
        raise ValueError(msg)
    # Subtract in UTC: aware datetimes sharing a tzinfo subtract their wall clocks.
    delta = when.astimezone(UTC) - midnight(tz, d).astimezone(UTC)
    return int(delta // timedelta(seconds=1))


def from_day_seconds(tz: ZoneInfo, d: date, seconds: int) -> datetime:
    """The aware local datetime ``seconds`` elapsed after ``d``'s local midnight."""
    at = midnight(tz, d).astimezone(UTC) + timedelta(seconds=int(seconds))
    return at.astimezone(tz)


def wall_to_day_seconds(tz: ZoneInfo, d: date, clock_s: int) -> int:
    """Wall clock ``clock_s`` of ``d`` as day-seconds of ``d`` (equal unless the day has a
    daylight-saving change)."""
    return to_day_seconds(tz, d, wall(tz, d, clock_s))
