"""A service calendar as published feeds count it: one service id per day type with hours
(``weekday``, ``saturday``, ``sunday``, ``holiday``), and which one runs on each date."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from maas.service import ServiceDefinition
from maas.service.calendar import DAY_TYPES, DayType, Hours


def day_types(svc: ServiceDefinition) -> dict[DayType, Hours]:
    """Day types that have hours (each is one published service id)."""
    return {t: h for t in DAY_TYPES if (h := svc.calendar.hours_by_type.get(t)) is not None}


def service_type_on(svc: ServiceDefinition, d: date) -> DayType | None:
    """The day type whose hours the service runs on ``d``; None when it does not run.

    An extra open date without hours of its own day type runs the weekday hours (as
    ``Calendar.hours``)."""
    if not svc.is_operating(d):
        return None
    kind = svc.day_type(d)
    return kind if svc.calendar.hours_by_type.get(kind) is not None else "weekday"


def dates(first: date, days: int) -> Iterator[date]:
    """``days`` dates from ``first``."""
    return (first + timedelta(days=i) for i in range(days))


def hms(seconds: int) -> str:
    """``HH:MM:SS`` (hours may pass 24)."""
    h, rest = divmod(int(seconds), 3600)
    return f"{h:02d}:{rest // 60:02d}:{rest % 60:02d}"


def ymd(d: date) -> str:
    """``YYYYMMDD``."""
    return d.strftime("%Y%m%d")
