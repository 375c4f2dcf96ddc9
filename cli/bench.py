"""`maas bench ...` commands: reproducible benchmarks of the engine."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from maas.errors import MaasError

if TYPE_CHECKING:
    from maas.domain import Vehicle
    from maas.roads import RoadNetwork

app = typer.Typer(no_args_is_help=True)

DAY_START, DAY_END = 7 * 3600, 19 * 3600


def _fleet(net: RoadNetwork, vehicles: int) -> list[Vehicle]:
    """``vehicles`` 9-seat vans (one wheelchair place) on a 07:00-19:00 shift at the depot:
    the demo town's depot, else the road point nearest the middle of the network."""
    from maas.domain import TimeWindow, Vehicle, VehicleType

    places = net.graph.graph.get("places") or {}
    if "depot" in places:
        depot = net.snap(*places["depot"])
    else:
        min_lon, min_lat, max_lon, max_lat = net.info()["bbox"]
        depot = net.snap((min_lat + max_lat) / 2, (min_lon + max_lon) / 2, max_distance_m=5000)
    shift = TimeWindow(DAY_START, DAY_END)
    return [Vehicle(f"van{i:02d}", VehicleType("hiace", 9, 1), depot, shift)
            for i in range(vehicles)]


@app.command("dispatch")
def dispatch(
    source: Annotated[str, typer.Argument(help="Road network: a file, 'demo' or place:NAME.")]
    = "demo",
    vehicles: Annotated[int, typer.Option(min=1, help="Vans in the fleet.")] = 30,
    requests: Annotated[int, typer.Option(min=1, help="Riders in the day.")] = 600,
    seed: Annotated[int, typer.Option(help="Seed of the day's demand.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Run a reproducible day (immediate and prebooked rides, cancellations, no-shows)
    through the dispatcher; report offer latency, acceptance and broken promises."""
    from maas.roads import load_network
    from solver.dispatch import Dispatcher, DispatchPolicy, DispatchState
    from solver.dispatch.dayrun import DayRun, scripted_day, summary

    try:
        net = load_network(source)
        fleet = _fleet(net, vehicles)
    except MaasError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    places = net.random_locations(max(50, min(2 * requests, 2000)), seed=seed)
    script = scripted_day(places, requests, seed, DAY_START, DAY_END)
    policy = DispatchPolicy(seed=seed, reoptimise_every_s=900, reoptimise_every_bookings=25,
                            reoptimise_time_limit_s=10.0, prebook_time_limit_s=20.0)
    state = DispatchState.empty(source, fleet, DAY_START - 3600)
    started = time.perf_counter()
    result = DayRun(Dispatcher(net, policy), state, tick_s=60).run(script, DAY_END)
    data: dict[str, Any] = {
        "source": source,
        "synthetic": bool(net.info().get("synthetic", False)),
        "vehicles": vehicles,
        "seed": seed,
        **summary(result),
        "seconds": round(time.perf_counter() - started, 1),
    }
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    if data["synthetic"]:
        typer.echo("network: SYNTHETIC demo town (not real data)")
    for key, value in data.items():
        typer.echo(f"{key}: {value}")
