"""A problem as flat arrays for the compiled search, and plans to and from route arrays.

Nodes: 0..K-1 the vans' starts, K..2K-1 their ends, then one node per stop (a pickup and a
drop-off per request; only the drop-off for a rider on board). Per node: time window (the
start node: van start time to shift end; the end node: 0 to the latest end), service time,
seat, wheelchair and cargo (kg, litres) change, partner node, ride limit (on pickups).
``e``/``lt`` are the windows as given (the timing uses them, so its results are the
evaluator's); ``se``/``slt`` narrow each request's two windows through its direct time
and ride limit (Cordeau 2006) for the insertion screen only, which they make sharper.

Requests are indexed 0..R-1 in problem order. ``kind``: 0 free (may move anywhere),
1 drop-off only (rider on board, or pickup locked at a route's head: only the drop-off may
move, on its van), 2 fixed (both ends locked). ``FastInstance`` is read-only once built;
``FastSolution`` is the mutable state of one search.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from maas.domain import Location, Plan, Problem, Route, Stop, StopKind
from maas.travel import TravelTimeSource
from solver.fast_timing import NO_LIMIT

FREE, DROP_ONLY, FIXED = 0, 1, 2


@dataclass(frozen=True)
class FastInstance:
    """Read-only arrays of one problem (see the module docstring)."""

    K: int
    R: int
    N: int
    T: np.ndarray  # int64 [N, N] travel seconds between nodes
    e: np.ndarray  # int64 [N]
    lt: np.ndarray  # int64 [N]
    se: np.ndarray  # int64 [N] narrowed windows, for screening
    slt: np.ndarray
    svc: np.ndarray  # int64 [N]
    dseat: np.ndarray  # int64 [N]
    dchair: np.ndarray  # int64 [N]
    dcargo: np.ndarray  # int64 [N, 2]: kg, litres (zeros for passengers)
    partner: np.ndarray  # int64 [N], -1 for depots and on-board drop-offs
    is_pickup: np.ndarray  # bool [N]
    maxride: np.ndarray  # int64 [N] (on pickups)
    req_of: np.ndarray  # int64 [N], -1 for depots
    pnode: np.ndarray  # int64 [R], -1 for riders on board
    dnode: np.ndarray  # int64 [R]
    kind: np.ndarray  # int64 [R]
    home: np.ndarray  # int64 [R]: the van of a DROP_ONLY / FIXED request, else -1
    penalty: np.ndarray  # float64 [R]
    urgency: np.ndarray  # int64 [R]: latest pickup, narrowed by the drop-off deadline
    cap_s: np.ndarray  # int64 [K]
    cap_c: np.ndarray
    load0_s: np.ndarray  # int64 [K]: riders on board at the start
    load0_c: np.ndarray
    cap_cargo: np.ndarray  # int64 [K, 2]: kg, litres
    load0_cargo: np.ndarray  # int64 [K, 2]: cargo on board at the start
    maxdur: np.ndarray  # int64 [K]
    head: np.ndarray  # int64 [K]: locked stops at the head of each route
    fixed_cost: np.ndarray  # float64 [K] per van used
    wt: float
    wr: float
    ids: tuple[str, ...]
    vehicle_ids: tuple[str, ...]
    stop_of_node: tuple[Stop | None, ...]


@dataclass
class FastSolution:
    """Routes as node arrays (``routes[k, :rlen[k]]``, start and end left out), each
    request's van (-1: unserved) and each route's cost (travel, ride, fixed cost)."""

    routes: np.ndarray  # int64 [K, L]
    rlen: np.ndarray  # int64 [K]
    where: np.ndarray  # int64 [R]
    rcost: np.ndarray  # float64 [K]

    def copy(self) -> FastSolution:
        """An independent copy."""
        return FastSolution(self.routes.copy(), self.rlen.copy(), self.where.copy(),
                            self.rcost.copy())


def build_instance(problem: Problem, travel: TravelTimeSource, penalties: Mapping[str, float],
                   locked: Mapping[str, list[Stop]], vehicle_fixed_cost: float = 0.0
                   ) -> FastInstance:
    """The arrays of ``problem`` (no van may have a driver break: see ``supports``).

    ``locked`` maps a van to the locked stops at the head of its route.
    """
    vehicles = problem.vehicles
    K = len(vehicles)
    reqs = problem.requests
    ids = tuple(reqs)
    R = len(ids)
    onboard_of = {rid: k for k, v in enumerate(vehicles) for rid in v.onboard if rid in reqs}
    locked_kind: dict[str, tuple[int, set[StopKind]]] = {}
    for k, v in enumerate(vehicles):
        for s in locked.get(v.id, []):
            locked_kind.setdefault(s.request_id, (k, set()))[1].add(s.kind)
    locations: list[Location] = [v.start_location for v in vehicles]
    locations += [v.end_location for v in vehicles]
    e = [v.start_time for v in vehicles]
    lt = [v.shift.latest for v in vehicles]
    for v in vehicles:
        e.append(0)
        end_latest = v.shift.latest
        if v.max_duration is not None and v.position is not None:
            end_latest = min(end_latest, v.shift.earliest + v.max_duration)
        lt.append(end_latest)
    svc = [0] * (2 * K)
    dseat = [0] * (2 * K)
    dchair = [0] * (2 * K)
    dcargo = [(0, 0)] * (2 * K)
    stop_of_node: list[Stop | None] = [None] * (2 * K)
    pnode = np.full(R, -1, dtype=np.int64)
    dnode = np.full(R, -1, dtype=np.int64)
    for r, rid in enumerate(ids):
        req = reqs[rid]
        if rid not in onboard_of:
            pnode[r] = len(locations)
            locations.append(req.origin)
            e.append(req.pickup.earliest)
            lt.append(req.pickup.latest)
            svc.append(req.board)
            dseat.append(req.passengers)
            dchair.append(req.wheelchairs)
            dcargo.append((req.cargo_kg, req.cargo_litres))
            stop_of_node.append(Stop(rid, StopKind.PICKUP))
        dnode[r] = len(locations)
        locations.append(req.destination)
        e.append(req.dropoff.earliest)
        lt.append(req.dropoff.latest)
        svc.append(req.alight)
        dseat.append(-req.passengers)
        dchair.append(-req.wheelchairs)
        dcargo.append((-req.cargo_kg, -req.cargo_litres))
        stop_of_node.append(Stop(rid, StopKind.DROPOFF))
    N = len(locations)
    unique = list(dict.fromkeys(locations))
    pos = {loc: i for i, loc in enumerate(unique)}
    idx = np.array([pos[loc] for loc in locations], dtype=np.int64)
    matrix = np.asarray(travel.durations(unique, unique), dtype=np.int64)
    T = np.ascontiguousarray(matrix[np.ix_(idx, idx)])
    e_a = np.array(e, dtype=np.int64)
    lt_a = np.array(lt, dtype=np.int64)
    se, slt = e_a.copy(), lt_a.copy()
    partner = np.full(N, -1, dtype=np.int64)
    is_pickup = np.zeros(N, dtype=np.bool_)
    maxride = np.zeros(N, dtype=np.int64)
    req_of = np.full(N, -1, dtype=np.int64)
    kind = np.zeros(R, dtype=np.int64)
    home = np.full(R, -1, dtype=np.int64)
    urgency = np.zeros(R, dtype=np.int64)
    for r, rid in enumerate(ids):
        req = reqs[rid]
        d = dnode[r]
        req_of[d] = r
        p = pnode[r]
        urgency[r] = req.dropoff.latest
        if p >= 0:
            req_of[p] = r
            partner[p], partner[d] = d, p
            is_pickup[p] = True
            maxride[p] = req.max_ride
            direct = int(T[p, d])
            pe, pl, de, dl = e_a[p], lt_a[p], e_a[d], lt_a[d]
            new_p = (max(pe, de - req.board - req.max_ride), min(pl, dl - req.board - direct))
            new_d = (max(de, pe + req.board + direct), min(dl, pl + req.board + req.max_ride))
            if new_p[0] <= new_p[1] and new_d[0] <= new_d[1]:
                se[p], slt[p] = new_p
                se[d], slt[d] = new_d
            urgency[r] = min(req.pickup.latest, req.dropoff.latest - req.board - direct)
        if rid in onboard_of:
            kind[r], home[r] = DROP_ONLY, onboard_of[rid]
        if rid in locked_kind:
            k, kinds = locked_kind[rid]
            home[r] = k
            kind[r] = FIXED if StopKind.DROPOFF in kinds else DROP_ONLY
    cap_s = np.array([v.type.seats for v in vehicles], dtype=np.int64)
    cap_c = np.array([v.type.wheelchair_places for v in vehicles], dtype=np.int64)
    load0_s = np.array([sum(reqs[r].passengers for r in v.onboard if r in reqs)
                        for v in vehicles], dtype=np.int64)
    load0_c = np.array([sum(reqs[r].wheelchairs for r in v.onboard if r in reqs)
                        for v in vehicles], dtype=np.int64)
    cap_cargo = np.array([(v.type.cargo_kg, v.type.cargo_litres) for v in vehicles],
                         dtype=np.int64).reshape(K, 2)
    load0_cargo = np.array([(sum(reqs[r].cargo_kg for r in v.onboard if r in reqs),
                             sum(reqs[r].cargo_litres for r in v.onboard if r in reqs))
                            for v in vehicles], dtype=np.int64).reshape(K, 2)
    maxdur = np.array([v.max_duration if v.max_duration is not None and v.position is None
                       else NO_LIMIT for v in vehicles], dtype=np.int64)
    head = np.array([len(locked.get(v.id, [])) for v in vehicles], dtype=np.int64)
    w = problem.weights
    return FastInstance(
        K, R, N, T, e_a, lt_a, se, slt, np.array(svc, dtype=np.int64),
        np.array(dseat, dtype=np.int64),
        np.array(dchair, dtype=np.int64), np.array(dcargo, dtype=np.int64).reshape(N, 2),
        partner, is_pickup, maxride, req_of, pnode, dnode,
        kind, home, np.array([float(penalties[r]) for r in ids]), urgency, cap_s, cap_c,
        load0_s, load0_c, cap_cargo, load0_cargo, maxdur, head,
        np.full(K, float(vehicle_fixed_cost)),
        float(w.travel_time), float(w.ride_time), ids, tuple(v.id for v in vehicles),
        tuple(stop_of_node))


def to_solution(inst: FastInstance, plan: Plan) -> FastSolution:
    """Route arrays of ``plan`` (its stops must be the problem's; costs left at 0)."""
    node = {}
    for n_, stop in enumerate(inst.stop_of_node):
        if stop is not None:
            node[(stop.request_id, stop.kind)] = n_
    index = {rid: r for r, rid in enumerate(inst.ids)}
    L = max(2 * inst.R + 2, 4)
    routes = np.full((inst.K, L), -1, dtype=np.int64)
    rlen = np.zeros(inst.K, dtype=np.int64)
    where = np.full(inst.R, -1, dtype=np.int64)
    by_vehicle = {r.vehicle_id: r for r in plan.routes}
    for k, vid in enumerate(inst.vehicle_ids):
        stops = by_vehicle.get(vid, Route(vid)).stops
        for i, s in enumerate(stops):
            routes[k, i] = node[(s.request_id, s.kind)]
            where[index[s.request_id]] = k
        rlen[k] = len(stops)
    return FastSolution(routes, rlen, where, np.zeros(inst.K))


def to_plan(inst: FastInstance, sol: FastSolution) -> Plan:
    """The plan of ``sol``; the first ``inst.head[k]`` stops of each route locked."""
    routes = []
    for k, vid in enumerate(inst.vehicle_ids):
        stops = []
        for i in range(int(sol.rlen[k])):
            s = inst.stop_of_node[int(sol.routes[k, i])]
            assert s is not None
            stops.append(Stop(s.request_id, s.kind, i < inst.head[k]))
        routes.append(Route(vid, tuple(stops)))
    unserved = tuple(rid for r, rid in enumerate(inst.ids) if sol.where[r] < 0)
    return Plan(tuple(routes), unserved)


def supports(problem: Problem) -> bool:
    """Whether the compiled search handles ``problem``: every van without a driver break
    (breaks go to the Python search, whose timing places them)."""
    return all(v.break_ is None for v in problem.vehicles)
