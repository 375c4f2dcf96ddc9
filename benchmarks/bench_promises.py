"""Promises kept on the shipped scenarios, noiseless and under travel-time noise.

Run: ``MAAS_DATA_DIR=../shared/data python benchmarks/bench_promises.py [--scenario demo]
[--noise 0 --noise 0.1] [--seeds 3] [--reoptimise-minutes 10] [--json]``

Each shipped scenario (``scenarios/*.yaml``, or those named) is simulated as ``maas
simulate`` runs it (its own policy, roster, parcels, meeting points; outputs not written),
with the world's ``simulation.travel_time_noise`` set to each ``--noise`` and the demand
seed the scenario's own plus 0 .. ``--seeds`` - 1. Per day: served rides, promises kept
(share and count) and each broken promise with what broke (pickup late, drop-off late,
ride over its limit, in seconds), the van and its ``promise_at_risk`` events. Target (issue
11): >= 99 % of served rides kept under noise 0.1 and 100 % with no noise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from scenarios.config import Scenario, load_scenario
from scenarios.records import SimulationResult, TripRecord, TripStatus
from scenarios.run import load_roads, simulate_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def shipped() -> list[str]:
    """Names of the scenario files shipped in ``scenarios/`` (not the service files some of
    them name: those have no ``demand``)."""
    return sorted(p.stem for p in SCENARIOS.glob("*.yaml")
                  if "demand" in (yaml.safe_load(p.read_text(encoding="utf-8")) or {}))


def _variant(scenario: Scenario, noise: float, seed: int, every: float | None) -> Scenario:
    sim = scenario.simulation.model_copy(update={"travel_time_noise": noise})
    demand = scenario.demand.model_copy(update={"seed": seed})
    update: dict[str, Any] = {"simulation": sim, "demand": demand}
    if every is not None:
        update["policy"] = scenario.policy.model_copy(
            update={"reoptimise_every_minutes": every})
    return scenario.model_copy(update=update)


def broken(trip: TripRecord) -> dict[str, Any]:
    """What a served trip's broken promise broke, in seconds past each bound."""
    b = trip.booking
    assert b is not None and trip.pickup_at is not None and trip.dropoff_at is not None
    ride = trip.ride_seconds or 0
    return {
        "request_id": trip.request_id, "vehicle_id": trip.picked_by,
        "pickup_late_s": max(0, trip.pickup_at - b.pickup.latest),
        "pickup_early_s": max(0, b.pickup.earliest - trip.pickup_at),
        "dropoff_late_s": max(0, trip.dropoff_at - b.dropoff.latest),
        "ride_over_s": max(0, ride - b.max_ride),
    }


def day_figures(result: SimulationResult, wall: float) -> dict[str, Any]:
    """Served rides and promises of one simulated day."""
    served = [t for t in result.trips if t.status is TripStatus.SERVED and t.booking]
    bad = [t for t in served if not t.promise_kept]
    return {
        "served": len(served),
        "kept": len(served) - len(bad),
        "kept_share": round(1 - len(bad) / len(served), 4) if served else 1.0,
        "broken": [broken(t) for t in bad],
        "promise_at_risk_events": result.promise_at_risk,
        "wall_s": round(wall, 1),
    }


def measure(name: str, noises: list[float], seeds: int, every: float | None = None
            ) -> dict[str, Any]:
    """Every (noise, seed) day of one scenario, and the share kept over each noise's days
    (``every``: re-optimise every so many minutes instead of the scenario's own policy)."""
    base = load_scenario(SCENARIOS / f"{name}.yaml")
    roads = load_roads(base)
    out: dict[str, Any] = {"scenario": name, "reoptimise_every_minutes":
                           every if every is not None else base.policy.reoptimise_every_minutes,
                           "by_noise": []}
    for noise in noises:
        days = []
        for k in range(seeds):
            seed = base.demand.seed + k
            started = time.perf_counter()
            result = simulate_scenario(_variant(base, noise, seed, every), roads)
            days.append({"seed": seed, **day_figures(result, time.perf_counter() - started)})
            print(f"{name} noise {noise} seed {seed}: {days[-1]['kept']} of "
                  f"{days[-1]['served']} kept, {days[-1]['wall_s']} s", file=sys.stderr,
                  flush=True)
        served = sum(d["served"] for d in days)
        kept = sum(d["kept"] for d in days)
        out["by_noise"].append({
            "noise": noise, "days": days, "served": served, "kept": kept,
            "kept_share": round(kept / served, 4) if served else 1.0,
            "min_day_share": min(d["kept_share"] for d in days)})
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: prints the figures (``--json`` for one JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", default=None,
                        help="a shipped scenario's name (repeatable; default: all)")
    parser.add_argument("--noise", action="append", type=float, default=None,
                        help="the world's travel_time_noise (repeatable; default 0 and 0.1)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--reoptimise-minutes", type=float, default=None,
                        help="re-optimise every so many minutes (default: as the scenario)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    names = args.scenario or shipped()
    unknown = sorted(set(names) - set(shipped()))
    if unknown:
        parser.error(f"no such scenario: {', '.join(unknown)}")
    load_before = [round(x, 2) for x in os.getloadavg()]
    data: dict[str, Any] = {
        "runs": [measure(n, args.noise or [0.0, 0.1], args.seeds, args.reoptimise_minutes)
                 for n in names],
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(data) if args.json else json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
