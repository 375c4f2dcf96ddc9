"""``/v1/disaster``: declare a flood or landslide (roads close, evacuation rides, bookings
paused), read the event in force, end it (``api.disaster`` does the work)."""

from __future__ import annotations

from typing import Any

import shapely.errors
import shapely.geometry
from fastapi import APIRouter
from shapely.geometry.base import BaseGeometry

from api import disaster
from api.deps import Operator, RuntimeDep, Staff
from api.errors import invalid
from api.schemas_disaster import (
    DisasterCreate,
    DisasterCurrent,
    DisasterDeclared,
    DisasterEnded,
    DisasterPublic,
    EvacuationRide,
)

router = APIRouter(prefix="/v1/disaster", tags=["disaster"])


def _polygon(i: int, geojson: dict[str, Any]) -> BaseGeometry:
    try:
        geometry = shapely.geometry.shape(geojson)
        usable = geometry.is_valid and not geometry.is_empty and geometry.area > 0
    except (ValueError, TypeError, shapely.errors.ShapelyError):
        usable = False
    if not usable:
        raise invalid(f"areas.{i}: not a valid polygon (a ring that crosses itself, or no "
                      "area)", code="bad_polygon")
    return geometry


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return DisasterPublic.model_validate(record).model_dump()


@router.post("", status_code=201, response_model=DisasterDeclared,
             responses={409: {"description": "an event is in force"},
                        422: {"description": "a bad polygon, no shelters, unknown zone"}})
async def declare(body: DisasterCreate, _: Operator, rt: RuntimeDep) -> DisasterDeclared:
    """Declare an event: its roads close on every open day, the affected rides are listed;
    with ``evacuate``, evacuation rides are booked and ordinary bookings pause."""
    areas = [_polygon(i, a.model_dump()) for i, a in enumerate(body.areas)]
    done = await disaster.declare(rt, body.name, body.kind, areas, body.evacuate,
                                  body.hazard_zones)
    return DisasterDeclared(
        **_public(done.record), affected_bookings=sorted(done.affected),
        bumped_bookings=sorted(done.bumped), registered=done.registered,
        evacuation_rides=[EvacuationRide(**r) for r in done.rides],
        waiting_riders=sorted(done.waiting))


@router.get("", response_model=DisasterCurrent)
async def current(_: Staff, rt: RuntimeDep) -> DisasterCurrent:
    """The event in force (any staff), or ``{"event": null}``."""
    record = await disaster.current(rt)
    return DisasterCurrent(event=None if record is None else DisasterPublic(**_public(record)))


@router.post("/{event_id}/end", response_model=DisasterEnded)
async def end(event_id: str, _: Operator, rt: RuntimeDep) -> DisasterEnded:
    """End the event: its roads reopen, bookings open again, every open day is re-planned."""
    done = await disaster.end(rt, event_id)
    return DisasterEnded(**_public(done.record), affected_bookings=sorted(done.affected),
                         dropped_evacuees=sorted(done.dropped))
