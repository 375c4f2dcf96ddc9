"""`maas graph ...` commands: load a road network, inspect it, time a travel-time matrix."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Annotated, Any

import typer

from maas.errors import MaasError

app = typer.Typer(no_args_is_help=True)

SourceArg = Annotated[
    str,
    typer.Argument(
        help="An OSM file (.osm, .osm.bz2, .osm.gz, .osm.pbf), a .graphml, "
        "'demo' (synthetic town, offline) or place:NAME (Overpass, online)."
    ),
]
PolygonOpt = Annotated[
    str | None, typer.Option("--polygon", help="Clip to this service area (GeoJSON polygon).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
WinterOpt = Annotated[
    bool,
    typer.Option(
        "--winter", help="Winter: winter travel times, and every seasonal road closure applies."
    ),
]
DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date",
        help="A day (YYYY-MM-DD): winter speeds if it falls in winter, and the seasonal "
        "closures in force that day (overrides --winter).",
    ),
]


def _fail(exc: MaasError) -> typer.Exit:
    typer.echo(f"error: {exc}", err=True)
    return typer.Exit(1)


def _load(source: str, polygon: str | None, winter: bool, day: str | None = None) -> Any:
    from maas.roads import load_network

    season: bool | dt.date = winter
    if day is not None:
        try:
            season = dt.date.fromisoformat(day)
        except ValueError:
            raise typer.BadParameter(
                f"{day!r} is not a date (YYYY-MM-DD)", param_hint="--date"
            ) from None
    return load_network(source, polygon=polygon, winter=season)


@app.command("info")
def info(
    source: SourceArg,
    polygon: PolygonOpt = None,
    as_json: JsonOpt = False,
    winter: WinterOpt = False,
    day: DateOpt = None,
) -> None:
    """Nodes, edges, total road km, bounding box and source of a road network."""
    try:
        start = time.perf_counter()
        net = _load(source, polygon, winter, day)
        seconds = time.perf_counter() - start
    except MaasError as exc:
        raise _fail(exc) from None
    data = net.info() | {"load_seconds": round(seconds, 3)}
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    tag = "  (SYNTHETIC demo town, not real data)" if data["synthetic"] else ""
    typer.echo(f"source:  {data['source']}{tag}")
    typer.echo(f"nodes:   {data['nodes']}")
    typer.echo(f"edges:   {data['edges']}")
    typer.echo(f"road km: {data['km']:.1f}")
    min_lon, min_lat, max_lon, max_lat = data["bbox"]
    typer.echo(f"bbox:    {min_lon:.5f},{min_lat:.5f},{max_lon:.5f},{max_lat:.5f} (lon/lat)")
    typer.echo(f"winter:  {'yes' if data['winter'] else 'no'}")
    typer.echo(f"closed for the season: {data['seasonal_closed_km']:.1f} km")
    typer.echo(f"loaded in {seconds:.2f} s")


@app.command("matrix")
def matrix(
    source: SourceArg,
    sample: Annotated[int, typer.Option("--sample", min=1, help="Number of random points.")],
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random points.")] = 0,
    polygon: PolygonOpt = None,
    as_json: JsonOpt = False,
    winter: WinterOpt = False,
    day: DateOpt = None,
) -> None:
    """Snap N seeded random points on the network and time their N x N travel-time matrix."""
    try:
        net = _load(source, polygon, winter, day)
        points = [(loc.lat, loc.lon) for loc in net.random_locations(sample, seed)]
        start = time.perf_counter()
        locations = net.snap_many(points)
        snap_seconds = time.perf_counter() - start
        start = time.perf_counter()
        durations = net.durations(locations, locations)
        seconds = time.perf_counter() - start
    except MaasError as exc:
        raise _fail(exc) from None
    data = {
        "source": net.source,
        "synthetic": net.synthetic,
        "n": sample,
        "size": list(durations.shape),
        "seconds": round(seconds, 4),
        "snap_seconds": round(snap_seconds, 4),
        "checksum": int(durations.sum()),
        "seed": seed,
    }
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    tag = " (SYNTHETIC demo town)" if net.synthetic else ""
    typer.echo(f"source:   {net.source}{tag}")
    typer.echo(f"matrix:   {sample} x {sample} travel times (s)")
    typer.echo(f"seconds:  {seconds:.3f} (snapping {snap_seconds:.3f})")
    typer.echo(f"checksum: {data['checksum']} (sum of travel times, s)")
