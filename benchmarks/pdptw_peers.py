"""Li & Lim PDPTW: our solver beside PyVRP (shipments, 0.14) and VROOM (pyvroom), in one run.

    python benchmarks/pdptw_peers.py --limit 10 [--instances lc101 lr101 ...] [--ours-only]

Same time budget for all three, one thread each. Every solver works on the same integer
matrix (Euclidean distance x 100, rounded up, used as travel time, so integer-feasible
means feasible); each answer's routes are re-measured in double precision. Ranking as
published: fewest vehicles first, then distance. Peers are dev-only dependencies.
"""

from __future__ import annotations

import argparse
import csv
import math
import time
from datetime import timedelta
from pathlib import Path

import pyvrp
import vroom
from pyvrp.stop import MaxRuntime

from maas.evaluation import evaluate
from maas.settings import settings
from solver.benchmark_problems import file_solution, lilim_problem
from solver.darp import SolveParams, solve
from solver.readers import PdptwInstance, read_lilim

SCALE = 100
FIXED = 10**8  # per vehicle used: more than any distance an extra van could save


def _dist(inst: PdptwInstance, a: int, b: int) -> float:
    na, nb = inst.nodes[a], inst.nodes[b]
    return math.hypot(na.x - nb.x, na.y - nb.y)


def _length(inst: PdptwInstance, routes: list[list[int]]) -> float:
    return sum(sum(_dist(inst, a, b) for a, b in zip([0, *r], [*r, 0], strict=True))
               for r in routes if r)


def _int(inst: PdptwInstance, a: int, b: int) -> int:
    return math.ceil(_dist(inst, a, b) * SCALE - 1e-9)


def ours(inst: PdptwInstance, limit: float) -> tuple[int, float, bool]:
    """Our solve with a fixed cost per van; (vehicles, distance, feasible)."""
    bp = lilim_problem(inst)
    plan = solve(bp.problem, bp.travel,
                 SolveParams(time_limit_s=limit, vehicle_fixed_cost=10_000.0 * bp.scale))
    report = evaluate(bp.problem, plan, bp.travel)
    routes, cost = file_solution(bp, plan)
    return len(routes), cost, report.feasible and not plan.unserved


def with_pyvrp(inst: PdptwInstance, limit: float) -> tuple[int, float, bool]:
    """PyVRP with shipments; (vehicles, distance, feasible)."""
    m = pyvrp.Model()
    locs = [m.add_location(n.x, n.y) for n in inst.nodes]
    d0 = inst.nodes[0]
    depot = m.add_depot(locs[0], tw_early=math.ceil(d0.earliest * SCALE),
                        tw_late=math.floor(d0.latest * SCALE))
    m.add_vehicle_type(num_available=inst.vehicles, capacity=[inst.capacity],
                       start_depot=depot, end_depot=depot, fixed_cost=FIXED,
                       tw_early=math.ceil(d0.earliest * SCALE),
                       tw_late=math.floor(d0.latest * SCALE))
    for a in inst.nodes:
        for b in inst.nodes:
            d = _int(inst, a.id, b.id)
            m.add_edge(locs[a.id], locs[b.id], distance=d, duration=d)
    pairs = inst.pairs()
    for p, d in pairs:
        np_, nd = inst.nodes[p], inst.nodes[d]
        m.add_shipment(locs[p], locs[d],
                       pickup_tw_early=math.ceil(np_.earliest * SCALE),
                       pickup_tw_late=math.floor(np_.latest * SCALE),
                       pickup_service_duration=round(np_.service * SCALE),
                       delivery_tw_early=math.ceil(nd.earliest * SCALE),
                       delivery_tw_late=math.floor(nd.latest * SCALE),
                       delivery_service_duration=round(nd.service * SCALE),
                       amount=[np_.demand])
    result = m.solve(stop=MaxRuntime(limit), seed=0, display=False)
    routes = []
    for route in result.best.routes():
        nodes = []
        for act in route.schedule():
            if act.is_shipment():
                p, d = pairs[act.idx]
                nodes.append(p if act.is_pickup() else d)
        routes.append(nodes)
    served = sum(len(r) for r in routes) == 2 * len(pairs)
    return sum(1 for r in routes if r), _length(inst, routes), result.best.is_feasible() and served


def with_vroom(inst: PdptwInstance, limit: float) -> tuple[int, float, bool]:
    """VROOM with shipments; (vehicles, distance, feasible)."""
    n = len(inst.nodes)
    problem = vroom.Input()
    problem.set_durations_matrix("car", [[_int(inst, a, b) for b in range(n)] for a in range(n)])
    d0 = inst.nodes[0]
    window = vroom.TimeWindow(math.ceil(d0.earliest * SCALE), math.floor(d0.latest * SCALE))
    for k in range(inst.vehicles):
        problem.add_vehicle(vroom.Vehicle(k + 1, start=0, end=0, capacity=[inst.capacity],
                                          time_window=window,
                                          costs=vroom.VehicleCosts(fixed=FIXED)))
    pairs = inst.pairs()
    for p, d in pairs:
        np_, nd = inst.nodes[p], inst.nodes[d]
        problem.add_shipment(
            vroom.ShipmentStep(p, location=p, default_service=round(np_.service * SCALE),
                               time_windows=[vroom.TimeWindow(math.ceil(np_.earliest * SCALE),
                                                              math.floor(np_.latest * SCALE))]),
            vroom.ShipmentStep(d, location=d, default_service=round(nd.service * SCALE),
                               time_windows=[vroom.TimeWindow(math.ceil(nd.earliest * SCALE),
                                                              math.floor(nd.latest * SCALE))]),
            amount=vroom.Amount([np_.demand]))
    solution = problem.solve(exploration_level=5, nb_threads=1,
                             timeout=timedelta(seconds=limit))
    table = solution.routes
    routes: dict[int, list[int]] = {}
    for row in table.itertuples():
        if row.type in ("pickup", "delivery"):
            routes.setdefault(int(row.vehicle_id), []).append(int(row.id))
    served = sum(len(r) for r in routes.values()) == 2 * len(pairs)
    return len(routes), _length(inst, list(routes.values())), served


def main() -> None:
    """Run the three solvers on each instance and print a Markdown table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=float, default=10.0)
    parser.add_argument("--instances", nargs="*")
    parser.add_argument("--ours-only", action="store_true",
                        help="leave out PyVRP and VROOM (a regression check of ours)")
    args = parser.parse_args()
    solvers = [("ours", ours), ("PyVRP", with_pyvrp), ("VROOM", with_vroom)]
    if args.ours_only:
        solvers = solvers[:1]
    folder = Path(settings().data_dir) / "pdptw" / "lilim-100"
    bks = {r["instance"]: (int(r["vehicles"]), float(r["distance"]))
           for r in csv.DictReader((folder / "bks.csv").open())}
    names = args.instances or sorted(bks)
    print("| instance | BKS veh | BKS dist | " + " | ".join(
        f"{s} veh | {s} dist | {s} gap | {s} s" for s, _ in solvers) + " |")
    print("|" + "---|" * (3 + 4 * len(solvers)))
    hits: dict[str, int] = {}
    equal_gaps: dict[str, list[float]] = {}
    for name in names:
        inst = read_lilim(folder / f"{name}.txt")
        cells = [name, str(bks[name][0]), f"{bks[name][1]:.2f}"]
        for label, run in solvers:
            began = time.perf_counter()
            vehicles, dist, ok = run(inst, args.limit)
            seconds = time.perf_counter() - began
            gap = 100 * (dist / bks[name][1] - 1)
            if ok and vehicles <= bks[name][0]:
                hits[label] = hits.get(label, 0) + 1
            if ok and vehicles == bks[name][0]:
                equal_gaps.setdefault(label, []).append(gap)
            cells += [str(vehicles), f"{dist:.2f}" + ("" if ok else " (infeasible)"),
                      f"{gap:.2f}%", f"{seconds:.1f}"]
        print("| " + " | ".join(cells) + " |", flush=True)
    print()
    for label, _ in solvers:
        g = equal_gaps.get(label, [])
        mean = f"{sum(g) / len(g):.2f}%" if g else "n/a"
        print(f"- {label}: best known vehicle count (or fewer) on {hits.get(label, 0)} of "
              f"{len(names)}; mean distance gap {mean} where the count is the best known's")


if __name__ == "__main__":
    main()
