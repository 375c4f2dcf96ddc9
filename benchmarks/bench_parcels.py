"""Passengers and parcels (貨客混載, issue 16): one day of the demo town with 150 rides and 60
parcels (``scenarios/demo-parcels.yaml``), and the same day without its parcels, in one run.

    python benchmarks/bench_parcels.py [--scenario scenarios/demo-parcels.yaml] [--seed 1]
                                       [--lock /tmp/maas-cpu.lock] [--json FILE]

Both days have the same riders (the rider demand is drawn before, and apart from, the
parcels), the same service file (fleet, cargo space, policy, parcel rules) and the same
travel-time noise seed; the only difference is the parcels. Reported side by side: parcels
delivered / returned / undelivered and the delivered share, passenger promises kept and
broken (a served ride whose pickup, drop-off or ride time left its promise), riders served
and refused, passenger wait and ride minutes (mean, p50, p90), vehicle km, and the parcels'
``truck_km_saved`` (the km of a separate delivery round for the parcels delivered, nearest
neighbour on the same network, less the km the vans drove for them). Targets: delivered >=
95 %, passenger promises kept as without parcels.

A day takes minutes (the dispatcher re-optimises every five minutes with the OR-Tools
core); with ``--lock`` each day runs holding that lock file (``flock``), so each locked
stretch stays short on a shared machine while the figures are not noise.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scenarios.config import Scenario, load_scenario
from scenarios.records import TripStatus
from scenarios.run import RunOutput, run_scenario

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def cpu_lock(path: str | None) -> Iterator[None]:
    """Hold ``path`` exclusively (``flock``) for the block; no lock without a path."""
    if path is None:
        yield
        return
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "p50": 0.0, "p90": 0.0}
    arr = np.asarray(values, dtype=float)
    return {"mean": round(float(arr.mean()), 2), "p50": round(float(np.quantile(arr, 0.5)), 2),
            "p90": round(float(np.quantile(arr, 0.9)), 2)}


def figures(run: RunOutput, seconds: float) -> dict[str, Any]:
    """What one day measured (passengers from the trip records, parcels from kpis.json)."""
    trips = run.result.trips
    served = [t for t in trips if t.status is TripStatus.SERVED]
    kept = sum(1 for t in served if t.promise_kept)
    k = run.kpis
    out: dict[str, Any] = {
        "seconds": round(seconds, 1),
        "riders": {"requests": len(trips), "served": len(served),
                   "refused": sum(1 for t in trips if t.status is TripStatus.REJECTED),
                   "promises_kept": kept, "promises_broken": len(served) - kept},
        "wait_minutes": _stats([t.wait_seconds / 60 for t in served
                                if t.wait_seconds is not None]),
        "ride_minutes": _stats([t.ride_seconds / 60 for t in served
                                if t.ride_seconds is not None]),
        "vehicle_km": k["vehicle_km"],
    }
    if "parcels" in k:
        out["parcels"] = k["parcels"]
        out["truck_km_saved"] = k["truck_km_saved"]
        out["parcel_cost_to_passengers"] = k["parcel_cost_to_passengers"]
    return out


def run_day(scenario: Scenario, lock: str | None) -> dict[str, Any]:
    with cpu_lock(lock), tempfile.TemporaryDirectory(prefix="bench-parcels-") as tmp:
        began = time.perf_counter()
        run = run_scenario(scenario, Path(tmp))
        return figures(run, time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "demo-parcels.yaml"))
    parser.add_argument("--seed", type=int, default=None, help="replaces the demand seed")
    parser.add_argument("--lock", default=None, help="hold this lock file during each day")
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args()
    overrides = {} if args.seed is None else {"demand.seed": args.seed}
    with_parcels = load_scenario(args.scenario, overrides)
    if with_parcels.parcels is None:
        parser.error(f"{args.scenario} has no parcels section")
    without = with_parcels.model_copy(update={"parcels": None})
    days = {"with_parcels": run_day(with_parcels, args.lock),
            "without_parcels": run_day(without, args.lock)}
    meta = {"scenario": with_parcels.name, "seed": with_parcels.demand.seed,
            "machine": platform.machine(), "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_1min": round(os.getloadavg()[0], 2)}
    a, b = days["with_parcels"], days["without_parcels"]
    p = a["parcels"]
    rows = [
        ("parcels delivered / requests", f"{p['delivered']} / {p['requests']}", "-"),
        ("parcels delivered share", f"{p['delivered_share']:.1%}", "-"),
        ("parcels returned (nobody home) / undelivered", f"{p['returned']} / "
         f"{p['undelivered']}", "-"),
        ("riders served / refused", f"{a['riders']['served']} / {a['riders']['refused']}",
         f"{b['riders']['served']} / {b['riders']['refused']}"),
        ("passenger promises kept / broken",
         f"{a['riders']['promises_kept']} / {a['riders']['promises_broken']}",
         f"{b['riders']['promises_kept']} / {b['riders']['promises_broken']}"),
        ("wait minutes mean / p50 / p90", _three(a["wait_minutes"]), _three(b["wait_minutes"])),
        ("ride minutes mean / p50 / p90", _three(a["ride_minutes"]), _three(b["ride_minutes"])),
        ("vehicle km", f"{a['vehicle_km']:.1f}", f"{b['vehicle_km']:.1f}"),
        ("truck round km / van km for parcels", f"{p['truck_round_km']:.1f} / "
         f"{p['van_km_for_parcels']:.1f}", "-"),
        ("truck_km_saved", f"{a['truck_km_saved']:.1f}", "-"),
        ("van km added by parcels (measured)", f"{a['vehicle_km'] - b['vehicle_km']:.1f}", "-"),
        ("day simulated in (s)", f"{a['seconds']:.0f}", f"{b['seconds']:.0f}"),
    ]
    print(f"{meta['scenario']} seed {meta['seed']} on {meta['machine']} ({meta['cpus']} cpus, "
          f"load {meta['load_1min']})")
    print(f"| {'':48} | with parcels | without parcels |")
    print(f"|{'-' * 50}|--------------|-----------------|")
    for name, x, y in rows:
        print(f"| {name:48} | {x:>12} | {y:>15} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, **days}, indent=2) + "\n",
                                   encoding="utf-8")


def _three(s: dict[str, float]) -> str:
    return f"{s['mean']:.1f} / {s['p50']:.1f} / {s['p90']:.1f}"


if __name__ == "__main__":
    main()
