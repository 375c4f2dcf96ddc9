"""Cheapest feasible insertion of one request into the vans' routes.

The hot path of the dispatcher's offers. Only the rows and columns touching the new
request's two locations are fetched from the travel source; the legs of existing routes
come from the evaluator's leg cache. Every (pickup, drop-off) position pair is screened
with the earliest-start schedule of the route, its waiting times and its latest-start
bounds (a forward-slack test that propagates the push of the insertion through the
waiting times: O(1) per position), and with the loads. The survivors are checked exactly,
cheapest estimate first, with the evaluator's timing (which also covers ride-time limits
and route duration), until no remaining estimate can beat the best exact cost.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from maas.domain import Location, Plan, Problem, Request, Route, Stop, StopKind, Vehicle
from maas.evaluation import (
    leg_cache,
    leg_durations,
    route_legs,
    route_sequence,
    schedule_sequence,
    stop_location,
)
from maas.travel import TravelTimeSource

MAX_EXACT_CHECKS = 60


@dataclass(frozen=True, slots=True)
class Insertion:
    """Where to insert a request: indices into the van's *new* stop list.

    ``cost_delta`` is the change of the route's travel and ride-time cost (weights of the
    problem), not counting the rejection penalty the insertion saves.
    """

    vehicle_id: str
    pickup_index: int
    dropoff_index: int
    cost_delta: float
    pickup_time: int
    dropoff_time: int


@dataclass(frozen=True, slots=True)
class _Candidate:
    estimate: float
    vehicle_id: str
    pickup_index: int
    dropoff_index: int


def insert(plan: Plan, insertion: Insertion, request_id: str) -> Plan:
    """The plan with ``request_id`` inserted as ``insertion`` says (and no longer unserved)."""
    routes = list(plan.routes)
    index = next((k for k, r in enumerate(routes) if r.vehicle_id == insertion.vehicle_id), None)
    stops = list(routes[index].stops) if index is not None else []
    stops.insert(insertion.pickup_index, Stop(request_id, StopKind.PICKUP))
    stops.insert(insertion.dropoff_index, Stop(request_id, StopKind.DROPOFF))
    new_route = Route(insertion.vehicle_id, tuple(stops))
    if index is None:
        routes.append(new_route)
    else:
        routes[index] = new_route
    unserved = tuple(r for r in plan.unserved if r != request_id)
    return replace(plan, routes=tuple(routes), unserved=unserved)


def _fits(vehicle: Vehicle, request: Request) -> bool:
    return (request.passengers <= vehicle.type.seats
            and request.wheelchairs <= vehicle.type.wheelchair_places)


def route_cost(
    problem: Problem, vehicle: Vehicle, requests: Mapping[str, Request], stops: Sequence[Stop],
    legs: Sequence[int],
) -> tuple[float, list[float]] | None:
    """Travel + weighted ride cost of a route and its start times, or None if infeasible."""
    seq = route_sequence(vehicle, requests, stops, legs)
    starts, ok = schedule_sequence(seq)
    if not ok:
        return None
    ride = sum(starts[d] - starts[p] - seq.service[p] for p, d, _ in seq.rides)
    w = problem.weights
    return w.travel_time * sum(legs) + w.ride_time * ride, starts


def _loads_ok(vehicle: Vehicle, requests: Mapping[str, Request], stops: Sequence[Stop]) -> bool:
    seats = sum(requests[r].passengers for r in vehicle.onboard if r in requests)
    chairs = sum(requests[r].wheelchairs for r in vehicle.onboard if r in requests)
    for stop in stops:
        req = requests[stop.request_id]
        sign = 1 if stop.kind is StopKind.PICKUP else -1
        seats += sign * req.passengers
        chairs += sign * req.wheelchairs
        if seats > vehicle.type.seats or chairs > vehicle.type.wheelchair_places:
            return False
    return True


def _screen_vehicle(
    problem: Problem,
    vehicle: Vehicle,
    stops: Sequence[Stop],
    requests: Mapping[str, Request],
    request: Request,
    legs: Sequence[int],
    to_o: Sequence[int], to_d: Sequence[int], from_o: Sequence[int], from_d: Sequence[int],
    o_to_d: int,
) -> list[_Candidate]:
    """Position pairs that pass the slack and load screens, with a cost estimate.

    Sequence positions: 0 = start, 1..n = stops, n+1 = end; ``to_o[k]`` is the time from
    position k to the origin, ``from_o[k]`` from the origin to position k, etc.
    """
    seq = route_sequence(vehicle, requests, stops, legs)
    e, lat, s = seq.earliest, seq.latest, seq.service
    n2 = len(e)
    # Earliest starts, waiting before each position, latest starts keeping later windows.
    early = [0.0] * n2
    wait = [0.0] * n2
    early[0] = e[0]
    for k in range(1, n2):
        arrival = early[k - 1] + s[k - 1] + legs[k - 1]
        early[k] = max(arrival, e[k])
        wait[k] = early[k] - arrival
    if any(early[k] > lat[k] for k in range(n2)):
        return []  # the route is already late: leave it alone
    late = list(lat)
    for k in range(n2 - 2, -1, -1):
        late[k] = min(lat[k], late[k + 1] - s[k] - legs[k])
    seats = [0] * n2
    chairs = [0] * n2
    seats[0] = sum(requests[r].passengers for r in vehicle.onboard if r in requests)
    chairs[0] = sum(requests[r].wheelchairs for r in vehicle.onboard if r in requests)
    for k, stop in enumerate(stops, start=1):
        req = requests[stop.request_id]
        sign = 1 if stop.kind is StopKind.PICKUP else -1
        seats[k] = seats[k - 1] + sign * req.passengers
        chairs[k] = chairs[k - 1] + sign * req.wheelchairs
    first = 0
    while first < len(stops) and stops[first].locked:
        first += 1
    cap_seats = vehicle.type.seats - request.passengers
    cap_chairs = vehicle.type.wheelchair_places - request.wheelchairs
    pe, pl, board = request.pickup.earliest, request.pickup.latest, request.board
    de, dl, alight = request.dropoff.earliest, request.dropoff.latest, request.alight
    wt, wr = problem.weights.travel_time, problem.weights.ride_time
    out: list[_Candidate] = []
    last = n2 - 2  # last stop position; inserting after position i means before i+1
    for i in range(first, last + 1):
        if seats[i] > cap_seats or chairs[i] > cap_chairs:
            continue
        b_p = max(early[i] + s[i] + to_o[i], pe)
        if b_p > pl:
            continue
        leave_p = b_p + board
        # Drop-off right after the pickup.
        b_d = max(leave_p + o_to_d, de)
        if b_d <= dl and max(b_d + alight + from_d[i + 1], e[i + 1]) <= late[i + 1]:
            added = to_o[i] + o_to_d + from_d[i + 1] - legs[i]
            out.append(_Candidate(wt * added + wr * (b_d - leave_p), vehicle.id, i, i + 1))
        # Drop-off later: push the delay of the pickup through the waits.
        nxt = max(leave_p + from_o[i + 1], e[i + 1])
        if nxt > late[i + 1]:
            continue
        delta = nxt - early[i + 1]
        added_p = to_o[i] + from_o[i + 1] - legs[i]
        for j in range(i + 1, last + 1):
            if j > i + 1:
                delta = max(0.0, delta - wait[j])
            start_j = early[j] + delta
            if start_j > late[j]:
                break
            if seats[j] > cap_seats or chairs[j] > cap_chairs:
                break  # the rider would be on board past a full stretch
            b_d = max(start_j + s[j] + to_d[j], de)
            if b_d > dl:
                continue
            if max(b_d + alight + from_d[j + 1], e[j + 1]) > late[j + 1]:
                continue
            added = added_p + to_d[j] + from_d[j + 1] - legs[j]
            ride = max(b_d - leave_p, o_to_d)
            out.append(_Candidate(wt * added + wr * ride, vehicle.id, i, j + 1))
    return out


def best_insertion(
    problem: Problem,
    plan: Plan,
    request: Request,
    travel: TravelTimeSource,
    vehicles: Collection[str] | None = None,
) -> Insertion | None:
    """The cheapest feasible way to add ``request`` to one van of ``plan``, or None.

    ``problem.requests`` holds the requests already in the plan; ``request`` is new.
    ``vehicles`` restricts the vans tried.
    """
    fleet = [v for v in problem.vehicles
             if (vehicles is None or v.id in vehicles) and _fits(v, request)]
    if not fleet:
        return None
    o, d = request.origin, request.destination
    routes = {v.id: plan.route(v.id).stops for v in fleet}
    requests: dict[str, Request] = {request.id: request}
    for stops in routes.values():
        for stop in stops:
            requests[stop.request_id] = problem.requests[stop.request_id]
    for v in fleet:
        for rid in v.onboard:
            if rid in problem.requests:
                requests[rid] = problem.requests[rid]
    # One row and one column per new location, over every location of the candidate routes.
    points: dict[Location, int] = {}
    per_vehicle_points: dict[str, list[Location]] = {}
    for v in fleet:
        pts = [v.start_location]
        pts += [stop_location(requests[s.request_id], s) for s in routes[v.id]]
        pts.append(v.end_location)
        per_vehicle_points[v.id] = pts
        for p in pts:
            points.setdefault(p, len(points))
    locs = list(points)
    rows = travel.durations([o, d], [*locs, d])
    cols = travel.durations(locs, [o, d])
    o_to_d = int(rows[0, len(locs)])
    cache = leg_cache(travel)  # so that the exact checks below need no further travel calls
    cache[(o, d)] = o_to_d
    for p, x in points.items():
        cache[(o, p)], cache[(d, p)] = int(rows[0, x]), int(rows[1, x])
        cache[(p, o)], cache[(p, d)] = int(cols[x, 0]), int(cols[x, 1])
    all_legs = leg_durations(
        travel, [leg for v in fleet for leg in route_legs(v, requests, routes[v.id])])
    legs_of: dict[str, list[int]] = {}
    k = 0
    candidates: list[_Candidate] = []
    for v in fleet:
        stops = routes[v.id]
        legs = all_legs[k : k + len(stops) + 1]
        k += len(stops) + 1
        legs_of[v.id] = legs
        idx = [points[p] for p in per_vehicle_points[v.id]]
        candidates += _screen_vehicle(
            problem, v, stops, requests, request, legs,
            to_o=[int(cols[x, 0]) for x in idx], to_d=[int(cols[x, 1]) for x in idx],
            from_o=[int(rows[0, x]) for x in idx], from_d=[int(rows[1, x]) for x in idx],
            o_to_d=o_to_d,
        )
    candidates.sort(key=lambda c: (c.estimate, c.vehicle_id, c.pickup_index, c.dropoff_index))
    vehicle_by_id = {v.id: v for v in fleet}
    base_cost: dict[str, float] = {}
    best: Insertion | None = None
    for checked, cand in enumerate(candidates):
        if checked >= MAX_EXACT_CHECKS or (best is not None and cand.estimate >= best.cost_delta):
            break
        v = vehicle_by_id[cand.vehicle_id]
        old = routes[v.id]
        if v.id not in base_cost:
            before = route_cost(problem, v, requests, old, legs_of[v.id])
            base_cost[v.id] = before[0] if before is not None else 0.0
        new_stops = list(old)
        new_stops.insert(cand.pickup_index, Stop(request.id, StopKind.PICKUP))
        new_stops.insert(cand.dropoff_index, Stop(request.id, StopKind.DROPOFF))
        if not _loads_ok(v, requests, new_stops):
            continue
        legs = leg_durations(travel, route_legs(v, requests, new_stops))
        after = route_cost(problem, v, requests, new_stops, legs)
        if after is None:
            continue
        cost, starts = after
        delta = cost - base_cost[v.id]
        if best is None or delta < best.cost_delta:
            best = Insertion(v.id, cand.pickup_index, cand.dropoff_index, delta,
                             round(starts[cand.pickup_index + 1]),
                             round(starts[cand.dropoff_index + 1]))
    return best
