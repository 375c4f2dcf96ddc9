"""The service calendar: which dates the service runs and its wall-clock hours on each.

A date operates when it is listed in ``open_dates``, or else when its weekday is an
operating weekday, it is not in ``closed_dates``, it is not a public holiday of a calendar
that closes on holidays, and its day type has hours. Public holidays come from the
maintained ``holidays`` package (country and subdivision configurable), never a hand list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import holidays as holidays_lib

DayType = Literal["weekday", "saturday", "sunday", "holiday"]
DAY_TYPES: tuple[DayType, ...] = ("weekday", "saturday", "sunday", "holiday")
SEARCH_DAYS = 366


@dataclass(frozen=True, slots=True)
class Hours:
    """Opening hours in wall seconds from local midnight (``close`` may pass 24:00)."""

    open: int
    close: int


class HolidayCalendar:
    """Public holidays of one country (and subdivision), from the ``holidays`` package.

    The package fills years on first use; this object owns that fill, one per service.
    """

    __slots__ = ("_days", "country", "subdivision")

    def __init__(self, country: str, subdivision: str | None = None) -> None:
        self.country = country
        self.subdivision = subdivision
        self._days = holidays_lib.country_holidays(country, subdiv=subdivision)

    def is_holiday(self, d: date) -> bool:
        """Whether ``d`` is a public holiday."""
        return d in self._days

    def name(self, d: date) -> str | None:
        """The holiday's name (English), if ``d`` is one."""
        got = self._days.get(d)
        return None if got is None else str(got)

    def __repr__(self) -> str:
        return f"HolidayCalendar({self.country!r}, {self.subdivision!r})"


@dataclass(frozen=True, slots=True)
class Calendar:
    """Operating weekdays, holiday rule, extra closed and open dates, hours per day type."""

    weekdays: frozenset[int]  # 0 = Monday
    hours_by_type: Mapping[DayType, Hours | None]
    holidays: HolidayCalendar | None = None  # None: public holidays are ignored
    closed_on_holidays: bool = True
    closed_dates: frozenset[date] = frozenset()
    open_dates: frozenset[date] = frozenset()

    def is_holiday(self, d: date) -> bool:
        """Whether ``d`` is a public holiday of the service's country."""
        return self.holidays is not None and self.holidays.is_holiday(d)

    def day_type(self, d: date) -> DayType:
        """``holiday`` for a public holiday, else ``saturday``, ``sunday`` or ``weekday``."""
        if self.is_holiday(d):
            return "holiday"
        return {5: "saturday", 6: "sunday"}.get(d.weekday(), "weekday")  # type: ignore[return-value]

    def hours(self, d: date) -> Hours | None:
        """Wall-clock hours of ``d``, or None when the service does not run that day."""
        if d in self.open_dates:
            # An extra open date keeps its day type's hours, else the weekday hours.
            return self.hours_by_type.get(self.day_type(d)) or self.hours_by_type.get("weekday")
        if d in self.closed_dates or d.weekday() not in self.weekdays:
            return None
        if self.closed_on_holidays and self.is_holiday(d):
            return None
        return self.hours_by_type.get(self.day_type(d))

    def is_operating(self, d: date) -> bool:
        """Whether the service runs on ``d``."""
        return self.hours(d) is not None

    def next_operating_day(self, d: date, *, include: bool = True) -> date | None:
        """The first operating day from ``d`` (or after it), searching a year ahead."""
        start = d if include else d + timedelta(days=1)
        for i in range(SEARCH_DAYS):
            day = start + timedelta(days=i)
            if self.is_operating(day):
                return day
        return None
