"""Month figures read from the history equal counts made directly from the day records."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from maas.history import (
    CostModel,
    DayRecord,
    GridZones,
    HistoryStore,
    Month,
    PolygonZones,
    ReportConfig,
    ReportError,
    read_month_report,
)
from maas.history.month import parse_zones
from tests.history.week import AREA, TZ, ZONES, closed_day, operating_days

COST = CostModel(per_vehicle_hour=3000, per_km=30, fixed_per_van_day=5000)
NOVEMBER = Month(2026, 11)


def _import(store: HistoryStore) -> list[DayRecord]:
    days = [closed_day(d) for d in operating_days(dt.date(2026, 10, 1), dt.date(2026, 11, 30))]
    for r in days:
        store.import_day(r)
    return days


def _in_rectangle(name: str, lat: float, lon: float) -> bool:
    lons = [p[0] for p in ZONES[name]]
    lats = [p[1] for p in ZONES[name]]
    return min(lons) <= lon <= max(lons) and min(lats) <= lat <= max(lats)


def test_month_figures_equal_direct_counts(store: HistoryStore) -> None:
    """Per day and in total: rides, riders, statuses, fares, van km and hours, cost, and
    rides by weekday, hour and zone, counted straight from the records."""
    records = _import(store)
    report = read_month_report(store, AREA, NOVEMBER, ReportConfig(COST, ZONES))
    month = [r for r in records if r.date.month == 11]
    assert [d.date for d in report.current.days] == [r.date for r in month]
    for record, day in zip(month, report.current.days, strict=True):
        done = [b for b in record.bookings if b.status == "completed"]
        f = day.figures
        assert f.rides == len(done)
        assert f.riders == sum(b.passengers + b.wheelchairs for b in done)
        assert f.no_shows == sum(b.status == "no_show" for b in record.bookings)
        assert f.cancelled == sum(b.status == "cancelled" for b in record.bookings)
        assert f.rejected == sum(b.status == "rejected" for b in record.bookings)
        assert f.fares == sum(b.fare for b in done)
        assert f.vehicle_km == pytest.approx(sum(v.km for v in record.vans), abs=1e-3)
        assert f.vehicle_hours == pytest.approx(sum(v.hours for v in record.vans), abs=1e-3)
        used = [v for v in record.vans if v.km > 0]
        assert f.van_days == len(used) == 3
        assert f.cost == pytest.approx(sum(3000 * v.hours + 30 * v.km + 5000 for v in used),
                                       abs=0.01)
        kept = [b for b in done if b.pickup_earliest <= b.picked_up_at <= b.pickup_latest  # type: ignore[operator]
                and b.dropped_off_at <= b.dropoff_by]  # type: ignore[operator]
        assert f.on_time_share == pytest.approx(len(kept) / len(done), abs=1e-4)
    total = report.current.total
    rides = [(r, b) for r in month for b in r.bookings if b.status == "completed"]
    assert total.rides == len(rides) == sum(d.figures.rides for d in report.current.days)
    assert total.fares == sum(b.fare for _, b in rides)
    assert total.cost == pytest.approx(sum(d.figures.cost for d in report.current.days), abs=0.1)
    assert total.fare_recovery == pytest.approx(total.fares / total.cost, abs=1e-4)
    assert total.cost_per_ride == pytest.approx(total.cost / total.rides, abs=0.01)
    waits = [max(0.0, (b.picked_up_at - (b.pickup_after or b.pickup_earliest))  # type: ignore[operator]
                 .total_seconds()) for _, b in rides]
    assert total.wait_mean_min == pytest.approx(sum(waits) / len(waits) / 60, abs=0.01)
    assert report.current.distinct_riders == len({b.rider_id for _, b in rides if b.rider_id})
    weekdays = Counter(r.date.strftime("%a").lower() for r, _ in rides)
    assert {c.key: c.rides for c in report.current.by_weekday} == {
        k: weekdays.get(k, 0) for k in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    hours = Counter(b.picked_up_at.astimezone(ZoneInfo(TZ)).hour for _, b in rides)  # type: ignore[union-attr]
    assert {int(c.key): c.rides for c in report.current.by_hour} == {
        h: hours.get(h, 0) for h in range(24)}
    zones = Counter(next((z for z in ZONES if _in_rectangle(z, b.origin_lat, b.origin_lon)),
                         "outside") for _, b in rides)
    assert {c.key: c.rides for c in report.current.by_zone} == dict(zones)
    october = [b for r in records if r.date.month == 10 for b in r.bookings
               if b.status == "completed"]
    assert report.previous.month == Month(2026, 10)
    assert report.previous.total.rides == len(october)


def test_pooled_share_counts_overlapping_rides_on_one_van(store: HistoryStore) -> None:
    """A ride is pooled when another ride was on the same van at the same time."""
    records = _import(store)
    report = read_month_report(store, AREA, NOVEMBER, ReportConfig(COST, ZONES))
    record = next(r for r in records if r.date == report.current.days[0].date)
    done = [b for b in record.bookings if b.status == "completed"]
    shared = {a.id for a in done for b in done if a.id != b.id and a.vehicle_id == b.vehicle_id
              and a.picked_up_at < b.dropped_off_at and b.picked_up_at < a.dropped_off_at}  # type: ignore[operator]
    assert report.current.days[0].figures.pooled_share == pytest.approx(
        len(shared) / len(done), abs=1e-4)


def test_an_empty_month_has_zero_rides(store: HistoryStore) -> None:
    """A month without days has no rides and no shares (None, not a division by zero)."""
    report = read_month_report(store, AREA, Month(2027, 1))
    assert report.current.days == () and report.current.total.rides == 0
    assert report.current.total.fare_recovery is None
    assert report.current.total.on_time_share is None


def test_month_parsing_and_neighbours() -> None:
    """``YYYY-MM`` parses; the month before January is December; bad text is named."""
    assert Month.parse("2026-01").previous() == Month(2025, 12)
    assert (Month(2026, 2).first, Month(2026, 2).last) == (dt.date(2026, 2, 1),
                                                           dt.date(2026, 2, 28))
    for bad in ("2026-13", "26-01", "2026/01", ""):
        with pytest.raises(ReportError, match="month"):
            Month.parse(bad)


def test_zones() -> None:
    """Polygons name their zone (else ``outside``); the grid names cells it can draw."""
    zones = PolygonZones(ZONES)
    assert zones.zone_of(43.01, 142.01) == "kami"
    assert zones.zone_of(43.01, 142.05) == "shimo"
    assert zones.zone_of(44.0, 142.05) == "outside"
    grid = GridZones(1.0, 43.0)
    name = grid.zone_of(43.0101, 142.0101)
    ring = grid.outline(name)
    assert ring is not None
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert min(lons) <= 142.0101 <= max(lons) and min(lats) <= 43.0101 <= max(lats)
    assert grid.zone_of(43.0101, 142.0102) == name
    feature = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "kami"},
         "geometry": {"type": "Polygon", "coordinates": [ZONES["kami"]]}}]}
    assert parse_zones(feature) == {"kami": ZONES["kami"]}
    with pytest.raises(ReportError, match=r"zones\.bad"):
        parse_zones({"bad": [[142.0, 43.0], [142.1, 43.0]]})


def test_equity_figures_equal_direct_counts(store: HistoryStore) -> None:
    """Issue 16: per zone of origin and for wheelchair users against the rest, requests,
    refusals, waits and on-time share equal counts made straight from the records."""
    import numpy as np

    records = _import(store)
    report = read_month_report(store, AREA, NOVEMBER, ReportConfig(COST, ZONES))
    month = [b for r in records if r.date.month == 11 for b in r.bookings]
    equity = report.current.equity
    assert equity is not None

    def zone(b: object) -> str:
        return next((z for z in ZONES if _in_rectangle(z, b.origin_lat, b.origin_lon)),  # type: ignore[attr-defined]
                    "outside")

    def expect(group: list) -> tuple:  # type: ignore[type-arg]
        rejected = sum(b.status == "rejected" for b in group)
        done = [b for b in group if b.status == "completed"]
        waits = [max(0.0, (b.picked_up_at - (b.pickup_after or b.pickup_earliest))
                     .total_seconds()) for b in done]
        kept = [b.pickup_earliest <= b.picked_up_at <= b.pickup_latest
                and b.dropped_off_at <= b.dropoff_by for b in done]
        p90 = round(float(np.quantile(waits, 0.9)) / 60, 2) if waits else None
        return (len(group), rejected, round(rejected / len(group), 4), len(done), p90,
                round(sum(kept) / len(kept), 4) if kept else None)

    def got(g: object) -> tuple:  # type: ignore[type-arg]
        return (g.requests, g.rejected, g.rejected_share, g.rides, g.wait_p90_min,  # type: ignore[attr-defined]
                g.on_time_share)  # type: ignore[attr-defined]

    by_zone: dict[str, list] = {}  # type: ignore[type-arg]
    for b in month:
        by_zone.setdefault(zone(b), []).append(b)
    assert {g.key: got(g) for g in equity.by_zone} == {k: expect(v) for k, v in by_zone.items()}
    wheel = [b for b in month if b.wheelchairs > 0]
    assert wheel and got(equity.wheelchair) == expect(wheel)
    assert got(equity.rest) == expect([b for b in month if b.wheelchairs == 0])
    assert equity.wheelchair.requests + equity.rest.requests == len(month)
    from maas.history import report_dict

    body = report_dict(report)
    assert body["version"] == 3
    assert body["current"]["equity"]["wheelchair"]["requests"] == len(wheel)
