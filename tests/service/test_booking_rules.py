"""check_booking: every refusal code with its next bookable time, at the edges of each rule."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from maas.errors import InvalidInput
from maas.service import BookingCheck, BookingRefusal, ServiceDefinition, check_booking
from tests.service.conftest import service, tokyo


def refused(svc: ServiceDefinition, now: str, pickup: str) -> BookingRefusal:
    answer = check_booking(svc, tokyo(now), tokyo(pickup))
    assert isinstance(answer, BookingRefusal), answer
    return answer


def accepted(svc: ServiceDefinition, now: str, pickup: str) -> BookingCheck:
    answer = check_booking(svc, tokyo(now), tokyo(pickup))
    assert isinstance(answer, BookingCheck), answer
    return answer


def test_same_day_ride_with_enough_notice_gets_the_final_window(demo: ServiceDefinition) -> None:
    """30 minutes ahead exactly is enough; the promise is the 10-minute final window."""
    ok = accepted(demo, "2026-12-01 10:00", "2026-12-01 10:30")
    assert ok == BookingCheck(date(2026, 12, 1), 10 * 3600 + 1800, same_day=True, window_s=600)


def test_same_day_ride_without_notice_is_too_late(demo: ServiceDefinition) -> None:
    """29 minutes ahead: too late; the next bookable time is now + 30 minutes."""
    r = refused(demo, "2026-12-01 10:00", "2026-12-01 10:29")
    assert r.code == "too_late_to_book"
    assert r.next_bookable == tokyo("2026-12-01 10:30")
    assert r.bookable_from is None


def test_a_pickup_already_past_is_too_late(demo: ServiceDefinition) -> None:
    """A pickup before now: too late, next bookable now + notice."""
    r = refused(demo, "2026-12-01 10:00", "2026-12-01 09:00")
    assert r.code == "too_late_to_book"
    assert r.next_bookable == tokyo("2026-12-01 10:30")


def test_late_in_the_day_the_next_bookable_time_skips_closed_and_too_late_days(
    demo: ServiceDefinition,
) -> None:
    """Saturday 17:45: today is over, Sunday is closed, Monday is still bookable (deadline
    Sunday 17:00): next bookable Monday 07:00."""
    r = refused(demo, "2026-12-05 17:45", "2026-12-05 17:50")
    assert r.code == "too_late_to_book"
    assert r.next_bookable == tokyo("2026-12-07 07:00")


def test_later_day_before_the_deadline_gets_the_provisional_window(
    demo: ServiceDefinition,
) -> None:
    """Tomorrow 09:00 booked at 16:59: a later-day ride with the 30-minute window."""
    ok = accepted(demo, "2026-12-01 16:59", "2026-12-02 09:00")
    assert ok == BookingCheck(date(2026, 12, 2), 9 * 3600, same_day=False, window_s=1800)


def test_at_the_deadline_a_later_day_is_too_late_until_its_midnight(
    demo: ServiceDefinition,
) -> None:
    """At 17:00 the day before the batch plan runs: too late, bookable again from 00:00;
    meanwhile the next bookable pickup is the day after, at opening."""
    r = refused(demo, "2026-12-01 17:00", "2026-12-02 09:00")
    assert r.code == "too_late_to_book"
    assert r.bookable_from == tokyo("2026-12-02 00:00")
    assert r.next_bookable == tokyo("2026-12-03 07:00")
    assert demo.booking_deadline(date(2026, 12, 2)) == tokyo("2026-12-01 17:00")


def test_after_midnight_the_day_is_bookable_again_with_notice(demo: ServiceDefinition) -> None:
    """At 00:00 of the day the same-day rule applies: 09:00 is bookable with the final window."""
    ok = accepted(demo, "2026-12-02 00:00", "2026-12-02 09:00")
    assert ok.same_day and ok.window_s == 600


def test_monday_rides_can_be_booked_on_saturday_evening(demo: ServiceDefinition) -> None:
    """Monday's deadline is Sunday 17:00 (the calendar day before), even with no service on
    Sunday."""
    assert isinstance(check_booking(demo, tokyo("2026-12-05 18:00"), tokyo("2026-12-07 08:00")),
                      BookingCheck)
    r = refused(demo, "2026-12-06 17:30", "2026-12-07 08:00")
    assert r.code == "too_late_to_book"
    assert r.next_bookable == tokyo("2026-12-08 07:00")


def test_a_sunday_is_not_operating_with_monday_as_next(demo: ServiceDefinition) -> None:
    """Sunday: not operating; next bookable Monday at opening."""
    r = refused(demo, "2026-12-01 10:00", "2026-12-06 10:00")
    assert r.code == "not_operating"
    assert r.next_bookable == tokyo("2026-12-07 07:00")


def test_coming_of_age_day_is_not_operating(demo: ServiceDefinition) -> None:
    """11 January 2027 (Coming-of-Age Day): not operating; next bookable Tuesday 07:00."""
    r = refused(demo, "2027-01-05 10:00", "2027-01-11 10:00")
    assert r.code == "not_operating"
    assert "Coming of Age" in r.message
    assert r.next_bookable == tokyo("2027-01-12 07:00")


def test_before_opening_is_outside_hours_with_the_opening_next(demo: ServiceDefinition) -> None:
    """06:30 tomorrow: outside the hours; next bookable 07:00 the same day."""
    r = refused(demo, "2026-12-01 10:00", "2026-12-02 06:30")
    assert r.code == "outside_hours"
    assert r.next_bookable == tokyo("2026-12-02 07:00")


def test_after_closing_is_outside_hours_with_the_next_day_next(demo: ServiceDefinition) -> None:
    """18:00 is still inside; 18:01 is outside, next bookable the next day at 07:00."""
    assert isinstance(check_booking(demo, tokyo("2026-12-01 10:00"), tokyo("2026-12-02 18:00")),
                      BookingCheck)
    r = refused(demo, "2026-12-01 10:00", "2026-12-02 18:01")
    assert r.code == "outside_hours"
    assert r.next_bookable == tokyo("2026-12-03 07:00")


def test_fourteen_days_ahead_is_bookable_and_fifteen_is_too_far(demo: ServiceDefinition) -> None:
    """Tuesday 1 Dec: Tuesday 15 Dec is in the horizon; Wednesday 16 Dec opens on 2 Dec 00:00."""
    assert isinstance(check_booking(demo, tokyo("2026-12-01 10:00"), tokyo("2026-12-15 09:00")),
                      BookingCheck)
    r = refused(demo, "2026-12-01 10:00", "2026-12-16 09:00")
    assert r.code == "too_far_ahead"
    assert r.bookable_from == tokyo("2026-12-02 00:00")
    assert r.next_bookable is None


def test_times_in_another_zone_are_read_as_the_same_instants(demo: ServiceDefinition) -> None:
    """``now`` and ``pickup`` given in UTC are converted with zoneinfo, not a fixed +09:00."""
    utc = ZoneInfo("UTC")
    now = datetime(2026, 12, 1, 1, 0, tzinfo=utc)  # 10:00 in Tokyo
    answer = check_booking(demo, now, datetime(2026, 12, 1, 1, 29, tzinfo=utc))
    assert isinstance(answer, BookingRefusal)
    assert answer.next_bookable == tokyo("2026-12-01 10:30")
    assert answer.next_bookable.utcoffset() == timedelta(hours=9)


def test_naive_datetimes_are_refused(demo: ServiceDefinition) -> None:
    """A time without a zone is a programming error at the edge, not a booking answer."""
    with pytest.raises(InvalidInput, match="no time zone"):
        check_booking(demo, datetime(2026, 12, 1, 10), tokyo("2026-12-01 11:00"))


def test_a_day_with_a_daylight_saving_change_counts_real_seconds() -> None:
    """In Berlin on 29 March 2026 (clocks go 02:00 -> 03:00), 07:00 is 6 h after midnight."""
    svc = service({"timezone": "Europe/Berlin", "calendar.holidays": {"country": "DE"},
                   "calendar.weekdays": ["sun"], "hours.sunday": ["07:00", "18:00"]})
    berlin = ZoneInfo("Europe/Berlin")
    d = date(2026, 3, 29)
    hours = svc.hours(d)
    assert hours is not None and hours.earliest == 6 * 3600 and hours.latest == 17 * 3600
    ok = check_booking(svc, datetime(2026, 3, 28, 12, tzinfo=berlin),
                       datetime(2026, 3, 29, 9, tzinfo=berlin))
    assert isinstance(ok, BookingCheck) and ok.seconds == 8 * 3600


def test_hours_past_midnight_belong_to_the_evening_s_service_day() -> None:
    """Hours 18:00-26:00: a 01:00 pickup on the next date is day-second 25 h of the evening."""
    svc = service({"hours.weekday": ["18:00", "26:00"], "hours.saturday": ["18:00", "26:00"],
                   "fleet.shift_patterns.day": {"start": "17:30", "end": "26:30"},
                   "fleet.shift_patterns.day_with_break": {"start": "17:30", "end": "26:30"}})
    ok = accepted(svc, "2026-12-01 20:00", "2026-12-02 01:00")
    assert ok.day == date(2026, 12, 1) and ok.seconds == 25 * 3600 and ok.same_day
    r = refused(svc, "2026-12-01 20:00", "2026-12-02 02:30")
    assert r.code == "outside_hours"
    assert "18:00-26:00" in r.message
    # 2 Dec's booking closed at 1 Dec 17:00: the next bookable evening is 3 Dec's.
    assert r.next_bookable == tokyo("2026-12-03 18:00")
    assert refused(svc, "2026-12-02 00:10", "2026-12-02 02:30").next_bookable == tokyo(
        "2026-12-02 18:00")


def test_same_day_only_service_refuses_tomorrow_as_too_far() -> None:
    """``days_ahead: 0``: tomorrow opens at its own midnight."""
    svc = service({"booking.days_ahead": 0})
    r = refused(svc, "2026-12-01 10:00", "2026-12-02 09:00")
    assert r.code == "too_far_ahead"
    assert r.bookable_from == tokyo("2026-12-02 00:00")
