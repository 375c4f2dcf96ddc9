"""``GET /v1/service``: what the service is and when it runs, for apps and journey planners
(calendar, hours, booking rules, fares, service area, meeting points), like the IDRT interface's
``GET /service``. Public: it names no rider and no van."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import RuntimeDep
from api.runtime import Runtime
from maas.service.clock import WEEKDAYS, seconds_to_clock

router = APIRouter(prefix="/v1/service", tags=["service"])


class HoursPublic(BaseModel):
    """Opening hours of one day type (local ``HH:MM``; the close may pass 24:00)."""

    open: str
    close: str


class OperatingDay(BaseModel):
    """One operating day in the booking horizon."""

    date: str
    day_type: str
    open: str
    close: str
    booking_deadline: str


class BookingRulesPublic(BaseModel):
    """When rides may be booked."""

    same_day_min_notice_minutes: int
    prior_day_deadline: str
    days_ahead: int
    provisional_window_minutes: int
    final_window_minutes: int


class FaresPublic(BaseModel):
    """Fares per rider, in whole currency units."""

    currency: str
    adult: int
    child: int
    disability: int


class MeetingPointPublic(BaseModel):
    """A meeting point riders walk to (as listed; the van stops on the road beside it)."""

    id: str
    name: str
    lat: float
    lon: float


class MeetingPointsPublic(BaseModel):
    """Where vans meet riders: ``mode`` door_to_door, stop_based or mixed (flags in
    ``door_to_door_flags`` get the door), the walk limits (metres; ``winter_months`` use
    the winter one), the limit in force today, and the points."""

    mode: str
    walk_limit_m: dict[str, float]
    walk_limit_today_m: float
    winter_months: list[int]
    door_to_door_flags: list[str]
    out_of_reach: str
    points: list[MeetingPointPublic]


class ServicePublic(BaseModel):
    """The service of one area."""

    name: str
    area: str
    timezone: str
    weekdays: list[str]
    public_holidays: str
    closed_dates: list[str]
    open_dates: list[str]
    hours: dict[str, HoursPublic | None]
    booking: BookingRulesPublic
    fares: FaresPublic
    service_area_bbox: list[float] | None
    operating_days: list[OperatingDay]
    places: dict[str, dict[str, float]]
    meeting_points: MeetingPointsPublic
    fleet: list[dict[str, str]] = []  # the roster's vans: id and name (shift editing)


@router.get("", response_model=ServicePublic)
async def get_service(rt: RuntimeDep) -> ServicePublic:
    """The calendar, hours, booking rules, fares and service area (no token needed)."""
    svc, cal = rt.service, rt.service.calendar
    today = rt.days.today()
    days = []
    for d in svc.horizon(today):
        hours = svc.hours(d)
        assert hours is not None
        midnight = svc.midnight(d)
        days.append(OperatingDay(
            date=d.isoformat(), day_type=svc.day_type(d),
            open=(midnight + timedelta(seconds=hours.earliest)).isoformat(),
            close=(midnight + timedelta(seconds=hours.latest)).isoformat(),
            booking_deadline=svc.booking_deadline(d).isoformat()))
    fares = svc.fares
    return ServicePublic(
        name=svc.name, area=svc.area, timezone=svc.timezone,
        weekdays=[WEEKDAYS[i] for i in sorted(cal.weekdays)],
        public_holidays="ignored" if cal.holidays is None else (
            "closed" if cal.closed_on_holidays else "open"),
        closed_dates=sorted(d.isoformat() for d in cal.closed_dates if d >= today),
        open_dates=sorted(d.isoformat() for d in cal.open_dates if d >= today),
        hours={kind: None if h is None else HoursPublic(open=seconds_to_clock(h.open),
                                                        close=seconds_to_clock(h.close))
               for kind, h in cal.hours_by_type.items()},
        booking=BookingRulesPublic(
            same_day_min_notice_minutes=svc.booking.min_notice_s // 60,
            prior_day_deadline=seconds_to_clock(svc.booking.prior_day_deadline_s),
            days_ahead=svc.booking.days_ahead,
            provisional_window_minutes=svc.booking.provisional_window_s // 60,
            final_window_minutes=svc.policy.pickup_window_s // 60),
        fares=FaresPublic(currency=fares.currency, adult=fares.adult,
                          child=fares.adult if fares.child is None else fares.child,
                          disability=fares.adult if fares.disability is None
                          else fares.disability),
        service_area_bbox=None if svc.network.bbox is None else list(svc.network.bbox),
        operating_days=days,
        places={name: {"lat": p.lat, "lon": p.lon} for name, p in svc.places.items()},
        meeting_points=_meeting_points(rt, today),
        fleet=[{"id": v.id, "name": v.name} for v in svc.fleet.vans],
    )


def _meeting_points(rt: Runtime, today: date) -> MeetingPointsPublic:
    policy = rt.meeting.policy
    return MeetingPointsPublic(
        mode=policy.mode,
        walk_limit_m={"summer": policy.walk_limit_m.summer,
                      "winter": policy.walk_limit_m.winter},
        walk_limit_today_m=policy.walk_limit(today),
        winter_months=sorted(policy.winter_months),
        door_to_door_flags=list(policy.door_to_door_flags) if policy.mode == "mixed" else [],
        out_of_reach=policy.out_of_reach,
        points=[MeetingPointPublic(id=p.id, name=p.name, lat=p.lat, lon=p.lon)
                for p in rt.meeting.points] if policy.uses_points else [],
    )
