"""``maas report``, the report files, the API router and ``maas simulate --history``."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from api.auth import hash_token
from api.deps import _runtime
from api.errors import install_error_handlers
from api.routers import reports
from api.settings import Settings
from cli import app as cli_app
from maas.history import (
    CostModel,
    HistoryStore,
    Month,
    ReportConfig,
    read_month_report,
    report_dict,
)
from tests.history.week import AREA, ZONES, closed_day, operating_days

REQUIRED = ("rides", "riders", "no_shows", "cancelled", "vehicle_km", "vehicle_hours", "cost",
            "fares")


def _fill(store: HistoryStore) -> list[dt.date]:
    days = operating_days(dt.date(2026, 10, 26), dt.date(2026, 11, 14))
    for d in days:
        store.import_day(closed_day(d))
    return days


def test_maas_report_writes_csv_and_html(store: HistoryStore, tmp_path: Path) -> None:
    """The CSV has one row per day, the required columns and a total row; the page embeds
    its plots; the month defaults to the latest with rides."""
    days = _fill(store)
    zones = tmp_path / "zones.json"
    zones.write_text(json.dumps(ZONES), encoding="utf-8")
    out = tmp_path / "report"
    result = CliRunner().invoke(cli_app, ["report", "--history", store.url, "--out", str(out),
                                          "--zones", str(zones)])
    assert result.exit_code == 0, result.output
    assert f"{AREA} 2026-11" in result.output
    with (out / "report.csv").open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        header = list(reader.fieldnames or ())
    assert header[0] == "date"
    assert set(REQUIRED) <= set(header)
    november = [d for d in days if d.month == 11]
    assert [r["date"] for r in rows] == [d.isoformat() for d in november] + ["total"]
    total, per_day = rows[-1], rows[:-1]
    for column in ("rides", "riders", "no_shows", "cancelled", "fares"):
        assert int(total[column]) == sum(int(r[column]) for r in per_day)
    for column in ("vehicle_km", "vehicle_hours", "cost"):
        assert float(total[column]) == pytest.approx(sum(float(r[column]) for r in per_day),
                                                     abs=0.05)
    expected = sum(b.status == "completed" for d in november for b in closed_day(d).bookings)
    assert int(total["rides"]) == expected
    page = (out / "report.html").read_text(encoding="utf-8")
    assert len(re.findall(r'src="data:image/png;base64,', page)) >= 5
    assert not re.search(r'(src|href)="https?:', page)  # nothing fetched: works offline
    assert "kami" in page and "2026-10" in page  # zones and the month before


def test_maas_report_names_a_bad_month(store: HistoryStore, tmp_path: Path) -> None:
    """A bad --month is a one-line error naming it."""
    _fill(store)
    result = CliRunner().invoke(cli_app, ["report", "--history", store.url, "--month", "2026-13",
                                          "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "month" in result.output


def _app(store: HistoryStore) -> FastAPI:
    """Only the reports router, with the service's real auth dependency over a small runtime
    (operator token, one rider token)."""
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(reports.router)
    rider = hash_token("rider-token")

    async def principal(token_hash: str) -> dict[str, str] | None:
        return {"role": "rider", "id": "r_001"} if token_hash == rider else None

    runtime = SimpleNamespace(
        settings=Settings(operator_token=SecretStr("op-token"), area=AREA,
                          history_url=None, rate_limit_per_minute=0,
                          rate_limit_ip_per_minute=0),
        store=SimpleNamespace(principal=principal), training=None)
    app.dependency_overrides[_runtime] = lambda: runtime
    app.state.history = store
    app.state.report_config = ReportConfig(zones=ZONES)
    return app


def test_api_month_report(store: HistoryStore) -> None:
    """GET /v1/reports/months/{yyyy-mm}: the operator gets the figures; others do not."""
    _fill(store)
    client = TestClient(_app(store))
    url = "/v1/reports/months/2026-11"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer rider-token"}).status_code == 403
    op = {"Authorization": "Bearer op-token"}
    answer = client.get(url, headers=op)
    assert answer.status_code == 200
    body = answer.json()
    expected = report_dict(read_month_report(store, AREA, Month(2026, 11),
                                             ReportConfig(zones=ZONES)))
    assert body == json.loads(json.dumps(expected))
    assert body["schema"] == "maas.history.month-report" and body["previous"]["month"] == "2026-10"
    assert body["current"]["total"]["rides"] == sum(d["rides"] for d in body["current"]["days"])
    assert client.get("/v1/reports/months/2026-13", headers=op).status_code == 422
    missing = client.get("/v1/reports/months/2027-01", headers=op)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_a_simulated_day_enters_the_history(store: HistoryStore, demo_network) -> None:  # type: ignore[no-untyped-def]
    """The simulator's day goes through DayRecord and import; its month figures equal the
    simulator's own KPIs (one code for the planner's and the operator's report)."""
    from scenarios.config import load_scenario
    from scenarios.demand import generate_demand
    from scenarios.history_day import scenario_day_record
    from scenarios.kpis import compute_kpis
    from scenarios.run import depot_location
    from scenarios.simulator import simulate

    root = Path(__file__).resolve().parents[2]
    scenario = load_scenario(root / "scenarios" / "demo.yaml", {"demand.requests": 40})
    depot = depot_location(scenario, demo_network)
    demand = generate_demand(scenario, demo_network)
    result = simulate(scenario, demo_network, demand, depot, scenario.demand.seed,
                      synthetic=True)
    kpis = compute_kpis(result, scenario.cost)
    day = dt.date(2026, 11, 30)
    record = scenario_day_record(scenario, result, day)
    assert store.import_day(record) and not store.import_day(record)
    c = scenario.cost
    cost = CostModel(c.per_vehicle_hour, c.per_km, c.fixed_per_vehicle_day, c.currency)
    report = read_month_report(store, record.area, Month(2026, 11), ReportConfig(cost))
    total = report.current.total
    assert total.rides == kpis["served"]
    assert total.riders == kpis["riders_served"]
    assert (total.no_shows, total.cancelled) == (kpis["no_shows"], kpis["cancelled"])
    assert total.bookings + total.rejected == kpis["requests"]
    assert total.vehicle_km == pytest.approx(kpis["vehicle_km"], abs=0.01)
    assert total.vehicle_hours == pytest.approx(kpis["vehicle_hours"], abs=0.01)
    assert total.van_days == kpis["vehicles_used"]
    assert total.cost == pytest.approx(kpis["cost_total"], abs=0.1)
    assert total.fares == pytest.approx(kpis["fare_revenue"])
    # (Pooled share differs by definition: the history only knows pickup and drop-off times,
    # the simulator counts riders on board during one leg; occupancy is per hour, not per km.)
    assert total.on_time_share == pytest.approx(kpis["promise_kept_share"], abs=1e-4)


def test_maas_simulate_history_option(tmp_path: Path) -> None:
    """``maas simulate --history URL --date D`` imports the day once; a rerun adds nothing."""
    root = Path(__file__).resolve().parents[2]
    url = f"sqlite:///{tmp_path / 'h.db'}"
    args = ["simulate", str(root / "scenarios" / "demo.yaml"), "--out", str(tmp_path / "out"),
            "--history", url, "--date", "2026-11-30", "--seed", "3"]
    first = CliRunner().invoke(cli_app, args)
    assert first.exit_code == 0, first.output
    assert "imported into" in first.output
    with HistoryStore(url) as store:
        day = store.day("demo-town", dt.date(2026, 11, 30))
        assert day is not None and day.timezone == "Asia/Tokyo"
        kpis = json.loads((tmp_path / "out" / "kpis.json").read_text(encoding="utf-8"))
        assert len(day.bookings) == kpis["requests"]
    second = CliRunner().invoke(cli_app, args)
    assert second.exit_code == 0 and "already in" in second.output


def test_the_service_file_gives_area_and_zones(store: HistoryStore, tmp_path: Path) -> None:
    """With --service, and in the API without a report config, the town's service file
    names the area and its zones (here the demo's ``centre``)."""
    from maas.service import load_service

    root = Path(__file__).resolve().parents[2]
    svc = load_service(root / "scenarios" / "demo-service.yaml")
    assert svc.zones
    for d in operating_days(dt.date(2026, 11, 2), dt.date(2026, 11, 7)):
        store.import_day(closed_day(d, area=svc.area))
        store.import_day(closed_day(d, area="elsewhere"))
    out = tmp_path / "report"
    result = CliRunner().invoke(cli_app, [
        "report", "--history", store.url, "--service",
        str(root / "scenarios" / "demo-service.yaml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{svc.area} 2026-11")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert all(z.name in page for z in svc.zones)
    app = _app(store)
    del app.state.report_config
    app.dependency_overrides[_runtime]().service = svc
    app.dependency_overrides[_runtime]().settings.area = svc.area
    body = TestClient(app).get("/v1/reports/months/2026-11",
                               headers={"Authorization": "Bearer op-token"}).json()
    zones = {z["zone"] for z in body["current"]["by_zone"]}
    assert zones <= {z.name for z in svc.zones} | {"outside"}
    assert zones & {z.name for z in svc.zones}
    assert body["area"] == svc.area
