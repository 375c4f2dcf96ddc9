"""Van positions beside a day's dispatch state, not inside it.

A GPS ping is the most frequent write of a service day (30 vans every 5 s is 6 a second);
written through the dispatch state it would rewrite the state root and the van's part each
time, and every ping would conflict with bookings on the day's version. Instead a ping
sets one field of the day's hash ``maas:{area}:day:{date}:positions`` (vehicle id ->
position record) and bumps the counter ``...:positions-version``; readers merge the
newest positions into the state they read (``merge``). Whatever a write step commits
carries the merged positions into the state itself, so the hash never holds more than the
latest report of each van.

Position record (schema ``maas.position`` v2, JSON): ``at`` (day-seconds of the report),
``location`` (the snapped ``maas.domain.Location`` in the codec's JSON form). Version 1
held the location in layout 2's codec form (``module:Class`` tags); it is read by rewriting
it (``api.codec_v2``), and the layout migration (``api.migrations``) rewrites it in Redis.

A report older than what is known of the van (an earlier ping arriving late on a flaky
link, or older than the van's last stop report) is ignored: it never moves a van back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from api import codec, codec_v2
from maas.domain import Location
from solver.dispatch import DispatchState

POSITION_SCHEMA = "maas.position"
POSITION_VERSION = 2


def position_record(location: Location, at: int) -> str:
    """The stored form of one position report."""
    return json.dumps({"schema": POSITION_SCHEMA, "version": POSITION_VERSION, "at": at,
                       "location": codec.to_jsonable(location)}, separators=(",", ":"))


def upgrade(record: dict[str, Any]) -> dict[str, Any]:
    """A parsed position record at the current version (the same dict if it is)."""
    version = record.get("version") if record.get("schema") == POSITION_SCHEMA else None
    if version == POSITION_VERSION:
        return record
    if version != 1:
        msg = (f"position record of schema {record.get('schema')!r} version {version!r}; "
               f"this service reads {POSITION_SCHEMA} 1-{POSITION_VERSION}")
        raise codec.CodecError(msg)
    return {**record, "version": POSITION_VERSION,
            "location": codec_v2.upgrade_tree(record["location"])}


def parse_record(raw: str | bytes) -> tuple[Location, int]:
    """``(location, at)`` of a stored position record (of any version this service reads)."""
    record = upgrade(json.loads(raw))
    location = codec.from_jsonable(record["location"])
    if not isinstance(location, Location):
        msg = f"position record holds a {type(location).__name__}, not a Location"
        raise codec.CodecError(msg)
    return location, int(record["at"])


def record_at(raw: str | bytes | None) -> int | None:
    """The ``at`` of a stored record (None without one)."""
    return None if raw is None else int(json.loads(raw)["at"])


def newer(state: DispatchState, vehicle_id: str, at: int) -> bool:
    """Whether a report at ``at`` is newer than what ``state`` knows of the van."""
    van = state.vehicle(vehicle_id)
    return van is not None and (van.available_at is None or at > van.available_at)


def merge(state: DispatchState, reports: Mapping[str, tuple[Location, int]]) -> DispatchState:
    """``state`` with each van at its latest reported position, where that report is newer
    than the state's own (as ``VehicleMoved`` would set it); the same object if none is."""
    vans = []
    now = state.now
    for van in state.vehicles:
        got = reports.get(van.id)
        if got is not None and newer(state, van.id, got[1]):
            van = replace(van, position=got[0], available_at=got[1])
            now = max(now, got[1])
        vans.append(van)
    if all(a is b for a, b in zip(vans, state.vehicles, strict=True)):
        return state
    return replace(state, vehicles=tuple(vans), now=now)
