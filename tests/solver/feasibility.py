"""Independent feasibility checks (test utility): they share no code with the solver.

``check_plan`` verifies a plan's own schedule (and the placed driver breaks) against the
problem from first principles;
``check_cordeau_payload`` verifies a ``maas solve --json`` answer in double precision
against the raw instance file, with the tolerance of the issue (0.001).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from maas.domain import Plan, Problem, StopKind
from maas.evaluation import ScheduledBreak, ScheduledStop
from maas.travel import TravelTimeSource

TOL = 1e-3


def check_plan(
    problem: Problem,
    plan: Plan,
    travel: TravelTimeSource,
    schedules: Mapping[str, Sequence[ScheduledStop]],
    breaks: Mapping[str, ScheduledBreak] | None = None,
) -> list[str]:
    """Every rule a plan with these stop times breaks (empty: feasible).

    A van with a driver break needs its placement in ``breaks``: it must start inside the
    window, after the van leaves the stop before it, end before the next stop starts, and
    the van must still have time to drive that leg around it.
    """
    errors: list[str] = []
    seen: dict[str, str] = {}
    for route in plan.routes:
        v = problem.vehicle(route.vehicle_id)
        sched = list(schedules.get(v.id, ()))
        if [s.stop for s in sched] != list(route.stops):
            errors.append(f"{v.id}: schedule does not match the route")
            continue
        seats = sum(problem.requests[r].passengers for r in v.onboard)
        chairs = sum(problem.requests[r].wheelchairs for r in v.onboard)
        picked: dict[str, int] = {}
        dropped: set[str] = set()
        here, now = v.start_location, v.start_time
        locked_done = False
        brk = (breaks or {}).get(v.id)
        if v.break_ is not None and brk is None:
            errors.append(f"{v.id}: no driver break placed")
        if brk is not None and v.break_ is not None:
            if not v.break_.window.earliest <= brk.start <= v.break_.window.latest:
                errors.append(f"{v.id}: break starts at {brk.start} outside {v.break_.window}")
            if brk.end - brk.start != v.break_.duration:
                errors.append(f"{v.id}: break lasts {brk.end - brk.start} s")
        for index, s in enumerate(sched):
            if brk is not None and brk.after == index:
                if brk.start < now or brk.end > s.start:
                    errors.append(f"{v.id}: break [{brk.start}, {brk.end}] not between "
                                  f"{now} and {s.start}")
                now += brk.end - brk.start
            req = problem.requests[s.stop.request_id]
            if s.stop.locked and locked_done:
                errors.append(f"{req.id}: locked stop not at the head")
            locked_done = locked_done or not s.stop.locked
            where = req.origin if s.stop.kind is StopKind.PICKUP else req.destination
            leg = int(travel.durations([here], [where])[0, 0])
            if s.start < now + leg:
                errors.append(f"{req.id}: starts {s.start} before it can arrive ({now + leg})")
            if seen.setdefault(f"{req.id}/{s.stop.kind}", v.id) != v.id or (
                    f"{req.id}/{s.stop.kind}" in picked):
                errors.append(f"{req.id}: visited twice")
            if s.stop.kind is StopKind.PICKUP:
                if req.id in v.onboard:
                    errors.append(f"{req.id}: picked up while on board")
                if not req.pickup.earliest <= s.start <= req.pickup.latest:
                    errors.append(f"{req.id}: pickup at {s.start} outside {req.pickup}")
                seats += req.passengers
                chairs += req.wheelchairs
                picked[req.id] = s.start + req.board
                now = s.start + req.board
            else:
                if req.id not in picked and req.id not in v.onboard:
                    errors.append(f"{req.id}: dropped off before pickup")
                if not req.dropoff.earliest <= s.start <= req.dropoff.latest:
                    errors.append(f"{req.id}: drop-off at {s.start} outside {req.dropoff}")
                if req.id in picked and s.start - picked[req.id] > req.max_ride:
                    errors.append(f"{req.id}: ride {s.start - picked[req.id]} > {req.max_ride}")
                seats -= req.passengers
                chairs -= req.wheelchairs
                dropped.add(req.id)
                now = s.start + req.alight
            if seats > v.type.seats or chairs > v.type.wheelchair_places:
                errors.append(f"{v.id}: over capacity at {req.id}")
            here = where
        if brk is not None and brk.after == len(sched) and brk.start < now:
            errors.append(f"{v.id}: break starts at {brk.start}, before {now}")
        end = now + int(travel.durations([here], [v.end_location])[0, 0])
        if brk is not None and brk.after == len(sched):  # drive back, the break on the way
            end = max(end + brk.end - brk.start, brk.end)
        if end > v.shift.latest:
            errors.append(f"{v.id}: back at {end}, after the shift")
        for rid in set(picked) - dropped:
            errors.append(f"{rid}: never dropped off")
        for rid in set(v.onboard) - dropped:
            errors.append(f"{rid}: on board {v.id} but not dropped off by it")
    served = {s.request_id for r in plan.routes for s in r.stops}
    for rid in problem.requests:
        if rid not in served and rid not in plan.unserved:
            errors.append(f"{rid}: neither served nor reported unserved")
    return errors


def check_cordeau_payload(path: Path, payload: dict[str, Any]) -> list[str]:
    """Every rule a ``maas solve --json`` answer breaks on a Cordeau 2006 file."""
    rows = [list(map(float, line.split())) for line in path.read_text().splitlines()
            if line.strip()]
    k, n, t_max, q, ride_max = rows[0][:5]
    nodes = {int(r[0]): r[1:7] for r in rows[1:]}
    n = int(n)
    errors: list[str] = []

    def dist(a: int, b: int) -> float:
        return math.hypot(nodes[a][0] - nodes[b][0], nodes[a][1] - nodes[b][1])

    served: list[int] = []
    total = 0.0
    if len(payload["routes"]) > k:
        errors.append("too many vehicles")
    for route in payload["routes"]:
        stops = route["stops"]
        ids = [s["node"] for s in stops]
        starts = {s["node"]: s["start"] for s in stops}
        path_ids = [0, *ids, 2 * n + 1]
        total += sum(dist(a, b) for a, b in itertools.pairwise(path_ids))
        depart = stops[0]["start"] - dist(0, ids[0]) if stops else 0.0
        prev_node, prev_time = 0, max(depart, nodes[0][4])
        load = 0
        for node, start in ((s["node"], s["start"]) for s in stops):
            e, late = nodes[node][4], nodes[node][5]
            if not e - TOL <= start <= late + TOL:
                errors.append(f"node {node}: start {start} outside [{e}, {late}]")
            if start < prev_time + nodes[prev_node][2] + dist(prev_node, node) - TOL:
                errors.append(f"node {node}: start {start} too early after {prev_node}")
            load += int(nodes[node][3])
            if load > q:
                errors.append(f"node {node}: load {load} > {q}")
            if node <= n:
                d = node + n
                if d not in starts or ids.index(d) < ids.index(node):
                    errors.append(f"request {node}: delivery missing or before pickup")
                elif starts[d] - start - nodes[node][2] > ride_max + TOL:
                    errors.append(f"request {node}: ride {starts[d] - start - nodes[node][2]}")
                served.append(node)
            prev_node, prev_time = node, start
        if stops:
            back = prev_time + nodes[prev_node][2] + dist(prev_node, 2 * n + 1)
            if back > nodes[2 * n + 1][5] + TOL:
                errors.append(f"vehicle {route['vehicle']}: back at {back}")
            if back - depart > t_max + TOL:
                errors.append(f"vehicle {route['vehicle']}: duration {back - depart} > {t_max}")
    if sorted(served) != sorted(set(served)):
        errors.append("a request is served twice")
    if sorted(served + payload["unserved"]) != list(range(1, n + 1)):
        errors.append("requests neither served nor unserved")
    if abs(total - payload["cost"]) > TOL:
        errors.append(f"cost {payload['cost']} but the routes measure {total}")
    return errors
