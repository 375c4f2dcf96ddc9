"""What dynamic dispatch costs and what re-optimisation buys, on the shipped scenarios.

Run: ``MAAS_DATA_DIR=../shared/data/osm python benchmarks/bench_dynamism.py
[--scenario demo] [--scenario toyama-south] [--offline-seconds 120] [--budget 10:300]
[--seeds 3] [--parts main,noisy,offline,budgets] [--json]``

For each scenario, side by side in one run:
- ``reoptimised``: the day through the simulator, noiseless, re-optimising every 10 minutes
  (or every 10 confirmations); ``--main MINUTES:ITERATIONS:RESCUE`` sets its rounds and
  refusal rescue (``--main 20:100:100``: the dispatcher's defaults).
- ``insertion_only``: the same day with re-optimisation off: every ride placed by the
  offer's insertion and never moved except to repair (the default dispatch of MATSim's DRT
  and MaaS Blender); served rides, vehicle km and hours, wait p50/p90, promises kept, wall.
- ``noisy``: the re-optimised day again under ``travel_time_noise: 0.1``: promises kept.
- ``offline``: the price of dynamism. The riders the noiseless re-optimised day served,
  held to the promises the online day made them, solved in hindsight by the solver core
  with a long budget on fresh vans at the depot (the same padded travel times the
  dispatcher plans with): vehicle km and hours online / offline at equal served rides. A
  second hindsight solve adds the rides the day rejected as optional requests (pickup
  within the rider's maximum wait of the wished time): how many of them the offline plan
  could also have served.
- ``budgets`` (``--budget MINUTES:ITERATIONS[:RESCUE]``): more re-optimised days with other
  rounds (every MINUTES, ITERATIONS search steps each; ``0:0`` is insertion only) and RESCUE
  refusal-rescue steps (default 0: off), each against plain insertion-only (no rescue) of
  the same demand, on ``--seeds`` demand seeds (mean, min and max of the changes over
  seeds). ``--rescue N`` adds every budget row again with N rescue steps, and insertion only
  with them, in the same run. The
  insertion-only day of a seed is timed on its second run (warm road-model caches), and
  every day reports its CPU seconds beside its wall seconds (``cpu_ratio``).
Targets (issue 11): online/offline km ratio <= 1.15; re-optimisation +5 % served or -10 %
km over insertion-only at most twice its wall time; promises kept >= 99 % under noise 0.1
and 100 % without.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

from maas.domain import Plan, Problem, Request, Route, TimeWindow, Vehicle
from maas.evaluation import evaluate
from scenarios.config import Scenario, load_scenario
from scenarios.demand import generate_demand
from scenarios.kpis import compute_kpis
from scenarios.records import SimulationResult, TripStatus
from scenarios.run import depot_location, first_metres, load_roads
from scenarios.simulator import dispatch_policy, fleet, simulate
from solver.darp import SolveParams, solve
from solver.dispatch.margin import PaddedTravel

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
PARTS = frozenset({"main", "noisy", "offline", "budgets"})


def _variant(scenario: Scenario, reoptimise_minutes: float | None, noise: float,
             iterations: int | None = None, rescue: int = 0) -> Scenario:
    """The day with these rounds (``None``: insertion only) and refusal rescue steps (0:
    off, the baseline's plain insertion)."""
    policy = scenario.policy.model_copy(update={"reoptimise_every_minutes": reoptimise_minutes,
                                                "reoptimise_iterations": iterations,
                                                "rescue_iterations": rescue})
    sim = scenario.simulation.model_copy(update={"travel_time_noise": noise})
    return scenario.model_copy(update={"policy": policy, "simulation": sim})


def _day(scenario: Scenario, roads: Any
         ) -> tuple[SimulationResult, dict[str, Any], tuple[float, float]]:
    """The simulated day, its KPIs and its (wall, CPU) seconds."""
    depot = depot_location(scenario, roads)
    demand = generate_demand(scenario, roads)
    area = scenario.network.service_area
    bbox = tuple(area) if area is not None and not isinstance(area, str) else None
    started, cpu = time.perf_counter(), time.process_time()
    result = simulate(scenario, roads, demand, depot, scenario.demand.seed,
                      synthetic=bool(getattr(roads, "synthetic", False)), service_area=bbox,
                      locate=first_metres(roads))
    wall = time.perf_counter() - started, time.process_time() - cpu
    return result, compute_kpis(result, scenario.cost), wall


def _summary(kpis: dict[str, Any], wall: tuple[float, float], result: SimulationResult
             ) -> dict[str, Any]:
    return {
        "served": kpis["served"], "rejected": kpis["rejected"],
        "vehicle_km": kpis["vehicle_km"], "vehicle_hours": kpis["vehicle_hours"],
        "wait_p50_min": kpis["wait_minutes"].get("p50"),
        "wait_p90_min": kpis["wait_minutes"].get("p90"),
        "promise_kept_share": kpis["promise_kept_share"],
        "committed_reoptimisations": result.replans,
        "wall_s": round(wall[0], 2),
        # CPU seconds of this process: the wall ratio's check when others share the machine
        "cpu_s": round(wall[1], 2),
    }


def _plan_km_hours(problem: Problem, plan: Plan, roads: Any, travel: Any) -> tuple[float, float]:
    """Metres of every route (depot to depot) in km, and the hours from each van's first
    departure to its return, by the evaluator's timing on ``travel``."""
    report = evaluate(problem, plan, travel)
    metres = 0.0
    hours = 0.0
    vans = {v.id: v for v in problem.vehicles}
    for route in plan.routes:
        if not route.stops:
            continue
        van = vans[route.vehicle_id]
        points = [van.depot]
        for s in route.stops:
            r = problem.requests[s.request_id]
            points.append(r.origin if s.kind.value == "pickup" else r.destination)
        points.append(van.depot)
        d = roads.distances(points[:-1], points[1:])
        metres += float(sum(d[k, k] for k in range(len(points) - 1)))
        sched = report.schedules[route.vehicle_id]
        first = sched[0]
        out = int(travel.durations([van.depot], [points[1]])[0, 0])
        back = int(travel.durations([points[-2]], [van.depot])[0, 0])
        hours += (sched[-1].departure + back - (first.arrival - out)) / 3600
    return metres / 1000, hours


def _offline(scenario: Scenario, roads: Any, result: SimulationResult, seconds: float
             ) -> dict[str, Any]:
    policy = dispatch_policy(scenario, None)
    travel = PaddedTravel(roads, policy.travel_time_margin) if policy.travel_time_margin \
        else roads
    depot = depot_location(scenario, roads)
    vans: tuple[Vehicle, ...] = fleet(scenario, depot)
    served = [t for t in result.trips if t.status is TripStatus.SERVED and t.booking]
    requests = {t.request_id: t.booking for t in served if t.booking is not None}
    problem = Problem(requests, vans, policy.weights)
    params = SolveParams(time_limit_s=seconds, seed=scenario.demand.seed)
    started = time.perf_counter()
    plan = solve(problem, travel, params)
    report = evaluate(problem, plan, travel)
    unserved = sum(1 for rid in requests
                   if not any(s.request_id == rid for r in plan.routes for s in r.stops))
    km, hours = _plan_km_hours(problem, plan, roads, travel)
    wall = time.perf_counter() - started
    # The rides the day rejected, offered to the hindsight plan as optional requests.
    wait = policy.max_wait
    extra: dict[str, Request] = {}
    for t in result.trips:
        if t.status is not TripStatus.REJECTED or t.direct_seconds <= 0:
            continue
        start = t.desired_pickup
        limit = policy.ride_time.limit(t.direct_seconds)
        extra[t.request_id] = Request(
            t.request_id, t.origin, t.destination, TimeWindow(start, start + wait),
            TimeWindow(start, start + wait + 60 + limit), limit,
            passengers=t.passengers, wheelchairs=t.wheelchairs,
            board=policy.wheelchair_board_seconds if t.wheelchairs else policy.board_seconds,
            alight=policy.wheelchair_alight_seconds if t.wheelchairs else policy.alight_seconds)
    both = Problem({**requests, **extra}, vans, policy.weights)
    params2 = SolveParams(time_limit_s=seconds, seed=scenario.demand.seed,
                          initial=Plan(tuple(Route(r.vehicle_id, r.stops) for r in plan.routes)))
    plan2 = solve(both, travel, params2)
    on_plan = {s.request_id for r in plan2.routes for s in r.stops}
    return {
        "served_requests": len(requests),
        "unserved_in_hindsight": unserved,
        "feasible": report.feasible,
        "vehicle_km": round(km, 3),
        "vehicle_hours": round(hours, 3),
        "solve_s": round(wall, 1),
        "rejected_online": len(extra),
        "rejected_offline_could_serve": sum(1 for rid in extra if rid in on_plan),
        "served_kept_with_rejected": sum(1 for rid in requests if rid in on_plan),
    }


def _versus(r: dict[str, Any], i: dict[str, Any]) -> dict[str, Any]:
    return {
        "served_change": round(r["served"] / i["served"] - 1, 4) if i["served"] else None,
        "km_change": round(r["vehicle_km"] / i["vehicle_km"] - 1, 4) if i["vehicle_km"]
        else None,
        "wall_ratio": round(r["wall_s"] / i["wall_s"], 2) if i["wall_s"] else None,
        "cpu_ratio": round(r["cpu_s"] / i["cpu_s"], 2) if i["cpu_s"] else None,
    }


def _seeded(scenario: Scenario, seed: int) -> Scenario:
    """The scenario with another demand seed (another day of the same town)."""
    return scenario.model_copy(update={"demand": scenario.demand.model_copy(
        update={"seed": seed})})


def _spread(rows: list[dict[str, Any]], key: str) -> dict[str, float | None]:
    values = [r["vs_insertion"][key] for r in rows if r["vs_insertion"][key] is not None]
    if not values:
        return {"mean": None, "min": None, "max": None}
    return {"mean": round(sum(values) / len(values), 4), "min": min(values),
            "max": max(values)}


def measure(name: str, offline_seconds: float,
            budgets: list[tuple[float, int, int]] | None = None,
            seeds: int = 1, parts: frozenset[str] = PARTS,
            main: tuple[float, int, int] = (10.0, 0, 0)) -> dict[str, Any]:
    """The chosen ``parts`` of one scenario: ``main`` (re-optimised and insertion-only
    days), ``noisy``, ``offline`` (the hindsight solve of the re-optimised day) and
    ``budgets``: more re-optimised days, each (every minutes, search iterations per round),
    beside insertion-only of the same demand, on ``seeds`` demand seeds from the
    scenario's own (the spread over seeds says how much one day can be trusted). ``main``
    is the re-optimised day's budget (every minutes, steps or 0 for the scenario's own,
    rescue steps)."""
    base = load_scenario(SCENARIOS / f"{name}.yaml")
    roads = load_roads(base)
    every, steps, rescue = main
    out: dict[str, Any] = {"scenario": name, "main_budget": list(main)}
    online: SimulationResult | None = None
    if "main" in parts or "offline" in parts:
        online, kpis, wall = _day(_variant(base, every, 0.0, steps or None, rescue), roads)
        out["reoptimised"] = _summary(kpis, wall, online)
    if "main" in parts:
        only, kpis2, wall2 = _day(_variant(base, None, 0.0), roads)
        out["insertion_only"] = _summary(kpis2, wall2, only)
        out["reoptimised_vs_insertion"] = _versus(out["reoptimised"], out["insertion_only"])
    if "noisy" in parts:
        noisy, kpis3, wall3 = _day(_variant(base, every, 0.1, steps or None, rescue), roads)
        out["noisy"] = _summary(kpis3, wall3, noisy)
    if "offline" in parts and online is not None:
        off = _offline(base, roads, online, offline_seconds)
        out["offline"] = off
        r = out["reoptimised"]
        out["price_of_dynamism_km"] = round(r["vehicle_km"] / off["vehicle_km"], 3) \
            if off["vehicle_km"] else None
        out["price_of_dynamism_hours"] = round(r["vehicle_hours"] / off["vehicle_hours"], 3) \
            if off["vehicle_hours"] else None
    if "budgets" in parts and budgets:
        rows: dict[tuple[float, int, int], list[dict[str, Any]]] = {b: [] for b in budgets}
        for k in range(seeds):
            seed = base.demand.seed + k
            day = _seeded(base, seed)
            # Timed on warm caches: the road model keeps the rows a day asked for, so a
            # seed's first day pays for its new places and the days after it do not; the
            # insertion-only day timed first would make every ratio look better.
            _, _, cold = _day(_variant(day, None, 0.0), roads)
            ins, ki, wi = _day(_variant(day, None, 0.0), roads)
            i = _summary(ki, wi, ins)
            out.setdefault("insertion_by_seed", []).append(
                {"seed": seed, **i, "cold_wall_s": round(cold[0], 2)})
            for minutes, iterations, rescue in budgets:
                got, k2, w2 = _day(_variant(day, minutes or None, 0.0, iterations or None,
                                            rescue), roads)
                row = _summary(k2, w2, got)
                rows[(minutes, iterations, rescue)].append({
                    "seed": seed, "every_minutes": minutes, "iterations": iterations,
                    "rescue_iterations": rescue, **row, "vs_insertion": _versus(row, i)})
        for (minutes, iterations, rescue), found in rows.items():
            out.setdefault("budgets", []).append({
                "every_minutes": minutes, "iterations": iterations,
                "rescue_iterations": rescue, "days": found,
                "served_change": _spread(found, "served_change"),
                "km_change": _spread(found, "km_change"),
                "wall_ratio": _spread(found, "wall_ratio"),
                "cpu_ratio": _spread(found, "cpu_ratio"),
                "promise_kept_min": min(d["promise_kept_share"] for d in found)})
    return out


def _budget(text: str) -> tuple[float, int, int]:
    """``MINUTES:ITERATIONS[:RESCUE]`` -> (every minutes, steps per round, rescue steps);
    ``0:0`` is insertion only (with the rescue when RESCUE > 0)."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        msg = f"a budget is MINUTES:ITERATIONS[:RESCUE], not {text!r}"
        raise SystemExit(msg)
    return float(parts[0]), int(parts[1]), int(parts[2]) if len(parts) == 3 else 0


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: prints the figures (``--json`` for one JSON object)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", default=None)
    parser.add_argument("--offline-seconds", type=float, default=120.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--budget", action="append", default=None,
                        metavar="MINUTES:ITERATIONS[:RESCUE]",
                        help="also a re-optimised day every MINUTES with ITERATIONS search "
                             "steps per round, and RESCUE refusal-rescue steps (default 0: "
                             "off); 0:0 is insertion only (repeatable)")
    parser.add_argument("--rescue", type=int, default=0, metavar="ITERATIONS",
                        help="also run every budget row with the refusal rescue at this many "
                             "search steps, and insertion only with it (budget 0:0); the "
                             "baseline stays plain insertion without it")
    parser.add_argument("--main", default="10:0:0", metavar="MINUTES:ITERATIONS[:RESCUE]",
                        help="the re-optimised day of the main, noisy and offline parts "
                             "(default 10:0:0: every 10 min, the scenario's steps, no rescue; "
                             "the dispatcher's default is 20:100:100)")
    parser.add_argument("--seeds", type=int, default=1,
                        help="budget rows on this many demand seeds from the scenario's own")
    parser.add_argument("--parts", default=",".join(sorted(PARTS)),
                        help="comma list of main, noisy, offline, budgets (default: all)")
    args = parser.parse_args(argv)
    budgets = [_budget(b) for b in args.budget or []]
    if args.rescue:
        budgets = [*budgets, *((m, i, args.rescue) for m, i, r in budgets if not r)]
        budgets.insert(0, (0.0, 0, args.rescue))
    parts = frozenset(p.strip() for p in args.parts.split(",") if p.strip())
    unknown = parts - PARTS
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    data: dict[str, Any] = {
        "runs": [measure(n, args.offline_seconds, budgets, args.seeds, parts,
                         _budget(args.main))
                 for n in (args.scenario or ["demo", "toyama-south"])],
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if args.json:
        print(json.dumps(data))
    else:
        print(json.dumps(data, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
