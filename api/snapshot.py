"""The ``snapshot`` event that opens every event stream: what the caller would otherwise
have to fetch before the first change arrives (schema ``maas.snapshot`` v1).

* a driver: ``manifest`` of their van on the day vans drive now (null if none is open);
* a rider: ``bookings``, theirs on the open days (as ``GET /v1/bookings`` shows them);
* a shipper: ``parcels``, its own on the open days (as ``GET /v1/parcels`` shows them);
* the operator: ``days`` (the open days' records) and ``vehicles`` (the fleet view of the
  day vans drive now).

Every snapshot names ``resume_id``, the stream entry it was taken after: the events that
follow it on the stream are those after that entry.
"""

from __future__ import annotations

from typing import Any

from api.auth import Principal, Role
from api.drivers import is_account, vans_of
from api.parcels import parcels_of
from api.runtime import Runtime
from api.schemas import BookingPublic
from api.views import booking_public, manifest, vehicle_status

SNAPSHOT_SCHEMA = "maas.snapshot"


async def driven_vans(rt: Runtime, caller: Principal) -> list[str]:
    """The vans a driver drives on the day vans drive now: a van's own token its van, a
    driver account the vans assigned to it that day (``api.drivers``)."""
    if caller.role is not Role.DRIVER:
        return []
    if not is_account(caller):
        return [caller.subject_id or ""]
    current = await rt.days.current()
    day = rt.days.today() if current is None else current.day
    return await vans_of(rt.store, caller.subject_id or "", day)


async def snapshot(rt: Runtime, caller: Principal, resume_id: str) -> dict[str, Any]:
    """The caller's snapshot (see the module docstring)."""
    body: dict[str, Any] = {"schema": SNAPSHOT_SCHEMA, "version": 1, "resume_id": resume_id,
                            "at": rt.clock.now().isoformat()}
    current = await rt.days.current()
    if caller.role is Role.DRIVER:
        found = None
        if current is not None:
            state = await current.store.state()
            vid = next(iter(await driven_vans(rt, caller)), "")
            if state.vehicle(vid) is not None:
                found = manifest(current.clock, state, current.schedules.of_vehicle(state, vid),
                                 vid).model_dump(mode="json")
        body["manifest"] = found
        return body
    if caller.role is Role.SHIPPER:  # its own parcels, nothing of the riders or the fleet
        body["parcels"] = [p.model_dump(mode="json")
                           for p in await parcels_of(rt, caller, limit=500)]
        return body
    if caller.role is Role.RIDER:
        bookings = []
        for day in await rt.days.open_days():
            ctx = rt.days.context(day)
            state = await ctx.store.state()
            for record in (await rt.store.records(ctx.store.keys.bookings)).values():
                if record.get("rider_id") != caller.subject_id:
                    continue
                live = state.bookings.get(str(record["id"]))
                public = booking_public(ctx.clock, live, record) if live is not None else \
                    BookingPublic.model_validate({k: v for k, v in record.items()
                                                  if k in BookingPublic.model_fields})
                bookings.append(public.model_dump(mode="json"))
        body["bookings"] = bookings
        return body
    body["days"] = [record for _, record in sorted((await rt.store.day_records()).items())]
    vehicles = []
    if current is not None:
        state = await current.store.state()
        names = {vid: rec.get("name", vid)
                 for vid, rec in (await rt.store.records(rt.store.keys.vehicles)).items()}
        times = current.schedules(state)
        vehicles = [vehicle_status(current.clock, state, times, v.id,
                                   names.get(v.id, v.type.name)).model_dump(mode="json")
                    for v in state.vehicles]
    body["vehicles"] = vehicles
    return body
