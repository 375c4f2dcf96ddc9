"""Offers serve the rider: the soonest pickup, estimated times, reasons as codes, and
alternatives on both sides of the asked time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

import numpy as np

from maas.domain import Location
from maas.travel import TravelTimeSource
from solver.dispatch import Dispatcher, DispatchState, Offer, Rejection, RejectionReason, RideAsk
from solver.dispatch import events as ev
from tests.dispatch.plane import HOUR, POLICY, TRAVEL, at, book, report, start, van


def test_asap_rider_gets_the_idle_van_five_minutes_away_not_the_cheap_busy_one() -> None:
    """A busy van passing the rider later is cheaper for the operator; the idle van nearby
    is sooner for the rider, and the offer takes it."""
    fleet = [van("busy"), van("idle", depot=at(3000, 3000))]
    disp = Dispatcher(TRAVEL, POLICY)
    state = DispatchState.empty("plane", fleet, 8 * HOUR)
    now = state.now
    # The busy van heads 9 km out and back: its way home passes the new rider's origin.
    state, _ = book(disp, state, RideAsk(at(0, 100), at(9000, 0), pickup_after=now, now=now),
                    "far")
    ask = RideAsk(at(6000, 0), at(0, 0), now=now)
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer)
    assert offer.vehicle_id == "idle"
    # About 4.2 km from the idle van at 10 m/s, plus the no-show reserve.
    assert offer.planned_pickup - now < 15 * 60


def test_offer_states_the_times_a_confirmation_plans() -> None:
    """The offer's estimated pickup and drop-off are the times the plan holds once confirmed."""
    disp, state = start()
    now = state.now
    state, _ = book(disp, state, RideAsk(at(500, 0), at(3000, 0), now=now), "b0")
    offer = disp.offer(state, RideAsk(at(1000, 0), at(4000, 0), now=now))
    assert isinstance(offer, Offer)
    new, _ = disp.apply(state, ev.ConfirmOffer(offer, "b1", now))
    stops = {(s.stop.request_id, s.stop.kind.value): s.start
             for sched in report(disp, new).schedules.values() for s in sched}
    assert stops[("b1", "pickup")] == offer.planned_pickup
    assert stops[("b1", "dropoff")] == offer.planned_dropoff
    assert offer.pickup.contains(offer.planned_pickup)


def test_arrive_by_offer_leaves_late_rather_than_at_the_earliest_moment() -> None:
    """For an appointment the pickup is the latest that arrives in time, not the earliest."""
    disp, state = start()
    now = state.now
    arrive = now + 2 * HOUR
    offer = disp.offer(state, RideAsk(at(1000, 0), at(7000, 0), arrive_before=arrive, now=now))
    assert isinstance(offer, Offer)
    assert offer.planned_dropoff <= arrive
    # The drive is 10 minutes: arriving within one promise window of the appointment.
    assert arrive - offer.planned_dropoff <= POLICY.pickup_window + 120


def test_wheelchair_without_a_lift_van_is_no_wheelchair_vehicle() -> None:
    """A fleet without wheelchair places refuses a wheelchair with its own code."""
    disp = Dispatcher(TRAVEL, POLICY)
    state = DispatchState.empty("plane", [van("v", wheelchairs=0)], 8 * HOUR)
    result = disp.offer(state, RideAsk(at(100, 0), at(900, 0), wheelchairs=1, now=state.now))
    assert isinstance(result, Rejection)
    assert result.reason is RejectionReason.NO_WHEELCHAIR_VEHICLE
    assert result.reason.value == "no_wheelchair_vehicle"


def test_group_larger_than_any_van_is_group_too_large() -> None:
    """Nine riders never fit eight-seat vans, whatever the plan."""
    disp, state = start(seats=8)
    result = disp.offer(state, RideAsk(at(100, 0), at(900, 0), passengers=9, now=state.now))
    assert isinstance(result, Rejection)
    assert result.reason.value == "group_too_large"


class _Island:
    """The plane, except that nothing reaches or leaves the island east of x = 50 km."""

    version = 0

    def durations(self, origins: Sequence[Location], destinations: Sequence[Location]
                  ) -> np.ndarray:
        out = TRAVEL.durations(origins, destinations)
        a = np.array([o.lon >= 50_000 for o in origins])[:, None]
        b = np.array([d.lon >= 50_000 for d in destinations])[None, :]
        return np.where(a != b, 10**9, out).astype(np.int64)

    def distances(self, origins: Sequence[Location], destinations: Sequence[Location]
                  ) -> np.ndarray:
        return TRAVEL.distances(origins, destinations)


def test_no_open_road_is_unreachable() -> None:
    """Points with no road between them are refused as unreachable, not as a full fleet."""
    island: TravelTimeSource = _Island()
    disp = Dispatcher(island, POLICY)
    state = DispatchState.empty("plane", [van("v")], 8 * HOUR)
    result = disp.offer(state, RideAsk(at(100, 0), at(60_000, 0), now=state.now))
    assert isinstance(result, Rejection)
    assert result.reason.value == "unreachable"


def test_busy_fleet_is_no_capacity_and_other_codes_are_stable() -> None:
    """A full fleet gives ``no_capacity``; area and hours have their short codes."""
    disp, state = start(vans=1, seats=1)
    now = state.now
    state, _ = book(disp, state, RideAsk(at(0, 100), at(0, 9000), pickup_after=now, now=now),
                    "b1")
    busy = disp.offer(state, RideAsk(at(100, 0), at(9000, 0), pickup_after=now, now=now))
    assert isinstance(busy, Rejection) and busy.reason.value == "no_capacity"
    late = disp.offer(state, RideAsk(at(100, 0), at(900, 0), pickup_after=20 * HOUR, now=now))
    assert isinstance(late, Rejection) and late.reason.value == "outside_hours"
    boxed = replace(POLICY, service_area=(-10.0, -10.0, 10.0, 10.0))
    far = Dispatcher(TRAVEL, boxed).offer(state, RideAsk(at(100, 0), at(0, 0), now=now))
    assert isinstance(far, Rejection) and far.reason.value == "outside_area"


def _busy_between(start_s: int, end_s: int) -> tuple[Dispatcher, DispatchState, int]:
    """One one-seat van, booked for a long ride that keeps it away from start to end."""
    disp, state = start(vans=1, seats=1, now=7 * HOUR)
    now = state.now
    # 18 km out: 30 minutes of driving each way at 10 m/s.
    state, offer = book(disp, state, RideAsk(at(0, 100), at(0, 18_000),
                                             pickup_after=start_s, now=now), "long")
    assert offer.planned_dropoff <= end_s
    return disp, state, now


def test_rejection_lists_alternatives_before_and_after_that_work() -> None:
    """Asked for a time the van is away, the rider hears earlier and later times, each of
    which gives an offer when asked for."""
    disp, state, now = _busy_between(9 * HOUR, 10 * HOUR)
    asked = 9 * HOUR + 15 * 60
    ask = RideAsk(at(200, 0), at(3000, 0), pickup_after=asked, now=now)
    result = disp.offer(state, ask)
    assert isinstance(result, Rejection)
    assert result.reason is RejectionReason.NO_CAPACITY
    before = [a for a in result.alternatives if a.pickup < asked]
    after = [a for a in result.alternatives if a.pickup > asked]
    assert 1 <= len(before) <= POLICY.alternatives
    assert 1 <= len(after) <= POLICY.alternatives
    assert result.alternative == after[0].pickup_after
    # The soonest later time is as soon as the van can be back, found by search, not steps.
    assert after[0].pickup < 10 * HOUR + 20 * 60
    times = sorted(a.pickup for a in result.alternatives)
    assert all(b - a >= POLICY.alternative_step for a, b in pairwise(times))
    for alt in result.alternatives:
        again = disp.offer(state, replace(ask, pickup_after=alt.pickup_after))
        assert isinstance(again, Offer), alt
        assert abs(again.planned_pickup - alt.pickup) <= 1


def test_appointment_rejection_lists_earlier_arrivals_that_work() -> None:
    """An appointment the van cannot make hears earlier arrivals, each an offer when asked."""
    disp, state, now = _busy_between(9 * HOUR, 10 * HOUR)
    arrive = 9 * HOUR + 45 * 60
    ask = RideAsk(at(200, 0), at(3000, 0), arrive_before=arrive, now=now)
    result = disp.offer(state, ask)
    assert isinstance(result, Rejection)
    assert result.alternatives
    for alt in result.alternatives:
        assert alt.arrive_before is not None and alt.arrive_before < arrive
        again = disp.offer(state, replace(ask, arrive_before=alt.arrive_before))
        assert isinstance(again, Offer), alt
        assert again.planned_dropoff <= alt.arrive_before


def test_accepted_offer_lists_earlier_and_later_times_that_work() -> None:
    """An offer the rider may still weigh: times earlier than asked and later than offered,
    at least a step from each other and from the offer, each an offer when asked for."""
    disp, state, now = _busy_between(9 * HOUR, 10 * HOUR)
    asked = 10 * HOUR + 30 * 60
    ask = RideAsk(at(200, 0), at(3000, 0), pickup_after=asked, now=now)
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer)
    alts = disp.offer_alternatives(state, ask, offer)
    before = [a for a in alts if a.pickup < asked]
    after = [a for a in alts if a.pickup > offer.planned_pickup]
    assert before and after and len(before) + len(after) == len(alts)
    assert len(before) <= POLICY.alternatives and len(after) <= POLICY.alternatives
    assert after[0].pickup >= offer.planned_pickup + POLICY.alternative_step
    times = [a.pickup for a in alts]
    assert times == sorted(times)
    assert all(b - a >= POLICY.alternative_step for a, b in pairwise(times))
    for alt in alts:
        again = disp.offer(state, replace(ask, pickup_after=alt.pickup_after))
        assert isinstance(again, Offer), alt
        assert abs(again.planned_pickup - alt.pickup) <= 1


def test_accepted_appointment_lists_earlier_arrivals_only() -> None:
    """For an appointment, the alternatives beside an offer arrive earlier than it does."""
    disp, state, now = _busy_between(9 * HOUR, 10 * HOUR)
    ask = RideAsk(at(200, 0), at(3000, 0), arrive_before=11 * HOUR, now=now)
    offer = disp.offer(state, ask)
    assert isinstance(offer, Offer)
    alts = disp.offer_alternatives(state, ask, offer)
    assert alts
    for alt in alts:
        assert alt.arrive_before is not None
        assert alt.arrive_before <= offer.planned_dropoff - POLICY.alternative_step
        again = disp.offer(state, replace(ask, arrive_before=alt.arrive_before))
        assert isinstance(again, Offer) and again.planned_dropoff <= alt.arrive_before
