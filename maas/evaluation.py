"""The one plan evaluator: timing, feasibility and cost of a plan.

Timing of a route with a fixed stop order follows Cordeau & Laporte's eight-step scheme:
earliest arrival with waiting allowed, then the departure from the start and every pickup
is delayed within its forward time slack, so that riders do not sit waiting on board and
the route is as short as it can be. That scheme is a heuristic for ride-time limits; when
it leaves a ride-time or duration violation, the exact check (the route's constraints are
difference constraints, solved by Bellman-Ford) decides, and its earliest feasible
schedule is used if there is one. The same code, on floats, recomputes
benchmark schedules in double precision.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from maas.domain import Location, Plan, Problem, Request, Stop, StopKind, Vehicle
from maas.travel import TravelTimeSource

ViolationKind = Literal[
    "pickup_window",
    "dropoff_window",
    "ride_time",
    "seats",
    "wheelchairs",
    "shift",
    "duration",
    "precedence",
    "onboard",
    "lock",
    "unknown_request",
]

NO_LIMIT = 10**15



@dataclass(frozen=True, slots=True)
class Violation:
    """One broken promise or rule: what kind, about which request or van, and how."""

    kind: ViolationKind
    subject: str
    detail: str


@dataclass(frozen=True, slots=True)
class ScheduledStop:
    """A stop with its times and the load on board after it."""

    stop: Stop
    arrival: int
    start: int
    departure: int
    load_seats: int
    load_wheelchairs: int


@dataclass(frozen=True)
class PlanReport:
    """Everything the evaluator found out about a plan."""

    feasible: bool
    violations: tuple[Violation, ...]
    schedules: Mapping[str, tuple[ScheduledStop, ...]]
    travel_seconds: int
    ride_seconds: int
    rejected: int
    cost: float


# --------------------------------------------------------------------------------------
# Timing of one fixed sequence (generic over int seconds and float benchmark units)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimedSequence:
    """A fixed visiting order as numbers: position 0 is the start, position n+1 the end.

    ``travel[i]`` is the leg from position i to i+1; ``rides`` holds ``(pickup position,
    drop-off position, limit)``: start(drop) - start(pickup) - service(pickup) <= limit.
    ``max_duration`` bounds end - start.
    """

    earliest: Sequence[float]
    latest: Sequence[float]
    service: Sequence[float]
    travel: Sequence[float]
    rides: Sequence[tuple[int, int, float]]
    max_duration: float = NO_LIMIT


def _forward(seq: TimedSequence, starts: list[float], frm: int) -> None:
    """Recompute earliest starts after position ``frm`` (waiting allowed), in place."""
    e, s, t = seq.earliest, seq.service, seq.travel
    for i in range(frm + 1, len(e)):
        arrival = starts[i - 1] + s[i - 1] + t[i - 1]
        starts[i] = arrival if arrival > e[i] else e[i]


def _waits(seq: TimedSequence, starts: Sequence[float]) -> list[float]:
    e, s, t = seq.earliest, seq.service, seq.travel
    w = [0.0] * len(e)
    for i in range(1, len(e)):
        w[i] = starts[i] - (starts[i - 1] + s[i - 1] + t[i - 1])
    return w


def _forward_slack(seq: TimedSequence, starts: Sequence[float], waits: Sequence[float], i: int,
                   open_rides: Mapping[int, tuple[int, float]]) -> float:
    """Cordeau-Laporte forward slack of position ``i``: how far it can move without harm.

    ``open_rides`` maps a drop-off position to (pickup position, limit) for riders picked up
    before ``i``, whose ride time a delay would lengthen.
    """
    best = float(NO_LIMIT)
    cum = 0.0
    latest, service = seq.latest, seq.service
    for j in range(i, len(starts)):
        if j > i:
            cum += waits[j]
        room = latest[j] - starts[j]
        ride = open_rides.get(j)
        if ride is not None:
            p, limit = ride
            room = min(room, limit - (starts[j] - starts[p] - service[p]))
        best = min(best, cum + max(room, 0.0))
    return best


def eight_step(seq: TimedSequence) -> list[float]:
    """Start times by the eight-step scheme (may still break ride limits: check them)."""
    n = len(seq.earliest)
    starts = [0.0] * n
    starts[0] = seq.earliest[0]
    _forward(seq, starts, 0)
    if any(starts[i] > seq.latest[i] for i in range(n)):
        return starts  # windows broken even at the earliest: nothing to gain by delays
    waits = _waits(seq, starts)
    f0 = _forward_slack(seq, starts, waits, 0, {})
    delay = min(f0, sum(waits[1:]))
    if delay > 0:
        starts[0] += delay
        _forward(seq, starts, 0)
    drop_of = {p: (d, lim) for p, d, lim in seq.rides}
    open_rides: dict[int, tuple[int, float]] = {}
    for j in range(1, n - 1):
        if j in drop_of:
            waits = _waits(seq, starts)
            slack = _forward_slack(seq, starts, waits, j, open_rides)
            delay = min(slack, sum(waits[j + 1 :]))
            if delay > 0:
                starts[j] += delay
                _forward(seq, starts, j)
            d, lim = drop_of[j]
            open_rides[d] = (j, lim)
    return starts


def earliest_feasible(seq: TimedSequence) -> list[float] | None:
    """The earliest schedule meeting every constraint exactly, or ``None`` if none exists.

    The constraints are difference constraints; this is Bellman-Ford on them, ordered so
    that one round is a forward pass (travel and waiting) followed by the backward pulls of
    ride-time limits and the duration limit on pickups and the start. Lower bounds only
    grow, so a start beyond its window end proves infeasibility; without a positive cycle
    the bounds settle within as many rounds as there are positions.
    """
    e, late, s, t = seq.earliest, seq.latest, seq.service, seq.travel
    n = len(e)
    low = list(e)
    starts = [0.0] * n
    for _ in range(n + 1):
        starts[0] = low[0]
        if starts[0] > late[0]:
            return None
        for i in range(1, n):
            arrival = starts[i - 1] + s[i - 1] + t[i - 1]
            starts[i] = arrival if arrival > low[i] else low[i]
            if starts[i] > late[i]:
                return None
        changed = False
        for p, d, lim in seq.rides:
            need = starts[d] - lim - s[p]
            if need > starts[p]:
                low[p] = need
                changed = True
        need = starts[-1] - seq.max_duration
        if need > starts[0]:
            low[0] = need
            changed = True
        if not changed:
            return starts
    return None


def timing_violations(seq: TimedSequence, starts: Sequence[float], tol: float = 0.0) -> list[str]:
    """Which constraints a schedule breaks: 'window:i', 'ride:p', 'duration', 'order:i'."""
    out: list[str] = []
    for i, b in enumerate(starts):
        if b > seq.latest[i] + tol or b < seq.earliest[i] - tol:
            out.append(f"window:{i}")
        if i > 0 and b < starts[i - 1] + seq.service[i - 1] + seq.travel[i - 1] - tol:
            out.append(f"order:{i}")
    for p, d, lim in seq.rides:
        if starts[d] - starts[p] - seq.service[p] > lim + tol:
            out.append(f"ride:{p}")
    if starts[-1] - starts[0] > seq.max_duration + tol:
        out.append("duration")
    return out


def schedule_sequence(seq: TimedSequence, tol: float = 0.0) -> tuple[list[float], bool]:
    """Start times for a fixed order and whether they meet every constraint.

    Eight-step first (short ride times); the exact earliest schedule if that fails on ride
    times or duration. An infeasible order returns the eight-step times (for reporting).
    """
    starts = eight_step(seq)
    broken = timing_violations(seq, starts, tol)
    if not broken:
        return starts, True
    if any(b.startswith("window") for b in broken) and starts == _earliest_only(seq):
        return starts, False  # time windows alone already fail at the earliest start
    exact = earliest_feasible(seq)
    if exact is not None and not timing_violations(seq, exact, tol):
        return exact, True
    return starts, False


def _earliest_only(seq: TimedSequence) -> list[float]:
    starts = [0.0] * len(seq.earliest)
    starts[0] = seq.earliest[0]
    _forward(seq, starts, 0)
    return starts


# --------------------------------------------------------------------------------------
# Travel legs, cached per travel source and version
# --------------------------------------------------------------------------------------

_LEG_CACHE: weakref.WeakKeyDictionary[object, tuple[int, dict[tuple[Location, Location], int]]]
_LEG_CACHE = weakref.WeakKeyDictionary()
_LEG_CACHE_MAX = 200_000


def leg_cache(travel: TravelTimeSource) -> dict[tuple[Location, Location], int]:
    """The leg-duration cache of ``travel`` at its current version."""
    version = travel.version
    try:
        entry = _LEG_CACHE.get(travel)
    except TypeError:  # not weak-referenceable: no cache across calls
        return {}
    if entry is None or entry[0] != version or len(entry[1]) > _LEG_CACHE_MAX:
        entry = (version, {})
        try:
            _LEG_CACHE[travel] = entry
        except TypeError:
            return entry[1]
    return entry[1]


def leg_durations(
    travel: TravelTimeSource, legs: Sequence[tuple[Location, Location]]
) -> list[int]:
    """Durations of the given legs, asking ``travel`` once for all the uncached ones."""
    cache = leg_cache(travel)
    missing = [leg for leg in dict.fromkeys(legs) if leg not in cache]
    if missing:
        origins = list(dict.fromkeys(a for a, _ in missing))
        dests = list(dict.fromkeys(b for _, b in missing))
        matrix = travel.durations(origins, dests)
        oi = {loc: i for i, loc in enumerate(origins)}
        di = {loc: i for i, loc in enumerate(dests)}
        for a, b in missing:
            cache[(a, b)] = int(matrix[oi[a], di[b]])
    return [cache[leg] for leg in legs]


# --------------------------------------------------------------------------------------
# Plans
# --------------------------------------------------------------------------------------


def stop_location(request: Request, stop: Stop) -> Location:
    """Where a stop happens."""
    return request.origin if stop.kind is StopKind.PICKUP else request.destination


def route_sequence(
    vehicle: Vehicle, requests: Mapping[str, Request], stops: Sequence[Stop], travel: Sequence[int]
) -> TimedSequence:
    """The timing constraints of a van's route (``travel``: its n+1 legs)."""
    earliest: list[float] = [vehicle.start_time]
    latest: list[float] = [vehicle.shift.latest]
    service: list[float] = [0]
    rides: list[tuple[int, int, float]] = []
    pickup_pos: dict[str, int] = {}
    for pos, stop in enumerate(stops, start=1):
        req = requests[stop.request_id]
        if stop.kind is StopKind.PICKUP:
            earliest.append(req.pickup.earliest)
            latest.append(req.pickup.latest)
            service.append(req.board)
            pickup_pos[req.id] = pos
        else:
            earliest.append(req.dropoff.earliest)
            latest.append(req.dropoff.latest)
            service.append(req.alight)
            if req.id in pickup_pos:
                rides.append((pickup_pos[req.id], pos, req.max_ride))
    end_latest = vehicle.shift.latest
    max_duration: float = NO_LIMIT
    if vehicle.max_duration is not None:
        if vehicle.position is not None:  # on the road already: the shift began at its start
            end_latest = min(end_latest, vehicle.shift.earliest + vehicle.max_duration)
        else:
            max_duration = vehicle.max_duration
    earliest.append(0)
    latest.append(end_latest)
    service.append(0)
    return TimedSequence(earliest, latest, service, list(travel), rides, max_duration)


def route_legs(
    vehicle: Vehicle, requests: Mapping[str, Request], stops: Sequence[Stop]
) -> list[tuple[Location, Location]]:
    """The n+1 legs of a route from the van's start to its end location."""
    points = [vehicle.start_location]
    points += [stop_location(requests[s.request_id], s) for s in stops]
    points.append(vehicle.end_location)
    return list(itertools.pairwise(points))


def _structure_violations(problem: Problem, plan: Plan) -> list[Violation]:
    """Unknown requests, pickups after drop-offs, split or duplicated requests, locks."""
    out: list[Violation] = []
    seen_on: dict[str, str] = {}
    known_vehicles = {v.id for v in problem.vehicles}
    for route in plan.routes:
        vid = route.vehicle_id
        if vid not in known_vehicles:
            out.append(Violation("shift", vid, "the plan routes a van that is not in the problem"))
            continue
        vehicle = problem.vehicle(vid)
        onboard = set(vehicle.onboard)
        picked: set[str] = set()
        dropped: set[str] = set()
        unlocked_seen = False
        for stop in route.stops:
            rid = stop.request_id
            if stop.locked and unlocked_seen:
                out.append(Violation("lock", rid, f"locked stop is not at the head of {vid}"))
            unlocked_seen = unlocked_seen or not stop.locked
            if rid not in problem.requests:
                out.append(Violation("unknown_request", rid, f"{vid} visits an unknown request"))
                continue
            other = seen_on.setdefault(rid, vid)
            if other != vid:
                out.append(Violation("precedence", rid, f"served by both {other} and {vid}"))
            if stop.kind is StopKind.PICKUP:
                if rid in onboard:
                    out.append(Violation("onboard", rid, f"already on board {vid}: no pickup"))
                elif rid in picked:
                    out.append(Violation("precedence", rid, "picked up twice"))
                picked.add(rid)
            else:
                if rid in dropped:
                    out.append(Violation("precedence", rid, "dropped off twice"))
                elif rid not in picked and rid not in onboard:
                    out.append(Violation("precedence", rid, "dropped off before its pickup"))
                dropped.add(rid)
        for rid in sorted(picked - dropped):
            out.append(Violation("precedence", rid, f"picked up by {vid} but never dropped off"))
        for rid in sorted(onboard - dropped):
            out.append(Violation("onboard", rid, f"on board {vid} but not dropped off by it"))
    for v in problem.vehicles:
        if v.id not in {r.vehicle_id for r in plan.routes}:
            out.extend(Violation("onboard", rid, f"on board {v.id}, which has no route")
                       for rid in v.onboard)
    return out


def _route_report(
    problem: Problem, vehicle: Vehicle, stops: Sequence[Stop], legs: Sequence[int]
) -> tuple[list[ScheduledStop], list[Violation], int]:
    """Schedule, violations and ride seconds of one structurally sound route."""
    requests = problem.requests
    seq = route_sequence(vehicle, requests, stops, legs)
    starts_f, _ = schedule_sequence(seq)
    starts = [round(b) for b in starts_f]
    violations: list[Violation] = []
    seats = sum(requests[r].passengers for r in vehicle.onboard if r in requests)
    chairs = sum(requests[r].wheelchairs for r in vehicle.onboard if r in requests)
    scheduled: list[ScheduledStop] = []
    pickup_end: dict[str, int] = {}
    ride_seconds = 0
    for pos, stop in enumerate(stops, start=1):
        req = requests[stop.request_id]
        arrival = starts[pos - 1] + int(seq.service[pos - 1]) + legs[pos - 1]
        start = starts[pos]
        if stop.kind is StopKind.PICKUP:
            seats += req.passengers
            chairs += req.wheelchairs
            window, kind = req.pickup, "pickup_window"
            pickup_end[req.id] = start + req.board
            departure = start + req.board
        else:
            seats -= req.passengers
            chairs -= req.wheelchairs
            window, kind = req.dropoff, "dropoff_window"
            departure = start + req.alight
            if req.id in pickup_end:
                ride = start - pickup_end[req.id]
                ride_seconds += ride
                if ride > req.max_ride:
                    violations.append(Violation("ride_time", req.id,
                                                f"ride {ride} s > limit {req.max_ride} s"))
        if not window.contains(start):
            violations.append(Violation(kind, req.id,  # type: ignore[arg-type]
                                        f"starts at {start}, window [{window.earliest}, "
                                        f"{window.latest}]"))
        if seats > vehicle.type.seats:
            violations.append(Violation("seats", vehicle.id,
                                        f"{seats} riders > {vehicle.type.seats} seats at "
                                        f"{stop.kind} of {req.id}"))
        if chairs > vehicle.type.wheelchair_places:
            violations.append(Violation("wheelchairs", vehicle.id,
                                        f"{chairs} wheelchairs > {vehicle.type.wheelchair_places}"
                                        f" places at {stop.kind} of {req.id}"))
        scheduled.append(ScheduledStop(stop, arrival, start, departure, seats, chairs))
    if starts[-1] > seq.latest[-1]:
        violations.append(Violation("shift", vehicle.id,
                                    f"ends at {starts[-1]}, after {int(seq.latest[-1])}"))
    if starts[0] > seq.latest[0]:
        violations.append(Violation("shift", vehicle.id, "starts after the shift ends"))
    if starts[-1] - starts[0] > seq.max_duration:
        violations.append(Violation("duration", vehicle.id,
                                    f"route lasts {starts[-1] - starts[0]} s > "
                                    f"{int(seq.max_duration)} s"))
    return scheduled, violations, ride_seconds


def evaluate(problem: Problem, plan: Plan, travel: TravelTimeSource) -> PlanReport:
    """Timing, feasibility and cost of ``plan`` for ``problem`` on ``travel``.

    A van's route starts at its start location at its start time and ends at its end
    location by the end of its shift; requests on board have only their drop-off in the
    route; locked stops must come first. Cost = travel_time x travel seconds + ride_time x
    ride seconds + rejection x requests not served.
    """
    violations = _structure_violations(problem, plan)
    vehicles = {v.id: v for v in problem.vehicles}
    schedules: dict[str, tuple[ScheduledStop, ...]] = {}
    travel_seconds = 0
    ride_seconds = 0
    served: set[str] = set()
    routes = [r for r in plan.routes if r.vehicle_id in vehicles]
    all_legs = [route_legs(vehicles[r.vehicle_id], problem.requests,
                           [s for s in r.stops if s.request_id in problem.requests])
                for r in routes]
    durations = leg_durations(travel, [leg for legs in all_legs for leg in legs])
    k = 0
    for route, legs_loc in zip(routes, all_legs, strict=True):
        vehicle = vehicles[route.vehicle_id]
        stops = [s for s in route.stops if s.request_id in problem.requests]
        legs = durations[k : k + len(legs_loc)]
        k += len(legs_loc)
        travel_seconds += sum(legs)
        served.update(s.request_id for s in stops)
        scheduled, route_violations, rides = _route_report(problem, vehicle, stops, legs)
        schedules[vehicle.id] = tuple(scheduled)
        violations.extend(route_violations)
        ride_seconds += rides
    rejected = sum(1 for rid in problem.requests if rid not in served)
    w = problem.weights
    cost = w.travel_time * travel_seconds + w.ride_time * ride_seconds + w.rejection * rejected
    return PlanReport(
        feasible=not violations,
        violations=tuple(violations),
        schedules=schedules,
        travel_seconds=travel_seconds,
        ride_seconds=ride_seconds,
        rejected=rejected,
        cost=cost,
    )
