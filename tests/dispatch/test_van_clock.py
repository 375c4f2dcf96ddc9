"""The clock a planner gives a van: driving, waiting, or standing early at its next stop."""

from __future__ import annotations

from solver.dispatch import RideAsk
from solver.dispatch import events as ev
from solver.dispatch.planning import planning_problem
from tests.dispatch.plane import HOUR, at, book, report, start


def test_a_van_standing_early_at_its_locked_stop_starts_it_no_sooner_than_now() -> None:
    """A van that set off for its next stop (now locked), reported being there early and
    waits for the plan's time is not driving: planners at a later moment start it then, not
    at the moment of its report (a re-optimisation planned a pickup in the past and broke
    the next rider's window by 41 s on a noiseless day)."""
    disp, state = start(vans=1)
    pickup = at(3000, 0)
    ask = RideAsk(origin=pickup, destination=at(6000, 0), pickup_after=8 * HOUR + 1800,
                  now=8 * HOUR)
    state, _ = book(disp, state, ask, "r1")
    arrival = report(disp, state).schedules["v0"][0].arrival
    state, _ = disp.apply(state, ev.Tick(arrival - 100))  # on its way, by the plan
    assert state.plan.route("v0").stops[0].locked
    state, _ = disp.apply(state, ev.VehicleMoved("v0", pickup, arrival - 60))  # there early
    state, _ = disp.apply(state, ev.Tick(arrival + 200))
    van = planning_problem(state, disp.policy, state.now).vehicle("v0")
    assert van.start_time == arrival + 200
    # The vans' reported clocks (what promises are judged on) are untouched.
    assert planning_problem(state, disp.policy, None).vehicle("v0").start_time == arrival - 60
