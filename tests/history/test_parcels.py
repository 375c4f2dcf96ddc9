"""Parcels (貨客混載) in the history (day record version 3, Alembic revision 0004), on
SQLite and PostgreSQL: the codec keeps older days' text, bad parcels are refused naming the
field, a day's parcels survive import and read-back, the migration keeps the days in, the
month counts parcels, and a simulated day's parcels agree with the simulator's KPIs."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import inspect

from maas.history import HistoryStore, Month, ParcelRecord
from maas.history.day import (
    VERSION,
    DayRecord,
    DayRecordError,
    day_digest,
    day_from_json,
    day_to_json,
)
from maas.history.month import CostModel, GridZones, month_figures, month_report, report_dict
from maas.history.parcel_figures import parcel_figures
from tests.history.week import AREA, TZ, closed_day

DAY = dt.date(2026, 11, 5)


def parcels_of(day: dt.date, n: int = 12, seed: int = 0) -> tuple[ParcelRecord, ...]:
    """``n`` parcels of every outcome, handed in during the morning."""
    rng = random.Random(f"{day}-{seed}")
    midnight = dt.datetime.combine(day, dt.time(), ZoneInfo(TZ))
    out = []
    for i in range(n):
        status = ("delivered", "delivered", "returned", "cancelled", "delivered")[i % 5]
        handed = midnight + dt.timedelta(hours=8, minutes=rng.randint(0, 120))
        picked = handed + dt.timedelta(minutes=rng.randint(10, 60))
        done = picked + dt.timedelta(minutes=rng.randint(5, 40))
        out.append(ParcelRecord(
            id=f"b_{day:%Y%m%d}_p{i:02d}", status=status,  # type: ignore[arg-type]
            kg=rng.randint(1, 15), litres=rng.randint(5, 60),
            pickup_lat=43.0069, pickup_lon=142.0291,
            delivery_lat=rng.uniform(43.001, 43.019), delivery_lon=rng.uniform(142.0, 142.06),
            handed_in_at=handed, shipper_id="s_post", source="post_office",
            deliver_by=handed + dt.timedelta(minutes=rng.choice([20, 240])),
            vehicle_id=None if status == "cancelled" else "v1",
            picked_up_at=None if status == "cancelled" else picked,
            delivered_at=done if status == "delivered" else None,
            direct_m=rng.randint(500, 9000)))
    return tuple(out)


def with_parcels(record: DayRecord, n: int = 12) -> DayRecord:
    return dataclasses.replace(record, parcels=parcels_of(record.date, n))


def test_a_day_without_parcels_keeps_its_text_and_one_with_them_is_version_3() -> None:
    plain = closed_day(DAY)
    text = day_to_json(plain)
    assert "parcels" not in json.loads(text) and json.loads(text)["version"] == 1
    carried = with_parcels(plain)
    data = json.loads(day_to_json(carried))
    assert data["version"] == VERSION == 3 and len(data["parcels"]) == 12
    assert day_from_json(day_to_json(carried)) == carried
    assert day_digest(carried) != day_digest(plain)
    assert day_from_json(text) == plain  # an older file reads with no parcels


@pytest.mark.parametrize(("change", "message"), [
    ({"status": "lost"}, "status: 'lost'"),
    ({"kg": 0, "litres": 0}, "kg/litres"),
    ({"delivered_at": None}, "delivered_at: a delivered parcel"),
    ({"picked_up_at": None}, "picked_up_at: a delivered parcel"),
    ({"delivery_lat": 91.0}, "delivery_lat/delivery_lon"),
    ({"handed_in_at": dt.datetime(2026, 11, 5, 8)}, "handed_in_at"),
])
def test_a_bad_parcel_is_refused_naming_the_field(change: dict[str, object], message: str
                                                  ) -> None:
    good = next(p for p in parcels_of(DAY) if p.status == "delivered")
    with pytest.raises(DayRecordError, match=message):
        dataclasses.replace(good, **change)  # type: ignore[arg-type]


def test_a_bad_parcel_in_a_file_names_its_path() -> None:
    data = json.loads(day_to_json(with_parcels(closed_day(DAY))))
    data["parcels"][3]["kg"] = "heavy"
    with pytest.raises(DayRecordError, match=r"day\.parcels\[3\]\.kg"):
        day_from_json(json.dumps(data))
    data["parcels"][3]["kg"] = 1
    del data["parcels"][2]["handed_in_at"]
    with pytest.raises(DayRecordError, match=r"day\.parcels\[2\]\.handed_in_at: missing"):
        day_from_json(json.dumps(data))


def test_parcels_survive_import_and_read_back(store: HistoryStore) -> None:
    day = with_parcels(closed_day(DAY))
    assert store.import_day(day) and not store.import_day(day)
    assert store.day(AREA, DAY) == day
    with pytest.raises(Exception, match="other content"):
        store.import_day(dataclasses.replace(day, parcels=day.parcels[:-1]))


def test_migration_0004_keeps_the_days_in_and_adds_the_table(store: HistoryStore) -> None:
    before = closed_day(DAY)
    assert store.import_day(before)
    with store.engine.begin() as conn:
        command.downgrade(store._alembic(conn), "0003")
    with store.engine.connect() as conn:
        assert "parcels" not in inspect(conn).get_table_names()
    assert store.migrate() == "0004" == HistoryStore.head()
    assert store.day(AREA, DAY) == before
    later = with_parcels(closed_day(DAY + dt.timedelta(days=1)))
    assert store.import_day(later) and store.day(AREA, later.date) == later


def test_the_month_counts_parcels_as_direct_counts_do(store: HistoryStore) -> None:
    days = [with_parcels(closed_day(DAY + dt.timedelta(days=i)), n=7 + i) for i in range(3)]
    for d in days:
        store.import_day(d)
    kept = store.month(AREA, Month(2026, 11))
    figures = month_figures(AREA, Month(2026, 11), kept, CostModel(), GridZones(1.0, 43.0))
    every = [p for d in days for p in d.parcels]
    delivered = [p for p in every if p.status == "delivered"]
    got = figures.parcels
    assert got.handed_in == len(every)
    assert (got.delivered, got.returned, got.cancelled) == (
        len(delivered), sum(p.status == "returned" for p in every),
        sum(p.status == "cancelled" for p in every))
    assert got.delivered_share == round(
        len(delivered) / sum(p.status != "cancelled" for p in every), 4)
    on_time = [p.delivered_at <= p.deliver_by for p in delivered
               if p.delivered_at and p.deliver_by]
    assert 0 < sum(on_time) < len(on_time)  # the fixture has both, so the share is tested
    assert got.on_time_share == round(sum(on_time) / len(on_time), 4)
    assert got.kg_delivered == sum(p.kg for p in delivered)
    assert got.direct_km_delivered == round(sum(p.direct_m or 0 for p in delivered) / 1000, 3)
    report = report_dict(month_report(AREA, Month(2026, 11), kept, CostModel(),
                                      GridZones(1.0, 43.0)))
    assert report["version"] == 3 and report["current"]["parcels"]["delivered"] == len(delivered)
    assert report["previous"]["parcels"]["handed_in"] == 0
    assert parcel_figures([]).delivered_share is None


def test_a_simulated_days_parcels_enter_the_history(store: HistoryStore, demo_network  # type: ignore[no-untyped-def]
                                                    ) -> None:
    """The simulator's parcels go through the same record and import; the month's figures
    equal the simulator's own parcel KPIs."""
    from scenarios.config import load_scenario
    from scenarios.demand import generate_demand
    from scenarios.history_day import scenario_day_record
    from scenarios.kpis import compute_kpis
    from scenarios.parcels import generate_parcels
    from scenarios.run import rostered_vehicles
    from scenarios.simulator import simulate

    root = Path(__file__).resolve().parents[2]
    scenario = load_scenario(root / "scenarios" / "demo-parcels.yaml",
                             {"demand.requests": 30, "parcels.count": 12})
    vehicles = rostered_vehicles(scenario, demo_network)
    depot = vehicles[0].depot
    demand = generate_demand(scenario, demo_network)
    parcels = generate_parcels(scenario, demo_network, depot)
    result = simulate(scenario, demo_network, demand, depot, scenario.demand.seed,
                      synthetic=True, vehicles=vehicles, parcels=parcels)
    kpis = compute_kpis(result, scenario.cost)["parcels"]
    record = scenario_day_record(scenario, result, dt.date(2026, 11, 30))
    assert store.import_day(record)
    back = store.day(record.area, record.date)
    assert back == record and len(back.parcels) == 12
    got = parcel_figures([back])
    assert (got.handed_in, got.delivered, got.returned, got.refused, got.undelivered) == (
        kpis["requests"], kpis["delivered"], kpis["returned"], kpis["refused"],
        kpis["undelivered"])
    assert got.delivered_share == kpis["delivered_share"]
    assert got.delivered > 0


def test_the_report_page_shows_parcels_only_for_months_that_had_them() -> None:
    from scenarios.monthly_report import render_html

    zones = GridZones(1.0, 43.0)
    plain = [closed_day(DAY)]
    carried = [with_parcels(closed_day(DAY))]
    page = render_html(month_report(AREA, Month(2026, 11), carried, CostModel(), zones),
                       carried, zones)
    delivered = sum(p.status == "delivered" for p in carried[0].parcels)
    assert "Parcels (貨客混載)" in page and f"<td>{delivered:,}</td>" in page
    none = render_html(month_report(AREA, Month(2026, 11), plain, CostModel(), zones),
                       plain, zones)
    assert "Parcels (貨客混載)" not in none
