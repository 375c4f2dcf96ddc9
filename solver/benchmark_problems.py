"""Benchmark instances as domain problems: integer units chosen so that integer-feasible
means feasible in the real numbers.

Times and distances are scaled by ``scale`` (1000 by default). Travel times round up
(``EuclideanTravel``), window ends and ride/duration limits round down, window starts
round up; service times in these files are whole numbers, so they scale exactly.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any

from maas.domain import (
    CostWeights,
    Location,
    Plan,
    Problem,
    Request,
    StopKind,
    TimeWindow,
    Vehicle,
    VehicleType,
)
from maas.evaluation import NO_LIMIT, TimedSequence, schedule_sequence
from maas.travel import EuclideanTravel
from solver.readers import DarpInstance, PdptwInstance

DEFAULT_SCALE = 1000
NO_RIDE_LIMIT = 10**12


@dataclass(frozen=True, slots=True)
class FileNode:
    """A node as the file gives it, in the file's (double precision) units."""

    x: float
    y: float
    service: float
    earliest: float
    latest: float


@dataclass(frozen=True)
class BenchmarkProblem:
    """A problem, its travel source, and how its requests map back to the file's nodes."""

    problem: Problem
    travel: EuclideanTravel
    scale: int
    pickup_node: dict[str, int]
    delivery_node: dict[str, int]
    nodes: dict[int, FileNode]
    start_node: int
    end_node: int
    max_ride: float | None
    max_duration: float | None
    speed: float = 1.0
    name: str = ""


@dataclass(frozen=True, slots=True)
class FileRoute:
    """A van's route as file node ids (depots left out) and service start times."""

    vehicle: int
    nodes: tuple[int, ...]
    starts: tuple[float, ...]


def _dist(a: FileNode, b: FileNode) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def file_solution(bp: BenchmarkProblem, plan: Plan) -> tuple[list[FileRoute], float]:
    """The plan in the file's terms: routes with start times recomputed in double precision
    (ride-time-aware eight-step schedule, exact fallback), and the total Euclidean distance.
    """
    routes: list[FileRoute] = []
    total = 0.0
    for route in plan.routes:
        if not route.stops:
            continue
        ids = [bp.pickup_node[s.request_id] if s.kind is StopKind.PICKUP
               else bp.delivery_node[s.request_id] for s in route.stops]
        path = [bp.nodes[bp.start_node], *(bp.nodes[i] for i in ids), bp.nodes[bp.end_node]]
        dists = [_dist(a, b) for a, b in itertools.pairwise(path)]
        total += sum(dists)
        position = {node: pos for pos, node in enumerate(ids, start=1)}
        rides: list[tuple[int, int, float]] = []
        if bp.max_ride is not None:
            rides = [(position[bp.pickup_node[s.request_id]],
                      position[bp.delivery_node[s.request_id]], bp.max_ride)
                     for s in route.stops if s.kind is StopKind.PICKUP]
        seq = TimedSequence(
            earliest=[p.earliest for p in path], latest=[p.latest for p in path],
            service=[p.service for p in path], travel=[d / bp.speed for d in dists],
            rides=rides,
            max_duration=bp.max_duration if bp.max_duration is not None else NO_LIMIT)
        starts, _ = schedule_sequence(seq, tol=1e-9)
        vehicle = int(route.vehicle_id)
        routes.append(FileRoute(vehicle, tuple(ids), tuple(starts[1:-1])))
    return routes, total


def _up(value: float, scale: int) -> int:
    return math.ceil(value * scale - 1e-9)


def _down(value: float, scale: int) -> int:
    return math.floor(value * scale + 1e-9)


def _pair_request(rid: str, p: Any, d: Any, load: int, max_ride: int, scale: int) -> Request:
    """The request of one pickup node ``p`` and its delivery node ``d`` of a benchmark file."""
    return Request(
        id=rid,
        origin=Location(lat=p.y, lon=p.x),
        destination=Location(lat=d.y, lon=d.x),
        pickup=TimeWindow(_up(p.earliest, scale), _down(p.latest, scale)),
        dropoff=TimeWindow(_up(d.earliest, scale), _down(d.latest, scale)),
        max_ride=max_ride,
        passengers=max(load, 1),
        wheelchairs=0,
        board=_up(p.service, scale),
        alight=_up(d.service, scale),
    )


def cordeau_problem(inst: DarpInstance, scale: int = DEFAULT_SCALE) -> BenchmarkProblem:
    """The Cordeau instance as K identical vans from the depot, total travel as the cost."""
    n = inst.requests
    nodes = inst.nodes
    depot, end = nodes[0], nodes[2 * n + 1]
    requests: dict[str, Request] = {}
    pickup_node: dict[str, int] = {}
    delivery_node: dict[str, int] = {}
    for i in range(1, n + 1):
        p, d = nodes[i], nodes[n + i]
        rid = str(i)
        requests[rid] = _pair_request(rid, p, d, p.load, _down(inst.max_ride, scale), scale)
        pickup_node[rid], delivery_node[rid] = p.id, d.id
    van = VehicleType(name="cordeau", seats=inst.capacity, wheelchair_places=0)
    shift = TimeWindow(_up(depot.earliest, scale), _down(min(depot.latest, end.latest), scale))
    vehicles = tuple(
        Vehicle(id=str(k), type=van, depot=Location(lat=depot.y, lon=depot.x), shift=shift,
                end=Location(lat=end.y, lon=end.x), max_duration=_down(inst.max_duration, scale))
        for k in range(inst.vehicles)
    )
    weights = CostWeights(travel_time=1.0, ride_time=0.0, rejection=1e9)
    file_nodes = {nd.id: FileNode(nd.x, nd.y, nd.service, nd.earliest, nd.latest)
                  for nd in nodes}
    return BenchmarkProblem(Problem(requests, vehicles, weights), EuclideanTravel(scale=scale),
                            scale, pickup_node, delivery_node, file_nodes, 0, 2 * n + 1,
                            inst.max_ride, inst.max_duration, name=inst.name)


def lilim_problem(inst: PdptwInstance, scale: int = DEFAULT_SCALE) -> BenchmarkProblem:
    """The Li & Lim instance: K vans of capacity Q, no ride-time limit, travel as the cost."""
    nodes = inst.nodes
    depot = nodes[0]
    requests: dict[str, Request] = {}
    pickup_node: dict[str, int] = {}
    delivery_node: dict[str, int] = {}
    for p_id, d_id in inst.pairs():
        p, d = nodes[p_id], nodes[d_id]
        rid = str(p_id)
        requests[rid] = _pair_request(rid, p, d, p.demand, NO_RIDE_LIMIT, scale)
        pickup_node[rid], delivery_node[rid] = p.id, d.id
    van = VehicleType(name="lilim", seats=inst.capacity, wheelchair_places=0)
    shift = TimeWindow(_up(depot.earliest, scale), _down(depot.latest, scale))
    vehicles = tuple(
        Vehicle(id=str(k), type=van, depot=Location(lat=depot.y, lon=depot.x), shift=shift)
        for k in range(inst.vehicles)
    )
    weights = CostWeights(travel_time=1.0, ride_time=0.0, rejection=1e9)
    file_nodes = {nd.id: FileNode(nd.x, nd.y, nd.service, nd.earliest, nd.latest)
                  for nd in nodes}
    # Some files carry 0 in the speed field; the published results all use time = distance.
    speed = inst.speed if inst.speed > 0 else 1.0
    return BenchmarkProblem(Problem(requests, vehicles, weights),
                            EuclideanTravel(scale=scale, speed=speed), scale,
                            pickup_node, delivery_node, file_nodes, 0, 0, None, None, speed,
                            name=inst.name)
