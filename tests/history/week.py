"""Seeded synthetic closed days for the history tests (a town's week of bookings and vans)."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from maas.history import (
    BookingRecord,
    ClosureRecord,
    DayRecord,
    RiderRecord,
    StatusChange,
    VanDayRecord,
)

TZ = "Asia/Tokyo"
AREA = "demo-town"
# Two hamlets of the synthetic valley, as [lon, lat] rings.
ZONES = {
    "kami": [[142.00, 43.00], [142.03, 43.00], [142.03, 43.02], [142.00, 43.02], [142.00, 43.00]],
    "shimo": [[142.03, 43.00], [142.06, 43.00], [142.06, 43.02], [142.03, 43.02], [142.03, 43.00]],
}
RIDERS = tuple(RiderRecord(f"r_{i:03d}", f"Rider Name{i:03d}", f"090-0000-{i:04d}")
               for i in range(30))


def closed_day(day: dt.date, seed: int = 0, bookings: int = 40, area: str = AREA) -> DayRecord:
    """A closed day: ``bookings`` bookings of every status on three vans, one closure."""
    rng = random.Random(f"{day.isoformat()}-{seed}")
    tz = ZoneInfo(TZ)
    midnight = dt.datetime.combine(day, dt.time(), tz)

    def at(seconds: float) -> dt.datetime:
        return midnight + dt.timedelta(seconds=round(seconds))

    vans = ("v1", "v2", "v3")
    records = []
    for i in range(bookings):
        wish = rng.uniform(7.5 * 3600, 17 * 3600)
        earliest = wish + rng.choice([0, 300, 600])
        status = rng.choices(["completed", "cancelled", "no_show", "rejected"], [80, 8, 6, 6])[0]
        passengers, wheelchairs = (0, 1) if rng.random() < 0.1 else (rng.choice([1, 1, 2]), 0)
        rider = rng.choice(RIDERS).id if rng.random() < 0.9 else None
        direct = rng.randint(300, 1500)
        common: dict[str, object] = {
            "id": f"b_{day:%m%d}_{i:03d}", "rider_id": rider, "passengers": passengers,
            "wheelchairs": wheelchairs, "origin_lat": rng.uniform(43.001, 43.019),
            "origin_lon": rng.uniform(142.001, 142.059), "destination_lat": 43.0069,
            "destination_lon": 142.0291, "booked_at": at(wish - rng.uniform(1800, 86400)),
            "pickup_after": at(wish) if rng.random() < 0.8 else None,
        }
        if status == "rejected":
            records.append(BookingRecord(status="rejected", **common,  # type: ignore[arg-type]
                                         window_final=False))
            continue
        van = rng.choice(vans)
        booked = {
            **common, "pickup_earliest": at(earliest), "pickup_latest": at(earliest + 600),
            "provisional_earliest": at(earliest - 600), "provisional_latest": at(earliest + 1200),
            "window_final": True, "dropoff_by": at(earliest + 600 + 2 * direct + 600),
            "max_ride_s": 600 + 2 * direct, "vehicle_id": van,
            "planned_pickup": at(earliest + 200), "direct_s": direct, "direct_m": direct * 9,
            "fare": 300 * (passengers + wheelchairs),
            "standing_id": "s_1" if i % 10 == 0 else None,
        }
        changes = [StatusChange(booked["booked_at"], "confirmed")]  # type: ignore[arg-type]
        if status == "completed":
            pickup = earliest + rng.uniform(-60, 780)  # now and then early or late
            dropoff = pickup + direct * rng.uniform(1.0, 1.8)
            changes += [StatusChange(at(pickup), "picked_up"),
                        StatusChange(at(dropoff), "completed")]
            records.append(BookingRecord(
                status="completed", **booked, picked_up_at=at(pickup),  # type: ignore[arg-type]
                dropped_off_at=at(dropoff), planned_dropoff=at(dropoff - 60),
                status_changes=tuple(changes)))
        elif status == "cancelled":
            cancelled = at(earliest - 900)
            records.append(BookingRecord(
                status="cancelled", **booked, cancelled_at=cancelled,  # type: ignore[arg-type]
                status_changes=(*changes, StatusChange(cancelled, "cancelled"))))
        else:
            records.append(BookingRecord(
                status="no_show", **booked,  # type: ignore[arg-type]
                status_changes=(*changes, StatusChange(at(earliest + 780), "no_show"))))
    riders_seen = {b.rider_id for b in records}
    van_days = []
    for v in vans:
        done = [b for b in records if b.vehicle_id == v and b.status == "completed"]
        van_days.append(VanDayRecord(
            vehicle_id=v, name=f"Van {v}", seats=8, wheelchair_places=1,
            shift_start=at(7 * 3600), shift_end=at(18 * 3600),
            km=round(rng.uniform(40, 120), 3) if done else 0.0,
            hours=round(rng.uniform(6, 10), 3) if done else 0.0,
            riders=len(done), passengers=sum(b.people for b in done)))
    van_days.append(VanDayRecord("v4", "Van spare", 8, 1, at(7 * 3600), at(18 * 3600),
                                 0.0, 0.0, 0, 0))  # rostered, never left: no cost
    return DayRecord(
        area=area, date=day, timezone=TZ, closed_at=at(19 * 3600),
        bookings=tuple(records), vans=tuple(van_days),
        closures=(ClosureRecord("c_1", at(6 * 3600), at(9 * 3600), "snow"),),
        riders=tuple(r for r in RIDERS if r.id in riders_seen),
    )


def operating_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """Monday to Saturday between two dates."""
    days, d = [], first
    while d <= last:
        if d.weekday() < 6:
            days.append(d)
        d += dt.timedelta(days=1)
    return days
