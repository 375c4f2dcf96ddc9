"""Cheapest feasible insertion of one request into the vans' routes.

The hot path of the dispatcher's offers. Only the rows and columns touching the new
request's two locations are fetched from the travel source; the legs of existing routes
come from the evaluator's leg cache. Every (pickup, drop-off) position pair is screened
with the earliest-start schedule of the route, its waiting times and its latest-start
bounds (a forward-slack test that propagates the push of the insertion through the
waiting times: O(1) per position), and with the loads. The survivors are checked exactly,
best estimate first, with the evaluator's timing (which also covers ride-time limits
and route duration), until no remaining estimate can beat the best exact score. There is no
cap on the number of exact checks: when some van can take the request under the exact
check, the search finds one (the screen is a relaxation of that check).

The screen also sees the ride limits of the riders already planned: a detour on a leg that
some rider rides across may not exceed that rider's ride slack (the limit minus the rider's
shortest possible ride on the route), and a drop-off may not start later than its pickup's
latest start plus the limit. Without that, a route full of riders on tight limits passes
the screen at every position and the exact checks are spent on hopeless ones.

By default the score is the operator's added cost; with a ``RiderObjective`` it is the
rider's time (soonest pickup, or latest pickup for an arrive-by ride) plus the added cost
as a bounded tie-break.

Driver breaks are left to that exact check: the screen ignores them (a relaxation, so no
feasible position is screened out), and the evaluator's timing places the break in the
best gap of each candidate route.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from maas.domain import (
    CostWeights,
    Location,
    Plan,
    Problem,
    Request,
    Route,
    Stop,
    StopKind,
    Vehicle,
)
from maas.evaluation import (
    TimedSequence,
    earliest_feasible,
    leg_durations,
    route_legs,
    route_sequence,
    schedule_sequence,
    stop_location,
)
from maas.travel import TravelTimeSource


@dataclass(frozen=True, slots=True)
class RiderObjective:
    """Rank insertions by the rider's time: the soonest pickup, or with ``latest`` the
    latest pickup (arrive-by: the latest departure that still arrives in time).

    The operator's added cost enters as ``cost_weight`` seconds of the rider's time per unit
    of cost, capped at ``cost_bound`` seconds: the chosen pickup is never more than
    ``cost_bound`` seconds worse for the rider than the best feasible one. Candidates are
    ranked on the exact earliest schedule (its pickup time, and its cost: travel plus
    weighted ride time on those start times), which is cheap; only the winner is timed by
    the evaluator's planned schedule. ``resolution`` is how finely (seconds) the latest
    pickup of an insertion is searched.
    """

    latest: bool = False
    cost_weight: float = 0.0
    cost_bound: float = 0.0
    resolution: int = 30

    def score(self, pickup: float, cost_delta: float) -> float:
        """Lower is better: the rider's time term plus the bounded cost term."""
        rider = -pickup if self.latest else pickup
        return rider + min(self.cost_weight * max(cost_delta, 0.0), self.cost_bound)


@dataclass(frozen=True, slots=True)
class Insertion:
    """Where to insert a request: indices into the van's *new* stop list.

    ``cost_delta`` is the change of the route's travel and ride-time cost (weights of the
    problem), not counting the rejection penalty the insertion saves. ``pickup_time`` and
    ``dropoff_time`` are the planned schedule's (the evaluator's timing); ``rider_pickup``
    is the pickup time a ``RiderObjective`` scored (the soonest the van can be there, or
    the latest it may come), and ``score`` the value ranked (the cost by default).
    """

    vehicle_id: str
    pickup_index: int
    dropoff_index: int
    cost_delta: float
    pickup_time: int
    dropoff_time: int
    score: float = 0.0
    rider_pickup: int = 0


@dataclass(frozen=True, slots=True)
class _Candidate:
    estimate: float
    vehicle_id: str
    pickup_index: int
    dropoff_index: int
    pickup_low: float = 0.0  # lower bound on the pickup's start
    pickup_high: float = 0.0  # upper bound on the pickup's start


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
    t = vehicle.type
    return (request.passengers <= t.seats and request.wheelchairs <= t.wheelchair_places
            and request.cargo_kg <= t.cargo_kg and request.cargo_litres <= t.cargo_litres)


def route_cost(
    problem: Problem, vehicle: Vehicle, requests: Mapping[str, Request], stops: Sequence[Stop],
    legs: Sequence[int],
) -> tuple[float, list[float]] | None:
    """Travel + weighted ride cost of a route and its start times, or None if infeasible."""
    return sequence_cost(problem, route_sequence(vehicle, requests, stops, legs))


def sequence_cost(problem: Problem, seq: TimedSequence) -> tuple[float, list[float]] | None:
    """Travel + weighted ride cost of a timed sequence and its start times, or None.

    A sequence with a driver break goes straight to the evaluator's timing, which tries
    each gap that may hold the break exactly.
    """
    w = problem.weights
    legs = seq.travel
    if seq.rest is not None:
        starts, ok = schedule_sequence(seq)
        if not ok:
            return None
        ride = sum(starts[d] - starts[p] - seq.service[p] for p, d, _ in seq.rides)
        return w.travel_time * sum(legs) + w.ride_time * ride, starts
    exact = earliest_feasible(seq)  # cheap and exact: rules out infeasible orders first
    if exact is None:
        return None
    if w.ride_time == 0:  # only feasibility matters
        return w.travel_time * sum(legs), exact
    starts, ok = schedule_sequence(seq)
    if not ok:
        return None
    ride = sum(starts[d] - starts[p] - seq.service[p] for p, d, _ in seq.rides)
    return w.travel_time * sum(legs) + w.ride_time * ride, starts


def loads_ok(vehicle: Vehicle, requests: Mapping[str, Request], stops: Sequence[Stop]) -> bool:
    """Whether seats, wheelchair places and cargo space (kg, litres) hold along ``stops``."""
    on = [requests[r] for r in vehicle.onboard if r in requests]
    seats = sum(r.passengers for r in on)
    chairs = sum(r.wheelchairs for r in on)
    kg = sum(r.cargo_kg for r in on)
    litres = sum(r.cargo_litres for r in on)
    t = vehicle.type
    for stop in stops:
        req = requests[stop.request_id]
        sign = 1 if stop.kind is StopKind.PICKUP else -1
        seats += sign * req.passengers
        chairs += sign * req.wheelchairs
        kg += sign * req.cargo_kg
        litres += sign * req.cargo_litres
        if (seats > t.seats or chairs > t.wheelchair_places or kg > t.cargo_kg
                or litres > t.cargo_litres):
            return False
    return True



@dataclass
class _RouteData:
    """What the screen needs to know about one route, computed once per stop sequence."""

    vehicle: Vehicle
    stops: tuple[Stop, ...]
    points: list[Location]
    legs: list[int]
    earliest: Sequence[float]
    service: Sequence[float]
    early: list[float]
    wait: list[float]
    late: list[float]
    seats: list[int]
    chairs: list[int]
    kg: list[int]
    litres: list[int]
    ride_slack: list[float]
    chain: list[float]
    first: int
    usable: bool
    seq: TimedSequence
    base_cost: float | None = None
    base_rider_cost: float | None = None


class RouteCache:
    """Route data per route object, for callers that insert many times into one problem
    (ruin and recreate); valid only while the problem and travel times stay the same.
    Keyed by identity (the cache holds the route, so its id cannot be reused): the travel
    source, weights, van and requests ``get`` and ``put`` take (as ``RouteMemo``'s do) are
    those of the one problem, so they are not looked at."""

    def __init__(self) -> None:
        self.data: dict[int, tuple[Route, _RouteData]] = {}

    def get(self, travel: TravelTimeSource, weights: CostWeights, vehicle: Vehicle,
            route: Route, requests: Mapping[str, Request]) -> _RouteData | None:
        found = self.data.get(id(route))
        return found[1] if found is not None and found[0] is route else None

    def put(self, travel: TravelTimeSource, weights: CostWeights, vehicle: Vehicle,
            route: Route, requests: Mapping[str, Request], data: _RouteData) -> None:
        if len(self.data) > 20_000:
            self.data.clear()
        self.data[id(route)] = (route, data)


class RouteMemo:
    """Route data kept between insertion searches on *different* problems that share routes:
    the dispatcher's offers, each on a problem built afresh for its ask from the same plan.

    Owned by whoever searches repeatedly (a ``Dispatcher`` holds one for its life) and
    passed in as ``cache``. Threads may share one: a lookup and a store are each one dict
    operation, and a store lost to a concurrent clear costs only a recomputation. An entry
    is found by the travel source's identity and version, the weights, the van and its
    stops by value, and used only if the requests of those stops (and of the riders on
    board) are the same objects as when it was stored, or equal ones: that is everything
    route data depends on, so a changed request makes a miss, never a stale hit.
    Holding the travel source and the requests keeps their ids from being reused. When
    ``max_entries`` is reached it starts again empty: an entry is about 20 kB for a route of
    20 stops, and a live plan of 100 vans needs 100 of them between two plan changes.
    """

    def __init__(self, max_entries: int = 2_000) -> None:
        self._entries: dict[tuple[object, ...], tuple[object, tuple[Request, ...], _RouteData]] \
            = {}
        self._max = max_entries

    @staticmethod
    def _parts(travel: TravelTimeSource, weights: CostWeights, vehicle: Vehicle, route: Route,
               requests: Mapping[str, Request]) -> tuple[tuple[object, ...], tuple[Request, ...]]:
        riders = (*(requests[s.request_id] for s in route.stops),
                  *(requests[r] for r in vehicle.onboard if r in requests))
        return (id(travel), travel.version, weights, vehicle, route.stops), riders

    def get(self, travel: TravelTimeSource, weights: CostWeights, vehicle: Vehicle, route: Route,
            requests: Mapping[str, Request]) -> _RouteData | None:
        key, riders = self._parts(travel, weights, vehicle, route, requests)
        found = self._entries.get(key)
        if found is None or found[0] is not travel or len(found[1]) != len(riders):
            return None
        if all(a is b or a == b for a, b in zip(found[1], riders, strict=True)):
            return found[2]
        return None

    def put(self, travel: TravelTimeSource, weights: CostWeights, vehicle: Vehicle, route: Route,
            requests: Mapping[str, Request], data: _RouteData) -> None:
        if len(self._entries) >= self._max:
            self._entries.clear()
        key, riders = self._parts(travel, weights, vehicle, route, requests)
        self._entries[key] = (travel, riders, data)

    def __len__(self) -> int:
        return len(self._entries)


def _route_data(vehicle: Vehicle, stops: tuple[Stop, ...], requests: Mapping[str, Request],
                legs: list[int]) -> _RouteData:
    seq = route_sequence(vehicle, requests, stops, legs)
    e, lat, s = seq.earliest, seq.latest, seq.service
    n2 = len(e)
    # Earliest starts, waiting before each position, latest starts keeping later windows.
    early = [0.0] * n2
    wait = [0.0] * n2
    early[0] = e[0]
    for k in range(1, n2):
        arrival = early[k - 1] + s[k - 1] + legs[k - 1]
        early[k] = arrival if arrival > e[k] else e[k]
        wait[k] = early[k] - arrival
    usable = all(early[k] <= lat[k] for k in range(n2))
    # chain[k]: start of position k when nothing waits (a lower bound on any gap).
    chain = [0.0] * n2
    for k in range(1, n2):
        chain[k] = chain[k - 1] + s[k - 1] + legs[k - 1]
    late = _latest_starts(lat, s, legs)
    if seq.rides:
        # A drop-off starts at most ``limit`` after its pickup's service ends.
        bounded = list(lat)
        for p, d, lim in seq.rides:
            bounded[d] = min(bounded[d], late[p] + s[p] + lim)
        late = _latest_starts(bounded, s, legs)
    # ride_slack[k]: how much longer leg k may become for every rider riding across it.
    ride_slack = [float("inf")] * n2
    for p, d, lim in seq.rides:
        slack = lim - (chain[d] - chain[p] - s[p])
        for k in range(p, d):
            if slack < ride_slack[k]:
                ride_slack[k] = slack
    seats = [0] * n2
    chairs = [0] * n2
    kg = [0] * n2
    litres = [0] * n2
    on = [requests[r] for r in vehicle.onboard if r in requests]
    seats[0] = sum(r.passengers for r in on)
    chairs[0] = sum(r.wheelchairs for r in on)
    kg[0] = sum(r.cargo_kg for r in on)
    litres[0] = sum(r.cargo_litres for r in on)
    for k, stop in enumerate(stops, start=1):
        req = requests[stop.request_id]
        sign = 1 if stop.kind is StopKind.PICKUP else -1
        seats[k] = seats[k - 1] + sign * req.passengers
        chairs[k] = chairs[k - 1] + sign * req.wheelchairs
        kg[k] = kg[k - 1] + sign * req.cargo_kg
        litres[k] = litres[k - 1] + sign * req.cargo_litres
    first = 0
    while first < len(stops) and stops[first].locked:
        first += 1
    points = [vehicle.start_location]
    points += [stop_location(requests[st.request_id], st) for st in stops]
    points.append(vehicle.end_location)
    return _RouteData(vehicle, stops, points, legs, e, s, early, wait, late, seats, chairs,
                      kg, litres, ride_slack, chain, first, usable, seq)


def _latest_starts(latest: Sequence[float], service: Sequence[float],
                   legs: Sequence[int]) -> list[float]:
    """Latest start of each position that still lets every later position start in time."""
    late = list(latest)
    for k in range(len(late) - 2, -1, -1):
        bound = late[k + 1] - service[k] - legs[k]
        if bound < late[k]:
            late[k] = bound
    return late


def _spliced(seq: TimedSequence, request: Request, i: int, j: int,
             legs: list[int]) -> TimedSequence:
    """The sequence with the request's pickup after position i and its drop-off after
    position j (j == i: right after the pickup), on the new route's ``legs``."""
    p_pos, d_pos = i + 1, (i + 2 if i == j else j + 2)

    def shift(k: int) -> int:
        return k + (k >= p_pos) + (k + (k >= p_pos) >= d_pos)

    e, late, sv = list(seq.earliest), list(seq.latest), list(seq.service)
    for pos, window, service in ((p_pos, request.pickup, request.board),
                                 (d_pos, request.dropoff, request.alight)):
        e.insert(pos, window.earliest)
        late.insert(pos, window.latest)
        sv.insert(pos, service)
    rides = [(shift(a), shift(b), lim) for a, b, lim in seq.rides]
    rides.append((p_pos, d_pos, request.max_ride))
    return TimedSequence(e, late, sv, legs, rides, seq.max_duration, seq.rest)


def _screen_vehicle(
    problem: Problem,
    route: _RouteData,
    request: Request,
    to_o: Sequence[int], to_d: Sequence[int], from_o: Sequence[int], from_d: Sequence[int],
    o_to_d: int,
) -> list[_Candidate]:
    """Position pairs that pass the slack, ride-limit and load screens, with a cost estimate
    and bounds on the pickup's start.

    Sequence positions: 0 = start, 1..n = stops, n+1 = end; ``to_o[k]`` is the time from
    position k to the origin, ``from_o[k]`` from the origin to position k, etc.
    """
    if not route.usable:
        return []  # the route is already late: leave it alone
    vehicle, legs = route.vehicle, route.legs
    e, s = route.earliest, route.service
    early, wait, late = route.early, route.wait, route.late
    seats, chairs, kg, litres = route.seats, route.chairs, route.kg, route.litres
    slack, chain = route.ride_slack, route.chain
    n2 = len(e)
    cap_seats = vehicle.type.seats - request.passengers
    cap_chairs = vehicle.type.wheelchair_places - request.wheelchairs
    cap_kg = vehicle.type.cargo_kg - request.cargo_kg
    cap_litres = vehicle.type.cargo_litres - request.cargo_litres
    board, alight, limit = request.board, request.alight, request.max_ride
    # The request's own windows, narrowed through its direct time and ride limit.
    pe = max(request.pickup.earliest, request.dropoff.earliest - board - limit)
    pl = min(request.pickup.latest, request.dropoff.latest - board - o_to_d)
    de = max(request.dropoff.earliest, request.pickup.earliest + board + o_to_d)
    dl = min(request.dropoff.latest, request.pickup.latest + board + limit)
    wt, wr = problem.weights.travel_time, problem.weights.ride_time
    out: list[_Candidate] = []
    last = n2 - 2  # last stop position; inserting after position i means before i+1
    for i in range(route.first, last + 1):
        if (seats[i] > cap_seats or chairs[i] > cap_chairs or kg[i] > cap_kg
                or litres[i] > cap_litres):
            continue
        b_p = max(early[i] + s[i] + to_o[i], pe)
        if b_p > pl:
            continue
        leave_p = b_p + board
        # Drop-off right after the pickup.
        b_d = max(leave_p + o_to_d, de)
        detour = to_o[i] + board + o_to_d + alight + from_d[i + 1] - legs[i]
        if (b_d <= dl and detour <= slack[i]
                and max(b_d + alight + from_d[i + 1], e[i + 1]) <= late[i + 1]):
            added = to_o[i] + o_to_d + from_d[i + 1] - legs[i]
            high = min(pl, late[i + 1] - from_d[i + 1] - alight - o_to_d - board)
            out.append(_Candidate(wt * added + wr * (b_d - leave_p), vehicle.id, i, i,
                                  b_p, high))
        # Drop-off later: push the delay of the pickup through the waits.
        if to_o[i] + board + from_o[i + 1] - legs[i] > slack[i]:
            continue  # a rider riding across this leg would ride too long
        nxt = max(leave_p + from_o[i + 1], e[i + 1])
        if nxt > late[i + 1]:
            continue
        # Latest pickup start that lets position i+1 start in time.
        high = min(pl, late[i + 1] - from_o[i + 1] - board)
        delta = nxt - early[i + 1]
        added_p = to_o[i] + from_o[i + 1] - legs[i]
        own = from_o[i + 1] - chain[i + 1]  # own ride up to position j: own + chain[j] + ...
        for j in range(i + 1, last + 1):
            if j > i + 1:
                delta = max(0.0, delta - wait[j])
            start_j = early[j] + delta
            if start_j > late[j]:
                break
            if (seats[j] > cap_seats or chairs[j] > cap_chairs or kg[j] > cap_kg
                    or litres[j] > cap_litres):
                break  # the rider would be on board past a full stretch
            if own + chain[j] > limit:
                break  # the rider's own ride is too long already
            if own + chain[j] + s[j] + to_d[j] > limit:
                continue
            if to_d[j] + alight + from_d[j + 1] - legs[j] > slack[j]:
                continue
            b_d = max(start_j + s[j] + to_d[j], de)
            if b_d > dl:
                continue
            if max(b_d + alight + from_d[j + 1], e[j + 1]) > late[j + 1]:
                continue
            added = added_p + to_d[j] + from_d[j + 1] - legs[j]
            ride = max(b_d - leave_p, o_to_d)
            out.append(_Candidate(wt * added + wr * ride, vehicle.id, i, j, b_p, high))
    return out


def best_insertion(
    problem: Problem,
    plan: Plan,
    request: Request,
    travel: TravelTimeSource,
    vehicles: Collection[str] | None = None,
    cache: RouteCache | RouteMemo | None = None,
    blink: float = 0.0,
    rng: random.Random | None = None,
    objective: RiderObjective | None = None,
    max_checks: int | None = None,
) -> Insertion | None:
    """The best feasible way to add ``request`` to one van of ``plan``, or None.

    Best is cheapest by default; with ``objective``, best by the rider's time with the
    added cost as a bounded tie-break (``Insertion.score``). Every screened position may be
    checked exactly (``max_checks`` caps that, for heuristics that prefer speed over
    completeness), so a None means no van and position keeps every constraint.

    ``problem.requests`` holds the requests already in the plan; ``request`` is new.
    ``vehicles`` restricts the vans tried; ``cache``, the caller's, keeps route data between
    calls: a ``RouteCache`` on the same problem, a ``RouteMemo`` across problems sharing
    routes (without one every route is timed afresh); ``blink`` > 0 skips each candidate
    position with that probability (drawn from ``rng``), the randomisation of SISR's
    recreate step.
    """
    return best_insertions(problem, plan, [request], travel, vehicles, cache, blink, rng,
                           objective, max_checks)[0]


def best_insertions(
    problem: Problem,
    plan: Plan,
    requests_new: Sequence[Request],
    travel: TravelTimeSource,
    vehicles: Collection[str] | None = None,
    cache: RouteCache | RouteMemo | None = None,
    blink: float = 0.0,
    rng: random.Random | None = None,
    objective: RiderObjective | None = None,
    max_checks: int | None = None,
) -> list[Insertion | None]:
    """``best_insertion`` of each of several variants of one new request (the same id, other
    places or windows: a rider's candidate meeting points), sharing the route data and the
    travel rows: one row and one column per distinct new location, fetched once."""
    if not requests_new:
        return []
    fitting = [v for v in problem.vehicles
               if (vehicles is None or v.id in vehicles)
               and any(_fits(v, r) for r in requests_new)]
    if not fitting:
        return [None] * len(requests_new)
    # Route data depends on the planned requests only (the new one is in no route yet).
    requests: Mapping[str, Request] = _WithNew(problem.requests, requests_new[0])
    routes: dict[str, _RouteData] = {}
    missing: list[tuple[Vehicle, Route]] = []
    for v in fitting:
        route_obj = plan.route(v.id)
        found = cache.get(travel, problem.weights, v, route_obj, requests) \
            if cache is not None else None
        if found is None:
            missing.append((v, route_obj))
        else:
            routes[v.id] = found
    if missing:
        all_legs = leg_durations(travel, [leg for v, r in missing
                                          for leg in route_legs(v, requests, r.stops)])
        k = 0
        for v, route_obj in missing:
            stops = route_obj.stops
            legs = all_legs[k : k + len(stops) + 1]
            k += len(stops) + 1
            routes[v.id] = _route_data(v, stops, requests, legs)
            if cache is not None:
                cache.put(travel, problem.weights, v, route_obj, requests, routes[v.id])
    # One row and one column per new location, over every location of the candidate routes.
    locs: list[Location] = []
    offset: dict[str, int] = {}
    for v in fitting:
        offset[v.id] = len(locs)
        locs += routes[v.id].points
    news: list[Location] = []
    for r in requests_new:
        for loc in (r.origin, r.destination):
            if loc not in news:
                news.append(loc)
    rows = travel.durations(news, [*locs, *news]).tolist()
    cols = travel.durations(locs, news).tolist()
    return [_best_of(problem, routes, [v for v in fitting if _fits(v, r)], offset, r,
                     rows, cols, news.index(r.origin), news.index(r.destination), len(locs),
                     blink, rng, objective, max_checks)
            for r in requests_new]


def _best_of(problem: Problem, routes: Mapping[str, _RouteData], fleet: Sequence[Vehicle],
             offset: Mapping[str, int], request: Request, rows: list[list[int]],
             cols: list[list[int]], a: int, b: int, n_locs: int, blink: float,
             rng: random.Random | None, objective: RiderObjective | None,
             max_checks: int | None) -> Insertion | None:
    """The best insertion of one request on prepared routes; ``rows[a]``/``rows[b]`` are
    its origin's and destination's rows, ``cols[.][a]``/``[b]`` their columns."""
    o_to_d = int(rows[a][n_locs + b])
    candidates: list[_Candidate] = []
    index_of: dict[str, list[int]] = {}
    for v in fleet:
        idx = list(range(offset[v.id], offset[v.id] + len(routes[v.id].points)))
        index_of[v.id] = idx
        candidates += _screen_vehicle(
            problem, routes[v.id], request,
            to_o=[cols[x][a] for x in idx], to_d=[cols[x][b] for x in idx],
            from_o=[rows[a][x] for x in idx], from_d=[rows[b][x] for x in idx],
            o_to_d=o_to_d,
        )
    if objective is None:
        candidates.sort(key=lambda c: (c.estimate, c.vehicle_id, c.pickup_index,
                                       c.dropoff_index))
    else:
        candidates.sort(key=lambda c: (_bound(objective, c), c.vehicle_id, c.pickup_index,
                                       c.dropoff_index))
    best: Insertion | None = None
    # Rider mode ranks on the exact earliest schedule (cheap); only the winner gets the
    # evaluator's planned timing (eight-step), for its cost and times.
    ranked: tuple[float, _RouteData, TimedSequence, int, int, float] | None = None
    for checked, cand in enumerate(candidates):
        if max_checks is not None and checked >= max_checks:
            break
        if objective is None and best is not None and cand.estimate >= best.score:
            break
        if objective is not None and ranked is not None and _bound(objective, cand) >= ranked[0]:
            break
        if blink and rng is not None and rng.random() < blink:
            continue
        route = routes[cand.vehicle_id]
        v = route.vehicle
        i, j = cand.pickup_index, cand.dropoff_index
        idx = index_of[v.id]
        legs = route.legs
        if i == j:
            new_legs = [*legs[:i], cols[idx[i]][a], o_to_d, rows[b][idx[i + 1]], *legs[i + 1:]]
        else:
            new_legs = [*legs[:i], cols[idx[i]][a], rows[a][idx[i + 1]], *legs[i + 1 : j],
                        cols[idx[j]][b], rows[b][idx[j + 1]], *legs[j + 1 :]]
        seq = _spliced(route.seq, request, i, j, new_legs)
        p_pos = i + 1
        if objective is not None:
            exact = earliest_feasible(seq)
            if exact is None:
                continue
            if route.base_rider_cost is None:
                base = earliest_feasible(route.seq)
                route.base_rider_cost = _schedule_cost(problem, route.seq, base) \
                    if base is not None else 0.0
            rider, starts = exact[p_pos], exact
            if objective.latest:
                later = _latest_pickup(seq, p_pos, rider, cand.pickup_high,
                                       objective.resolution)
                if later is not None:
                    rider, starts = later
            delta = _schedule_cost(problem, seq, starts) - route.base_rider_cost
            score = objective.score(rider, delta)
            if ranked is None or score < ranked[0]:
                ranked = (score, route, seq, i, j, rider)
            continue
        if route.base_cost is None:
            before = sequence_cost(problem, route.seq)
            route.base_cost = before[0] if before is not None else 0.0
        after = sequence_cost(problem, seq)
        if after is None:
            continue
        cost, starts = after
        delta = cost - route.base_cost
        d_index = i + 1 if i == j else j + 1
        if best is None or delta < best.score:
            best = Insertion(v.id, i, d_index, delta, round(starts[p_pos]),
                             round(starts[d_index + 1]), delta, round(starts[p_pos]))
    if ranked is not None:
        best = _planned(problem, ranked)
    return best


def _schedule_cost(problem: Problem, seq: TimedSequence, starts: Sequence[float]) -> float:
    """Travel + weighted ride cost of ``seq`` on the given start times."""
    w = problem.weights
    ride = sum(starts[d] - starts[p] - seq.service[p] for p, d, _ in seq.rides)
    return w.travel_time * sum(seq.travel) + w.ride_time * ride


def _planned(problem: Problem,
             ranked: tuple[float, _RouteData, TimedSequence, int, int, float]) -> Insertion:
    """The rider-mode winner with the evaluator's planned times and cost (for a latest
    pickup: the plan with the pickup starting no earlier than that)."""
    score, route, seq, i, j, rider = ranked
    p_pos, d_index = i + 1, (i + 1 if i == j else j + 1)
    planned_seq = seq
    if rider > seq.earliest[p_pos]:
        e = list(seq.earliest)
        e[p_pos] = rider
        planned_seq = replace(seq, earliest=e)
    if route.base_cost is None:
        before = sequence_cost(problem, route.seq)
        route.base_cost = before[0] if before is not None else 0.0
    found = sequence_cost(problem, planned_seq) or sequence_cost(problem, seq)
    if found is None:  # the exact earliest schedule exists, so the evaluator finds one
        starts = earliest_feasible(seq) or [0.0] * len(seq.earliest)
        cost = _schedule_cost(problem, seq, starts)
    else:
        cost, starts = found
    return Insertion(route.vehicle.id, i, d_index, cost - route.base_cost,
                     round(starts[p_pos]), round(starts[d_index + 1]), score, round(rider))


def _bound(objective: RiderObjective, cand: _Candidate) -> float:
    """A lower bound on the candidate's score: its pickup bound with no cost term (the cost
    estimate is no bound: the exact schedule may shorten rides by delaying pickups)."""
    return -cand.pickup_high if objective.latest else cand.pickup_low


def _latest_pickup(seq: TimedSequence, pos: int, low: float, high: float,
                   resolution: int) -> tuple[float, list[float]] | None:
    """The latest start of the pickup at ``pos`` (to ``resolution`` seconds, at most
    ``high``) and the earliest schedule when it may start no earlier; None when it cannot
    start later than ``low``.

    Feasibility falls as the pickup moves later (every later stop is pushed), so a bisection
    over its earliest start finds the last feasible moment.
    """

    def at(t: float) -> list[float] | None:
        e = list(seq.earliest)
        e[pos] = t
        return earliest_feasible(replace(seq, earliest=e))

    if high <= low + resolution:
        return None
    top = at(high)
    if top is not None:
        return high, top
    best: tuple[float, list[float]] | None = None
    lo, hi = low, high
    while hi - lo > resolution:
        mid = (lo + hi) / 2
        found = at(mid)
        if found is None:
            hi = mid
        else:
            lo, best = mid, (mid, found)
    return best


class _WithNew(Mapping[str, Request]):
    """The plan's requests plus the new one, without copying the mapping."""

    def __init__(self, base: Mapping[str, Request], new: Request) -> None:
        self.base, self.new = base, new

    def __getitem__(self, key: str) -> Request:
        return self.new if key == self.new.id else self.base[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield from self.base
        if self.new.id not in self.base:
            yield self.new.id

    def __len__(self) -> int:
        return len(self.base) + (self.new.id not in self.base)

    def __contains__(self, key: object) -> bool:
        return key == self.new.id or key in self.base
