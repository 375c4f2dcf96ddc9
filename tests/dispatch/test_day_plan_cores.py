"""The day's batch plan on two cores (``DispatchPolicy.day_plan_cores``): the solver gets
two workers when the policy is not deterministic, one when it is (two searches that end
on the clock cannot repeat), and the plan it keeps still serves every booking feasibly."""

from __future__ import annotations

from dataclasses import replace

import pytest

from solver import darp
from solver.dispatch import RideAsk
from solver.dispatch import dayplan as dayplan_module
from solver.dispatch.dayplan import plan_day
from tests.dispatch.plane import HOUR, POLICY, at, book, report, start


def _day(deterministic: bool, cores: int):  # type: ignore[no-untyped-def]
    policy = replace(POLICY, deterministic=deterministic, day_plan_cores=cores)
    disp, state = start(vans=2, now=7 * HOUR, policy=policy)
    for i in range(6):
        x = 1000 + 700 * i
        ask = RideAsk(at(x, 500 * (i % 3)), at(9000 - x, -400), pickup_after=9 * HOUR + 600 * i,
                      now=state.now)
        state, _ = book(disp, state, ask, f"b{i}")
    return disp, state


@pytest.mark.parametrize(("deterministic", "cores", "expected"),
                         [(False, 2, 2), (False, 1, 1), (True, 2, 1)])
def test_the_day_plan_asks_for_the_policys_cores(monkeypatch: pytest.MonkeyPatch,
                                                 deterministic: bool, cores: int,
                                                 expected: int) -> None:
    seen: list[darp.SolveParams] = []
    real = darp.solve

    def spy(problem, travel, params):  # type: ignore[no-untyped-def]
        seen.append(params)
        return real(problem, travel, params)

    monkeypatch.setattr(dayplan_module, "solve", spy)
    disp, state = _day(deterministic, cores)
    planned = plan_day(disp, state, 600, 1.0)
    assert [p.workers for p in seen] == [expected]
    assert report(disp, planned.state).feasible
    served = {s.request_id for r in planned.state.plan.routes for s in r.stops}
    assert {b.request.id for b in planned.state.bookings.values()} <= served
