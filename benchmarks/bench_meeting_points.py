"""Meeting points (issue 16): door-to-door, stop-based and mixed on the same demand, one run.

    flock /tmp/maas-cpu.lock python benchmarks/bench_meeting_points.py \
        [--scenario scenarios/demo-meeting-points.yaml] [--date 2026-12-07]
        [--modes door_to_door stop_based mixed] [--json FILE]

The demo town's service day (the service file's roster, policy and meeting points) is
simulated three times on one drawn demand, once per ``meeting_mode``: ``door_to_door`` (the
baseline: every rider at the door), ``stop_based`` (every rider walks to a point within the
day's limit; out of reach: the door) and ``mixed`` (riders flagged ``door_to_door`` or
``needs_wheelchair`` at the door). Reported per mode: vehicle km, rides served, wait p50/p90
(minutes after the wished time), walk p50/p90 of served rides (metres, both ends), promises
kept, and the dispatcher's offer latency (each ``Dispatcher.offer`` call timed, ms).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scenarios.config import load_scenario
from scenarios.demand import generate_demand
from scenarios.kpis import compute_kpis
from scenarios.run import load_roads, rostered_vehicles, scenario_meeting_points
from scenarios.simulator import Simulation

MODES = ("door_to_door", "stop_based", "mixed")


def run_mode(path: Path, mode: str, day: date | None) -> tuple[dict[str, Any], list[Any]]:
    overrides: dict[str, Any] = {"meeting_mode": mode}
    if day is not None:
        overrides["date"] = day
    sc = load_scenario(path, overrides)
    roads = load_roads(sc)
    vans = rostered_vehicles(sc, roads)
    assert vans is not None
    demand = generate_demand(sc, roads)
    sim = Simulation(sc, roads, demand, vans[0].depot, sc.demand.seed,
                     synthetic=bool(getattr(roads, "synthetic", False)), vehicles=vans,
                     meeting=scenario_meeting_points(sc, roads))
    timings: list[float] = []
    offer = sim.dispatcher.offer

    def timed(state: Any, ask: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return offer(state, ask)
        finally:
            timings.append(time.perf_counter() - t0)

    sim.dispatcher.offer = timed  # type: ignore[method-assign]
    started = time.perf_counter()
    result = sim.run()
    seconds = time.perf_counter() - started
    k = compute_kpis(result, sc.cost)
    timings.sort()

    def ms(q: float) -> float:
        return round(1000 * timings[min(len(timings) - 1, int(q * len(timings)))], 1) \
            if timings else 0.0

    row = {
        "mode": mode, "date": str(sc.date), "requests": k["requests"], "served": k["served"],
        "served_share": k["served_share"], "vehicle_km": k["vehicle_km"],
        "km_per_served": round(k["vehicle_km"] / max(1, k["served"]), 2),
        "wait_min_p50": k["wait_minutes"]["p50"], "wait_min_p90": k["wait_minutes"]["p90"],
        "walk_m_p50": k["walk_metres"]["p50"], "walk_m_p90": k["walk_metres"]["p90"],
        "walking_share": round(sum(t.walk_metres > 0 for t in result.trips
                                   if t.status.value == "served") / max(1, k["served"]), 3),
        "promise_kept_share": k["promise_kept_share"], "rejected_by_reason":
            k["rejected_by_reason"], "offers": len(timings), "offer_ms_p50": ms(0.5),
        "offer_ms_p90": ms(0.9), "simulated_s": round(seconds, 1),
    }
    return row, [(t.id, t.origin, t.destination, t.desired_pickup) for t in demand]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", type=Path,
                        default=Path(__file__).resolve().parent.parent / "scenarios"
                        / "demo-meeting-points.yaml")
    parser.add_argument("--date", type=date.fromisoformat, default=None,
                        help="another service day (e.g. a summer one: the 300 m limit)")
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES),
                        help="which modes, in this order (run order affects warm caches)")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    rows, demand = [], None
    for mode in args.modes:
        row, drawn = run_mode(args.scenario, mode, args.date)
        if demand is None:
            demand = drawn
        assert drawn == demand, "the modes must see the same demand"
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    header = ("mode", "served", "vehicle_km", "km_per_served", "wait_min_p50", "wait_min_p90",
              "walk_m_p50", "walk_m_p90", "walking_share", "promise_kept_share",
              "offer_ms_p50", "offer_ms_p90")
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print("| " + " | ".join(str(r[h]) for h in header) + " |")
    meta = {"machine": platform.machine(), "python": platform.python_version(),
            "cpus": os.cpu_count(), "load": os.getloadavg(), "rows": rows}
    print(f"\nmachine {meta['machine']}, {meta['cpus']} CPUs, load {meta['load']}")
    if args.json:
        args.json.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                             encoding="utf-8")


if __name__ == "__main__":
    main()
