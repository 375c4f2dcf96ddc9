"""What a guaranteed connection buys and costs against a plain arrive-by ride.

Run: ``python benchmarks/bench_connections.py [--seeds 1 2 3] [--margins 0.2 0.0]``
or ``... --late [--seeds 1 2 3]`` for late trains
(reads the Toyama OSM extract and GTFS-JP feed from ``MAAS_DATA_DIR``, default
``../shared/data``; run it under ``flock /tmp/maas-cpu.lock``).

Side by side in one run, on ``scenarios/toyama-station.yaml`` (riders to and from the real
timetable at 富山駅前) under travel-time noise 0.1, for each fleet padding
(``travel_time_margin``) and seed, the same demand twice: as guaranteed connections
(arrive by departure - buffer - margin, ``solver.dispatch.connections``) and as plain
arrive-by rides to departure - buffer. Measured: of the booked rides to a train, the share
whose rider was off the van by the departure (``connections_made_share``) and by departure -
buffer (``connection_buffer_kept_share``), how many were booked, the connection alerts, the
riders served and the vehicle km of the whole day.

``--late``: the same demand with 30 % of the arriving trains 5-30 minutes late
(``transit.delays``), once with every delay reported to the dispatcher 10 minutes before the
scheduled arrival and once never reported (the baseline): the riders coming off late trains
met and missed, and the promises kept on the rides of those met.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path
from typing import Any

from scenarios.config import load_scenario
from scenarios.demand import generate_demand
from scenarios.kpis import compute_kpis
from scenarios.run import depot_location, first_metres, load_roads
from scenarios.simulator import simulate
from scenarios.trains import train_trips

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "toyama-station.yaml"


def run(seed: int, margin: float, mode: str, roads: Any,
        delays: dict[str, Any] | None = None) -> dict[str, Any]:
    scenario = load_scenario(SCENARIO, {"demand.seed": seed, "transit.mode": mode,
                                        "policy.travel_time_margin": margin,
                                        "simulation.travel_time_noise": 0.1,
                                        **({"transit.delays": delays} if delays else {})})
    demand = generate_demand(scenario, roads) + train_trips(scenario, roads)
    demand.sort(key=lambda t: (t.requested_at, t.desired_pickup, t.id))
    area = scenario.network.service_area
    bbox = tuple(area) if area is not None and not isinstance(area, str) else None
    started = time.perf_counter()
    result = simulate(scenario, roads, demand, depot_location(scenario, roads), seed,
                      service_area=bbox, locate=first_metres(roads))
    k = compute_kpis(result, scenario.cost)
    return {"seconds": time.perf_counter() - started, **k}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--margins", type=float, nargs="+", default=[0.2, 0.0])
    parser.add_argument("--late", action="store_true", help="late trains, told or not")
    args = parser.parse_args()
    roads = load_roads(load_scenario(SCENARIO))
    if args.late:
        late_trains(args.seeds, roads)
        return
    print(f"# {platform.machine()} {platform.python_version()}, scenario toyama-station, "
          "noise 0.1")
    print("| padding | mode | seed | booked | made share | buffer kept | alerts | served | "
          "vehicle km | s |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    totals: dict[tuple[float, str], list[float]] = {}
    for margin in args.margins:
        for seed in args.seeds:
            for mode in ("connect", "arrive_by"):
                k = run(seed, margin, mode, roads)
                share = k["connections_made_share"] or 0.0
                kept = k["connection_buffer_kept_share"] or 0.0
                print(f"| {margin} | {mode} | {seed} | {k['connections']} | {share} | {kept} | "
                      f"{k['connection_at_risk_events']} | {k['served']} | "
                      f"{k['vehicle_km']} | {k['seconds']:.0f} |", flush=True)
                t = totals.setdefault((margin, mode), [0, 0, 0, 0.0, 0])
                t[0] += round(share * k["connections"])
                t[1] += round(kept * k["connections"])
                t[2] += k["connections"]
                t[3] += k["vehicle_km"]
                t[4] += k["served"]
    print("\n| padding | mode | made / booked | made share | buffer kept | served | "
          "vehicle km |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for (margin, mode), (made, kept, booked, km, served) in totals.items():
        print(f"| {margin} | {mode} | {made:.0f} / {booked:.0f} | "
              f"{made / booked if booked else float('nan'):.4f} | "
              f"{kept / booked if booked else float('nan'):.4f} | {served:.0f} | {km:.1f} |")


def late_trains(seeds: list[int], roads: Any) -> None:
    """Late arriving trains, reported to the dispatcher or not, side by side."""
    print(f"# {platform.machine()} {platform.python_version()}, scenario toyama-station, "
          "noise 0.1, 30 % of arriving trains 5-30 min late")
    print("| seed | delays | late trains | riders | met | missed | promises kept (met) | "
          "served (day) | vehicle km |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    sums: dict[bool, list[int]] = {True: [0, 0, 0], False: [0, 0, 0]}
    for seed in seeds:
        for told in (True, False):
            k = run(seed, 0.2, "connect", roads,
                    {"share": 0.3, "minutes": [5, 30], "announced": told})
            lt = k["late_trains"]
            print(f"| {seed} | {'reported' if told else 'not reported'} | {lt['trains']} | "
                  f"{lt['riders']} | {lt['met']} | {lt['missed']} | "
                  f"{lt['promise_kept_share']} | {k['served']} | {k['vehicle_km']} |",
                  flush=True)
            sums[told] = [a + b for a, b in zip(sums[told], (lt["riders"], lt["met"],
                                                            lt["missed"]), strict=True)]
    for told, (riders, met, missed) in sums.items():
        print(f"\n{'reported' if told else 'not reported'}: {met} of {riders} met, "
              f"{missed} missed")


if __name__ == "__main__":
    main()
