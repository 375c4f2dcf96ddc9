"""Van shifts edited through the API, on top of the service file's roster.

The service file's fleet (``maas.service.roster``) stays the default: a van without a
record here works the file's weekly pattern and overrides. A record replaces the van's
weekly pattern (``week``; null keeps the file's) and adds per-date overrides that win over
the file's.

    maas:{area}:shifts   hash vehicle id -> shift record (JSON)

Shift record, schema ``maas.shifts`` version 1 (never a Python class name)::

    {"schema": "maas.shifts", "version": 1, "vehicle_id": "v1",
     "week": {"mon": SHIFT | null, ..., "sun": SHIFT | null} | null,
     "overrides": {"2026-12-10": {"shift": SHIFT | null, "reason": "..."}},
     "updated_at": "<ISO 8601>", "updated_by": "<staff id>"}
    SHIFT = {"start": "07:00", "end": "18:00",
             "break": {"earliest": "11:30", "latest": "12:30", "minutes": 30} | null}

Wall times are ``HH:MM`` from the service date's local midnight (a shift may pass 24:00:
``25:30``); an override's ``shift`` null is a day off. The functions here are pure; the
async ones read and write the record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from api.errors import ApiError
from api.store import AreaStore
from maas.service.clock import WEEKDAYS
from maas.service.roster import BreakSpec, Fleet, RosterOverride, ShiftSpec

SCHEMA = "maas.shifts"
VERSION = 1
_CLOCK = re.compile(r"^(\d{2}):([0-5]\d)$")
MAX_WALL_S = 48 * 3600  # a shift may pass midnight, not a second one


class ShiftRecordError(ApiError):
    """A stored shift record this engine cannot read (another schema, a newer version)."""

    def __init__(self, message: str) -> None:
        super().__init__(503, "shift_record", message)


def shifts_key(store: AreaStore) -> str:
    return f"{store.keys.prefix}shifts"


def clock_to_s(text: str) -> int:
    """``HH:MM`` as wall seconds (ValueError for anything else)."""
    m = _CLOCK.match(text)
    if m is None or int(m.group(1)) * 3600 + int(m.group(2)) * 60 > MAX_WALL_S:
        msg = f"{text!r} is not a time HH:MM (00:00 to 48:00)"
        raise ValueError(msg)
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60


def s_to_clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def shift_to_json(shift: ShiftSpec | None) -> dict[str, Any] | None:
    if shift is None:
        return None
    b = shift.break_
    return {"start": s_to_clock(shift.start), "end": s_to_clock(shift.end),
            "break": None if b is None else {"earliest": s_to_clock(b.earliest),
                                             "latest": s_to_clock(b.latest),
                                             "minutes": b.duration // 60}}


def shift_from_json(data: Mapping[str, Any] | None) -> ShiftSpec | None:
    """The shift of a record (already validated when it was written)."""
    if data is None:
        return None
    b = data.get("break")
    return ShiftSpec(clock_to_s(data["start"]), clock_to_s(data["end"]), None if b is None else
                     BreakSpec(clock_to_s(b["earliest"]), clock_to_s(b["latest"]),
                               int(b["minutes"]) * 60))


def check_shift(shift: ShiftSpec) -> str | None:
    """Why a shift cannot be worked (the field and the reason), or None."""
    if shift.end <= shift.start:
        return "end: must be after start"
    b = shift.break_
    if b is not None:
        if b.latest < b.earliest:
            return "break.latest: must not be before break.earliest"
        if b.earliest < shift.start or b.latest + b.duration > shift.end:
            return "break: must lie inside the shift"
    return None


def new_record(vehicle_id: str) -> dict[str, Any]:
    return {"schema": SCHEMA, "version": VERSION, "vehicle_id": vehicle_id, "week": None,
            "overrides": {}, "updated_at": None, "updated_by": None}


def check_record(record: Mapping[str, Any]) -> None:
    """Refuse a record of another schema or a newer version."""
    if record.get("schema") != SCHEMA or not isinstance(record.get("version"), int) \
            or record["version"] > VERSION:
        raise ShiftRecordError(f"shift record of {record.get('vehicle_id')!r} has schema "
                               f"{record.get('schema')!r} version {record.get('version')!r}; "
                               f"this service reads {SCHEMA} up to {VERSION}")


def week_from_record(record: Mapping[str, Any]) -> dict[int, ShiftSpec] | None:
    week = record.get("week")
    if week is None:
        return None
    out = {}
    for i, name in enumerate(WEEKDAYS):
        shift = shift_from_json(week.get(name))
        if shift is not None:
            out[i] = shift
    return out


def fleet_with(fleet: Fleet, records: Mapping[str, Mapping[str, Any]]) -> Fleet:
    """The service file's fleet with the API's weekly patterns and per-date overrides
    (which come after the file's, so they win)."""
    vans = []
    for van in fleet.vans:
        record = records.get(van.id)
        week = None if record is None else week_from_record(record)
        vans.append(van if week is None else replace(van, week=week))
    overrides = list(fleet.overrides)
    for van_id, record in sorted(records.items()):
        for day, o in sorted(record.get("overrides", {}).items()):
            d = date.fromisoformat(day)
            overrides.append(RosterOverride(van_id, d, d, shift_from_json(o.get("shift")),
                                            o.get("reason", "")))
    return replace(fleet, vans=tuple(vans), overrides=tuple(overrides))


def stamped(record: Mapping[str, Any], now: datetime, by: str) -> dict[str, Any]:
    return {**record, "updated_at": now.isoformat(), "updated_by": by}


async def shift_records(store: AreaStore) -> dict[str, dict[str, Any]]:
    """Every van's shift record, checked."""
    records = await store.records(shifts_key(store))
    for record in records.values():
        check_record(record)
    return records


async def put_record(store: AreaStore, record: Mapping[str, Any]) -> None:
    await store.hset(shifts_key(store), str(record["vehicle_id"]), json.dumps(record))
