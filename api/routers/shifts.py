"""``/v1/vehicles/{id}/shifts``: a roster van's weekly shift pattern (with breaks) and its
per-date overrides, editable on top of the service file (``api.shifts``, ``api.roster``).

``GET`` (staff) shows what is in force and where it comes from; ``PUT`` (dispatcher, admin)
replaces the weekly pattern, ``PUT /{date}`` sets one date (off, or other hours),
``DELETE /{date}`` takes the API's override of that date away. An edit reaches the open
days at once (409 ``shift_strands_rides`` when it would strand rides, listed by day) and
every day opened later. Stand-in vans (``POST /v1/vehicles``) have no roster: 404.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Operator, RuntimeDep, Staff
from api.errors import invalid, not_found
from api.roster import apply_fleet
from api.runtime import Runtime
from api.shifts import (
    check_shift,
    fleet_with,
    new_record,
    put_record,
    shift_from_json,
    shift_records,
    shift_to_json,
    stamped,
)
from maas.service.clock import WEEKDAYS

router = APIRouter(prefix="/v1/vehicles", tags=["shifts"])

Clock = Annotated[str, Field(pattern=r"^\d{2}:[0-5]\d$", examples=["07:30"],
                             description="HH:MM from the service date's midnight "
                                         "(past 24:00 for a shift over midnight)")]


class BreakJson(BaseModel):
    """A break of ``minutes`` that starts between ``earliest`` and ``latest``."""

    model_config = ConfigDict(extra="forbid")

    earliest: Clock
    latest: Clock
    minutes: Annotated[int, Field(ge=1, le=240)]


class ShiftJson(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Clock
    end: Clock
    break_: BreakJson | None = Field(default=None, alias="break")


class WeekJson(BaseModel):
    """A shift per weekday; a weekday left out (or null) is a day off."""

    model_config = ConfigDict(extra="forbid")

    mon: ShiftJson | None = None
    tue: ShiftJson | None = None
    wed: ShiftJson | None = None
    thu: ShiftJson | None = None
    fri: ShiftJson | None = None
    sat: ShiftJson | None = None
    sun: ShiftJson | None = None


class ShiftsPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    week: WeekJson


class OverridePut(BaseModel):
    """One date: ``off``, or other hours (``start``, ``end``, optional ``break``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    off: bool = False
    start: Clock | None = None
    end: Clock | None = None
    break_: BreakJson | None = Field(default=None, alias="break")
    reason: Annotated[str, Field(max_length=200)] = ""


class OverrideJson(BaseModel):
    first: str
    last: str
    shift: ShiftJson | None
    reason: str
    source: Literal["service_file", "api"]


class ShiftsPublic(BaseModel):
    """What the van works: its weekly pattern and the overrides, each with its source."""

    vehicle_id: str
    week: WeekJson
    week_source: Literal["service_file", "api"]
    overrides: list[OverrideJson]
    updated_at: str | None
    updated_by: str | None
    applied_to: list[str] = Field(default_factory=list,
                                  description="open days this edit changed")


VehicleId = Annotated[str, Path(min_length=1, max_length=100)]


def _roster_van(rt: Runtime, vehicle_id: str) -> None:
    if all(v.id != vehicle_id for v in rt.service.fleet.vans):
        raise not_found(f"roster van {vehicle_id!r}")


def _checked(where: str, shift: ShiftJson) -> dict[str, Any]:
    data = shift.model_dump(by_alias=True)
    try:
        spec = shift_from_json(data)
    except ValueError as exc:  # HH:MM past 48:00
        raise invalid(f"{where}: {exc}", code="bad_shift") from exc
    assert spec is not None
    problem = check_shift(spec)
    if problem is not None:
        raise invalid(f"{where}.{problem}", code="bad_shift")
    return data


def _override(first: str, last: str, shift: dict[str, Any] | None, reason: str,
              source: Literal["service_file", "api"]) -> OverrideJson:
    return OverrideJson(first=first, last=last, reason=reason, source=source,
                        shift=None if shift is None else ShiftJson.model_validate(shift))


async def _public(rt: Runtime, vehicle_id: str, applied: list[str] | None = None
                  ) -> ShiftsPublic:
    records = await shift_records(rt.store)
    record = records.get(vehicle_id, new_record(vehicle_id))
    fleet = fleet_with(rt.service.fleet, {vehicle_id: record})
    van = next(v for v in fleet.vans if v.id == vehicle_id)
    week = WeekJson.model_validate({name: shift_to_json(van.week.get(i))
                                    for i, name in enumerate(WEEKDAYS)})
    overrides = [_override(o.first.isoformat(), o.last.isoformat(), shift_to_json(o.shift),
                           o.reason, "service_file")
                 for o in rt.service.fleet.overrides if o.van == vehicle_id]
    overrides += [_override(d, d, o.get("shift"), o.get("reason", ""), "api")
                  for d, o in sorted(record["overrides"].items())]
    return ShiftsPublic(vehicle_id=vehicle_id, week=week,
                        week_source="service_file" if record["week"] is None else "api",
                        overrides=overrides, updated_at=record["updated_at"],
                        updated_by=record["updated_by"], applied_to=applied or [])


async def _save(rt: Runtime, caller_id: str, record: dict[str, Any]) -> ShiftsPublic:
    """Apply the new record to the open days (all or nothing), then keep it."""
    vehicle_id = str(record["vehicle_id"])
    records = {**await shift_records(rt.store), vehicle_id: record}
    applied = await apply_fleet(rt, vehicle_id, fleet_with(rt.service.fleet, records))
    await put_record(rt.store, stamped(record, rt.clock.now(), caller_id))
    return await _public(rt, vehicle_id, applied)


async def _record(rt: Runtime, vehicle_id: str) -> dict[str, Any]:
    _roster_van(rt, vehicle_id)
    found = await rt.store.record(rt.store.keys.vehicles, vehicle_id)
    if found is not None and found.get("retired"):
        raise not_found(f"vehicle {vehicle_id!r}")
    return dict((await shift_records(rt.store)).get(vehicle_id) or new_record(vehicle_id))


@router.get("/{vehicle_id}/shifts", response_model=ShiftsPublic)
async def get_shifts(vehicle_id: VehicleId, _: Staff, rt: RuntimeDep) -> ShiftsPublic:
    """The van's weekly pattern and its overrides (staff)."""
    _roster_van(rt, vehicle_id)
    return await _public(rt, vehicle_id)


@router.put("/{vehicle_id}/shifts", response_model=ShiftsPublic)
async def put_shifts(vehicle_id: VehicleId, body: ShiftsPut, caller: Operator,
                     rt: RuntimeDep) -> ShiftsPublic:
    """Replace the van's weekly pattern (dispatcher, admin)."""
    async with rt.store.exclusive("shifts"):  # the whole roster is applied
        record = await _record(rt, vehicle_id)
        record["week"] = {name: None if (s := getattr(body.week, name)) is None
                          else _checked(f"week.{name}", s) for name in WEEKDAYS}
        return await _save(rt, caller.subject_id or "", record)


@router.put("/{vehicle_id}/shifts/{day}", response_model=ShiftsPublic)
async def put_override(vehicle_id: VehicleId, day: date, body: OverridePut, caller: Operator,
                       rt: RuntimeDep) -> ShiftsPublic:
    """Set one date: off, or other hours (dispatcher, admin)."""
    async with rt.store.exclusive("shifts"):  # the whole roster is applied
        return await _put_override(vehicle_id, day, body, caller, rt)


async def _put_override(vehicle_id: str, day: date, body: OverridePut, caller: Operator,
                        rt: Runtime) -> ShiftsPublic:
    record = await _record(rt, vehicle_id)
    if day < rt.days.today():
        raise invalid(f"date: {day} is in the past", code="past_date")
    if not rt.service.is_operating(day):
        raise invalid(f"date: no service on {day} ({rt.service.closed_reason(day)})",
                      code="not_operating")
    if body.off:
        if body.start is not None or body.end is not None or body.break_ is not None:
            raise invalid("off: a day off has no start, end or break", code="bad_shift")
        shift = None
    else:
        if body.start is None or body.end is None:
            raise invalid("start/end: give both, or off: true", code="bad_shift")
        shift = _checked("shift", ShiftJson.model_validate(
            {"start": body.start, "end": body.end,
             "break": None if body.break_ is None else body.break_.model_dump()}))
    record["overrides"] = {**record["overrides"],
                           day.isoformat(): {"shift": shift, "reason": body.reason}}
    return await _save(rt, caller.subject_id or "", record)


@router.delete("/{vehicle_id}/shifts/{day}", response_model=ShiftsPublic)
async def delete_override(vehicle_id: VehicleId, day: date, caller: Operator,
                          rt: RuntimeDep) -> ShiftsPublic:
    """Take the API's override of one date away: the weekly pattern (or the service file's
    override) applies again."""
    async with rt.store.exclusive("shifts"):  # the whole roster is applied
        record = await _record(rt, vehicle_id)
        if day.isoformat() not in record["overrides"]:
            raise not_found(f"override of {vehicle_id} on {day}")
        record["overrides"] = {d: o for d, o in record["overrides"].items()
                               if d != day.isoformat()}
        return await _save(rt, caller.subject_id or "", record)
