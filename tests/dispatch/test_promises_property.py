"""Property: whatever riders ask, cancel or fail to show up for, no plan the dispatcher
produces breaks a confirmed promise, a capacity or a ride time (by the plan evaluator)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maas.evaluation import PlanReport
from solver.dispatch import DispatchState, RideAsk
from solver.dispatch.dayrun import DayRun, ScriptedAsk
from tests.dispatch.plane import HOUR, POLICY, at, start

DAY_START = 7 * HOUR
coords = st.integers(-5000, 5000)


@st.composite
def scripted_asks(draw: st.DrawFn, no_shows: bool) -> list[ScriptedAsk]:
    """A short morning of 3 to 12 riders on the plane (some fail to show if ``no_shows``)."""
    out = []
    for i in range(draw(st.integers(3, 12))):
        origin = at(draw(coords), draw(coords))
        destination = at(draw(coords), draw(coords))
        asked = DAY_START + 60 * draw(st.integers(0, 120))
        prebooked = draw(st.booleans()) and draw(st.booleans())
        wanted = asked + 60 * draw(st.integers(0, 60))
        kind = draw(st.sampled_from(["asap", "after", "arrive_by"]))
        ask = RideAsk(
            origin, destination,
            passengers=draw(st.integers(1, 3)), wheelchairs=draw(st.integers(0, 1)),
            pickup_after=wanted if kind == "after" or (prebooked and kind == "asap") else None,
            arrive_before=wanted + 2400 if kind == "arrive_by" else None,
            now=DAY_START - HOUR if prebooked else asked, rider_id=f"r{i}",
        )
        cancel = draw(st.one_of(st.none(), st.integers(60, 2400)))
        no_show = no_shows and draw(st.booleans())
        out.append(ScriptedAsk(f"b{i}", ask.now, ask, prebooked, cancel, no_show))
    return sorted(out, key=lambda s: (s.asked_at, s.id))


def _day(script: list[ScriptedAsk], vans: int, seats: int) -> None:
    policy = replace(POLICY, reoptimise_every_s=1800, reoptimise_every_bookings=4,
                     reoptimise_time_limit_s=0.2, prebook_time_limit_s=0.2)
    disp, state = start(vans=vans, seats=seats, now=DAY_START - HOUR, policy=policy)
    promises: dict[str, object] = {}

    def check(state: DispatchState, report: PlanReport) -> None:
        for bid, booking in state.bookings.items():
            assert promises.setdefault(bid, booking.request) == booking.request
        assert report.feasible, (report.violations, script, vans, seats)

    result = DayRun(disp, state, tick_s=120, check=check).run(script, DAY_START + 3 * HOUR)
    assert result.promise_violations == 0, result.violations
    assert result.promise_at_risk == 0
    assert result.confirm_failures == 0
    assert result.accepted + result.rejected == len(script)
    assert result.completed + result.cancelled + result.no_shows == result.accepted


@pytest.mark.slow
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(script=scripted_asks(no_shows=False), vans=st.integers(1, 3), seats=st.integers(2, 4))
def test_no_plan_ever_breaks_a_promise(script: list[ScriptedAsk], vans: int, seats: int) -> None:
    """Every plan of a random day keeps every confirmed promise, capacity and ride time."""
    _day(script, vans, seats)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(script=scripted_asks(no_shows=True), vans=st.integers(1, 3), seats=st.integers(2, 4))
def test_no_shows_never_make_a_van_late(script: list[ScriptedAsk], vans: int,
                                        seats: int) -> None:
    """With riders who never come, the no-show wait still breaks no promise of anyone else."""
    _day(script, vans, seats)
