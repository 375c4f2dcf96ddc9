"""Shift edits, between HTTP and the roster (``api.routers.shifts`` calls here): read what
a roster van works, replace its weekly pattern, set or take away one date's override.

Every edit reads the van's record, changes it, applies the whole roster to the open days
(all or nothing, ``api.roster.apply_fleet``) and keeps the record; edits run one at a time
across every worker of the area (``AreaStore.exclusive``), since two at once would each
undo the other's.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from api.errors import invalid, not_found
from api.roster import apply_fleet
from api.runtime import Runtime
from api.schemas_shifts import OverrideJson, OverridePut, ShiftJson, ShiftsPublic, WeekJson
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

Source = Literal["service_file", "api"]

LOCK = "shifts"  # one lock for the area: an edit applies the whole roster


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
              source: Source) -> OverrideJson:
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


async def read(rt: Runtime, vehicle_id: str) -> ShiftsPublic:
    """The van's weekly pattern and its overrides, each with its source."""
    _roster_van(rt, vehicle_id)
    return await _public(rt, vehicle_id)


async def replace_week(rt: Runtime, vehicle_id: str, week: WeekJson, caller_id: str
                       ) -> ShiftsPublic:
    """Replace the van's weekly pattern."""
    async with rt.store.exclusive(LOCK):
        record = await _record(rt, vehicle_id)
        record["week"] = {name: None if (s := getattr(week, name)) is None
                          else _checked(f"week.{name}", s) for name in WEEKDAYS}
        return await _save(rt, caller_id, record)


async def set_override(rt: Runtime, vehicle_id: str, day: date, body: OverridePut,
                       caller_id: str) -> ShiftsPublic:
    """Set one date: off, or other hours."""
    async with rt.store.exclusive(LOCK):
        record = await _record(rt, vehicle_id)
        if day < rt.days.today():
            raise invalid(f"date: {day} is in the past", code="past_date")
        if not rt.service.is_operating(day):
            raise invalid(f"date: no service on {day} ({rt.service.closed_reason(day)})",
                          code="not_operating")
        record["overrides"] = {**record["overrides"],
                               day.isoformat(): {"shift": _override_shift(body),
                                                 "reason": body.reason}}
        return await _save(rt, caller_id, record)


def _override_shift(body: OverridePut) -> dict[str, Any] | None:
    if body.off:
        if body.start is not None or body.end is not None or body.break_ is not None:
            raise invalid("off: a day off has no start, end or break", code="bad_shift")
        return None
    if body.start is None or body.end is None:
        raise invalid("start/end: give both, or off: true", code="bad_shift")
    return _checked("shift", ShiftJson.model_validate(
        {"start": body.start, "end": body.end,
         "break": None if body.break_ is None else body.break_.model_dump()}))


async def remove_override(rt: Runtime, vehicle_id: str, day: date, caller_id: str
                          ) -> ShiftsPublic:
    """Take the API's override of one date away (404 when there is none)."""
    async with rt.store.exclusive(LOCK):
        record = await _record(rt, vehicle_id)
        if day.isoformat() not in record["overrides"]:
            raise not_found(f"override of {vehicle_id} on {day}")
        record["overrides"] = {d: o for d, o in record["overrides"].items()
                               if d != day.isoformat()}
        return await _save(rt, caller_id, record)
