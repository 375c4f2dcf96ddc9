"""The one plan evaluator: timing, feasibility and cost of a plan.

Timing of a route with a fixed stop order follows Cordeau & Laporte's eight-step scheme:
earliest arrival with waiting allowed, then the departure from the start and every pickup
is delayed within its forward time slack, so that riders do not sit waiting on board and
the route is as short as it can be. That scheme is a heuristic for ride-time limits; when
it leaves a ride-time or duration violation, the exact check (the route's constraints are
difference constraints, solved by Bellman-Ford) decides, and its earliest feasible
schedule is used if there is one. The same code, on floats, recomputes
benchmark schedules in double precision.

Driver breaks (``Vehicle.break_``): the van must be stopped for ``duration`` seconds in one
gap between two consecutive positions of its route (start, stops, end), starting inside
the break window; the gap then has to hold the travel leg plus the break, and waiting the
van would do anyway counts toward it. Riders may be on board (the break then lengthens
their ride, which the ride limits and the cost see). The break is not allowed before the
route starts or after it ends, and it applies to an empty route too. For one chosen gap the
constraints stay difference constraints (a longer leg, a later earliest start after the
gap, an earlier latest departure before it), so every gap that can hold the break is timed
exactly and the one with the least ride time is kept. A van with no break pays nothing for
this: its sequence carries no break and takes the same path as before.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from maas.domain import Location, Plan, Problem, Request, Stop, StopKind, Vehicle
from maas.travel import TravelTimeSource

ViolationKind = Literal[
    "pickup_window",
    "dropoff_window",
    "ride_time",
    "seats",
    "wheelchairs",
    "cargo",
    "shift",
    "duration",
    "precedence",
    "onboard",
    "lock",
    "unknown_request",
    "break",
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
    """A stop with its times and the load on board after it (cargo in kg and litres)."""

    stop: Stop
    arrival: int
    start: int
    departure: int
    load_seats: int
    load_wheelchairs: int
    load_kg: int = 0
    load_litres: int = 0


@dataclass(frozen=True, slots=True)
class ScheduledBreak:
    """Where a van's driver break falls: after the first ``after`` stops of its route
    (0: between the start and the first stop; len(stops): between the last stop and the
    end), from ``start`` to ``end``. The van starts the break as soon as it may (at its
    departure or at the window's opening); a break that begins before the van could reach
    the next stop is taken on the way and delays that stop's ``arrival`` by its length.
    """

    after: int
    start: int
    end: int


@dataclass(frozen=True)
class PlanReport:
    """Everything the evaluator found out about a plan (``breaks``: the placed driver
    break of each van that has one and whose route can hold it)."""

    feasible: bool
    violations: tuple[Violation, ...]
    schedules: Mapping[str, tuple[ScheduledStop, ...]]
    travel_seconds: int
    ride_seconds: int
    rejected: int
    cost: float
    breaks: Mapping[str, ScheduledBreak] = field(default_factory=dict)


# --------------------------------------------------------------------------------------
# Timing of one fixed sequence (generic over int seconds and float benchmark units)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimedSequence:
    """A fixed visiting order as numbers: position 0 is the start, position n+1 the end.

    ``travel[i]`` is the leg from position i to i+1; ``rides`` holds ``(pickup position,
    drop-off position, limit)``: start(drop) - start(pickup) - service(pickup) <= limit.
    ``max_duration`` bounds end - start. ``rest`` is the driver break as (window earliest,
    window latest, duration), or ``None``: with it, the timing functions below choose the
    gap that holds the break (see ``schedule_with_break``).
    """

    earliest: Sequence[float]
    latest: Sequence[float]
    service: Sequence[float]
    travel: Sequence[float]
    rides: Sequence[tuple[int, int, float]]
    max_duration: float = NO_LIMIT
    rest: tuple[float, float, float] | None = None


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

    With a driver break, the earliest-ending schedule over the gaps that can hold it.
    """
    if seq.rest is not None:
        best: list[float] | None = None
        for gap in break_gaps(seq):
            starts = earliest_feasible(break_after(seq, gap))
            if starts is not None and (best is None or starts[-1] < best[-1]):
                best = starts
        return best
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
    With a driver break, the schedule of the gap ``schedule_with_break`` picks.
    """
    if seq.rest is not None:
        starts, ok, _ = schedule_with_break(seq, tol)
        return starts, ok
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


def break_after(seq: TimedSequence, gap: int) -> TimedSequence:
    """The sequence (without a break) whose constraints say: the break falls between
    positions ``gap`` and ``gap + 1``.

    Break start b with max(departure(gap), window start) <= b <= min(window end,
    start(gap + 1) - duration), and the gap holds travel + duration. Exactly: the leg
    grows by the duration, position gap + 1 starts no earlier than window start +
    duration, and position ``gap`` departs no later than the window end.
    """
    assert seq.rest is not None
    w_early, w_late, duration = seq.rest
    earliest, latest, travel = list(seq.earliest), list(seq.latest), list(seq.travel)
    travel[gap] += duration
    earliest[gap + 1] = max(earliest[gap + 1], w_early + duration)
    latest[gap] = min(latest[gap], w_late - seq.service[gap])
    return replace(seq, earliest=earliest, latest=latest, travel=travel, rest=None)


def break_gaps(seq: TimedSequence) -> list[int]:
    """The gaps that may hold the break: the earliest departure before the gap is not after
    the window's end, and the latest start after it leaves room for the whole break (both
    bounds ignore ride limits, so no feasible gap is ever left out)."""
    assert seq.rest is not None
    w_early, w_late, duration = seq.rest
    e, lat, s, t = seq.earliest, seq.latest, seq.service, seq.travel
    n = len(e)
    late = list(lat)
    for k in range(n - 2, -1, -1):
        late[k] = min(lat[k], late[k + 1] - s[k] - t[k])
    early = _earliest_only(seq)
    return [g for g in range(n - 1)
            if early[g] + s[g] <= w_late and late[g + 1] >= w_early + duration]


def schedule_with_break(seq: TimedSequence, tol: float = 0.0
                        ) -> tuple[list[float], bool, int | None]:
    """Start times, feasibility and the gap of the break for a sequence with a break.

    The break only adds constraints, so the schedule without it comes first: infeasible,
    it settles the matter; with a gap that already holds the break (waiting time enough),
    the break costs nothing and goes into the first such gap. Otherwise every gap that may
    hold the break is timed exactly (``schedule_sequence`` on ``break_after``) and the
    feasible one with the least total ride time wins, the earliest gap on ties. With none,
    the times ignoring the break, ``False`` and ``None``.
    """
    plain, ok = schedule_sequence(replace(seq, rest=None), tol)
    if not ok:
        return plain, False, None
    free = _gap_with_room(seq, plain, tol)
    if free is not None:
        return plain, True, free
    best: tuple[float, int, list[float]] | None = None
    for gap in break_gaps(seq):
        starts, ok = schedule_sequence(break_after(seq, gap), tol)
        if not ok:
            continue
        ride = sum(starts[d] - starts[p] - seq.service[p] for p, d, _ in seq.rides)
        if best is None or ride < best[0]:
            best = (ride, gap, starts)
    if best is None:
        return plain, False, None
    return best[2], True, best[1]


def _gap_with_room(seq: TimedSequence, starts: Sequence[float], tol: float) -> int | None:
    """The first gap of a schedule that holds the break as it stands, if any."""
    assert seq.rest is not None
    w_early, w_late, duration = seq.rest
    s, t = seq.service, seq.travel
    for g in range(len(starts) - 1):
        leave = starts[g] + s[g]
        begin = leave if leave > w_early else w_early
        if (begin <= w_late + tol and begin + duration <= starts[g + 1] + tol
                and starts[g + 1] - leave - t[g] >= duration - tol):
            return g
    return None


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
    brk = vehicle.break_
    rest = None if brk is None else (brk.window.earliest, brk.window.latest, brk.duration)
    if vehicle.max_duration is not None:
        if vehicle.position is not None:  # on the road already: the shift began at its start
            end_latest = min(end_latest, vehicle.shift.earliest + vehicle.max_duration)
        else:
            max_duration = vehicle.max_duration
    earliest.append(0)
    latest.append(end_latest)
    service.append(0)
    return TimedSequence(earliest, latest, service, list(travel), rides, max_duration,
                         rest)


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


def _place_break(vehicle: Vehicle, seq: TimedSequence, starts: Sequence[int],
                 gap: int | None) -> tuple[ScheduledBreak | None, list[Violation]]:
    """The break of a van in ``gap`` of its schedule, or the violation of a missing one."""
    brk = vehicle.break_
    if brk is None:
        return None, []
    if gap is None:
        detail = (f"no gap of its route holds a {brk.duration} s break starting in "
                  f"[{brk.window.earliest}, {brk.window.latest}]")
        return None, [Violation("break", vehicle.id, detail)]
    start = max(starts[gap] + int(seq.service[gap]), brk.window.earliest)
    return ScheduledBreak(gap, start, start + brk.duration), []


def _route_report(
    problem: Problem, vehicle: Vehicle, stops: Sequence[Stop], legs: Sequence[int]
) -> tuple[list[ScheduledStop], list[Violation], int, ScheduledBreak | None]:
    """Schedule, violations, ride seconds and placed break of one structurally sound route.

    A route that cannot hold its van's break is timed without it; the break violation is
    reported only when that timing is otherwise feasible (else its own violations say why).
    """
    requests = problem.requests
    seq = route_sequence(vehicle, requests, stops, legs)
    gap: int | None = None
    if seq.rest is None:
        starts_f, _ = schedule_sequence(seq)
    else:
        starts_f, _, gap = schedule_with_break(seq)
    starts = [round(b) for b in starts_f]
    placed, violations = _place_break(vehicle, seq, starts, gap)
    seats = sum(requests[r].passengers for r in vehicle.onboard if r in requests)
    chairs = sum(requests[r].wheelchairs for r in vehicle.onboard if r in requests)
    kg = sum(requests[r].cargo_kg for r in vehicle.onboard if r in requests)
    litres = sum(requests[r].cargo_litres for r in vehicle.onboard if r in requests)
    scheduled: list[ScheduledStop] = []
    pickup_end: dict[str, int] = {}
    ride_seconds = 0
    for pos, stop in enumerate(stops, start=1):
        req = requests[stop.request_id]
        arrival = starts[pos - 1] + int(seq.service[pos - 1]) + legs[pos - 1]
        if placed is not None and placed.after == pos - 1 and placed.start < arrival:
            arrival += placed.end - placed.start  # the break taken on the way
        start = starts[pos]
        if stop.kind is StopKind.PICKUP:
            seats += req.passengers
            chairs += req.wheelchairs
            kg += req.cargo_kg
            litres += req.cargo_litres
            window, kind = req.pickup, "pickup_window"
            pickup_end[req.id] = start + req.board
            departure = start + req.board
        else:
            seats -= req.passengers
            chairs -= req.wheelchairs
            kg -= req.cargo_kg
            litres -= req.cargo_litres
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
        if kg > vehicle.type.cargo_kg or litres > vehicle.type.cargo_litres:
            violations.append(Violation("cargo", vehicle.id,
                                        f"{kg} kg / {litres} l of cargo > "
                                        f"{vehicle.type.cargo_kg} kg / "
                                        f"{vehicle.type.cargo_litres} l at {stop.kind} of "
                                        f"{req.id}"))
        scheduled.append(ScheduledStop(stop, arrival, start, departure, seats, chairs, kg,
                                       litres))
    if starts[-1] > seq.latest[-1]:
        violations.append(Violation("shift", vehicle.id,
                                    f"ends at {starts[-1]}, after {int(seq.latest[-1])}"))
    if starts[0] > seq.latest[0]:
        violations.append(Violation("shift", vehicle.id, "starts after the shift ends"))
    if starts[-1] - starts[0] > seq.max_duration:
        violations.append(Violation("duration", vehicle.id,
                                    f"route lasts {starts[-1] - starts[0]} s > "
                                    f"{int(seq.max_duration)} s"))
    if gap is None and vehicle.break_ is not None and len(violations) > 1:
        violations.pop(0)  # timed without the break and already infeasible: say why instead
    return scheduled, violations, ride_seconds, placed


def evaluate(problem: Problem, plan: Plan, travel: TravelTimeSource) -> PlanReport:
    """Timing, feasibility and cost of ``plan`` for ``problem`` on ``travel``.

    A van's route starts at its start location at its start time and ends at its end
    location by the end of its shift; requests on board have only their drop-off in the
    route; locked stops must come first. A van with a driver break must fit it into one
    gap of its route (see the module docstring); ``PlanReport.breaks`` says where it falls,
    a "break" violation that it does not fit. Cost = travel_time x travel seconds +
    ride_time x ride seconds + rejection x requests not served.
    """
    violations = _structure_violations(problem, plan)
    vehicles = {v.id: v for v in problem.vehicles}
    schedules: dict[str, tuple[ScheduledStop, ...]] = {}
    breaks: dict[str, ScheduledBreak] = {}
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
        scheduled, route_violations, rides, placed = _route_report(problem, vehicle, stops,
                                                                   legs)
        schedules[vehicle.id] = tuple(scheduled)
        if placed is not None:
            breaks[vehicle.id] = placed
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
        breaks=breaks,
    )
