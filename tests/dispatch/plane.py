"""A small town on the Euclidean plane (metres, 10 m/s) for fast dispatcher unit tests."""

from __future__ import annotations

from maas.domain import Location, Problem, TimeWindow, Vehicle, VehicleType
from maas.evaluation import PlanReport, evaluate
from maas.travel import EuclideanTravel
from solver.dispatch import Dispatcher, DispatchPolicy, DispatchState, Offer, RideAsk
from solver.dispatch import events as ev
from solver.dispatch.planning import planning_problem

HOUR = 3600
DAY = TimeWindow(7 * HOUR, 19 * HOUR)
TRAVEL = EuclideanTravel(scale=1.0, speed=10.0)
# Plain insertion (no refusal rescue) unless a test turns it on: fixtures that book a
# "greedy morning" one rider at a time rely on it.
POLICY = DispatchPolicy(reoptimise_every_s=10**6, reoptimise_every_bookings=10**6,
                        reoptimise_time_limit_s=0.5, prebook_time_limit_s=0.5,
                        rescue_iterations=None)


def at(x: float, y: float) -> Location:
    """A point ``x`` metres east and ``y`` metres north of the depot."""
    return Location(lat=y, lon=x)


def van(vid: str, seats: int = 8, wheelchairs: int = 1, depot: Location | None = None) -> Vehicle:
    """A van on a 07:00-19:00 shift at the depot (0, 0)."""
    return Vehicle(vid, VehicleType("van", seats, wheelchairs), depot or at(0, 0), DAY)


def start(vans: int = 2, seats: int = 8, now: int = 8 * HOUR,
          policy: DispatchPolicy = POLICY) -> tuple[Dispatcher, DispatchState]:
    """A dispatcher on the plane and an empty state with ``vans`` vans at the depot."""
    fleet = [van(f"v{i}", seats) for i in range(vans)]
    return Dispatcher(TRAVEL, policy), DispatchState.empty("plane", fleet, now)


def book(disp: Dispatcher, state: DispatchState, ask: RideAsk, booking_id: str
         ) -> tuple[DispatchState, Offer]:
    """Offer and confirm ``ask``; fails the test if either step is refused."""
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer), offer
    new, outcomes = disp.apply(state, ev.ConfirmOffer(offer, booking_id, ask.now))
    assert new.bookings.get(booking_id) is not None, outcomes
    return new, offer


def report(disp: Dispatcher, state: DispatchState) -> PlanReport:
    """The evaluator's verdict on the live plan, on the vans' reported clocks."""
    problem: Problem = planning_problem(state, disp.policy, None)
    return evaluate(problem, state.plan, disp.travel)
