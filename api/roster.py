"""The roster in force: the service file's fleet with the shifts edited through the API
(``api.shifts``), and how a change reaches the service days.

A day opened later takes its vans from ``roster_vans`` (``api.day_cycle``). An edit that
changes what a van works on an open day (today's included: a driver calling in sick is the
usual case) goes through the van-change path (``api.van_changes.roster_step``): every open
day is checked first, and one that would strand rides booked on the van refuses the whole
edit (409 listing the rides by day), so nothing is half applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from api.runtime import Runtime
from api.shifts import fleet_with, shift_records
from api.van_changes import changed, rides_on, roster_step, stranded, with_roster_van
from maas.domain import Vehicle
from maas.service.roster import Fleet, vehicles_for


async def effective_fleet(rt: Runtime) -> Fleet:
    """The fleet as it stands: the service file's, with the API's shift records."""
    return fleet_with(rt.service.fleet, await shift_records(rt.store))


def roster_vans(rt: Runtime, day: date, fleet: Fleet,
                records: Mapping[str, Mapping[str, Any]]) -> list[Vehicle]:
    """The vans ``fleet`` rosters on ``day``: retired ones left out, changed ones
    (``PATCH /v1/vehicles/{id}``) as changed."""
    out = []
    for v in vehicles_for(fleet, rt.service.tz, day, rt.snapper.snap,
                          operating=rt.service.is_operating(day)):
        record = records.get(v.id, {})
        if record.get("retired"):
            continue
        if record.get("changed"):
            depot = record["depot"]
            v = changed(v, dict(record), rt.snapper.snap(depot["lat"], depot["lon"]))
        out.append(v)
    return out


async def apply_fleet(rt: Runtime, vehicle_id: str, fleet: Fleet) -> list[str]:
    """Bring every open day's van ``vehicle_id`` in line with ``fleet``; the days changed.
    409 ``shift_strands_rides`` (nothing changed) when any day would strand rides."""
    records = await rt.store.records(rt.store.keys.vehicles)
    plans: list[tuple[date, Vehicle | None]] = []
    rides: dict[str, list[str]] = {}
    for day in await rt.days.open_days():
        ctx = rt.days.context(day)
        desired = next((v for v in roster_vans(rt, day, fleet, records)
                        if v.id == vehicle_id), None)
        state = await ctx.store.state()
        new = with_roster_van(ctx, state, vehicle_id, desired)
        if new is None:
            rides[day.isoformat()] = rides_on(state, vehicle_id)
        elif new is not state:
            plans.append((day, desired))
    if rides:
        raise stranded(rides)
    for day, desired in plans:
        ctx = rt.days.context(day)
        await ctx.store.write(roster_step(ctx, vehicle_id, desired))
    return [d.isoformat() for d, _ in plans]
