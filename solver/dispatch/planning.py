"""The planning view of a state: the ``Problem`` the solver and evaluator see at a moment,
and small pure edits of plans (remove a request, lock a head stop)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace

from maas.domain import Plan, Problem, Request, Route, Stop, StopKind, TimeWindow, Vehicle
from maas.evaluation import PlanReport, evaluate, stop_location
from maas.travel import TravelTimeSource
from solver.dispatch.policy import DispatchPolicy
from solver.dispatch.state import Booking, BookingStatus, DispatchState


def planning_request(booking: Booking, arrived_at: int | None = None,
                     no_show_wait: int = 0) -> Request:
    """The request the planner must honour for ``booking``.

    For a rider on board, the ride-time promise becomes a drop-off deadline counted from the
    reported pickup (the plan no longer holds the pickup stop the evaluator would measure
    from). While a van stands at the pickup (``arrived_at``), it may have to wait for the
    rider until the no-show wait is over: the plan reserves that wait as boarding time, and
    the drop-off deadline stays the one the original boarding time gives. The ride counts
    from the arrival (the rider may board at once), or from ``booking.board_from`` when the
    dispatcher held an early van's boarding to the plan's time (``Dispatcher``: "arrived").
    """
    r = booking.request
    if booking.return_to is not None:  # a parcel nobody took: it rides back
        return replace(r, destination=booking.return_to,
                       dropoff=TimeWindow(min(r.dropoff.earliest, booking.return_by),
                                          booking.return_by))
    if booking.status is BookingStatus.ONBOARD and booking.picked_up_at is not None:
        latest = min(r.dropoff.latest, booking.picked_up_at + r.max_ride)
        latest = max(latest, booking.picked_up_at)
        return replace(r, dropoff=TimeWindow(min(r.dropoff.earliest, latest), latest))
    if booking.status is BookingStatus.CONFIRMED and arrived_at is None:
        return no_show_reserve(r, no_show_wait)
    if arrived_at is not None and booking.status is BookingStatus.CONFIRMED:
        begin = max(arrived_at, r.pickup.earliest)
        pickup = r.pickup
        if booking.board_from is not None and booking.board_from > begin:
            # Held: the rider boards at the plan's time, not on the van's early arrival.
            begin = min(booking.board_from, r.pickup.latest)
            pickup = TimeWindow(begin, r.pickup.latest)
        board = max(r.board, no_show_deadline(r, arrived_at, no_show_wait) - begin)
        latest = max(min(r.dropoff.latest, begin + r.board + r.max_ride), begin + board)
        return replace(r, pickup=pickup, board=board, max_ride=r.max_ride + board - r.board,
                       dropoff=TimeWindow(min(r.dropoff.earliest, latest), latest))
    return r


class PlanningCache:
    """Planning requests remembered between calls, owned by whoever plans repeatedly (the
    ``Dispatcher`` holds one for its life: a service day in the API, a run in the simulator).

    Bookings are immutable and shared between successive states (also across Redis round
    trips through the API's codec), so the offer hot path can build its problem without
    re-deriving hundreds of requests: requests are kept by booking identity (holding the
    booking itself, so that an id is never reused while cached), and the last state's whole
    request map by the identity of its bookings and arrivals. Not thread-safe; a cache is
    never shared between processes.
    """

    def __init__(self, max_entries: int = 100_000) -> None:
        self._planned: dict[tuple[int, int], tuple[Booking, Request]] = {}
        self._max = max_entries
        self._last: tuple[object, object, int, dict[str, Request]] | None = None

    def active_requests(self, state: DispatchState, wait: int) -> dict[str, Request]:
        """Planning requests of the active bookings (shared: callers must not modify it)."""
        if self._last is not None:
            bookings, arrivals, w, requests = self._last
            if bookings is state.bookings and arrivals is state.arrivals and w == wait:
                return requests
        arrived = state.arrivals
        requests = {
            b.id: planning_request(b, arrived[b.id], wait) if b.id in arrived
            else self._request(b, wait)
            for b in state.bookings.values() if b.active and not b.waiting
        }
        self._last = (state.bookings, state.arrivals, wait, requests)
        return requests

    def _request(self, booking: Booking, wait: int) -> Request:
        key = (id(booking), wait)
        hit = self._planned.get(key)
        if hit is not None and hit[0] is booking:
            return hit[1]
        if len(self._planned) >= self._max:
            self._planned.clear()
        request = planning_request(booking, None, wait)
        self._planned[key] = (booking, request)
        return request


def active_requests(state: DispatchState, wait: int) -> dict[str, Request]:
    """Planning requests of the active bookings, derived afresh."""
    arrived = state.arrivals
    return {b.id: planning_request(b, arrived.get(b.id), wait)
            for b in state.bookings.values() if b.active and not b.waiting}


def no_show_reserve(request: Request, wait: int) -> Request:
    """The planning version of a pickup no van has reached yet.

    A van may have to wait for a rider until ``wait`` seconds after the window opens
    (``no_show_deadline``). Planning the pickup to start no earlier than that moment minus
    the boarding time means the van leaves no later than planned whether the rider boards or
    never comes, so a no-show cannot make the van late for anyone else. The rider's promise
    (the request itself) is unchanged.
    """
    reserve = max(0, wait - request.board)
    if reserve == 0 or request.is_parcel:  # a parcel is handed over, nobody is late
        return request
    earliest = min(request.pickup.earliest + reserve, request.pickup.latest)
    return replace(request, pickup=TimeWindow(earliest, request.pickup.latest))


def no_show_deadline(request: Request, arrived_at: int, wait: int) -> int:
    """When a van at the pickup may report a no-show: ``wait`` seconds after the window
    opens (the rider was told the window), and not before the van arrived."""
    return max(arrived_at, request.pickup.earliest + wait)


def view_vehicle(vehicle: Vehicle, route: Route, now: int, silent: bool = False,
                 standing: bool = False) -> Vehicle:
    """The van as a planner at ``now`` must see it.

    A van whose next stop is not locked (it has not set off towards it) is waiting where it
    is, so it cannot start before ``now``; so is a van ``standing`` at its locked next stop
    (it reported being there and waits for the planned time to begin it). A van heading for
    a locked stop keeps its reported clock, unless it has gone silent: then it is judged
    from the elapsed time, as if it were still where it last reported, at ``now``.
    """
    if route.stops and route.stops[0].locked and not silent and not standing:
        return vehicle
    if vehicle.start_time >= now:
        return vehicle
    return replace(vehicle, available_at=now)


def without_passed_break(vehicle: Vehicle, now: int) -> Vehicle:
    """The van without its driver break once the break window has closed (its latest start
    is before ``now``): the break then lies behind the van, taken in a gap already driven
    (plans placed it there) or no longer possible, and the route ahead cannot hold it."""
    brk = vehicle.break_
    if brk is not None and brk.window.latest < now:
        return replace(vehicle, break_=None)
    return vehicle


def planning_problem(
    state: DispatchState,
    policy: DispatchPolicy,
    now: int | None,
    extra: Iterable[Request] = (),
    cache: PlanningCache | None = None,
) -> Problem:
    """The problem of every active booking (plus ``extra`` requests) on the vans at ``now``
    (``None``: the vans' clocks exactly as reported, the view promises are judged in).
    ``cache``, the caller's, saves re-deriving the requests of bookings seen before."""
    wait = policy.no_show_wait
    requests = (cache.active_requests(state, wait) if cache is not None
                else active_requests(state, wait))
    extra = list(extra)
    if extra:
        requests = {**requests, **{r.id: r for r in extra}}
    routes = {r.vehicle_id: r for r in state.plan.routes}
    if now is None:
        vehicles = tuple(without_passed_break(v, state.now) for v in state.vehicles)
    else:
        vehicles = tuple(
            without_passed_break(
                view_vehicle(v, routes.get(v.id, Route(v.id)), now, v.id in state.silent,
                             _standing(v, routes.get(v.id), requests, state.arrivals)), now)
            for v in state.vehicles
        )
    return Problem(requests=requests, vehicles=vehicles, weights=policy.weights)


def _standing(vehicle: Vehicle, route: Route | None, requests: Mapping[str, Request],
              arrivals: Mapping[str, int]) -> bool:
    """Whether the van reported being at its next stop without having begun it (an early
    van waiting for the plan's time): it is not driving, so its clock is ``now``."""
    if route is None or not route.stops or not route.stops[0].locked \
            or vehicle.position is None:
        return False  # only a locked head stop is judged on the van's clock
    head = route.stops[0]
    req = requests.get(head.request_id)
    if req is None or head.request_id in arrivals:
        return False
    return vehicle.position == stop_location(req, head)


def route_problem(problem: Problem, plan: Plan, vehicle_id: str) -> tuple[Problem, Plan]:
    """The sub-problem of one van: its route, its riders on board, nothing else."""
    route = plan.route(vehicle_id)
    vehicle = problem.vehicle(vehicle_id)
    ids = {s.request_id for s in route.stops} | set(vehicle.onboard)
    requests = {rid: problem.requests[rid] for rid in ids if rid in problem.requests}
    sub = Problem(requests=requests, vehicles=(vehicle,), weights=problem.weights)
    return sub, Plan(routes=(route,))


def sub_plan_of(plan: Plan, vehicle_ids: Iterable[str]) -> Plan:
    """The routes of ``vehicle_ids`` only, in that order."""
    return Plan(tuple(plan.route(vid) for vid in vehicle_ids))


def evaluate_route(
    problem: Problem, plan: Plan, vehicle_id: str, travel: TravelTimeSource
) -> PlanReport:
    """``evaluate`` restricted to one van (cheap: about 20 stops instead of the fleet's)."""
    sub, sub_plan = route_problem(problem, plan, vehicle_id)
    return evaluate(sub, sub_plan, travel)


def without_request(
    plan: Plan, request_id: str, kinds: Iterable[StopKind] = tuple(StopKind)
) -> Plan:
    """The plan with the given stops of ``request_id`` removed."""
    drop = set(kinds)
    routes = tuple(
        Route(r.vehicle_id, tuple(s for s in r.stops
                                  if not (s.request_id == request_id and s.kind in drop)))
        if any(s.request_id == request_id for s in r.stops) else r
        for r in plan.routes
    )
    return replace(plan, routes=routes)


def lock_head(plan: Plan, vehicle_id: str) -> Plan:
    """The plan with the first stop of ``vehicle_id`` locked (the van is on its way to it)."""
    routes = []
    for r in plan.routes:
        if r.vehicle_id == vehicle_id and r.stops and not r.stops[0].locked:
            head = Stop(r.stops[0].request_id, r.stops[0].kind, locked=True)
            r = Route(r.vehicle_id, (head, *r.stops[1:]))
        routes.append(r)
    return replace(plan, routes=tuple(routes))


def replace_vehicle(vehicles: tuple[Vehicle, ...], vehicle: Vehicle) -> tuple[Vehicle, ...]:
    """The fleet with ``vehicle`` in place of the van with the same id."""
    return tuple(vehicle if v.id == vehicle.id else v for v in vehicles)


def changed_vehicles(before: Plan, after: Plan) -> tuple[str, ...]:
    """Ids of the vans whose stop sequence differs between two plans (fleet order)."""
    old: Mapping[str, Route] = {r.vehicle_id: r for r in before.routes}
    out = []
    for r in after.routes:
        prev = old.get(r.vehicle_id)
        if prev is None or _sequence(prev) != _sequence(r):
            out.append(r.vehicle_id)
    return tuple(out)


def _sequence(route: Route) -> tuple[tuple[str, StopKind], ...]:
    return tuple((s.request_id, s.kind) for s in route.stops)


def unserved_bookings(problem: Problem, plan: Plan) -> list[str]:
    """Requests of ``problem`` that no route of ``plan`` visits."""
    served = {s.request_id for r in plan.routes for s in r.stops}
    return sorted(rid for rid in problem.requests if rid not in served)


def at_risk(report: PlanReport, bookings: Collection[str]) -> dict[str, str]:
    """Booking id -> what the plan breaks for it (promise or ride time), from a report.

    Van-level violations (seats, shift) are charged to every booking on that van's route.
    """
    out: dict[str, str] = {}
    for v in report.violations:
        if v.subject in bookings:
            out.setdefault(v.subject, f"{v.kind}: {v.detail}")
        elif v.subject in report.schedules:
            for stop in report.schedules[v.subject]:
                out.setdefault(stop.stop.request_id, f"{v.kind} of {v.subject}: {v.detail}")
    return out


def with_vehicles(bookings: Mapping[str, Booking], plan: Plan) -> dict[str, Booking]:
    """Bookings with ``vehicle_id`` following the plan (re-planning may move riders)."""
    where = {s.request_id: r.vehicle_id for r in plan.routes for s in r.stops}
    out = dict(bookings)
    for bid, b in bookings.items():
        vid = where.get(bid)
        if b.active and vid is not None and vid != b.vehicle_id:
            out[bid] = replace(b, vehicle_id=vid)
    return out
