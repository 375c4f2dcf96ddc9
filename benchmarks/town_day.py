"""A town's whole prebooked day on real roads: the solver core at 60 s beside a long
reference run of its own and beside the plain OR-Tools model, in one run.

    python benchmarks/town_day.py make --rides 200 300        # build the days (once)
    python benchmarks/town_day.py run --rides 200 300 --limit 60 --reference 600 \\
        [--json out.json]

``make`` draws the day from the simulator's demand model on the ``toyama-south`` service
area (``scenarios/toyama-south.yaml``: the Toyama OSM extract under ``MAAS_DATA_DIR``),
every ride prebooked, one van per 20 rides, each ride asked from its wished pickup time and
planned as the batch plan plans it (``search_request`` with the scenario's policy, then the
no-show reserve). It saves the problem with its travel matrices
(``solver.day_files``, into ``benchmarks/instances/``, not committed: the files are made
again from the same seed and their SHA-256 is printed). ``run`` solves each day with our
solver at ``--limit`` seconds and at ``--reference`` seconds (the yardstick), and with the
plain OR-Tools model (every request optional at the same penalty, its default first
solution and guided local search) at ``--limit``; every plan is checked by
``maas.evaluation.evaluate``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path
from typing import Any

from ortools.constraint_solver import routing_enums_pb2

from maas.domain import Plan, Problem
from maas.evaluation import evaluate
from maas.travel import TravelTimeSource
from solver.darp import SolveParams, _build, _search_parameters, _to_plan, solve
from solver.day_files import day_digest, load_day, save_day
from solver.search import SearchStats, warm_up

ROOT = Path(__file__).resolve().parents[1]
INSTANCES = ROOT / "benchmarks" / "instances"
RIDES_PER_VAN = 20


def name_of(rides: int, seed: int) -> str:
    return f"toyama-south-{rides}-s{seed}"


def make(rides: int, seed: int) -> Path:
    """Draw and save one day (see the module doc)."""
    from scenarios.config import load_scenario
    from scenarios.demand import generate_demand
    from scenarios.run import depot_location, load_roads
    from scenarios.simulator import dispatch_policy, fleet
    from solver.dispatch.offers import search_request
    from solver.dispatch.planning import no_show_reserve
    from solver.dispatch.state import RideAsk

    vans = max(1, rides // RIDES_PER_VAN)
    scenario = load_scenario(ROOT / "scenarios" / "toyama-south.yaml", {
        "demand.requests": rides, "demand.seed": seed, "demand.prebooked_share": 1.0,
        "fleet.vehicles": vans})
    roads = load_roads(scenario)
    depot = depot_location(scenario, roads)
    policy = dispatch_policy(scenario, None)
    requests = {}
    for t in generate_demand(scenario, roads):
        ask = RideAsk(origin=t.origin, destination=t.destination, passengers=t.passengers,
                      wheelchairs=t.wheelchairs, pickup_after=t.desired_pickup,
                      now=scenario.prebook_cutoff_seconds, board=t.board, alight=t.alight)
        direct = int(roads.durations([t.origin], [t.destination])[0, 0])
        req = search_request(ask, policy, direct, t.id)
        if req is not None:
            requests[t.id] = no_show_reserve(req, policy.no_show_wait)
    problem = Problem(requests=requests, vehicles=fleet(scenario, depot),
                      weights=policy.weights)
    meta = {"scenario": "toyama-south", "rides_drawn": rides, "rides": len(requests),
            "vans": vans, "seed": seed}
    return save_day(INSTANCES, name_of(rides, seed), problem, roads, meta)


def _check(problem: Problem, plan: Plan, travel: TravelTimeSource) -> dict[str, Any]:
    report = evaluate(problem, plan, travel)
    served = {s.request_id for r in plan.routes for s in r.stops}
    return {"feasible": report.feasible, "served": len(served),
            "vehicle_s": report.travel_seconds, "cost": round(report.cost, 1),
            "served_ids": served}


def run_ours(problem: Problem, travel: TravelTimeSource, limit: float, workers: int = 1
             ) -> dict[str, Any]:
    stats = SearchStats()
    began = time.perf_counter()
    plan = solve(problem, travel, SolveParams(time_limit_s=limit, workers=workers,
                                              stats=stats))
    out = _check(problem, plan, travel)
    out.update(seconds=round(time.perf_counter() - began, 1),
               iterations_per_s=round(stats.per_second, 1))
    return out


def run_plain(problem: Problem, travel: TravelTimeSource, limit: float) -> dict[str, Any]:
    began = time.perf_counter()
    params = SolveParams(time_limit_s=limit)
    model = _build(problem, travel, params, {}, optional=True)
    search = _search_parameters(params)
    search.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.AUTOMATIC
    solution = model.routing.SolveWithParameters(search)
    seconds = round(time.perf_counter() - began, 1)
    if solution is None:
        return {"feasible": False, "served": 0, "seconds": seconds}
    out = _check(problem, _to_plan(model, problem, solution), travel)
    out["seconds"] = seconds
    return out


def run(rides: int, seed: int, limit: float, reference: float, workers: bool
        ) -> dict[str, Any]:
    path = INSTANCES / f"{name_of(rides, seed)}.json"
    if not path.exists():
        make(rides, seed)
    problem, travel, meta = load_day(path)
    row: dict[str, Any] = {"day": path.stem, "sha256": day_digest(path)[:16], **meta}
    row["reference"] = run_ours(problem, travel, reference)
    row["ours"] = run_ours(problem, travel, limit)
    if workers:
        row["ours_2_workers"] = run_ours(problem, travel, limit, workers=2)
    row["plain"] = run_plain(problem, travel, limit)
    ref = row["reference"]
    for key in ("ours", "ours_2_workers", "plain"):
        r = row.get(key)
        if r is None or not r.get("feasible"):
            continue
        r["missed_of_reference"] = len(ref["served_ids"] - r["served_ids"])
        r["gap_vs_reference"] = round(100 * (r["cost"] / ref["cost"] - 1), 2)
    for r in row.values():
        if isinstance(r, dict):
            r.pop("served_ids", None)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    mk = sub.add_parser("make")
    mk.add_argument("--rides", type=int, nargs="+", default=[200, 300])
    mk.add_argument("--seed", type=int, default=1)
    go = sub.add_parser("run")
    go.add_argument("--rides", type=int, nargs="+", default=[200, 300])
    go.add_argument("--seed", type=int, default=1)
    go.add_argument("--limit", type=float, default=60.0)
    go.add_argument("--reference", type=float, default=600.0)
    go.add_argument("--workers", action="store_true", help="also ours on two cores")
    go.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.what == "make":
        for n in args.rides:
            path = make(n, args.seed)
            print(f"{path} sha256 {day_digest(path)}")
        return
    warm_up()
    rows = []
    load = os.getloadavg()
    for n in args.rides:
        row = run(n, args.seed, args.limit, args.reference, args.workers)
        rows.append(row)
        print(json.dumps(row), flush=True)
    print("\n| day | rides | vans | solver | s | feasible | served | cost | vs reference |")
    print("| --- | ---: | ---: | --- | ---: | --- | ---: | ---: | ---: |")
    for row in rows:
        for key in ("reference", "ours", "ours_2_workers", "plain"):
            r = row.get(key)
            if r is None:
                continue
            gap = r.get("gap_vs_reference")
            versus = "" if gap is None else f"{gap:+.2f} % ({r['missed_of_reference']} missed)"
            print(f"| {row['day']} | {row['rides']} | {row['vans']} | {key} | {r['seconds']} | "
                  f"{r['feasible']} | {r['served']} | {r.get('cost', '-')} | {versus} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nload before {load[0]:.2f}, after {os.getloadavg()[0]:.2f}; peak RSS {peak:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
