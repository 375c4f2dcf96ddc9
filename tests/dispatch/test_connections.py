"""Guaranteed connections in the dispatcher: the margin, the hard deadline at the stop, the
early alert, and return rides that follow a late train."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from maas.domain import StopKind
from solver.dispatch import Offer, RideAsk
from solver.dispatch import events as ev
from solver.dispatch import outcomes as oc
from solver.dispatch.connections import Connection, connection_margin
from tests.dispatch.plane import HOUR, POLICY, at, book, report, start

# Padding off, so that the margin is what keeps the connection (see connection_margin).
BARE = replace(POLICY, travel_time_margin=0.0, travel_time_noise=0.1, connection_buffer=300)
STATION = at(0, 6000)
DEPARTS = 10 * HOUR


def _to_train(origin_x: float = 3000, now: int = 8 * HOUR) -> RideAsk:
    return RideAsk(at(origin_x, 0), STATION, now=now, rider_id="r",
                   connect=Connection("st", DEPARTS, trip_id="t9"))


def _dropoff(state: object, disp: object, booking_id: str) -> int:
    sched = report(disp, state).schedules  # type: ignore[arg-type]
    return next(s.start for stops in sched.values() for s in stops
                if s.stop.request_id == booking_id and s.stop.kind is StopKind.DROPOFF)


def test_margin_formula_values() -> None:
    """margin = ceil(T (exp(z_p sigma) - (1 + padding))), never negative."""
    z = 1.6448536269514722
    assert connection_margin(1000, 0.1, 0.0) == math.ceil(1000 * (math.exp(z * 0.1) - 1))
    assert connection_margin(1000, 0.1, 0.0) == 179
    assert connection_margin(1000, 0.1, 0.2) == 0  # the 20 % padding covers 95 % already
    assert connection_margin(1000, 0.2, 0.2) == math.ceil(1000 * (math.exp(z * 0.2) - 1.2))
    assert connection_margin(1000, 0.1, 0.0, 0.99) > connection_margin(1000, 0.1, 0.0)
    assert connection_margin(0, 0.1, 0.0) == 0 and connection_margin(1000, 0.0, 0.0) == 0


@pytest.mark.parametrize(("noise", "padding"), [(0.1, 0.0), (0.2, 0.1), (0.3, 0.2)])
def test_margin_reaches_the_buffer_on_95_percent_of_days(noise: float, padding: float) -> None:
    """Drawn from the simulator's noise model, a drive planned at T (1 + padding) + margin
    is on time on at least 95 % of draws, one leg or several independent legs."""
    rng = np.random.default_rng(5)
    drive = 1800
    planned = drive * (1 + padding) + connection_margin(drive, noise, padding)
    one = drive * np.exp(rng.normal(0, noise, 40_000))
    assert 0.945 <= float(np.mean(one <= planned)) <= 0.96  # tight for a single leg
    legs = np.full(4, drive / 4) * np.exp(rng.normal(0, noise, (40_000, 4)))
    assert float(np.mean(legs.sum(axis=1) <= planned)) >= 0.95


def test_offer_to_a_train_arrives_by_departure_minus_buffer_minus_margin() -> None:
    disp, state = start(policy=BARE)
    offer = disp.offer(state, _to_train())
    assert isinstance(offer, Offer)
    c = offer.ask.connect
    assert c is not None and c.buffer == 300
    direct = int(disp.travel.durations([offer.ask.origin], [STATION])[0, 0])
    expected = connection_margin(BARE.ride_time.limit(direct), 0.1, 0.0)
    assert c.margin == expected > 0
    assert offer.dropoff_by == DEPARTS - 300 - expected
    assert offer.planned_dropoff <= offer.dropoff_by
    state, _ = disp.apply(state, ev.ConfirmOffer(offer, "b1", state.now))
    booking = state.bookings["b1"]
    assert booking.connection == c
    assert booking.request.dropoff.latest == DEPARTS - 300 - expected


def test_plain_arrive_by_and_default_padding_need_no_margin() -> None:
    """Under the default 20 % padding the margin is zero: the deadline is departure - buffer."""
    disp, state = start(policy=replace(POLICY, connection_buffer=300))
    offer = disp.offer(state, _to_train())
    assert isinstance(offer, Offer) and offer.ask.connect is not None
    assert offer.ask.connect.margin == 0 and offer.dropoff_by == DEPARTS - 300


def test_replanning_and_reoptimisation_never_break_the_connection() -> None:
    """Other riders booked around it, a late van report, re-optimisation rounds: the plan
    always drops the connecting rider by the deadline."""
    policy = replace(BARE, reoptimise_every_s=60)
    disp, state = start(vans=2, policy=policy)
    now = state.now
    state, offer = book(disp, state, _to_train(now=now), "train")
    deadline = offer.dropoff_by
    rng = np.random.default_rng(3)
    for i in range(5):
        o = at(float(rng.uniform(-5000, 5000)), float(rng.uniform(-5000, 5000)))
        d = at(float(rng.uniform(-5000, 5000)), float(rng.uniform(-5000, 5000)))
        answer = disp.offer(state, RideAsk(o, d, pickup_after=now + int(rng.integers(0, 5400)),
                                           now=now))
        if isinstance(answer, Offer):
            state, _ = disp.apply(state, ev.ConfirmOffer(answer, f"o{i}", now))
        assert _dropoff(state, disp, "train") <= deadline
    for t in (now + 60, now + 400):
        state, outs = disp.apply(state, ev.Tick(t))
        assert any(isinstance(o, oc.Reoptimised) for o in outs)
        assert _dropoff(state, disp, "train") <= deadline
    vid = state.bookings["train"].vehicle_id
    state, _ = disp.apply(state, ev.VehicleMoved(vid, at(-4000, -4000), now + 1900))
    assert "train" not in state.at_risk
    assert _dropoff(state, disp, "train") <= deadline
    assert state.bookings["train"].request.dropoff.latest == deadline


def test_connection_at_risk_is_raised_once_with_the_time_to_departure() -> None:
    """A van far away late: the estimate passes departure - buffer; the operator hears it
    once, with the seconds left, and hears when it recovers."""
    disp, state = start(vans=1, policy=BARE)
    state, offer = book(disp, state, _to_train(), "b1")
    late = offer.pickup.latest - 120
    state, outs = disp.apply(state, ev.VehicleMoved("v0", at(-40_000, 0), late))
    alerts = [o for o in outs if isinstance(o, oc.ConnectionAtRisk)]
    assert len(alerts) == 1
    a = alerts[0]
    assert (a.booking_id, a.stop_id, a.departure, a.trip_id) == ("b1", "st", DEPARTS, "t9")
    assert a.seconds_to_departure == DEPARTS - late and a.minutes_to_departure > 0
    assert a.dropoff_estimate > DEPARTS - 300
    assert "b1" in state.connections_at_risk
    again, outs = disp.apply(state, ev.VehicleMoved("v0", at(-39_000, 0), late + 30))
    assert not [o for o in outs if isinstance(o, oc.ConnectionAtRisk)]
    back, outs = disp.apply(again, ev.VehicleMoved("v0", at(2900, 0), late + 60))
    assert [o.booking_id for o in outs if isinstance(o, oc.ConnectionRecovered)] == ["b1"]
    assert "b1" not in back.connections_at_risk


def test_no_connection_alert_when_only_the_margin_is_eaten() -> None:
    """Late by less than the margin: the promise is at risk, the train is not yet."""
    disp, state = start(vans=1, policy=BARE)
    state, offer = book(disp, state, _to_train(), "b1")
    c = offer.ask.connect
    assert c is not None and c.margin > 120
    planned = offer.planned_pickup
    # the van stands at the origin, a minute after the planned pickup would allow
    state, outs = disp.apply(state, ev.VehicleMoved("v0", at(3000, 0), planned + 60))
    assert not [o for o in outs if isinstance(o, oc.ConnectionAtRisk)]


def _from_train(now: int = 8 * HOUR) -> RideAsk:
    return RideAsk(STATION, at(3000, 0), now=now, rider_id="r",
                   connect=Connection("st", 9 * HOUR, kind="arrival", trip_id="t1"))


def test_return_ride_waits_for_the_train_and_follows_its_delay() -> None:
    disp, state = start(vans=1, policy=BARE)
    state, offer = book(disp, state, _from_train(), "home")
    ready = 9 * HOUR + 300
    assert offer.pickup.earliest >= ready and offer.planned_pickup >= ready
    before = state.bookings["home"].request
    state, outs = disp.apply(state, ev.TrainDelayed("t1", 900, 8 * HOUR + 600))
    moved = [o for o in outs if isinstance(o, oc.ConnectionMoved)]
    assert len(moved) == 1 and moved[0].delay_s == 900
    after = state.bookings["home"].request
    assert after.pickup.earliest == before.pickup.earliest + 900
    assert after.pickup.latest == before.pickup.latest + 900
    assert after.dropoff.latest == before.dropoff.latest + 900
    assert state.bookings["home"].connection is not None
    assert state.bookings["home"].connection.delay == 900
    sched = report(disp, state).schedules["v0"]
    pickup = next(s for s in sched if s.stop.kind is StopKind.PICKUP)
    assert after.pickup.contains(pickup.start)
    assert report(disp, state).feasible
    # The train makes up five minutes: the window moves back by the change only.
    state, _ = disp.apply(state, ev.TrainDelayed("t1", 600, 8 * HOUR + 900))
    assert state.bookings["home"].request.pickup.earliest == before.pickup.earliest + 600
    # Another train's delay, or the same delay again, changes nothing.
    same, outs = disp.apply(state, ev.TrainDelayed("t2", 1200, 8 * HOUR + 900))
    assert same is state and outs == []
    same, outs = disp.apply(state, ev.TrainDelayed("t1", 600, 8 * HOUR + 950))
    assert same is state and outs == []


def test_prebooked_connection_keeps_its_deadline() -> None:
    disp, state = start(vans=1, policy=BARE)
    state, _ = disp.apply(state, ev.PrebookBatch((_to_train(now=6 * HOUR),), 6 * HOUR,
                                                    ("pb",)))
    booking = state.bookings["pb"]
    assert booking.connection is not None and booking.connection.margin > 0
    assert booking.request.dropoff.latest == booking.connection.deadline - booking.connection.margin
    assert _dropoff(state, disp, "pb") <= booking.request.dropoff.latest
