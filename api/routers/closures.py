"""``POST /v1/closures``: a road closes (flood, landslide, winter pass); the plan is re-made
around it and the bookings it affects are listed.

The path: GeoJSON (schemas) -> shapely geometry -> ``maas.roads.Closure`` -> inside one
serialised write, ``Dispatcher.apply(state, RoadClosed)`` (the dispatcher applies the
closure set of the state to its road network, re-plans and reports ``BookingsAffected`` and
``PromiseAtRisk``) -> commit -> 201 with the affected bookings. A closure with ``until`` is
lifted by the service's ticker once that time has passed.
"""

from __future__ import annotations

import json
import secrets

import shapely.errors
import shapely.geometry
from fastapi import APIRouter

from api.deps import ClockDep, DispatcherDep, Operator, SchedulesDep, StoreDep
from api.errors import invalid
from api.notify import apply_event
from api.schemas import ClosureCreate, ClosurePublic
from api.store import Write
from maas.roads import Closure
from solver.dispatch import outcomes
from solver.dispatch.events import RoadClosed

router = APIRouter(prefix="/v1/closures", tags=["closures"])


@router.post("", status_code=201, response_model=ClosurePublic)
async def create_closure(
    body: ClosureCreate,
    _: Operator,
    store: StoreDep,
    dispatcher: DispatcherDep,
    schedules: SchedulesDep,
    clock: ClockDep,
) -> ClosurePublic:
    """Close the roads a line crosses or a polygon covers; re-plan; list affected bookings."""
    try:
        geometry = shapely.geometry.shape(body.geometry.model_dump())
        usable = geometry.is_valid and not geometry.is_empty
    except (ValueError, TypeError, shapely.errors.ShapelyError):
        usable = False
    if not usable:
        raise invalid("the closure geometry is not a valid line or polygon")
    now = clock.now_seconds()
    until = None if body.until is None else clock.latest(body.until)
    if until is not None and until <= now:
        raise invalid("'until' lies in the past")
    closure = Closure(id="c_" + secrets.token_hex(6), geometry=geometry)

    async def close(w: Write) -> ClosurePublic:
        _, results = apply_event(w, dispatcher, schedules, clock, RoadClosed(closure, now))
        affected = sorted({b for o in results if isinstance(o, outcomes.BookingsAffected)
                           for b in o.booking_ids})
        at_risk = sorted({o.booking_id for o in results
                          if isinstance(o, outcomes.PromiseAtRisk)})
        public = ClosurePublic(id=closure.id, until=None if until is None else clock.iso(until),
                               affected_bookings=affected, promises_at_risk=at_risk)
        w.hset(store.keys.closures, closure.id, json.dumps({"until": until}))
        return public

    return await store.write(close)
