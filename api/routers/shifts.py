"""``/v1/vehicles/{id}/shifts``: a roster van's weekly shift pattern (with breaks) and its
per-date overrides, editable on top of the service file (``api.shift_edits``).

``GET`` (staff) shows what is in force and where it comes from; ``PUT`` (dispatcher, admin)
replaces the weekly pattern, ``PUT /{date}`` sets one date (off, or other hours),
``DELETE /{date}`` takes the API's override of that date away. An edit reaches the open
days at once (409 ``shift_strands_rides`` when it would strand rides, listed by day) and
every day opened later. Stand-in vans (``POST /v1/vehicles``) have no roster: 404.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path

from api import shift_edits
from api.deps import Operator, RuntimeDep, Staff
from api.schemas_shifts import OverridePut, ShiftsPublic, ShiftsPut

router = APIRouter(prefix="/v1/vehicles", tags=["shifts"])

VehicleId = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("/{vehicle_id}/shifts", response_model=ShiftsPublic)
async def get_shifts(vehicle_id: VehicleId, _: Staff, rt: RuntimeDep) -> ShiftsPublic:
    """The van's weekly pattern and its overrides (staff)."""
    return await shift_edits.read(rt, vehicle_id)


@router.put("/{vehicle_id}/shifts", response_model=ShiftsPublic)
async def put_shifts(vehicle_id: VehicleId, body: ShiftsPut, caller: Operator,
                     rt: RuntimeDep) -> ShiftsPublic:
    """Replace the van's weekly pattern (dispatcher, admin)."""
    return await shift_edits.replace_week(rt, vehicle_id, body.week, caller.subject_id or "")


@router.put("/{vehicle_id}/shifts/{day}", response_model=ShiftsPublic)
async def put_override(vehicle_id: VehicleId, day: date, body: OverridePut, caller: Operator,
                       rt: RuntimeDep) -> ShiftsPublic:
    """Set one date: off, or other hours (dispatcher, admin)."""
    return await shift_edits.set_override(rt, vehicle_id, day, body, caller.subject_id or "")


@router.delete("/{vehicle_id}/shifts/{day}", response_model=ShiftsPublic)
async def delete_override(vehicle_id: VehicleId, day: date, caller: Operator,
                          rt: RuntimeDep) -> ShiftsPublic:
    """Take the API's override of one date away: the weekly pattern (or the service file's
    override) applies again."""
    return await shift_edits.remove_override(rt, vehicle_id, day, caller.subject_id or "")
