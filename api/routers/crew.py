"""``GET /v1/vehicles/{vehicle_id}/riders``: who the driver picks up and drops off today.

The manifest names bookings only (it is published on the event stream to the van, and kept
small); the driver's page asks this once per manifest change for the riders behind them:
name, passengers, wheelchair, notes for the driver, a phone number to call from the door and
the meeting points the rider boards and alights at (a stop-based service's).
Only the van's own driver and the operator see it, and only for the bookings on that van's
manifest of the day.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable
from datetime import date
from typing import Annotated, Any, cast

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import Caller, RuntimeDep
from api.drivers import check_drives
from api.errors import conflict, not_found
from api.runtime import Runtime
from api.schemas import MeetingPlacePublic

router = APIRouter(prefix="/v1/vehicles", tags=["vehicles"])


class CrewRider(BaseModel):
    """One booking on the van's manifest, with the rider the driver meets."""

    booking_id: str
    rider_name: str | None
    phone: str | None
    passengers: int
    wheelchair: bool
    notes: str | None
    pickup_point: MeetingPlacePublic | None = None  # where the rider boards (None: the door)
    dropoff_point: MeetingPlacePublic | None = None  # where they alight


class CrewList(BaseModel):
    """The riders of a van's remaining stops on a day."""

    vehicle_id: str
    riders: list[CrewRider]


@router.get("/{vehicle_id}/riders", response_model=CrewList)
async def van_riders(
    vehicle_id: str, caller: Caller, rt: RuntimeDep,
    day: Annotated[date | None, Query(alias="date", description="an open service day "
                                                                "(default: today's)")] = None,
) -> CrewList:
    """The riders of the bookings still on this van's manifest (its driver, the operator)."""
    if not caller.is_operator and not caller.drives(vehicle_id):
        current_day = await rt.days.current()
        await check_drives(rt.store, caller, vehicle_id, day or (
            rt.days.today() if current_day is None else current_day.day), operator_too=True)
    if day is not None:
        ctx = rt.days.context(day)
        if not await ctx.store.exists():
            raise not_found(f"open service day {day}")
    else:
        current = await rt.days.current()
        if current is None:
            raise conflict("no_service_today", "no service day is open today")
        ctx = current
    state = await ctx.store.state()
    if state.vehicle(vehicle_id) is None:
        raise not_found(f"vehicle {vehicle_id!r} on {ctx.day}")
    ids = list(dict.fromkeys(s.request_id for s in state.plan.route(vehicle_id).stops
                             if s.request_id in state.bookings))
    if not ids:
        return CrewList(vehicle_id=vehicle_id, riders=[])
    records = await _hmget(rt, ctx.store.keys.bookings, ids)
    found = {bid: json.loads(raw) for bid, raw in zip(ids, records, strict=True) if raw}
    rider_ids = sorted({str(r["rider_id"]) for r in found.values() if r.get("rider_id")})
    raw_riders = await _hmget(rt, rt.store.keys.riders, rider_ids) if rider_ids else []
    riders = {rid: json.loads(raw) for rid, raw in zip(rider_ids, raw_riders, strict=True) if raw}
    out = []
    for bid in ids:
        request = state.bookings[bid].request
        record = found.get(bid, {})
        person = riders.get(str(record.get("rider_id")), {})
        out.append(CrewRider(
            booking_id=bid, rider_name=person.get("name"), phone=person.get("phone"),
            passengers=request.passengers + request.wheelchairs,
            wheelchair=request.wheelchairs > 0, notes=person.get("notes"),
            pickup_point=record.get("pickup_point"), dropoff_point=record.get("dropoff_point")))
    return CrewList(vehicle_id=vehicle_id, riders=out)


async def _hmget(rt: Runtime, key: str, fields: list[str]) -> list[Any]:
    """Several fields of one hash in one round trip (redis-py's types allow a sync client)."""
    return await cast(Awaitable[list[Any]], rt.store.redis.hmget(key, fields))
