"""``/v1/standing-bookings``: weekly rides (``api.standing``). A rider makes their own; the
operator makes them for a rider by ``rider_id``. Creating one books its ride on every open
day it applies to at once; later days get theirs when they open. Deleting one cancels its
rides on the days after today (today's ride, if any, stays: cancel that booking itself)."""

from __future__ import annotations

import json
import secrets
from typing import Any

from fastapi import APIRouter

from api import standing
from api.auth import Role
from api.deps import Caller, RuntimeDep
from api.errors import forbidden, invalid, not_found
from api.notify import apply_event
from api.ownership import may_act_for, rider_of
from api.runtime import Runtime
from api.schemas import StandingCreate, StandingList, StandingPublic, StandingRide
from api.service_days import new_booking_id
from api.store import Write
from solver.dispatch import BookingStatus
from solver.dispatch.events import CancelBooking

router = APIRouter(prefix="/v1/standing-bookings", tags=["standing bookings"])


def _public(record: dict[str, Any], rides: list[StandingRide] | None = None) -> StandingPublic:
    fields = set(StandingPublic.model_fields)
    return StandingPublic.model_validate(
        {**{k: v for k, v in record.items() if k in fields}, "rides": rides or []})


@router.post("", status_code=201, response_model=StandingPublic)
async def create_standing(body: StandingCreate, caller: Caller, rt: RuntimeDep
                          ) -> StandingPublic:
    """A weekly ride, booked at once on every open day it applies to."""
    rider_id = await rider_of(caller, body.rider_id, rt)
    if body.passengers > rt.settings.max_passengers:
        raise invalid(f"at most {rt.settings.max_passengers} passengers per booking")
    rt.snapper.snap(body.origin.lat, body.origin.lon)  # OffNetworkError -> 422, before storing
    rt.snapper.snap(body.destination.lat, body.destination.lon)
    data = body.model_dump(mode="json", exclude={"rider_id"})
    record = standing.new_record("s_" + secrets.token_hex(8), rider_id, data, rt.clock.now())
    await rt.store.hset(rt.store.keys.standing, record["id"], json.dumps(record))
    rides = [await _book_on(rt, record, day) for day in await rt.days.open_days()
             if standing.applies(record, day, rt.service)]
    return _public(record, rides)


async def _book_on(rt: Runtime, record: dict[str, Any], day: Any) -> StandingRide:
    """Book the standing ride on one open day (its own write of that day)."""
    ctx = rt.days.context(day)
    same_day = rt.clock.now() >= rt.service.midnight(day)
    dispatcher = rt.days.offer_dispatcher(ctx, same_day)

    public = standing.record_maker(rt.service, rt.clock.now(), same_day)
    rider = await rt.store.record(rt.store.keys.riders, record["rider_id"]) or {}

    async def book(w: Write) -> StandingRide:
        made = standing.create_rides(w.state, day, [record], dispatcher, ctx.clock, rt.service,
                                     rt.snapper, new_booking_id, public, rt.meeting,
                                     {record["rider_id"]: rider})
        if made.state is not w.state:
            w.new_state = made.state
        for bid, rec in made.bookings.items():
            w.hset(ctx.store.keys.bookings, bid, json.dumps({**rec, "seq": w.version + 1}))
        w.publish_entries(made.events)
        if made.unserved:
            miss = made.unserved[0]
            return StandingRide(date=day.isoformat(), reason=miss["reason"],
                                message=miss["message"])
        return StandingRide(date=day.isoformat(), booking_id=next(iter(made.bookings)))

    return await ctx.store.write(book)


@router.get("", response_model=StandingList)
async def list_standing(caller: Caller, rt: RuntimeDep) -> StandingList:
    """The caller's standing bookings (the operator: all)."""
    if caller.role is Role.DRIVER:
        raise forbidden("drivers follow their manifest")
    records = (await rt.store.records(rt.store.keys.standing)).values()
    return StandingList(standing_bookings=[_public(r) for r in sorted(
        records, key=lambda r: str(r["created_at"])) if may_act_for(caller, r["rider_id"])])


@router.get("/{standing_id}", response_model=StandingPublic)
async def get_standing(standing_id: str, caller: Caller, rt: RuntimeDep) -> StandingPublic:
    """One standing booking, with its rides on the open days."""
    record = await rt.store.record(rt.store.keys.standing, standing_id)
    if record is None or not may_act_for(caller, record["rider_id"]):
        raise not_found(f"standing booking {standing_id!r}")
    rides = []
    for day in await rt.days.open_days():
        ctx = rt.days.context(day)
        for rec in (await rt.store.records(ctx.store.keys.bookings)).values():
            if rec.get("standing_id") == standing_id:
                rides.append(StandingRide(date=day.isoformat(), booking_id=rec["id"]))
    return _public(record, rides)


@router.delete("/{standing_id}", response_model=StandingPublic)
async def delete_standing(standing_id: str, caller: Caller, rt: RuntimeDep) -> StandingPublic:
    """Stop a standing booking: no new rides, and its rides after today are cancelled."""
    record = await rt.store.record(rt.store.keys.standing, standing_id)
    if record is None or not may_act_for(caller, record["rider_id"]):
        raise not_found(f"standing booking {standing_id!r}")
    await rt.store.hdel(rt.store.keys.standing, standing_id)
    today = rt.days.today()
    for day in await rt.days.open_days():
        if day <= today:
            continue
        ctx = rt.days.context(day)
        ids = [rec["id"] for rec in (await rt.store.records(ctx.store.keys.bookings)).values()
               if rec.get("standing_id") == standing_id]
        for bid in ids:
            async def cancel(w: Write, bid: str = bid, c: Any = ctx) -> None:
                b = w.state.bookings.get(bid)
                if b is None or b.status is not BookingStatus.CONFIRMED:
                    return
                apply_event(w, c.dispatcher, c.schedules, c.clock,
                                       CancelBooking(bid, c.clock.now_seconds()))
                raw = await w.hget(c.store.keys.bookings, bid)
                if raw is not None:
                    rec = json.loads(raw)
                    rec.update(status="cancelled", status_changes=[
                        *rec.get("status_changes", []),
                        {"at": rt.clock.now().isoformat(), "status": "cancelled"}])
                    w.hset(c.store.keys.bookings, bid, json.dumps(rec))

            await ctx.store.write(cancel)
    return _public(record)
