"""Events: the van's progress, lateness, no-shows and the fleet, as pure transitions."""

from __future__ import annotations

from dataclasses import replace

from maas.domain import StopKind
from solver.dispatch import BookingStatus, RideAsk
from solver.dispatch import events as ev
from solver.dispatch import outcomes as oc
from tests.dispatch.plane import at, book, report, start, van


def _one_booking():
    disp, state = start(vans=1)
    now = state.now
    state, offer = book(disp, state, RideAsk(at(3000, 0), at(3000, 6000), pickup_after=now,
                                             now=now), "b1")
    return disp, state, offer


def test_late_van_raises_promise_at_risk() -> None:
    """A van reporting a position too far away to make the pickup window names the booking."""
    disp, state, offer = _one_booking()
    late = offer.pickup.latest - 60  # 60 s before the window closes, 30 km away
    state, outcomes = disp.apply(state, ev.VehicleMoved("v0", at(-30_000, 0), late))
    risks = [o for o in outcomes if isinstance(o, oc.PromiseAtRisk)]
    assert [r.booking_id for r in risks] == ["b1"]
    assert "b1" in state.at_risk


def test_promise_at_risk_is_reported_once() -> None:
    """A second position report of the same late van does not repeat the warning."""
    disp, state, offer = _one_booking()
    late = offer.pickup.latest - 60
    state, _ = disp.apply(state, ev.VehicleMoved("v0", at(-30_000, 0), late))
    state, outcomes = disp.apply(state, ev.VehicleMoved("v0", at(-29_000, 0), late + 100))
    assert not [o for o in outcomes if isinstance(o, oc.PromiseAtRisk)]


def test_late_van_hands_the_rider_to_a_van_that_can_keep_the_promise() -> None:
    """With a second van free, a late van's rider moves to it instead of being at risk."""
    disp, state = start(vans=2)
    now = state.now
    state, offer = book(disp, state, RideAsk(at(3000, 0), at(3000, 6000), pickup_after=now,
                                             now=now), "b1")
    first = state.bookings["b1"].vehicle_id
    late = offer.pickup.earliest
    state, outcomes = disp.apply(state, ev.VehicleMoved(first, at(-30_000, 0), late))
    assert not [o for o in outcomes if isinstance(o, oc.PromiseAtRisk)]
    assert state.bookings["b1"].vehicle_id != first
    assert report(disp, state).feasible


def test_pickup_and_dropoff_complete_the_booking() -> None:
    """Reported pickup then drop-off move the booking to on board, then completed."""
    disp, state, offer = _one_booking()
    t = offer.planned_pickup
    state, _ = disp.apply(state, ev.StopReported("v0", "b1", StopKind.PICKUP, "arrived", t))
    state, _ = disp.apply(state, ev.StopReported("v0", "b1", StopKind.PICKUP, "picked_up",
                                                 t + 60))
    assert state.bookings["b1"].status is BookingStatus.ONBOARD
    assert state.vehicle("v0").onboard == ("b1",)  # type: ignore[union-attr]
    assert report(disp, state).feasible
    state, _ = disp.apply(state, ev.StopReported("v0", "b1", StopKind.DROPOFF, "dropped_off",
                                                 t + 700))
    assert state.bookings["b1"].status is BookingStatus.COMPLETED
    assert state.plan.route("v0").stops == ()
    assert state.vehicle("v0").onboard == ()  # type: ignore[union-attr]


def test_no_show_only_after_the_wait() -> None:
    """A no-show before the policy's wait is refused; after it the seat is released."""
    disp, state, offer = _one_booking()
    arrived = offer.pickup.earliest
    state, _ = disp.apply(state, ev.StopReported("v0", "b1", StopKind.PICKUP, "arrived",
                                                 arrived))
    early, outcomes = disp.apply(state, ev.StopReported("v0", "b1", StopKind.PICKUP, "no_show",
                                                        arrived + 60))
    assert early is state and isinstance(outcomes[0], oc.EventRejected)
    wait = disp.policy.no_show_wait
    state, outcomes = disp.apply(state, ev.StopReported("v0", "b1", StopKind.PICKUP, "no_show",
                                                        arrived + wait))
    assert state.bookings["b1"].status is BookingStatus.NO_SHOW
    assert any(isinstance(o, oc.RiderNoShow) for o in outcomes)
    assert state.plan.route("v0").stops == ()


def test_onboard_booking_cannot_be_cancelled() -> None:
    """Once the rider is on board, a cancellation is refused and the drop-off stays planned."""
    disp, state, offer = _one_booking()
    state, _ = disp.apply(state, ev.StopReported("v0", "b1", StopKind.PICKUP, "picked_up",
                                                 offer.planned_pickup + 60))
    after, outcomes = disp.apply(state, ev.CancelBooking("b1", offer.planned_pickup + 90))
    assert after is state and isinstance(outcomes[0], oc.EventRejected)


def test_every_change_bumps_the_version_once() -> None:
    """Each state-changing event adds one to the version; refused events add nothing."""
    disp, state, _ = _one_booking()
    assert state.version == 1
    state, _ = disp.apply(state, ev.AddVehicle(van("v9")))
    assert state.version == 2 and state.vehicle("v9") is not None
    same, _ = disp.apply(state, ev.AddVehicle(van("v9")))
    assert same.version == 2


def test_arrival_locks_the_stop_at_the_head() -> None:
    """A van arriving at a pickup has that stop locked first in its route."""
    disp, state, offer = _one_booking()
    state, _ = disp.apply(state, ev.StopReported("v0", "b1", StopKind.PICKUP, "arrived",
                                                 offer.planned_pickup))
    head = state.plan.route("v0").stops[0]
    assert (head.request_id, head.kind, head.locked) == ("b1", StopKind.PICKUP, True)


def test_van_standing_at_a_pickup_keeps_it_when_repair_moves_riders() -> None:
    """A van late for its next rider after arriving at a pickup is not relieved of that pickup.

    v0 arrives at b1's pickup so late that b2 (three riders) would be late after b1. Handing
    b1 to v1, waiting right there, would save v0's boarding time; but v0 stands at b1's stop.
    """
    disp, state = start(vans=1)
    now = state.now
    state, o1 = book(disp, state, RideAsk(at(3000, 0), at(-2000, 0), pickup_after=now + 1200,
                                          now=now), "b1")
    state, _ = book(disp, state, RideAsk(at(-3000, 0), at(-3000, 3000), passengers=3,
                                         pickup_after=now + 1500, now=now), "b2")
    arrived = o1.pickup.earliest + 480
    two_seats = replace(van("v1", seats=2), position=at(3000, 0), available_at=arrived)
    state, _ = disp.apply(state, ev.AddVehicle(two_seats))
    state, _ = disp.apply(state, ev.StopReported("v0", "b1", StopKind.PICKUP, "arrived",
                                                 arrived))
    assert state.bookings["b1"].vehicle_id == "v0"
    head = state.plan.route("v0").stops[0]
    assert (head.request_id, head.kind, head.locked) == ("b1", StopKind.PICKUP, True)
    assert state.plan.route("v1").stops == ()
