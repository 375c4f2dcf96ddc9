"""``POST /v1/closures``: a road closes (flood, landslide, winter pass); the plan is re-made
around it and the bookings it affects are listed.

The path: GeoJSON (schemas) -> shapely geometry -> ``maas.roads.Closure`` -> inside one
serialised write, ``Dispatcher.apply(state, RoadClosed)`` (the dispatcher applies the
closure set of the state to its road network, re-plans and reports ``BookingsAffected`` and
``PromiseAtRisk``) -> commit -> 201 with the affected bookings. A closure with ``until`` is
lifted by the service's ticker once that time has passed. A closure applies to every open
service day it lasts into (each day's state is re-planned in its own write), and a day that
opens later starts with the closures still in force. ``GET /v1/closures`` lists those in
force with the GeoJSON they were drawn as (the console's map); ``DELETE /v1/closures/{id}``
lifts one now, as its ``until`` would.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import shapely.errors
import shapely.geometry
from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import Operator, RuntimeDep, Staff
from api.errors import invalid, not_found
from api.notify import apply_event
from api.schemas import ClosureCreate, ClosurePublic
from api.service_days import DayContext
from api.store import Write
from maas.roads import Closure
from solver.dispatch import outcomes
from solver.dispatch.events import RoadClosed, RoadReopened

router = APIRouter(prefix="/v1/closures", tags=["closures"])


@router.post("", status_code=201, response_model=ClosurePublic)
async def create_closure(body: ClosureCreate, _: Operator, rt: RuntimeDep) -> ClosurePublic:
    """Close the roads a line crosses or a polygon covers; re-plan every open day it lasts
    into; list the affected bookings."""
    try:
        geometry = shapely.geometry.shape(body.geometry.model_dump())
        usable = geometry.is_valid and not geometry.is_empty
    except (ValueError, TypeError, shapely.errors.ShapelyError):
        usable = False
    if not usable:
        raise invalid("the closure geometry is not a valid line or polygon")
    now = rt.clock.now()
    until = None if body.until is None else (
        body.until if body.until.tzinfo else body.until.replace(tzinfo=rt.service.tz))
    if until is not None and until <= now:
        raise invalid("'until' lies in the past")
    closure = Closure(id="c_" + secrets.token_hex(6), geometry=geometry)
    # Recorded first: a day opening meanwhile copies the closure from the days that have it.
    await rt.store.hset(rt.store.keys.closures, closure.id, json.dumps(
        {"until": None if until is None else until.isoformat(),
         "geometry": body.geometry.model_dump()}))
    affected: set[str] = set()
    at_risk: set[str] = set()
    for day in await rt.days.open_days():
        ctx = rt.days.context(day)
        if until is not None and until <= rt.service.midnight(day):
            continue  # lifted before this day starts

        async def close(w: Write, c: DayContext = ctx) -> list[outcomes.Outcome]:
            _, results = apply_event(w, c.dispatcher, c.schedules, c.clock,
                                     RoadClosed(closure, c.clock.now_seconds()))
            return results

        for o in await ctx.store.write(close):
            if isinstance(o, outcomes.BookingsAffected):
                affected.update(o.booking_ids)
            elif isinstance(o, outcomes.PromiseAtRisk):
                at_risk.add(o.booking_id)
    return ClosurePublic(id=closure.id, until=None if until is None else until.isoformat(),
                         affected_bookings=sorted(affected), promises_at_risk=sorted(at_risk))


class ClosureListed(BaseModel):
    """A closure in force: its id, until when, and the GeoJSON it was drawn as (absent for
    closures made before the geometry was recorded)."""

    id: str
    until: str | None
    geometry: dict[str, Any] | None = None


class ClosureList(BaseModel):
    """The closures in force."""

    closures: list[ClosureListed]


@router.get("", response_model=ClosureList)
async def list_closures(_: Staff, rt: RuntimeDep) -> ClosureList:
    """The closures in force (any staff), for the console's map."""
    records = await rt.store.records(rt.store.keys.closures)
    return ClosureList(closures=[
        ClosureListed(id=cid, until=rec.get("until"), geometry=rec.get("geometry"))
        for cid, rec in sorted(records.items())])


@router.delete("/{closure_id}", response_model=ClosureListed)
async def lift_closure(closure_id: str, _: Operator, rt: RuntimeDep) -> ClosureListed:
    """Lift a closure now (as its ``until`` would): re-plan every open day that has it."""
    record = await rt.store.record(rt.store.keys.closures, closure_id)
    if record is None:
        raise not_found(f"closure {closure_id!r}")
    for day in await rt.days.open_days():
        ctx = rt.days.context(day)

        async def reopen(w: Write, c: DayContext = ctx) -> None:
            if closure_id in {getattr(x, "id", None) for x in w.state.closures}:
                apply_event(w, c.dispatcher, c.schedules, c.clock,
                            RoadReopened(closure_id, c.clock.now_seconds()))

        await ctx.store.write(reopen)
    await rt.store.hdel(rt.store.keys.closures, closure_id)
    return ClosureListed(id=closure_id, until=record.get("until"),
                         geometry=record.get("geometry"))
