"""`maas solve`: solve a Cordeau DARP or Li & Lim PDPTW instance file."""

from __future__ import annotations

import json
import time
from enum import StrEnum
from typing import Annotated

import typer


class InstanceFormat(StrEnum):
    """Benchmark file formats the solver reads."""

    cordeau = "cordeau"
    lilim = "lilim"


# Li & Lim rank fewest vans first: one van must outweigh any distance a van could save.
LILIM_VEHICLE_COST = 10_000.0


def solve(
    instance: Annotated[str, typer.Argument(help="Path of the instance file.")],
    format: Annotated[InstanceFormat, typer.Option("--format", help="File format.")] = (
        InstanceFormat.cordeau),
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds of search.")] = 10.0,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the randomised steps.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the solution as JSON.")] = False,
) -> None:
    """Solve a Cordeau DARP or Li & Lim PDPTW instance; costs are Euclidean distances."""
    from maas.errors import MaasError
    from solver.benchmark_problems import cordeau_problem, file_solution, lilim_problem
    from solver.darp import SolveParams
    from solver.darp import solve as solve_problem
    from solver.readers import read_cordeau, read_lilim

    began = time.perf_counter()
    try:
        if format is InstanceFormat.cordeau:
            bp = cordeau_problem(read_cordeau(instance))
            fixed = 0.0
        else:
            bp = lilim_problem(read_lilim(instance))
            fixed = LILIM_VEHICLE_COST * bp.scale
        plan = solve_problem(bp.problem, bp.travel,
                             SolveParams(time_limit_s=time_limit, seed=seed,
                                         vehicle_fixed_cost=fixed))
    except MaasError as exc:
        typer.echo(f"maas solve: {exc}", err=True)
        raise typer.Exit(2) from exc
    routes, cost = file_solution(bp, plan)
    seconds = time.perf_counter() - began
    unserved = sorted(bp.pickup_node[r] for r in plan.unserved)
    if as_json:
        payload = {
            "instance": bp.name,
            "cost": cost,
            "vehicles": len(routes),
            "seconds": seconds,
            "routes": [{"vehicle": r.vehicle,
                        "stops": [{"node": n, "start": t}
                                  for n, t in zip(r.nodes, r.starts, strict=True)]}
                       for r in routes],
            "unserved": unserved,
        }
        typer.echo(json.dumps(payload))
        return
    typer.echo(f"{bp.name}: cost {cost:.2f}, {len(routes)} vehicles, "
               f"{len(unserved)} unserved, {seconds:.1f} s")
    for r in routes:
        typer.echo(f"  vehicle {r.vehicle}: " + " ".join(str(n) for n in r.nodes))
