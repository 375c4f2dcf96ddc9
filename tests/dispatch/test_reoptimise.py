"""Re-optimisation and prebooked batches: the solver core under the promise rule."""

from __future__ import annotations

import random
from dataclasses import replace

from maas.domain import Plan, Route, Stop, StopKind
from solver.dispatch import Offer, RideAsk
from solver.dispatch import events as ev
from solver.dispatch import outcomes as oc
from solver.dispatch.dayrun import DayRun, scripted_day
from solver.dispatch.planning import planning_problem
from solver.dispatch.reoptimise import keeps_promises, locks_kept
from tests.dispatch.plane import HOUR, POLICY, at, report, start


def _busy_morning(vans: int = 2, riders: int = 10, seed: int = 4):
    """Riders booked one by one (greedy insertion), nothing re-optimised yet."""
    rng = random.Random(seed)
    disp, state = start(vans=vans)
    now = state.now
    for i in range(riders):
        ask = RideAsk(at(rng.uniform(-4000, 4000), rng.uniform(-4000, 4000)),
                      at(rng.uniform(-4000, 4000), rng.uniform(-4000, 4000)),
                      pickup_after=now + 600 + 300 * i, now=now)
        offer = disp.offer(state, ask)
        if isinstance(offer, Offer):
            state, _ = disp.apply(state, ev.ConfirmOffer(offer, f"b{i}", now))
    return disp, state


def test_reoptimisation_never_worsens_the_objective() -> None:
    """A due re-optimisation keeps or lowers the evaluator's cost and keeps every promise."""
    for seed in (4, 5):
        disp, state = _busy_morning(vans=3, riders=14, seed=seed)
        assert len(state.bookings) >= 10
        disp.policy = replace(POLICY, reoptimise_every_bookings=1, reoptimise_time_limit_s=2.0)
        before = report(disp, state)
        after_state, outcomes = disp.apply(state, ev.Tick(state.now))
        done = [o for o in outcomes if isinstance(o, oc.Reoptimised)]
        assert len(done) == 1
        after = report(disp, after_state)
        assert after.feasible
        if done[0].improved:
            assert after.cost < before.cost and after_state.plan != state.plan
        else:
            assert after_state.plan == state.plan
        served = {s.request_id for r in after_state.plan.routes for s in r.stops}
        assert served == set(state.bookings)
        assert after_state.confirmed_since_reoptimise == 0


def test_plan_missing_a_booking_does_not_keep_promises() -> None:
    """The promise rule refuses a cheaper plan that drops a confirmed booking."""
    disp, state = _busy_morning(riders=4)
    problem = planning_problem(state, disp.policy, state.now)
    dropped = Plan(tuple(Route(r.vehicle_id, tuple(s for s in r.stops if s.request_id != "b0"))
                         for r in state.plan.routes))
    assert keeps_promises(problem, state.plan, disp.travel) is not None
    assert keeps_promises(problem, dropped, disp.travel) is None


def test_moving_a_locked_stop_breaks_the_lock_rule() -> None:
    """A plan that no longer starts with a van's locked stop is refused."""
    locked = Plan((Route("v0", (Stop("a", StopKind.PICKUP, locked=True),
                                Stop("a", StopKind.DROPOFF))),))
    moved = Plan((Route("v0", (Stop("b", StopKind.PICKUP), Stop("a", StopKind.PICKUP),
                               Stop("b", StopKind.DROPOFF), Stop("a", StopKind.DROPOFF))),))
    assert locks_kept(locked, locked)
    assert not locks_kept(locked, moved)


def test_prebooked_batch_confirms_what_fits_and_rejects_the_rest() -> None:
    """A batch at the cut-off confirms feasible asks and rejects one no van can carry."""
    disp, state = start(vans=2, now=6 * HOUR)
    asks = tuple(RideAsk(at(500 * i, 1000), at(-3000, 500 * i), pickup_after=8 * HOUR + 900 * i,
                         now=6 * HOUR) for i in range(6))
    too_big = RideAsk(at(0, 100), at(0, 2000), wheelchairs=3, pickup_after=9 * HOUR,
                      now=6 * HOUR)
    state, outcomes = disp.apply(state, ev.PrebookBatch((*asks, too_big), 6 * HOUR,
                                                        tuple(f"p{i}" for i in range(7))))
    confirmed = {o.booking.id for o in outcomes if isinstance(o, oc.BookingConfirmed)}
    rejected = {o.booking_id for o in outcomes if isinstance(o, oc.BookingRejected)}
    assert confirmed == {f"p{i}" for i in range(6)}
    assert rejected == {"p6"}
    assert report(disp, state).feasible
    for i in range(6):
        booking = state.bookings[f"p{i}"]
        assert booking.request.pickup.earliest == 8 * HOUR + 900 * i


def test_same_inputs_and_seed_give_the_same_plan() -> None:
    """Two runs of the same scripted day end with identical states. (The deterministic
    search ends by itself; its time limit is only a safety net, kept well above what the
    search needs so that a loaded machine does not cut one run short: at 0.5 s it did.)"""
    rng = random.Random(7)
    places = [at(rng.uniform(-5000, 5000), rng.uniform(-5000, 5000)) for _ in range(30)]
    script = scripted_day(places, 25, seed=3, day_start=7 * HOUR, day_end=11 * HOUR)
    policy = replace(POLICY, reoptimise_every_s=1800, reoptimise_every_bookings=5,
                     reoptimise_time_limit_s=10.0)
    finals = []
    for _ in range(2):
        disp, state = start(vans=3, now=6 * HOUR, policy=policy)
        run = DayRun(disp, state, tick_s=300)
        run.run(script, 11 * HOUR)
        finals.append(run.state)
    assert finals[0] == finals[1]


def test_booking_follows_its_van_when_plans_move_it() -> None:
    """After any re-plan, each active booking names the van whose route serves it."""
    disp, state = _busy_morning()
    disp.policy = replace(POLICY, reoptimise_every_bookings=1)
    state, _ = disp.apply(state, ev.Tick(state.now))
    for booking in state.bookings.values():
        assert state.plan.vehicle_of(booking.id) == booking.vehicle_id
