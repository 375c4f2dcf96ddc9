"""vehicles_for: the weekly shift pattern, breaks, per-date overrides, shifts past midnight."""

from __future__ import annotations

from datetime import date

import pytest

from maas.domain import Break, Location, TimeWindow
from maas.service import ServiceDefinition, ServiceError
from tests.service.conftest import service

MONDAY = date(2026, 12, 7)


def at_point(lat: float, lon: float) -> Location:
    """A snap that keeps the point where it is (no road network needed)."""
    return Location(lat, lon)


def test_a_monday_rosters_four_vans_two_with_a_noon_break(demo: ServiceDefinition) -> None:
    """The demo: 4 vans of 8 seats + 1 wheelchair place, 07:00-18:00, v1 and v2 take a
    30-minute break starting between 11:30 and 12:30."""
    vans = demo.vehicles_for(MONDAY, at_point)
    assert [v.id for v in vans] == ["v1", "v2", "v3", "v4"]
    assert all(v.shift == TimeWindow(7 * 3600, 18 * 3600) for v in vans)
    assert all((v.type.seats, v.type.wheelchair_places) == (8, 1) for v in vans)
    noon = Break(TimeWindow(11 * 3600 + 1800, 12 * 3600 + 1800), 1800)
    assert [v.break_ for v in vans] == [noon, noon, None, None]


def test_depots_are_the_town_s_named_depot_snapped(demo: ServiceDefinition) -> None:
    """``place: depot`` resolves to the demo town's depot; ``snap`` is called once per depot."""
    calls: list[tuple[float, float]] = []

    def snap(lat: float, lon: float) -> Location:
        calls.append((lat, lon))
        return Location(lat, lon)

    vans = demo.vehicles_for(MONDAY, snap)
    depot = demo.places["depot"]
    assert calls == [(depot.lat, depot.lon)]
    assert {v.depot for v in vans} == {Location(depot.lat, depot.lon)}


def test_no_vans_on_a_sunday_or_a_holiday(demo: ServiceDefinition) -> None:
    """A day without service has nobody rostered."""
    assert demo.vehicles_for(date(2026, 12, 6), at_point) == ()
    assert demo.vehicles_for(date(2027, 1, 11), at_point) == ()


def test_a_van_in_the_garage_is_off_for_its_dates() -> None:
    """An off-duty override over two dates takes v2 off on both, not the day after."""
    svc = service({"fleet.overrides": [{"van": "v2", "date": "2026-12-07", "until": "2026-12-08",
                                        "off_duty": True, "reason": "車検"}]})
    assert [v.id for v in svc.vehicles_for(MONDAY, at_point)] == ["v1", "v3", "v4"]
    assert [v.id for v in svc.vehicles_for(date(2026, 12, 8), at_point)] == ["v1", "v3", "v4"]
    assert len(svc.vehicles_for(date(2026, 12, 9), at_point)) == 4


def test_an_override_gives_another_shift_on_one_date() -> None:
    """v3 works 09:00-15:00 on Monday only (a shift written out in the override)."""
    svc = service({"fleet.overrides": [{"van": "v3", "date": "2026-12-07",
                                        "shift": {"start": "09:00", "end": "15:00"}}]})
    v3 = {v.id: v for v in svc.vehicles_for(MONDAY, at_point)}["v3"]
    assert v3.shift == TimeWindow(9 * 3600, 15 * 3600)
    v3_tue = {v.id: v for v in svc.vehicles_for(date(2026, 12, 8), at_point)}["v3"]
    assert v3_tue.shift == TimeWindow(7 * 3600, 18 * 3600)


def test_a_weekly_pattern_per_weekday() -> None:
    """``shifts`` per weekday: a van that works Monday mornings and Saturdays only."""
    svc = service({"fleet.vans.3": {"id": "v4", "seats": 4, "depot": {"lat": 43.0, "lon": 142.0},
                                    "shifts": {"mon": {"start": "07:00", "end": "12:00"},
                                               "sat": "day"}}})
    by_day = {d: [v.id for v in svc.vehicles_for(d, at_point)]
              for d in (MONDAY, date(2026, 12, 8), date(2026, 12, 12))}
    assert by_day[MONDAY] == ["v1", "v2", "v3", "v4"]
    assert by_day[date(2026, 12, 8)] == ["v1", "v2", "v3"]
    assert by_day[date(2026, 12, 12)] == ["v1", "v2", "v3", "v4"]
    v4 = svc.vehicles_for(MONDAY, at_point)[3]
    assert v4.shift == TimeWindow(7 * 3600, 12 * 3600)
    assert v4.depot == Location(43.0, 142.0)


def test_a_shift_past_midnight_counts_on_from_the_day_s_midnight() -> None:
    """A 17:00-25:30 shift with a break from 21:00: seconds beyond 86400."""
    svc = service({"fleet.shift_patterns.day": {
        "start": "17:00", "end": "25:30", "break": {"between": ["21:00", "23:30"],
                                                    "minutes": 45}}})
    v3 = svc.vehicles_for(MONDAY, at_point)[2]
    assert v3.shift == TimeWindow(17 * 3600, 25 * 3600 + 1800)
    assert v3.break_ == Break(TimeWindow(21 * 3600, 23 * 3600 + 1800), 45 * 60)


def test_a_break_that_does_not_fit_the_shift_is_named() -> None:
    """A break starting as late as 17:45 cannot last 30 minutes in a shift ending at 18:00."""
    with pytest.raises(ServiceError, match=r"fleet\.shift_patterns\.day_with_break\.break"):
        service({"fleet.shift_patterns.day_with_break.break": {"between": ["11:30", "17:45"],
                                                                "minutes": 30}})


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"fleet.overrides": [{"van": "v9", "date": "2026-12-07", "off_duty": True}]},
         r"fleet\.overrides\.0\.van: unknown van 'v9'"),
        ({"fleet.overrides": [{"van": "v1", "date": "2026-12-07"}]},
         r"fleet\.overrides\.0: give exactly one of off_duty"),
        ({"fleet.overrides": [{"van": "v1", "date": "2026-12-07", "until": "2026-12-01",
                               "off_duty": True}]}, r"fleet\.overrides\.0\.until"),
        ({"fleet.vans.1.shift": "night"}, r"fleet\.vans\.1\.shift: unknown shift pattern"),
        ({"fleet.vans.1.id": "v1"}, r"fleet\.vans\.1\.id: duplicate van id"),
        ({"fleet.vans.1.shifts": {"mon": "day"}}, r"fleet\.vans\.1: give exactly one of shift"),
        ({"fleet.shift_patterns.day.end": "06:00"}, r"fleet\.shift_patterns\.day\.end"),
    ],
)
def test_roster_mistakes_name_the_field(changes: dict[str, object], where: str) -> None:
    """Each roster mistake is refused, naming the file and the field."""
    with pytest.raises(ServiceError, match=rf"^demo-service\.yaml: {where}"):
        service(changes)


def test_a_van_without_any_depot_is_refused() -> None:
    """No fleet depot and none of its own: the van's depot field is named."""
    with pytest.raises(ServiceError, match=r"fleet\.vans\.0\.depot"):
        service(drop=("fleet.depot",))
