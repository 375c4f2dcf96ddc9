"""Property: the insertion search agrees with an exhaustive exact search over every van and
every position pair, on random plans whose riders ride on tight limits."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maas.domain import (
    CostWeights,
    Location,
    Plan,
    Problem,
    Request,
    Route,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
    VehicleType,
)
from maas.evaluation import earliest_feasible, leg_durations, route_legs, route_sequence
from maas.travel import EuclideanTravel
from solver.insertion import RiderObjective, best_insertion, insert, sequence_cost

TRAVEL = EuclideanTravel(scale=1.0, speed=10.0)
SHIFT = TimeWindow(0, 6 * 3600)
coords = st.integers(-3000, 3000)


def _at(x: int, y: int) -> Location:
    return Location(lat=y, lon=x)


@st.composite
def requests(draw: st.DrawFn, rid: str) -> Request:
    """A ride with a pickup window in the first hours and a ride limit close to direct."""
    o, d = _at(draw(coords), draw(coords)), _at(draw(coords), draw(coords))
    direct = int(TRAVEL.durations([o], [d])[0, 0])
    start = 60 * draw(st.integers(0, 120))
    width = 60 * draw(st.integers(5, 40))
    tight = draw(st.booleans())
    max_ride = direct + (60 * draw(st.integers(0, 3)) if tight else 60 * draw(st.integers(5, 30)))
    return Request(rid, o, d, TimeWindow(start, start + width),
                   TimeWindow(start, start + width + 60 + max_ride), max_ride,
                   passengers=draw(st.integers(1, 3)), wheelchairs=0, board=60, alight=60)


def _exact(problem: Problem, vehicle: Vehicle, stops: tuple[Stop, ...]
           ) -> tuple[float, list[float], float] | None:
    """The evaluator's cost, the earliest feasible start times and the cost on those times
    of a route, or None when it is infeasible."""
    legs = leg_durations(TRAVEL, route_legs(vehicle, problem.requests, stops))
    seq = route_sequence(vehicle, problem.requests, stops, legs)
    found = sequence_cost(problem, seq)
    starts = earliest_feasible(seq)
    if found is None or starts is None:
        return None
    w = problem.weights
    ride = sum(starts[d] - starts[p] - seq.service[p] for p, d, _ in seq.rides)
    return found[0], starts, w.travel_time * sum(seq.travel) + w.ride_time * ride


def _exhaustive(problem: Problem, plan: Plan, new: Request
                ) -> list[tuple[float, float, str, float]]:
    """(soonest pickup start, added cost, van, added cost on the earliest schedule) of every
    feasible insertion, by brute force."""
    full = Problem({**problem.requests, new.id: new}, problem.vehicles, problem.weights)
    out = []
    for v in problem.vehicles:
        if new.passengers > v.type.seats:
            continue
        stops = plan.route(v.id).stops
        base = _exact(full, v, stops)
        if base is None:
            continue  # the searches leave routes that are late already alone
        for i in range(len(stops) + 1):
            for j in range(i, len(stops) + 1):
                trial = list(stops)
                trial.insert(j, Stop(new.id, StopKind.DROPOFF))
                trial.insert(i, Stop(new.id, StopKind.PICKUP))
                if not _loads(full, v, trial):
                    continue
                found = _exact(full, v, tuple(trial))
                if found is not None:
                    out.append((found[1][i + 1], found[0] - base[0], v.id, found[2] - base[2]))
    return out


def _loads(problem: Problem, v: Vehicle, stops: list[Stop]) -> bool:
    load = 0
    for s in stops:
        r = problem.requests[s.request_id]
        load += r.passengers if s.kind is StopKind.PICKUP else -r.passengers
        if load > v.type.seats:
            return False
    return True


@st.composite
def planned(draw: st.DrawFn) -> tuple[Problem, Plan, Request]:
    """A plan built by inserting random riders one by one, and one more rider to place."""
    seats = draw(st.integers(3, 6))
    vans = tuple(Vehicle(f"v{k}", VehicleType("van", seats, 0), _at(0, 0), SHIFT)
                 for k in range(draw(st.integers(1, 4))))
    problem = Problem({}, vans, CostWeights())
    plan = Plan(tuple(Route(v.id) for v in vans))
    for k in range(draw(st.integers(0, 10))):
        req = draw(requests(f"r{k}"))
        ins = best_insertion(problem, plan, req, TRAVEL)
        if ins is not None:
            plan = insert(plan, ins, req.id)
            problem = Problem({**problem.requests, req.id: req}, vans, problem.weights)
    return problem, plan, draw(requests("new"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planned())
def test_insertion_finds_a_van_whenever_the_exhaustive_search_does(
        case: tuple[Problem, Plan, Request]) -> None:
    """Cheapest mode: feasible exactly when brute force finds a feasible position, and the
    position it returns is one of those (at its exact cost)."""
    problem, plan, new = case
    every = _exhaustive(problem, plan, new)
    ins = best_insertion(problem, plan, new, TRAVEL)
    assert (ins is not None) == bool(every), (every, ins)
    if ins is not None:
        assert any(abs(ins.cost_delta - c) < 1e-6 and v == ins.vehicle_id
                   for _, c, v, _ in every)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planned())
def test_rider_objective_finds_the_soonest_feasible_pickup(
        case: tuple[Problem, Plan, Request]) -> None:
    """Rider mode without a cost term: the soonest pickup of all feasible positions."""
    problem, plan, new = case
    every = _exhaustive(problem, plan, new)
    ins = best_insertion(problem, plan, new, TRAVEL, objective=RiderObjective())
    assert (ins is not None) == bool(every)
    if ins is not None:
        assert ins.rider_pickup == round(min(p for p, _, _, _ in every))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(planned())
def test_cost_tie_break_never_costs_the_rider_more_than_its_bound(
        case: tuple[Problem, Plan, Request]) -> None:
    """With a bounded cost term the pickup is at most the bound later than the soonest, and
    the score (pickup plus the cost term on the earliest schedule) is the best of all."""
    problem, plan, new = case
    every = _exhaustive(problem, plan, new)
    objective = RiderObjective(cost_weight=1.0, cost_bound=300.0)
    ins = best_insertion(problem, plan, new, TRAVEL, objective=objective)
    assert (ins is not None) == bool(every)
    if ins is not None:
        assert ins.rider_pickup <= round(min(p for p, _, _, _ in every)) + 300
        best = min(objective.score(p, c) for p, _, _, c in every)
        assert ins.score <= best + 1e-6


def test_tight_riders_on_every_van_still_leave_room_at_the_end() -> None:
    """Thirty vans carry riders on tight limits: the new rider fits at a route's end."""
    vans = tuple(Vehicle(f"v{k}", VehicleType("van", 8, 0), _at(0, 0), SHIFT)
                 for k in range(30))
    problem = Problem({}, vans, CostWeights())
    plan = Plan(tuple(Route(v.id) for v in vans))
    for k, v in enumerate(vans):
        for m in range(3):
            o, d = _at(100 * m + k, 0), _at(100 * m + k + 2000, 0)
            direct = int(TRAVEL.durations([o], [d])[0, 0])
            req = Request(f"r{k}-{m}", o, d, TimeWindow(600 * m, 600 * m + 600),
                          TimeWindow(0, 6 * 3600), direct, 1, 0, 60, 60)
            ins = best_insertion(problem, plan, req, TRAVEL, vehicles={v.id})
            assert ins is not None
            plan = insert(plan, ins, req.id)
            problem = Problem({**problem.requests, req.id: req}, vans, problem.weights)
    new = Request("new", _at(1000, 50), _at(1000, 3000), TimeWindow(0, 4 * 3600),
                  TimeWindow(0, 6 * 3600), 400, 1, 0, 60, 60)
    assert best_insertion(problem, plan, new, TRAVEL) is not None
    assert _exhaustive(problem, plan, new)
