"""`maas export`: the service for journey planners (GTFS-Flex v2, GOFS-lite) and trip counts
for the public (open data by JIS X 0410 grid square)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from cli.simulate import _fail

app = typer.Typer(no_args_is_help=True, add_completion=False)

ServiceArg = Annotated[Path, typer.Argument(help="The town's service file (YAML).")]
OutOpt = Annotated[Path, typer.Option("--out", help="Directory for the files.")]
StartOpt = Annotated[str | None, typer.Option(
    "--start", help="First date of the published calendar, YYYY-MM-DD (default: today).")]
DaysOpt = Annotated[int, typer.Option("--days", help="Days of calendar to publish.")]


def _start(text: str | None) -> date:
    return date.fromisoformat(text) if text else datetime.now(UTC).date()


@app.command("gtfs-flex")
def gtfs_flex(
    service: ServiceArg,
    out: OutOpt,
    agency_url: Annotated[str, typer.Option(
        "--agency-url", help="The operator's web page (GTFS requires one).")],
    history: Annotated[str | None, typer.Option(
        "--history", help="Fit safe ride times from this history URL (default: the "
        "policy's ride-time rule).")] = None,
    start: StartOpt = None,
    days: DaysOpt = 365,
    phone: Annotated[str | None, typer.Option(help="Booking phone number.")] = None,
    booking_url: Annotated[str | None, typer.Option(help="Booking web page.")] = None,
    contact_email: Annotated[str | None, typer.Option(help="Feed contact e-mail.")] = None,
) -> None:
    """Write the service as a GTFS-Flex v2 feed (zones, booking rules, windows, calendar;
    the meeting points as location groups when riders are met at points)."""
    from maas.errors import MaasError
    from maas.history import HistoryStore
    from maas.meeting import service_point_specs
    from maas.publish.gtfs_flex import FeedOptions, write_gtfs_flex
    from maas.publish.ride_times import from_history, from_policy
    from maas.service import load_service

    try:
        svc = load_service(service)
        if history is None:
            fit = from_policy(svc.policy)
        else:
            with HistoryStore(history) as store:
                first = date(1, 1, 1)
                fit = from_history(store.days(svc.area, first, date(9999, 12, 31)))
        opts = FeedOptions(agency_url, _start(start), days, phone, booking_url,
                           contact_email=contact_email)
        points = service_point_specs(svc) if svc.meeting.uses_points else []
        written = write_gtfs_flex(svc, fit, opts, out, points)
    except (MaasError, OSError, ValueError) as exc:
        raise _fail(exc) from None
    covered = "" if fit.covered_share is None else \
        f", covers {fit.covered_share:.0%} of {fit.rides} rides"
    typer.echo(f"ride time bound: {fit.factor} x direct + {fit.offset_min} min "
               f"(from the {fit.source}{covered})")
    typer.echo(f"wrote {len(written)} files to {out}")


@app.command("gofs")
def gofs(
    service: ServiceArg,
    out: OutOpt,
    base_url: Annotated[str, typer.Option(
        "--base-url", help="Where the files will be served (URLs in gofs.json).")]
    = "http://localhost:8000/gofs",
    start: StartOpt = None,
    days: DaysOpt = 365,
    url: Annotated[str | None, typer.Option(help="The operator's web page.")] = None,
    phone: Annotated[str | None, typer.Option(help="Customer phone number.")] = None,
) -> None:
    """Write the service as a GOFS-lite v1.0 dataset (one JSON file per feed)."""
    from maas.errors import MaasError
    from maas.publish.gofs import GofsOptions, gofs_documents
    from maas.service import load_service

    try:
        svc = load_service(service)
        opts = GofsOptions(_start(start), int(datetime.now(UTC).timestamp()), base_url, days,
                           url=url, phone=phone)
        docs = gofs_documents(svc, opts)
        out.mkdir(parents=True, exist_ok=True)
        for name, doc in docs.items():
            (out / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1)
                                              + "\n", encoding="utf-8")
    except (MaasError, OSError, ValueError) as exc:
        raise _fail(exc) from None
    typer.echo(f"wrote {len(docs)} GOFS-lite files to {out}")


@app.command("open-data")
def open_data(
    month: Annotated[str, typer.Option("--month", help="YYYY-MM.")],
    out: OutOpt,
    history: Annotated[str | None, typer.Option(
        "--history", help="History database URL (default $MAAS_HISTORY_URL, else "
        "sqlite:///maas-history.db).")] = None,
    area: Annotated[str | None, typer.Option(
        "--area", help="Service area (default: the only one in the history).")] = None,
    k: Annotated[int, typer.Option("--k", help="Fewest distinct riders in a published cell.")]
    = 5,
    mesh: Annotated[str, typer.Option("--mesh", help="Grid square: 500m or 1km.")] = "1km",
    band_hours: Annotated[int, typer.Option("--band-hours", help="Hours per time band.")] = 3,
    license_id: Annotated[str, typer.Option("--license", help="SPDX licence id.")]
    = "CC-BY-4.0",
    attribution: Annotated[str, typer.Option(help="Attribution line.")] = "",
) -> None:
    """Write a month's origin-destination counts by JIS X 0410 square and hour band, with
    every published cell holding at least k distinct riders."""
    from maas.errors import MaasError
    from maas.history import HistoryStore, Month
    from maas.publish.open_data import od_table, rides_of, write_open_data

    if mesh not in ("500m", "1km"):
        raise _fail(ValueError(f"--mesh: {mesh!r} must be 500m or 1km"))
    try:
        which = Month.parse(month)
        with HistoryStore(history) as store:
            areas = store.areas()
            if area is None:
                if len(areas) != 1:
                    msg = (f"history {store.url} holds areas {', '.join(areas)}: pick one "
                           "with --area" if areas else f"history {store.url} holds no days")
                    raise ValueError(msg)
                area = areas[0]
            rides, without = rides_of(store.month(area, which))
        table = od_table(rides, k=k, level=mesh, band_hours=band_hours,  # type: ignore[arg-type]
                         rides_without_rider=without)
        written = write_open_data(table, out, area=area, month=which, license_id=license_id,
                                  attribution=attribution)
    except (MaasError, OSError, ValueError) as exc:
        raise _fail(exc) from None
    typer.echo(f"{area} {which}: {len(table.cells)} cells, "
               f"{table.rides_in - table.suppressed_rides} of {table.rides_in} rides published "
               f"(k = {k}), {table.suppressed_rides} suppressed, {without} without rider id")
    typer.echo(f"wrote {', '.join(p.name for p in written)} to {out}")
