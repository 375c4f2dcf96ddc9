"""Offers: pure queries that give a kept promise or a rejection with a reason."""

from __future__ import annotations

from dataclasses import replace

from maas.domain import Location
from maas.evaluation import evaluate
from solver.dispatch import DispatchPolicy, Offer, Rejection, RejectionReason, RideAsk
from solver.dispatch import events as ev
from solver.dispatch.planning import planning_problem
from tests.dispatch.plane import HOUR, POLICY, at, book, report, start


def test_offer_window_has_policy_width_and_holds_planned_pickup() -> None:
    """An offer's pickup window is as wide as the policy says and contains the planned pickup."""
    disp, state = start()
    offer = disp.offer(state, RideAsk(at(1000, 0), at(4000, 0), now=state.now))
    assert isinstance(offer, Offer)
    assert offer.pickup.width == POLICY.pickup_window
    assert offer.pickup.contains(offer.planned_pickup)
    assert offer.planned_dropoff <= offer.dropoff_by
    assert offer.expires_at == state.now + POLICY.offer_ttl


def test_offer_does_not_change_the_state() -> None:
    """Asking for an offer leaves the state exactly as it was."""
    disp, state = start()
    before = replace(state)
    disp.offer(state, RideAsk(at(1000, 0), at(4000, 0), now=state.now))
    assert state == before and state.version == 0


def test_confirmed_offer_keeps_its_promise() -> None:
    """A confirmed booking carries the offered window and the plan keeps it."""
    disp, state = start()
    state, offer = book(disp, state, RideAsk(at(1000, 0), at(4000, 0), now=state.now), "b1")
    booking = state.bookings["b1"]
    assert booking.request.pickup == offer.pickup
    assert booking.request.dropoff.latest == offer.dropoff_by
    assert state.version == 1
    assert report(disp, state).feasible


def test_ask_after_closing_time_is_outside_operating_hours() -> None:
    """A pickup asked for after the service closes is rejected for the hours."""
    disp, state = start()
    result = disp.offer(state, RideAsk(at(0, 100), at(0, 900), pickup_after=20 * HOUR,
                                       now=state.now))
    assert isinstance(result, Rejection)
    assert result.reason is RejectionReason.OUTSIDE_OPERATING_HOURS


def test_ask_outside_the_service_box_is_outside_service_area() -> None:
    """An origin outside the policy's service area box is rejected for the area."""
    policy = replace(POLICY, service_area=(-5000.0, -5000.0, 5000.0, 5000.0))
    disp, state = start(policy=policy)
    result = disp.offer(state, RideAsk(at(9000, 0), at(0, 100), now=state.now))
    assert isinstance(result, Rejection)
    assert result.reason is RejectionReason.OUTSIDE_SERVICE_AREA


def test_far_snapped_point_is_outside_service_area() -> None:
    """A point snapped farther from a road than the policy allows is outside the area."""
    disp, state = start()
    far = Location(lat=0.0, lon=100.0, snap_distance_m=2000.0)
    result = disp.offer(state, RideAsk(far, at(0, 100), now=state.now))
    assert isinstance(result, Rejection)
    assert result.reason is RejectionReason.OUTSIDE_SERVICE_AREA


def test_full_van_gives_rejection_with_a_later_alternative_that_works() -> None:
    """When no van can come in time the rejection names a later pickup, and that one works."""
    disp, state = start(vans=1, seats=1)
    now = state.now
    state, _ = book(disp, state, RideAsk(at(0, 100), at(0, 9000), pickup_after=now, now=now),
                    "b1")
    ask = RideAsk(at(100, 0), at(9000, 0), pickup_after=now, now=now)
    result = disp.offer(state, ask)
    assert isinstance(result, Rejection)
    assert result.reason is RejectionReason.NO_VEHICLE
    assert result.alternative is not None and result.alternative > now
    later = disp.offer(state, replace(ask, pickup_after=result.alternative))
    assert isinstance(later, Offer)


def test_cancellation_frees_the_seat_for_the_next_offer() -> None:
    """A one-seat van taken by a booking serves the next ask once that booking is cancelled."""
    disp, state = start(vans=1, seats=1)
    now = state.now
    state, _ = book(disp, state, RideAsk(at(0, 100), at(0, 9000), pickup_after=now, now=now),
                    "b1")
    ask = RideAsk(at(100, 0), at(9000, 0), pickup_after=now, now=now)
    assert isinstance(disp.offer(state, ask), Rejection)
    state, _ = disp.apply(state, ev.CancelBooking("b1", now))
    assert state.bookings["b1"].status == "cancelled"
    assert isinstance(disp.offer(state, ask), Offer)


def test_second_confirmation_for_the_last_seat_is_rejected() -> None:
    """Two offers for one last seat: the first confirmation wins, the second is refused."""
    disp, state = start(vans=1, seats=1)
    now = state.now
    ask_a = RideAsk(at(0, 100), at(0, 9000), pickup_after=now, now=now)
    ask_b = RideAsk(at(100, 0), at(9000, 0), pickup_after=now, now=now)
    offer_a, offer_b = disp.offer(state, ask_a), disp.offer(state, ask_b)
    assert isinstance(offer_a, Offer) and isinstance(offer_b, Offer)
    state, _ = disp.apply(state, ev.ConfirmOffer(offer_a, "a", now))
    after, outcomes = disp.apply(state, ev.ConfirmOffer(offer_b, "b", now))
    assert after is state and "b" not in after.bookings
    assert [o.reason for o in outcomes] == [RejectionReason.NO_LONGER_FEASIBLE]  # type: ignore[union-attr]


def test_expired_offer_is_not_confirmed() -> None:
    """Confirming after the offer's expiry is refused."""
    disp, state = start()
    offer = disp.offer(state, RideAsk(at(1000, 0), at(4000, 0), now=state.now))
    assert isinstance(offer, Offer)
    after, outcomes = disp.apply(state, ev.ConfirmOffer(offer, "b1", offer.expires_at + 1))
    assert after is state
    assert outcomes[0].reason is RejectionReason.OFFER_EXPIRED  # type: ignore[union-attr]


def test_arrive_by_offer_drops_off_in_time() -> None:
    """An arrive-by ask is promised a drop-off no later than the appointment."""
    disp, state = start()
    appointment = 10 * HOUR
    offer = disp.offer(state, RideAsk(at(3000, 0), at(0, 3000), arrive_before=appointment,
                                      now=state.now))
    assert isinstance(offer, Offer)
    assert offer.dropoff_by == appointment
    assert offer.planned_dropoff <= appointment


def test_same_ask_on_same_state_gives_the_same_offer() -> None:
    """Offers are deterministic: same state and ask, same offer (id included)."""
    disp, state = start()
    ask = RideAsk(at(1000, 0), at(4000, 0), now=state.now, rider_id="r1")
    assert disp.offer(state, ask) == disp.offer(state, ask)


def test_policy_defaults_are_usable() -> None:
    """The default policy gives offers inside its operating hours."""
    disp, state = start(policy=DispatchPolicy())
    offer = disp.offer(state, RideAsk(at(1000, 0), at(4000, 0), now=state.now))
    assert isinstance(offer, Offer)


def test_travel_margin_plans_longer_drives_that_hold_on_the_real_roads() -> None:
    """With a 20 % margin the planned ride is 20 % longer, and the plan stays feasible on
    the unpadded travel times."""
    disp, state = start(vans=2, policy=replace(POLICY, travel_time_margin=0.2))
    now = state.now
    for i in range(4):
        ask = RideAsk(at(1000 * i, 0), at(1000 * i, 6000), pickup_after=now + 1800 * i, now=now)
        state, offer = book(disp, state, ask, f"b{i}")
    direct = 600  # 6 km at 10 m/s
    assert offer.planned_dropoff - offer.planned_pickup - offer.board >= 1.2 * direct
    problem = planning_problem(state, disp.policy, None)
    assert evaluate(problem, state.plan, disp.roads).feasible


def test_fleet_busy_beyond_the_horizon_gives_no_alternative() -> None:
    """When no van is free within the policy horizon, the rejection names no alternative."""
    disp, state = start(vans=1, seats=1)
    now = state.now
    state, _ = book(disp, state, RideAsk(at(0, 100), at(0, 60_000), pickup_after=now, now=now),
                    "far")
    result = disp.offer(state, RideAsk(at(100, 0), at(900, 0), pickup_after=now + 900,
                                       now=now))
    assert isinstance(result, Rejection)
    assert result.reason is RejectionReason.NO_VEHICLE
    assert result.alternative is None
