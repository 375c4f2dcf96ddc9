"""Changing a van (``PATCH /v1/vehicles/{id}``): the new name, seats, wheelchair places or
depot replace the van in a day's state only if that day's plan for it stays feasible.

A day the van is planned on is checked with the day's dispatcher (``evaluate_route``: seats
for the riders it carries, wheelchair places, the pickup windows from the new depot); one
day that breaks refuses the whole change (409 naming the day). Today's van (on the road, its
riders' promises made on its seats) is left as it is: the change applies to the open days
after today and, through the vehicle record, to every day opened later (``api.day_cycle``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from api.errors import conflict
from api.service_days import DayContext
from api.store import Write
from maas.domain import Location, Vehicle
from solver.dispatch import DispatchState
from solver.dispatch.planning import evaluate_route, planning_problem, replace_vehicle


def changed(vehicle: Vehicle, record: dict[str, Any], depot: Location | None) -> Vehicle:
    """``vehicle`` with the record's name, seats and wheelchair places and the new depot."""
    new = replace(vehicle, type=replace(
        vehicle.type, name=record["name"], seats=record["seats"],
        wheelchair_places=record["wheelchair_places"]))  # cargo space stays
    if depot is not None:
        new = replace(new, depot=depot, end=depot if vehicle.end == vehicle.depot else
                      vehicle.end)
    return new


def with_change(ctx: DayContext, state: DispatchState, vehicle_id: str,
                record: dict[str, Any], depot: Location | None) -> DispatchState | None:
    """The day's state with the van changed, or None when its plan would break."""
    vehicle = state.vehicle(vehicle_id)
    if vehicle is None:
        return state
    new = replace(state, vehicles=replace_vehicle(state.vehicles, changed(vehicle, record,
                                                                          depot)),
                  version=state.version + 1)
    if not new.plan.route(vehicle_id).stops:
        return new
    problem = planning_problem(new, ctx.dispatcher.policy, new.now)
    report = evaluate_route(problem, new.plan, vehicle_id, ctx.dispatcher.travel)
    return new if report.feasible else None


def change_step(ctx: DayContext, vehicle_id: str, record: dict[str, Any],
                depot: Location | None) -> Callable[[Write], Awaitable[None]]:
    """A write step applying the change to one day (409 if that day's plan breaks)."""

    async def step(w: Write) -> None:
        new = with_change(ctx, w.state, vehicle_id, record, depot)
        if new is None:
            raise refused(ctx)
        if new is not w.state:
            w.new_state = new

    return step


def refused(ctx: DayContext) -> Exception:
    return conflict("vehicle_change_infeasible", f"the change breaks the plan of "
                    f"{ctx.day}: riders booked on this van there would not fit or be late",
                    day=ctx.day.isoformat())
