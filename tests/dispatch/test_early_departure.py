"""A driver who sets off early (within the road noise allowance) is under way: the head stop
of the van locks, so no later booking is put before the stop it drives to."""

from __future__ import annotations

from dataclasses import replace

from solver.dispatch import Dispatcher, DispatchState, Rejection, RejectionReason, RideAsk
from solver.dispatch import events as ev
from solver.dispatch.margin import early_departure
from tests.dispatch.plane import HOUR, POLICY, at, book, report, start


def _van_set_off_early(noise: float) -> tuple[Dispatcher, DispatchState, int]:
    disp, state = start(vans=1, policy=replace(POLICY, travel_time_noise=noise))
    state, _ = book(disp, state, RideAsk(origin=at(9000, 0), destination=at(9000, 4000),
                                         pickup_after=9 * HOUR, now=8 * HOUR), "r1")
    arrival = report(disp, state).schedules["v0"][0].arrival
    planned_leg = 1080  # 9 km at 10 m/s, padded by the default 20 % margin
    left = arrival - planned_leg - 150  # 150 s early: inside 2 x 0.1 x 1080 = 216 s
    state, _ = disp.apply(state, ev.VehicleMoved("v0", at(50, 0), left))
    return disp, state, left


def test_a_van_that_left_early_keeps_its_head_stop_first() -> None:
    """The van left 150 s before the plan's departure (two noise deviations of a 1,080 s
    leg are 216 s) and pinged 50 m out; a rider asking right beside it is not picked up on
    the way: the van drives to r1 (it would learn of the new stop only there)."""
    disp, state, left = _van_set_off_early(0.1)
    head = state.plan.route("v0").stops[0]
    assert (head.request_id, head.locked) == ("r1", True)
    # Beside the van, as soon as possible: only after r1's ride, beyond the longest wait.
    answer = disp.offer(state, RideAsk(origin=at(100, 0), destination=at(4000, 0),
                                       now=left + 10))
    assert isinstance(answer, Rejection) and answer.reason is RejectionReason.NO_CAPACITY
    assert state.plan.route("v0").stops[0].request_id == "r1"


def test_without_noise_the_head_locks_only_at_the_plans_departure() -> None:
    """With no road noise planned for, drivers leave on time: 150 s before the plan's
    departure the van is not under way yet and a rider beside it is picked up first."""
    disp, state, left = _van_set_off_early(0.0)
    assert not state.plan.route("v0").stops[0].locked
    state, _ = book(disp, state, RideAsk(origin=at(100, 0), destination=at(4000, 0),
                                         now=left + 10), "r2")
    assert state.plan.route("v0").stops[0].request_id == "r2"


def test_early_departure_is_two_noise_deviations_of_the_leg() -> None:
    assert early_departure(1080, 0.1) == 216
    assert early_departure(1080, 0.0) == 0
    assert early_departure(0, 0.1) == 0


def test_a_van_pinged_on_the_road_at_its_departure_has_left() -> None:
    """Noiseless: the van sets off on time and pings 50 m out. Timed from the ping the plan
    would have it leave a moment later, yet it is driving: its head stays first (a noiseless
    day put a pickup before the drop-off a van was driving to, and broke three promises)."""
    disp, state = start(vans=1, policy=replace(POLICY, travel_time_noise=0.0))
    state, _ = book(disp, state, RideAsk(origin=at(9000, 0), destination=at(9000, 4000),
                                         pickup_after=9 * HOUR, now=8 * HOUR), "r1")
    arrival = report(disp, state).schedules["v0"][0].arrival
    left = arrival - 1080  # the plan's departure: 9 km at 10 m/s, padded by 20 %
    state, _ = disp.apply(state, ev.VehicleMoved("v0", at(50, 0), left + 5))
    head = state.plan.route("v0").stops[0]
    assert (head.request_id, head.locked) == ("r1", True)
