"""The dial-a-ride core: a compiled large-neighbourhood search, with an OR-Tools routing
model beside it.

``solve`` takes required (promised) and optional requests, a penalty per optional request
and a warm start (``SolveParams``; the penalties live in ``solver.objective``). Vans without
driver breaks go to the compiled search (``solver.search``: exact route timing as the
evaluator's, O(1)-screened insertion, ruin operators, annealing, a local search on each new
best, fleet reduction when vans carry a fixed cost; optionally two searches on two cores,
``solver.parallel``); problems with a break take the Python path described
below. Either way the evaluator judges the plan returned.

The Python path and the model:

Model: one node per stop (riders on board have only their drop-off), a start and an end
node per van; travel times registered as a matrix (``RegisterTransitMatrix``), never as a
Python callback per arc; a time dimension whose transit is service + travel, windows on
its cumul variables, ride-time limits as constraints between a pickup's and its drop-off's
cumul; seats and wheelchair places (and cargo kg and litres, when parcels are in the problem)
as capacity dimensions that start at the on-board load;
pickup-delivery pairs on one van; locked stops chained to the head of their van's route;
every new request optional with its rejection penalty (``AddDisjunction``). Objective:
travel x weight + ride time x weight (exactly, as soft bounds on the two cumuls) +
rejections; the model's time windows are first narrowed through each request's direct time
and ride limit. A van's driver break is a break interval of the time dimension
(``SetBreakIntervalsOfVehicle``, start range = the break window, node visit transits =
service times), kept inside the route, as the evaluator places it. The first solution
comes from ``solver.construction``; ruin and recreate (``solver.ruin_recreate``, which
checks ride limits and breaks exactly, through the evaluator's timing) improves it for
most of the budget, and OR-Tools' guided local search polishes the result, handed over with
``RoutesToAssignment`` (``ReadAssignmentFromRoutes`` runs a tree search over the time
cumuls that can eat the whole time limit under ride-time constraints). Every candidate is
checked with ``maas.evaluation.evaluate``; an infeasible or worse plan is never returned.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from maas.domain import Location, Plan, Problem, Route, Stop, StopKind, Vehicle
from maas.evaluation import evaluate
from maas.travel import TravelTimeSource
from solver.construction import construct, required_plan
from solver.fast_model import supports
from solver.objective import Rejections, RequiredUnserved, plan_objective, rejections
from solver.ruin_recreate import ruin_and_recreate
from solver.search import LnsParams, SearchStats, lns_search, warm_up

COST_SCALE = 100  # objective units per cost unit: weights like 0.2 stay integral
CONSTRUCTION_SHARE = 0.1
MAX_RESTARTS = 20
DETERMINISTIC_ITERATIONS = 200
DETERMINISTIC_LNS_ITERATIONS = 3000


@dataclass(frozen=True)
class SolveParams:
    """How long and how to search.

    ``deterministic`` counts ruin-and-recreate iterations (200) instead of watching the
    clock and replaces guided local search by plain descent to a local optimum, so that a
    run ends by itself and repeats exactly, as long as it finishes inside the time limit
    (which still caps it: a search cut by the clock is not repeatable).
    ``vehicle_fixed_cost`` (in cost units) is charged per van used (Li & Lim rank fewest
    vans first). ``seed`` drives our own randomised steps. ``ruin_recreate_share`` of the
    time goes to our ruin-and-recreate search, the rest to OR-Tools' guided local search
    from its result.

    ``initial`` is the warm start (e.g. the dispatcher's plan with its locks, or yesterday's
    batch plan): kept as the starting point when it is feasible. ``required`` names the
    requests that must be served (promised riders): they are never left out of the plan,
    and if no feasible plan serving all of them is found, ``solve`` raises
    ``RequiredUnserved`` carrying the best plan it has. Riders on board are required anyway.
    ``penalties`` gives the cost (in cost units, like ``problem.weights``) of leaving one
    optional request out; optional requests without an entry cost
    ``problem.weights.rejection``.

    ``fast`` (default): vans without driver breaks are planned by the compiled
    large-neighbourhood search (``solver.search``; ``lns`` its settings), which then gets the
    whole budget but ``polish_share``, left to OR-Tools' local search; deterministic, it
    counts ``iterations`` (default 3000). ``workers`` >= 2 runs two such searches on two cores that
    exchange their best solutions every ``lns.exchange_s`` seconds (``solver.parallel``; not
    repeatable, ignored when ``deterministic``). ``stats``, if given, receives what the
    compiled search did (iterations, seconds). A problem with a driver break, or
    ``fast=False``, takes the Python path above (construction, ruin and recreate, OR-Tools).
    """

    time_limit_s: float = 5.0
    seed: int = 0
    initial: Plan | None = None
    deterministic: bool = False
    ruin_recreate_share: float = 0.9
    vehicle_fixed_cost: float = 0.0
    log_search: bool = False
    required: frozenset[str] = frozenset()
    penalties: Mapping[str, float] = field(default_factory=dict)
    fast: bool = True
    lns: LnsParams = field(default_factory=LnsParams)
    polish_share: float = 0.0
    workers: int = 1
    iterations: int | None = None
    stats: SearchStats | None = None


@dataclass
class _Model:
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    stop_of_node: dict[int, Stop]
    node_of_stop: dict[tuple[str, StopKind], int]


def _tighten_windows(problem: Problem, windows: list[tuple[int, int]],
                     node_of_stop: dict[tuple[str, StopKind], int],
                     travel_rows: list[list[int]], onboard_of: dict[str, str]) -> None:
    """Narrow each pickup window by its drop-off window and vice versa, through the direct
    time and the ride limit (Cordeau 2006). The feasible set does not change, but OR-Tools'
    local search filters, which know windows and not ride limits, reject far more bad moves.
    """
    for rid, req in problem.requests.items():
        if rid in onboard_of:
            continue
        p = node_of_stop[(rid, StopKind.PICKUP)]
        d = node_of_stop[(rid, StopKind.DROPOFF)]
        direct = travel_rows[p][d]
        (pe, pl), (de, dl) = windows[p], windows[d]
        new_p = (max(pe, de - req.board - req.max_ride), min(pl, dl - req.board - direct))
        new_d = (max(de, pe + req.board + direct), min(dl, pl + req.board + req.max_ride))
        if new_p[0] <= new_p[1] and new_d[0] <= new_d[1]:
            windows[p], windows[d] = new_p, new_d


def _build(problem: Problem, travel: TravelTimeSource, params: SolveParams,
           locked: dict[str, list[Stop]], optional: bool = True,
           rej: Rejections | None = None) -> _Model:
    vehicles = problem.vehicles
    nv = len(vehicles)
    requests = problem.requests
    onboard_of = {rid: v.id for v in vehicles for rid in v.onboard if rid in requests}
    locked_on = {s.request_id: vid for vid, stops in locked.items() for s in stops}
    # Nodes: starts 0..nv-1, ends nv..2nv-1, then the stops.
    locations: list[Location] = [v.start_location for v in vehicles]
    locations += [v.end_location for v in vehicles]
    service: list[int] = [0] * (2 * nv)
    windows: list[tuple[int, int]] = [(v.start_time, v.shift.latest) for v in vehicles]
    for v in vehicles:
        end_latest = v.shift.latest
        if v.max_duration is not None and v.position is not None:
            end_latest = min(end_latest, v.shift.earliest + v.max_duration)
        windows.append((0, end_latest))
    seats: list[int] = [0] * (2 * nv)
    chairs: list[int] = [0] * (2 * nv)
    kgs: list[int] = [0] * (2 * nv)
    litres: list[int] = [0] * (2 * nv)
    stop_of_node: dict[int, Stop] = {}
    node_of_stop: dict[tuple[str, StopKind], int] = {}
    for rid, req in requests.items():
        kinds = [StopKind.DROPOFF] if rid in onboard_of else [StopKind.PICKUP, StopKind.DROPOFF]
        for kind in kinds:
            node = len(locations)
            pickup = kind is StopKind.PICKUP
            locations.append(req.origin if pickup else req.destination)
            service.append(req.board if pickup else req.alight)
            window = req.pickup if pickup else req.dropoff
            windows.append((window.earliest, window.latest))
            sign = 1 if pickup else -1
            seats.append(sign * req.passengers)
            chairs.append(sign * req.wheelchairs)
            kgs.append(sign * req.cargo_kg)
            litres.append(sign * req.cargo_litres)
            stop_of_node[node] = Stop(rid, kind)
            node_of_stop[(rid, kind)] = node
    unique = list(dict.fromkeys(locations))
    pos = {loc: k for k, loc in enumerate(unique)}
    matrix = travel.durations(unique, unique)
    idx = [pos[loc] for loc in locations]
    n = len(locations)
    manager = pywrapcp.RoutingIndexManager(n, nv, list(range(nv)), list(range(nv, 2 * nv)))
    routing = pywrapcp.RoutingModel(manager)
    # Matrices are indexed by node; OR-Tools maps indices to nodes itself.
    travel_rows = [[int(matrix[idx[a], idx[b]]) for b in range(n)] for a in range(n)]
    _tighten_windows(problem, windows, node_of_stop, travel_rows, onboard_of)
    w = problem.weights
    arc_cost = round(w.travel_time * COST_SCALE)
    cost_cb = routing.RegisterTransitMatrix([[c * arc_cost for c in row] for row in travel_rows])
    routing.SetArcCostEvaluatorOfAllVehicles(cost_cb)
    if params.vehicle_fixed_cost:
        routing.SetFixedCostOfAllVehicles(round(params.vehicle_fixed_cost * COST_SCALE))
    time_cb = routing.RegisterTransitMatrix(
        [[service[a] + travel_rows[a][b] for b in range(n)] for a in range(n)])
    horizon = max(hi for _, hi in windows) + 1
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    seats_cb = routing.RegisterUnaryTransitVector(seats)
    chairs_cb = routing.RegisterUnaryTransitVector(chairs)
    routing.AddDimensionWithVehicleCapacity(
        seats_cb, 0, [v.type.seats for v in vehicles], False, "seats")
    routing.AddDimensionWithVehicleCapacity(
        chairs_cb, 0, [v.type.wheelchair_places for v in vehicles], False, "wheelchairs")
    seats_dim = routing.GetDimensionOrDie("seats")
    chairs_dim = routing.GetDimensionOrDie("wheelchairs")
    # Cargo dimensions only when a parcel is in the problem: passenger-only solves keep
    # the two dimensions they had.
    cargo_dims = []
    if any(kgs) or any(litres):
        for name, vec, caps in (("cargo_kg", kgs, [v.type.cargo_kg for v in vehicles]),
                                ("cargo_litres", litres,
                                 [v.type.cargo_litres for v in vehicles])):
            routing.AddDimensionWithVehicleCapacity(
                routing.RegisterUnaryTransitVector(vec), 0, caps, False, name)
            cargo_dims.append(routing.GetDimensionOrDie(name))
    solver = routing.solver()
    for k, v in enumerate(vehicles):
        start, end = routing.Start(k), routing.End(k)
        time_dim.CumulVar(start).SetRange(*windows[k])
        time_dim.CumulVar(end).SetRange(*windows[nv + k])
        if v.max_duration is not None and v.position is None:
            time_dim.SetSpanUpperBoundForVehicle(v.max_duration, k)
        on = [requests[r] for r in v.onboard if r in requests]
        seats_dim.CumulVar(start).SetValue(sum(r.passengers for r in on))
        chairs_dim.CumulVar(start).SetValue(sum(r.wheelchairs for r in on))
        if cargo_dims:
            cargo_dims[0].CumulVar(start).SetValue(sum(r.cargo_kg for r in on))
            cargo_dims[1].CumulVar(start).SetValue(sum(r.cargo_litres for r in on))
    _add_breaks(routing, manager, time_dim, vehicles, service)
    rej = rej or rejections(problem, params.required, params.penalties)
    ride_coeff = round(w.ride_time * COST_SCALE)
    for rid, req in requests.items():
        d_node = node_of_stop[(rid, StopKind.DROPOFF)]
        d_idx = manager.NodeToIndex(d_node)
        time_dim.CumulVar(d_idx).SetRange(*windows[d_node])
        if rid in onboard_of:
            routing.VehicleVar(d_idx).SetValue(
                next(k for k, v in enumerate(vehicles) if v.id == onboard_of[rid]))
            continue
        p_node = node_of_stop[(rid, StopKind.PICKUP)]
        p_idx = manager.NodeToIndex(p_node)
        time_dim.CumulVar(p_idx).SetRange(*windows[p_node])
        routing.AddPickupAndDelivery(p_idx, d_idx)
        solver.Add(routing.VehicleVar(p_idx) == routing.VehicleVar(d_idx))
        solver.Add(time_dim.CumulVar(p_idx) <= time_dim.CumulVar(d_idx))
        solver.Add(time_dim.CumulVar(d_idx) - time_dim.CumulVar(p_idx) <= req.max_ride + req.board)
        if rid in locked_on:
            vk = next(k for k, v in enumerate(vehicles) if v.id == locked_on[rid])
            routing.VehicleVar(p_idx).SetValue(vk)
            routing.VehicleVar(d_idx).SetValue(vk)
        elif optional:
            # Required requests too get a (huge) penalty rather than no disjunction: a
            # warm start that misses one must still be accepted by RoutesToAssignment.
            routing.AddDisjunction([p_idx], round(rej.penalty[rid] * COST_SCALE))
            routing.AddDisjunction([d_idx], 0)
            solver.Add(routing.ActiveVar(p_idx) == routing.ActiveVar(d_idx))
        if ride_coeff:
            # ride = cumul(d) - cumul(p) - board; both terms below are >= 0 when feasible.
            earliest_drop = req.pickup.earliest + req.board
            time_dim.SetCumulVarSoftUpperBound(d_idx, earliest_drop, ride_coeff)
            time_dim.SetCumulVarSoftLowerBound(p_idx, req.pickup.latest, ride_coeff)
    # Locked stops: the head of their van's route, in their order.
    for vid, stops in locked.items():
        k = next(k for k, v in enumerate(vehicles) if v.id == vid)
        prev = routing.Start(k)
        for stop in stops:
            node_idx = manager.NodeToIndex(node_of_stop[(stop.request_id, stop.kind)])
            solver.Add(routing.NextVar(prev) == node_idx)
            prev = node_idx
    return _Model(manager, routing, stop_of_node, node_of_stop)


def _add_breaks(routing: pywrapcp.RoutingModel, manager: pywrapcp.RoutingIndexManager,
                time_dim: Any, vehicles: tuple[Vehicle, ...], service: list[int]) -> None:
    """Driver breaks as OR-Tools break intervals: one fixed-duration interval per van with a
    break, its start ranging over the window, never overlapping a stop's service (the node
    visit transits) and lengthening the slack of the leg it falls on. OR-Tools would also
    accept a break before the route starts or after it ends; the evaluator does not, so the
    interval is held between the van's start and end cumuls.
    """
    if all(v.break_ is None for v in vehicles):
        return
    solver = routing.solver()
    visits = [service[manager.IndexToNode(index)] for index in range(routing.Size())]
    for k, v in enumerate(vehicles):
        brk = v.break_
        if brk is None:
            continue
        interval = solver.FixedDurationIntervalVar(
            brk.window.earliest, brk.window.latest, brk.duration, False, f"break {v.id}")
        time_dim.SetBreakIntervalsOfVehicle([interval], k, visits)
        solver.Add(interval.StartExpr() >= time_dim.CumulVar(routing.Start(k)))
        solver.Add(interval.EndExpr() <= time_dim.CumulVar(routing.End(k)))


def _search_parameters(params: SolveParams) -> Any:
    search = pywrapcp.DefaultRoutingSearchParameters()
    heuristics = routing_enums_pb2.LocalSearchMetaheuristic
    search.local_search_metaheuristic = (
        heuristics.GREEDY_DESCENT if params.deterministic else heuristics.GUIDED_LOCAL_SEARCH)
    search.time_limit.FromMilliseconds(max(1, int(params.time_limit_s * 1000)))
    search.log_search = params.log_search
    return search


def _to_plan(model: _Model, problem: Problem, assignment: pywrapcp.Assignment) -> Plan:
    routing, manager = model.routing, model.manager
    routes = []
    served: set[str] = set()
    for k, v in enumerate(problem.vehicles):
        stops: list[Stop] = []
        index = assignment.Value(routing.NextVar(routing.Start(k)))
        while not routing.IsEnd(index):
            stop = model.stop_of_node[manager.IndexToNode(index)]
            stops.append(stop)
            served.add(stop.request_id)
            index = assignment.Value(routing.NextVar(index))
        routes.append(Route(v.id, tuple(stops)))
    unserved = tuple(rid for rid in problem.requests if rid not in served)
    return Plan(tuple(routes), unserved)


def _locked_stops(problem: Problem, plan: Plan) -> dict[str, list[Stop]]:
    out: dict[str, list[Stop]] = {}
    for route in plan.routes:
        head = []
        for stop in route.stops:
            if not stop.locked:
                break
            head.append(stop)
        if head:
            out[route.vehicle_id] = head
    return out


def _with_locks(plan: Plan, locked: dict[str, list[Stop]]) -> Plan:
    """Restore the ``locked`` flags the OR-Tools round trip does not carry."""
    routes = []
    for route in plan.routes:
        head = {(s.request_id, s.kind) for s in locked.get(route.vehicle_id, [])}
        stops = tuple(Stop(s.request_id, s.kind, (s.request_id, s.kind) in head)
                      for s in route.stops)
        routes.append(Route(route.vehicle_id, stops))
    return Plan(tuple(routes), plan.unserved)


def _node_routes(model: _Model, plan: Plan, problem: Problem) -> list[list[int]]:
    by_vehicle = {r.vehicle_id: r for r in plan.routes}
    out: list[list[int]] = []
    for v in problem.vehicles:
        route = by_vehicle.get(v.id, Route(v.id))
        out.append([model.manager.NodeToIndex(model.node_of_stop[(s.request_id, s.kind)])
                    for s in route.stops])
    return out


def optimise(problem: Problem, travel: TravelTimeSource, start: Plan, params: SolveParams,
             locked: dict[str, list[Stop]], rej: Rejections | None = None) -> Plan | None:
    """Guided local search from ``start``; the plan it ends with (unchecked), or None."""
    model = _build(problem, travel, params, locked, rej=rej)
    search = _search_parameters(params)
    model.routing.CloseModelWithParameters(search)
    # RoutesToAssignment only sets the next variables; ReadAssignmentFromRoutes would run a
    # tree search over the time cumuls that can eat the whole time limit.
    initial = model.routing.solver().Assignment()
    if not model.routing.RoutesToAssignment(_node_routes(model, start, problem), True, True,
                                            initial):
        return None
    solution = model.routing.SolveFromAssignmentWithParameters(initial, search)
    if solution is None:
        return None
    return _with_locks(_to_plan(model, problem, solution), locked)


def plan_cost(problem: Problem, plan: Plan, travel: TravelTimeSource,
              vehicle_fixed_cost: float = 0.0, rej: Rejections | None = None) -> float | None:
    """Cost of a plan by the evaluator (+ fixed cost per van used), None if infeasible.

    With ``rej``, the requests left out cost their own penalties (``solver.objective``)
    instead of the evaluator's one ``weights.rejection``.
    """
    if rej is not None:
        return plan_objective(problem, plan, travel, rej, vehicle_fixed_cost)
    report = evaluate(problem, plan, travel)
    if not report.feasible:
        return None
    used = sum(1 for r in plan.routes if r.stops)
    return report.cost + vehicle_fixed_cost * used


def _warm_start(problem: Problem, travel: TravelTimeSource, params: SolveParams,
                rej: Rejections) -> Plan | None:
    """``params.initial`` restricted to the problem's requests if the evaluator finds it
    feasible; else only its locked stops (which no plan may move) and the drop-offs of the
    riders on board, earliest deadline first. None without a warm start."""
    return _costed_warm_start(problem, travel, params, rej)[0]


def _costed_warm_start(problem: Problem, travel: TravelTimeSource, params: SolveParams,
                       rej: Rejections) -> tuple[Plan | None, float | None]:
    """``_warm_start`` and, when it is the given plan (found feasible), its cost without a
    fixed cost per van (``plan_cost(..., 0.0, rej)``), so that the caller need not evaluate
    the same plan again; else None for the cost."""
    initial = params.initial
    if initial is None:
        return None, None
    known = set(problem.requests)
    routes = tuple(Route(r.vehicle_id, tuple(s for s in r.stops if s.request_id in known))
                   for r in initial.routes)
    served = {s.request_id for r in routes for s in r.stops}
    plan = Plan(routes, tuple(rid for rid in problem.requests if rid not in served))
    cost = plan_cost(problem, plan, travel, 0.0, rej)
    if cost is not None:
        return plan, cost
    heads = _locked_stops(problem, plan)
    reduced = []
    for v in problem.vehicles:
        head = heads.get(v.id, [])
        dropped = {s.request_id for s in head if s.kind is StopKind.DROPOFF}
        riding = [r for r in v.onboard if r in problem.requests]
        riding += [s.request_id for s in head if s.kind is StopKind.PICKUP]
        drops = sorted((problem.requests[r] for r in riding if r not in dropped),
                       key=lambda r: (r.dropoff.latest, r.id))
        reduced.append(Route(v.id, (*head, *(Stop(r.id, StopKind.DROPOFF) for r in drops))))
    kept = {s.request_id for r in reduced for s in r.stops}
    return Plan(tuple(reduced), tuple(rid for rid in problem.requests if rid not in kept)), None


def solve(problem: Problem, travel: TravelTimeSource, params: SolveParams | None = None) -> Plan:
    """The best plan found within ``params.time_limit_s``; always feasible by ``evaluate``.

    ``params.initial`` (e.g. the dispatcher's current plan, with its locks) is the warm
    start, kept as the starting point when feasible; otherwise our insertion heuristic
    builds one. Every request in ``params.required`` is served, or ``RequiredUnserved``
    is raised (with the best plan found); optional requests left out cost
    ``params.penalties`` (default ``problem.weights.rejection``).
    """
    params = params or SolveParams()
    rej = rejections(problem, params.required, params.penalties)
    if params.fast and supports(problem):
        best = _fast_search(problem, travel, params, rej)
    else:
        best = _search(problem, travel, params, rej)
    missing = rej.missing_required(best)
    if missing:
        raise RequiredUnserved(missing, best)
    return best


def _fast_search(problem: Problem, travel: TravelTimeSource, params: SolveParams,
                 rej: Rejections) -> Plan:
    """The compiled large-neighbourhood search (``solver.search``) from the warm start, or
    from the riders on board and locked stops alone (its first iteration inserts all the
    others, required first); then, for ``1 - ruin_recreate_share`` of the time, OR-Tools'
    local search (``polish_share``, none by default: on the benchmarks it found nothing the
    search had not). Every plan kept is re-checked by the evaluator."""
    warm_up()  # compiles or loads the compiled code before the clock starts
    began = time.perf_counter()
    fixed = params.vehicle_fixed_cost
    initial, initial_cost = _costed_warm_start(problem, travel, params, rej)
    start = required_plan(problem, initial)
    if initial is None:
        served = {s.request_id for r in start.routes for s in r.stops}
        start = Plan(start.routes, tuple(r for r in problem.requests if r not in served))
    if initial_cost is not None and start == initial:
        # The same plan the warm start just evaluated: plan_objective adds the fixed cost
        # per van last, so this is the figure evaluating it again would give.
        start_cost: float | None = initial_cost + fixed * sum(1 for r in start.routes
                                                              if r.stops)
    else:
        start_cost = plan_cost(problem, start, travel, fixed, rej)
    if start_cost is None:  # the kept routes alone break a rule: the Python path copes
        return _search(problem, travel, params, rej)
    locked = _locked_stops(problem, start)
    if params.time_limit_s <= 0:
        return start
    share = 1.0 - params.polish_share
    deadline = began + share * params.time_limit_s
    iterations = (params.iterations or DETERMINISTIC_LNS_ITERATIONS) if params.deterministic \
        else None
    stats = params.stats if params.stats is not None else SearchStats()
    found = lns_search(problem, travel, start, rej.penalty, locked, deadline,
                       seed=params.seed, vehicle_fixed_cost=fixed,
                       max_iterations=iterations, params=params.lns, stats=stats,
                       workers=params.workers)
    best, best_cost = start, start_cost
    # The search ending on its start plan (no better one found) needs no second check.
    cost = start_cost if found == start else plan_cost(problem, found, travel, fixed, rej)
    if cost is not None and cost <= best_cost:
        best, best_cost = found, cost
    remaining = params.time_limit_s - (time.perf_counter() - began)
    if share >= 1.0 or remaining < 0.05:
        return best
    polished = optimise(problem, travel, best, replace(params, time_limit_s=remaining),
                        locked, rej)
    if polished is not None:
        cost = plan_cost(problem, polished, travel, fixed, rej)
        if cost is not None and cost <= best_cost:
            best = polished
    return best


def _search(problem: Problem, travel: TravelTimeSource, params: SolveParams,
            rej: Rejections) -> Plan:
    began = time.perf_counter()
    fixed = params.vehicle_fixed_cost
    initial = _warm_start(problem, travel, params, rej)
    required = rej.required
    warm = construct(problem, travel, initial, seed=params.seed, required=required)
    best_cost = plan_cost(problem, warm, travel, fixed, rej)
    # Restarts of the construction with perturbed orders while they are cheap (a tenth of
    # the budget): fewer rejections matter most, and guided local search rarely adds them.
    restart = 1
    budget = CONSTRUCTION_SHARE * params.time_limit_s
    while (not params.deterministic and restart <= MAX_RESTARTS
           and (time.perf_counter() - began) * (restart + 1) / restart < budget):
        other = construct(problem, travel, initial, seed=params.seed * 1000 + restart,
                          required=required)
        cost = plan_cost(problem, other, travel, fixed, rej)
        if cost is not None and (best_cost is None or cost < best_cost):
            warm, best_cost = other, cost
        restart += 1
    locked = _locked_stops(problem, warm)
    best = warm
    if params.time_limit_s <= 0:
        return best
    remaining = params.time_limit_s - (time.perf_counter() - began)
    if params.ruin_recreate_share > 0:
        deadline = time.perf_counter() + params.ruin_recreate_share * max(0.0, remaining)
        # Deterministic: a fixed number of iterations, the clock only as a safety cap.
        iterations = DETERMINISTIC_ITERATIONS if params.deterministic else None
        best = ruin_and_recreate(problem, travel, warm, deadline, seed=params.seed,
                                 vehicle_fixed_cost=fixed, max_iterations=iterations,
                                 penalties=rej.penalty)
        best_cost = plan_cost(problem, best, travel, fixed, rej)
        if best_cost is None:  # cannot happen (it keeps feasible plans), but never risk it
            best, best_cost = warm, plan_cost(problem, warm, travel, fixed, rej)
    remaining = max(0.1, params.time_limit_s - (time.perf_counter() - began))
    if params.ruin_recreate_share >= 1.0 and not params.deterministic:
        return best
    found = optimise(problem, travel, best, replace(params, time_limit_s=remaining), locked,
                     rej)
    if found is not None:
        cost = plan_cost(problem, found, travel, fixed, rej)
        if cost is not None and (best_cost is None or cost <= best_cost):
            best = found
    return best
