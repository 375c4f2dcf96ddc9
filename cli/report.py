"""`maas report`: a month of the trip history as report.html and report.csv."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cli.simulate import _fail


def report(
    out: Annotated[Path, typer.Option("--out", help="Directory for report.html and report.csv.")],
    history: Annotated[str | None, typer.Option(
        "--history", help="History database URL (default $MAAS_HISTORY_URL, else "
        "sqlite:///maas-history.db).")] = None,
    month: Annotated[str | None, typer.Option(
        "--month", help="YYYY-MM (default: the latest month with rides).")] = None,
    area: Annotated[str | None, typer.Option(
        "--area", help="Service area (default: the only one in the history).")] = None,
    service: Annotated[Path | None, typer.Option(
        "--service", help="The town's service file: its area, zones and currency.")] = None,
    zones: Annotated[Path | None, typer.Option(
        "--zones", help="Zone polygons: YAML/JSON {name: [[lon, lat], ...]} or GeoJSON "
        "features with a name (default: the service file's zones, else a grid).")] = None,
    grid_km: Annotated[float, typer.Option("--grid-km", help="Grid cell size without zones.")]
    = 1.0,
    per_vehicle_hour: Annotated[float, typer.Option(help="Cost per vehicle hour.")] = 3500,
    per_km: Annotated[float, typer.Option(help="Cost per km driven.")] = 25,
    fixed_per_van_day: Annotated[float, typer.Option(help="Fixed cost per van day.")] = 4000,
    currency: Annotated[str | None, typer.Option(
        help="Currency of costs and fares (default: the service file's, else JPY).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Also print the figures as JSON.")]
    = False,
) -> None:
    """Write the monthly report (rides, riders, waits, vans, cost, fare recovery) of a month."""
    import yaml

    from maas.errors import MaasError
    from maas.history import (
        CostModel,
        HistoryStore,
        Month,
        ReportConfig,
        read_month,
        service_report_config,
    )
    from maas.history.month import parse_zones, report_dict
    from maas.service import load_service
    from scenarios.monthly_report import write_month_report

    try:
        base = ReportConfig()
        if service is not None:
            svc = load_service(service)
            base = service_report_config(svc)
            area = area or svc.area
        polygons = base.zones
        if zones is not None:
            polygons = parse_zones(yaml.safe_load(zones.read_text(encoding="utf-8")),
                                   str(zones))
        currency = currency or base.cost.currency
        config = ReportConfig(CostModel(per_vehicle_hour, per_km, fixed_per_van_day, currency),
                              polygons, grid_km)
        with HistoryStore(history) as store:
            store.migrate()
            areas = store.areas()
            if area is None:
                if len(areas) != 1:
                    msg = (f"history {store.url} holds areas {', '.join(areas)}: pick one "
                           "with --area" if areas else f"history {store.url} holds no days yet")
                    raise ValueError(msg)
                area = areas[0]
            elif area not in areas:
                msg = f"--area {area}: not in the history (areas: {', '.join(areas) or 'none'})"
                raise ValueError(msg)
            which = Month.parse(month) if month else store.latest_month_with_trips(area)
            if which is None:
                msg = f"area {area} has no rides in the history yet: give --month"
                raise ValueError(msg)
            read = read_month(store, area, which, config)
        page, table = write_month_report(read.report, read.days, read.zones, out)
    except (MaasError, OSError, ValueError, yaml.YAMLError) as exc:
        raise _fail(exc) from None
    t = read.report.current.total
    recovery = "-" if t.fare_recovery is None else f"{t.fare_recovery:.1%}"
    typer.echo(f"{area} {which}: {len(read.report.current.days)} days, {t.rides} rides, "
               f"{t.riders} riders, {t.no_shows} no-shows, {t.cancelled} cancelled; cost "
               f"{t.cost:,.0f} {currency}, fares {t.fares:,} {currency}, recovery {recovery}")
    if as_json:
        typer.echo(json.dumps(report_dict(read.report), ensure_ascii=False, indent=2))
    typer.echo(f"wrote {page} and {table}")
