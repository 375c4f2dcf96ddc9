"""The service calendar: weekdays, Japanese public holidays, extra closed and open dates."""

from __future__ import annotations

from datetime import date

import pytest

from maas.domain import TimeWindow
from maas.service import ServiceDefinition, ServiceError
from tests.service.conftest import service


def test_2026_12_23_is_no_longer_a_holiday_and_operates(demo: ServiceDefinition) -> None:
    """The Emperor's Birthday moved to 23 February in 2019: 23 Dec 2026 is a working Wednesday."""
    d = date(2026, 12, 23)
    assert d.weekday() == 2
    assert demo.day_type(d) == "weekday"
    assert demo.is_operating(d)


@pytest.mark.parametrize("d", [date(2027, 1, 1), date(2027, 1, 11), date(2026, 11, 23)])
def test_public_holidays_close_the_demo_service(demo: ServiceDefinition, d: date) -> None:
    """New Year's Day, Coming-of-Age Day (2nd Monday of January) and Labour Thanksgiving."""
    assert demo.day_type(d) == "holiday"
    assert not demo.is_operating(d)
    assert demo.hours(d) is None
    assert "public holiday" in demo.closed_reason(d)


def test_saturday_operates_and_sunday_does_not(demo: ServiceDefinition) -> None:
    """Monday to Saturday 07:00-18:00; no service on Sundays."""
    sat, sun = date(2026, 12, 5), date(2026, 12, 6)
    assert (sat.weekday(), sun.weekday()) == (5, 6)
    assert demo.hours(sat) == TimeWindow(7 * 3600, 18 * 3600)
    assert demo.day_type(sun) == "sunday"
    assert demo.hours(sun) is None


def test_extra_closed_dates_close_an_ordinary_day(demo: ServiceDefinition) -> None:
    """The year-end break closes Saturday 2 January 2027, which is no public holiday."""
    d = date(2027, 1, 2)
    assert demo.day_type(d) == "saturday"
    assert not demo.is_operating(d)
    assert demo.closed_reason(d) == "closed that day"


def test_an_open_date_opens_a_holiday_with_weekday_hours() -> None:
    """An extra open date on a public holiday without holiday hours uses the weekday hours."""
    svc = service({"calendar.open_dates": ["2027-01-11"]})
    assert svc.day_type(date(2027, 1, 11)) == "holiday"
    assert svc.hours(date(2027, 1, 11)) == TimeWindow(7 * 3600, 18 * 3600)


def test_holidays_can_stay_open_with_their_own_hours() -> None:
    """``holidays.closed: false`` runs holidays on the holiday hours."""
    svc = service({"calendar.holidays": {"country": "JP", "closed": False},
                   "hours.holiday": ["09:00", "15:00"]})
    assert svc.hours(date(2027, 1, 11)) == TimeWindow(9 * 3600, 15 * 3600)
    assert svc.hours(date(2027, 1, 12)) == TimeWindow(7 * 3600, 18 * 3600)


def test_holidays_off_makes_a_holiday_an_ordinary_day() -> None:
    """``holidays: null``: no holiday calendar at all."""
    svc = service({"calendar.holidays": None})
    assert svc.day_type(date(2027, 1, 11)) == "weekday"
    assert svc.is_operating(date(2027, 1, 11))


def test_the_holiday_country_is_configurable() -> None:
    """German holidays: 3 October (a Saturday in 2026) closes; 11 January 2027 operates."""
    svc = service({"calendar.holidays": {"country": "DE"}, "timezone": "Europe/Berlin"})
    assert not svc.is_operating(date(2026, 10, 3))
    assert svc.is_operating(date(2027, 1, 11))


def test_next_operating_day_skips_holidays_and_closed_dates(demo: ServiceDefinition) -> None:
    """From New Year's Eve (closed), 1 Jan (holiday), 2 Jan (closed) and 3 Jan (Sunday) to 4 Jan."""
    assert demo.next_operating_day(date(2026, 12, 31)) == date(2027, 1, 4)
    assert demo.next_operating_day(date(2027, 1, 4)) == date(2027, 1, 4)
    assert demo.next_operating_day(date(2027, 1, 4), include=False) == date(2027, 1, 5)


def test_a_service_that_never_runs_has_no_next_day() -> None:
    """A calendar whose only weekday is closed by date every week finds nothing in a year."""
    svc = service({"calendar.weekdays": ["sun"], "hours.sunday": ["08:00", "12:00"],
                   "fleet.vans.0.shift": "day"})
    assert svc.next_operating_day(date(2026, 12, 7)) == date(2026, 12, 13)
    closed = service({"calendar.weekdays": [], "fleet.vans": [
        {"id": "v1", "shifts": {}}]})
    assert closed.next_operating_day(date(2026, 12, 7)) is None


def test_horizon_lists_operating_days_up_to_days_ahead(demo: ServiceDefinition) -> None:
    """From Tuesday 1 Dec 2026, 14 days ahead: 15 dates, minus the two Sundays."""
    days = demo.horizon(date(2026, 12, 1))
    assert days[0] == date(2026, 12, 1)
    assert days[-1] == date(2026, 12, 15)
    assert date(2026, 12, 6) not in days and date(2026, 12, 13) not in days
    assert len(days) == 13


def test_an_operating_weekday_needs_hours() -> None:
    """Saturday listed but no Saturday hours: the error names the field."""
    with pytest.raises(ServiceError, match=r"calendar\.weekdays: sat .*hours\.saturday"):
        service({"hours.saturday": None})


def test_an_unknown_holiday_country_is_named() -> None:
    """The ``holidays`` package's refusal is passed on with the field."""
    with pytest.raises(ServiceError, match=r"calendar\.holidays: .*ZZ"):
        service({"calendar.holidays": {"country": "ZZ"}})


def test_a_date_both_closed_and_open_is_refused() -> None:
    """One date cannot be listed in both."""
    with pytest.raises(ServiceError, match=r"calendar\.open_dates"):
        service({"calendar.open_dates": ["2026-12-31"]})
