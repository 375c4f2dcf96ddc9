"""Booking rules and the pure check of one asked pickup time against them.

A ride on a later day may be booked from ``days_ahead`` days before until the prior-day
deadline (``17:00`` the day before: the batch plan of the day runs then); once the service
day has begun (its local midnight), a ride may be booked at least ``min_notice_s`` ahead.
Between the deadline and midnight a ride on that day cannot be booked at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from maas.errors import InvalidInput
from maas.service.clock import from_day_seconds, seconds_to_clock, to_day_seconds

if TYPE_CHECKING:
    from maas.service.definition import ServiceDefinition

RefusalCode = Literal["not_operating", "too_late_to_book", "too_far_ahead", "outside_hours"]


@dataclass(frozen=True, slots=True)
class BookingRules:
    """When rides may be booked (seconds; the deadline is wall seconds of the day before)."""

    min_notice_s: int = 1_800
    prior_day_deadline_s: int = 17 * 3600
    days_ahead: int = 14
    provisional_window_s: int = 1_800


@dataclass(frozen=True, slots=True)
class BookingCheck:
    """A pickup time that may be booked now: its service day, its day-seconds, whether the
    day has begun, and the pickup-window width the promise gets now."""

    day: date
    seconds: int
    same_day: bool
    window_s: int


@dataclass(frozen=True, slots=True)
class BookingRefusal:
    """Why the pickup time cannot be booked now.

    ``next_bookable`` is the earliest pickup at or after the asked one that could be booked
    right now (None if none within the horizon); ``bookable_from`` is when booking for the
    asked day opens (too far ahead, or between the prior-day deadline and the day's start).
    """

    code: RefusalCode
    message: str
    next_bookable: datetime | None = None
    bookable_from: datetime | None = None


def _aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        msg = f"{name}: {value.isoformat()} has no time zone (give an offset, e.g. +09:00)"
        raise InvalidInput(msg)


def _ceil_seconds(svc: ServiceDefinition, d: date, when: datetime) -> int:
    """Day-seconds of ``when``, rounded up to a whole second."""
    s = to_day_seconds(svc.tz, d, when)
    return s if from_day_seconds(svc.tz, d, s) >= when else s + 1


def service_day_of(svc: ServiceDefinition, when: datetime) -> date:
    """The service day a local time belongs to: its date, or the day before when that
    day's hours run past midnight over it."""
    local = when.astimezone(svc.tz)
    d = local.date()
    hours = svc.hours(d)
    if hours is not None and hours.contains(to_day_seconds(svc.tz, d, when)):
        return d
    prev = d - timedelta(days=1)
    hours = svc.hours(prev)
    if hours is not None and hours.contains(to_day_seconds(svc.tz, prev, when)):
        return prev
    return d


def _bookable_from(
    svc: ServiceDefinition, now: datetime, day: date, lowest: datetime
) -> int | None:
    """The earliest day-second of ``day`` at or after ``lowest`` bookable at ``now``."""
    hours = svc.hours(day)
    if hours is None:
        return None
    lo = max(hours.earliest, _ceil_seconds(svc, day, lowest))
    if now >= svc.midnight(day):
        lo = max(lo, _ceil_seconds(svc, day, now + timedelta(seconds=svc.booking.min_notice_s)))
    elif now >= svc.booking_deadline(day):
        return None  # between the deadline and the day's start: no booking for this day
    return lo if lo <= hours.latest else None


def next_bookable(svc: ServiceDefinition, now: datetime, at_or_after: datetime) -> datetime | None:
    """The earliest pickup at or after ``at_or_after`` (and now) that may be booked now."""
    start = max(at_or_after, now)
    day = service_day_of(svc, start)
    last = now.astimezone(svc.tz).date() + timedelta(days=svc.booking.days_ahead)
    while day <= last:
        secs = _bookable_from(svc, now, day, start)
        if secs is not None:
            return from_day_seconds(svc.tz, day, secs)
        day += timedelta(days=1)
    return None


def _clock(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%d %H:%M")


def check_booking(
    svc: ServiceDefinition, now: datetime, pickup: datetime
) -> BookingCheck | BookingRefusal:
    """Whether a ride with this pickup time may be booked at ``now`` (both aware datetimes).

    Pure: the answer depends on the service definition and the two times only. Rules, in
    order: a pickup already past is too late; the day must operate; the pickup must lie
    inside that day's hours; the day must be within ``days_ahead`` days of today; before
    the day begins, booking closes at the prior-day deadline; on the day itself, a pickup
    needs ``min_notice_s`` notice.
    """
    _aware(now, "now")
    _aware(pickup, "pickup")
    tz, rules = svc.tz, svc.booking
    pickup_local, now_local = pickup.astimezone(tz), now.astimezone(tz)
    day = service_day_of(svc, pickup)
    secs = to_day_seconds(tz, day, pickup)

    def refuse(code: RefusalCode, message: str, *, bookable_from: datetime | None = None,
               search: bool = True) -> BookingRefusal:
        nxt = next_bookable(svc, now, pickup) if search else None
        return BookingRefusal(code, message, nxt, bookable_from)

    if pickup < now:
        return refuse("too_late_to_book", f"pickup {_clock(pickup_local)} has already passed")
    hours = svc.hours(day)
    if hours is None:
        why = svc.closed_reason(day)
        return refuse("not_operating", f"no service on {day.isoformat()} ({why})")
    if not hours.contains(secs):
        wall_hours = svc.calendar.hours(day)
        assert wall_hours is not None
        opening, closing = seconds_to_clock(wall_hours.open), seconds_to_clock(wall_hours.close)
        return refuse("outside_hours", f"pickup {_clock(pickup_local)} is outside the hours "
                      f"of {day.isoformat()} ({opening}-{closing})")
    if (day - now_local.date()).days > rules.days_ahead:
        opens = svc.midnight(day - timedelta(days=rules.days_ahead))
        return refuse("too_far_ahead", f"rides on {day.isoformat()} can be booked from "
                      f"{_clock(opens)} ({rules.days_ahead} days ahead at most)",
                      bookable_from=opens, search=False)
    if now >= svc.midnight(day):
        if pickup < now + timedelta(seconds=rules.min_notice_s):
            return refuse("too_late_to_book", f"a same-day ride needs at least "
                          f"{rules.min_notice_s // 60} minutes' notice")
        return BookingCheck(day, secs, same_day=True, window_s=svc.policy.pickup_window_s)
    deadline = svc.booking_deadline(day)
    if now >= deadline:
        opens = svc.midnight(day)
        same_day_ok = pickup >= opens + timedelta(seconds=rules.min_notice_s)
        return refuse("too_late_to_book", f"booking for {day.isoformat()} closed at "
                      f"{_clock(deadline)}; same-day booking opens at {_clock(opens)}",
                      bookable_from=opens if same_day_ok else None)
    return BookingCheck(day, secs, same_day=False, window_s=rules.provisional_window_s)
