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
from maas.domain import Location, Route, Vehicle
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
    return _if_route_fits(ctx, new, vehicle_id)


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


def rides_on(state: DispatchState, vehicle_id: str) -> list[str]:
    """The open rides (confirmed or on board) booked on a van in a day's state."""
    return sorted(b.id for b in state.bookings.values()
                  if b.active and b.vehicle_id == vehicle_id)


def with_roster_van(ctx: DayContext, state: DispatchState, vehicle_id: str,
                    desired: Vehicle | None) -> DispatchState | None:
    """The day's state with the van's shift and break as the roster now has them (or the
    van gone: ``desired`` None; or added: not in the state yet); None when that strands
    rides booked on it (off with rides, or a shift its plan no longer fits in)."""
    current = state.vehicle(vehicle_id)
    if desired is None:
        if current is None:
            return state
        if rides_on(state, vehicle_id) or state.plan.route(vehicle_id).stops:
            return None
        return replace(state, vehicles=tuple(v for v in state.vehicles if v.id != vehicle_id),
                       plan=replace(state.plan, routes=tuple(
                           r for r in state.plan.routes if r.vehicle_id != vehicle_id)),
                       version=state.version + 1)
    if current is None:
        return replace(state, vehicles=(*state.vehicles, desired),
                       plan=replace(state.plan, routes=(*state.plan.routes,
                                                        Route(vehicle_id))),
                       version=state.version + 1)
    vehicle = replace(current, shift=desired.shift, break_=desired.break_)
    if vehicle == current:
        return state
    new = replace(state, vehicles=replace_vehicle(state.vehicles, vehicle),
                  version=state.version + 1)
    return _if_route_fits(ctx, new, vehicle_id)


def stranded(rides: dict[str, list[str]]) -> Exception:
    """409 naming, by day, the rides a shift change would strand."""
    return conflict("shift_strands_rides", "the shift change strands rides booked on this "
                    f"van on {', '.join(rides)}: move or cancel them first", rides=rides)


def roster_step(ctx: DayContext, vehicle_id: str, desired: Vehicle | None
                ) -> Callable[[Write], Awaitable[None]]:
    """A write step applying a roster change to one open day (409 if it strands rides)."""

    async def step(w: Write) -> None:
        new = with_roster_van(ctx, w.state, vehicle_id, desired)
        if new is None:
            raise stranded({ctx.day.isoformat(): rides_on(w.state, vehicle_id)})
        if new is not w.state:
            w.new_state = new

    return step


def _if_route_fits(ctx: DayContext, new: DispatchState, vehicle_id: str
                   ) -> DispatchState | None:
    """``new`` if the changed van's route still keeps every promise on it, else None."""
    if not new.plan.route(vehicle_id).stops:
        return new
    problem = planning_problem(new, ctx.dispatcher.policy, new.now)
    report = evaluate_route(problem, new.plan, vehicle_id, ctx.dispatcher.travel)
    return new if report.feasible else None
