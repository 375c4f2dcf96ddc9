"""Refusal rescue: an ask no insertion fits, placed by a short solve under the promise rule."""

from __future__ import annotations

import random
from dataclasses import replace

from maas.domain import Plan, Route, Stop, StopKind, TimeWindow
from solver.dispatch import Dispatcher, DispatchState, Offer, Rejection, RideAsk
from solver.dispatch import events as ev
from solver.dispatch import outcomes as oc
from solver.dispatch.planning import planning_problem
from solver.dispatch.rescue import adoptable, rescue_vans
from solver.dispatch.state import RejectionReason
from tests.dispatch.plane import HOUR, POLICY, TRAVEL, at, report, start, van

ON = replace(POLICY, rescue_iterations=100)
OFF = replace(POLICY, rescue_iterations=None)


def _rescuable(vans: int, riders: int, seed: int, later: int
               ) -> tuple[DispatchState, RideAsk]:
    """A morning booked by plain insertion on 3-seat vans, and the first of a fixed series
    of asks (made ``later`` seconds after the state) that insertion refuses and the rescue
    offers."""
    rng = random.Random(seed)
    disp, state = start(vans=vans, seats=3, policy=OFF)
    now = state.now
    for i in range(riders):
        ask = RideAsk(at(rng.uniform(-4000, 4000), rng.uniform(-4000, 4000)),
                      at(rng.uniform(-4000, 4000), rng.uniform(-4000, 4000)),
                      pickup_after=now + 600 + 240 * i, now=now)
        offer = disp.offer(state, ask)
        if isinstance(offer, Offer):
            state, _ = disp.apply(state, ev.ConfirmOffer(offer, f"b{i}", now))
    rescuer = Dispatcher(TRAVEL, ON)
    rng = random.Random(100 + seed)
    for k in range(15):
        ask = RideAsk(at(rng.uniform(-4000, 4000), rng.uniform(-4000, 4000)),
                      at(rng.uniform(-4000, 4000), rng.uniform(-4000, 4000)),
                      pickup_after=state.now + later + 300 + 120 * k, now=state.now + later)
        refused = disp.offer(state, ask)
        if isinstance(refused, Rejection) and refused.reason is RejectionReason.NO_CAPACITY \
                and isinstance(rescuer.offer(state, ask), Offer):
            return state, ask
    raise AssertionError("no rescuable ask in the series")


def _served(plan: Plan) -> set[str]:
    return {s.request_id for r in plan.routes for s in r.stops}


def _planned_pickup(disp: Dispatcher, state: DispatchState, booking_id: str) -> int:
    for sched in report(disp, state).schedules.values():
        for s in sched:
            if s.stop.request_id == booking_id and s.stop.kind is StopKind.PICKUP:
                return s.start
    raise AssertionError(f"{booking_id} is not planned")


def test_a_ride_no_insertion_fits_is_rescued_with_every_promise_kept() -> None:
    """Insertion refuses the ask; the rescue offers it, and the confirmed plan serves every
    booking, keeps every promise and picks the new rider up inside the offered window."""
    state, ask = _rescuable(vans=2, riders=14, seed=0, later=0)
    disp = Dispatcher(TRAVEL, ON)
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer)
    new, outcomes = disp.apply(state, ev.ConfirmOffer(offer, "new", ask.now))
    assert "new" in new.bookings, outcomes
    assert _served(new.plan) == set(new.bookings)
    assert report(disp, new).feasible
    pickup = _planned_pickup(disp, new, "new")
    assert offer.pickup.earliest <= pickup <= offer.pickup.latest
    assert pickup == offer.planned_pickup
    for booking in new.bookings.values():  # riders moved between vans name their van
        assert new.plan.vehicle_of(booking.id) == booking.vehicle_id


def test_a_fresh_dispatcher_confirms_a_rescued_offer() -> None:
    """Nothing is remembered between offer and confirmation: another dispatcher (another
    process) confirms the same offer on the same state to the same plan, and a minute
    later (a view of the vans a minute on) still to a plan keeping the offered window."""
    state, ask = _rescuable(vans=2, riders=14, seed=0, later=0)
    offer = Dispatcher(TRAVEL, ON).offer(state, ask)
    assert isinstance(offer, Offer)
    here, _ = Dispatcher(TRAVEL, ON).apply(state, ev.ConfirmOffer(offer, "new", ask.now))
    there, _ = Dispatcher(TRAVEL, ON).apply(state, ev.ConfirmOffer(offer, "new", ask.now))
    assert "new" in here.bookings
    assert here.plan == there.plan
    disp = Dispatcher(TRAVEL, ON)
    later, _ = disp.apply(state, ev.ConfirmOffer(offer, "new", ask.now + 60))
    assert "new" in later.bookings
    assert report(disp, later).feasible
    assert offer.pickup.earliest <= _planned_pickup(disp, later, "new") <= offer.pickup.latest


def test_a_window_the_plan_cannot_keep_is_not_confirmed() -> None:
    """The confirmation adopts a rescued plan only if it keeps the window the offer told the
    rider: an offer whose window was moved to the next two seconds (no van can be there) is
    refused, not confirmed on the rescued plan that picks the rider up at the old time."""
    state, ask = _rescuable(vans=2, riders=14, seed=0, later=0)
    disp = Dispatcher(TRAVEL, ON)
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer)
    moved = replace(offer, pickup=TimeWindow(ask.now + 1, ask.now + 2))
    new, outcomes = disp.apply(state, ev.ConfirmOffer(moved, "new", ask.now))
    assert "new" not in new.bookings
    assert [o.reason for o in outcomes if isinstance(o, oc.BookingRejected)] == [
        RejectionReason.NO_LONGER_FEASIBLE]


def test_a_van_that_has_left_keeps_its_head_stop() -> None:
    """An ask made after a van left for its next stop (by the plan; no event has locked it
    yet) is rescued on the plan as it stands then: the van keeps that stop first, locked,
    and every promise holds on the van's reported clock."""
    state, ask = _rescuable(vans=1, riders=8, seed=0, later=1500)
    head = state.plan.route("v0").stops[0]
    assert not head.locked
    disp = Dispatcher(TRAVEL, ON)
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer)
    new, _ = disp.apply(state, ev.ConfirmOffer(offer, "new", ask.now))
    assert "new" in new.bookings
    first = new.plan.route("v0").stops[0]
    assert (first.request_id, first.kind, first.locked) == (head.request_id, head.kind, True)
    assert report(disp, new).feasible


def test_rescue_off_is_plain_insertion() -> None:
    """With no rescue steps (None or 0) the ask is refused exactly as before."""
    state, ask = _rescuable(vans=2, riders=14, seed=0, later=0)
    plain = Dispatcher(TRAVEL, OFF).offer(state, ask)
    zero = Dispatcher(TRAVEL, replace(POLICY, rescue_iterations=0)).offer(state, ask)
    assert isinstance(plain, Rejection) and plain.reason is RejectionReason.NO_CAPACITY
    assert zero == plain


def test_the_rule_refuses_a_dropped_booking_or_a_moved_lock() -> None:
    """A rescued plan that leaves a booking out, or no longer starts with a locked stop, is
    never adopted."""
    disp, state = start(vans=1)
    ask = RideAsk(at(1000, 0), at(3000, 0), pickup_after=state.now + 600, now=state.now)
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer)
    state, _ = disp.apply(state, ev.ConfirmOffer(offer, "a", state.now))
    problem = planning_problem(state, disp.policy, state.now)
    locked = Plan((Route("v0", (Stop("a", StopKind.PICKUP, locked=True),
                                Stop("a", StopKind.DROPOFF))),))
    assert adoptable(problem, locked, locked, disp.travel)
    assert not adoptable(problem, locked, Plan((Route("v0"),)), disp.travel)
    unlocked_first = Plan((Route("v0", (Stop("a", StopKind.DROPOFF),
                                        Stop("a", StopKind.PICKUP))),))
    assert not adoptable(problem, locked, unlocked_first, disp.travel)


def test_a_large_fleet_solves_the_vans_nearest_the_ask() -> None:
    """Beyond ``rescue_vans`` vans, the solve takes that many: those whose stops lie near
    the ask in time and space (an idle van near the ask counts by its position)."""
    policy = replace(ON, rescue_vans=2)
    fleet = [*(van(f"v{i}") for i in range(4)), van("v4", depot=at(-9000, 9000))]
    disp, state = Dispatcher(TRAVEL, policy), DispatchState.empty("plane", fleet, 8 * HOUR)
    near = RideAsk(at(200, 0), at(400, 0), pickup_after=state.now + 600, now=state.now)
    far = RideAsk(at(-9000, 9000), at(-9500, 9000), pickup_after=state.now + 2400,
                  now=state.now)
    for bid, ask in (("n", near), ("f", far)):
        offer = disp.offer(state, ask)
        assert isinstance(offer, Offer)
        state, _ = disp.apply(state, ev.ConfirmOffer(offer, bid, state.now))
    problem = planning_problem(state, policy, state.now)
    new = problem.requests["n"]
    chosen = rescue_vans(problem, state.plan, new, disp.travel, policy)
    assert len(chosen) == 2
    assert state.plan.vehicle_of("n") in chosen
    assert state.plan.vehicle_of("f") == "v4" and "v4" not in chosen
