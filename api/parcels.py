"""Parcels (貨客混載) between HTTP and the dispatcher: register shippers, hand in parcels,
show where they stand.

A parcel is a booking of the day's dispatch state (``solver.dispatch.events.ShipParcel``):
the dispatcher puts it on a van's route where one has room without harming any rider's
promise, else it waits for one. Its id is a booking id (``b_YYYYMMDD_...``), so the
driver reports its stops like any other (``/v1/vehicles/{id}/stops/...``; ``not_home``
at its delivery sends it back). The day's ``parcels`` hash keeps who shipped it (schema
``maas.parcel`` v1); its status is always read from the live state.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from api.auth import Principal, Role, hash_token, new_token
from api.clock import local_date
from api.day_cycle import ensure_open
from api.errors import conflict, forbidden, invalid
from api.notify import apply_event
from api.runtime import Runtime
from api.schemas_parcels import (
    ParcelCreate,
    ParcelPublic,
    ParcelState,
    ShipperCreate,
    ShipperCreated,
    ShipperPublic,
)
from api.service_days import DayContext, new_booking_id
from api.store import Write
from api.tokens import token_record
from api.views import lat_lon, window
from solver.dispatch import Booking, BookingStatus, DispatchState, RejectionReason, outcomes
from solver.dispatch.events import CancelBooking, ShipParcel
from solver.dispatch.state import ParcelAsk

PAST_TOLERANCE_S = 120  # a pickup_after this far in the past still counts as now

_STATUS: dict[BookingStatus, ParcelState] = {
    BookingStatus.ONBOARD: "picked_up", BookingStatus.COMPLETED: "delivered",
    BookingStatus.RETURNED: "returned", BookingStatus.CANCELLED: "cancelled",
    BookingStatus.NO_SHOW: "cancelled",
}


async def create_shipper(rt: Runtime, body: ShipperCreate) -> ShipperCreated:
    """Register a shipper and issue its token (shown once; only its hash is kept)."""
    shipper = ShipperPublic(id="s_" + secrets.token_hex(8), **body.model_dump())
    token = new_token()
    await rt.store.add_with_token(rt.store.keys.shippers, shipper.id, shipper.model_dump(),
                                  hash_token(token),
                                  token_record(Role.SHIPPER, shipper.id, rt.clock.now()))
    return ShipperCreated(**shipper.model_dump(), token=token)


def shipper_of(caller: Principal) -> str:
    """The shipper handing in a parcel (403 for every other role)."""
    if caller.role is not Role.SHIPPER or caller.subject_id is None:
        raise forbidden("only a shipper hands in parcels (a shipper token)")
    return caller.subject_id


def may_see(caller: Principal, shipper_id: str | None) -> bool:
    """Staff see every parcel, a shipper its own."""
    return caller.is_operator or (shipper_id is not None and caller.ships(shipper_id))


async def ship(rt: Runtime, caller: Principal, body: ParcelCreate) -> ParcelPublic:
    """Hand in a parcel for today's (or its ``pickup_after``'s) service day: 201 with its
    status, 422 for a day without service, a time in the past or a place off the roads,
    409 when no van of the fleet could ever take it (``parcel_too_large``, ...)."""
    shipper_id = shipper_of(caller)
    tz = rt.service.tz
    now = rt.clock.now()
    after = body.pickup_after
    if after is not None:
        after = after if after.tzinfo is not None else after.replace(tzinfo=tz)
        if after < now - timedelta(seconds=PAST_TOLERANCE_S):
            raise invalid("pickup_after lies in the past", code="in_the_past")
    day = local_date(max(after or now, now), rt.service.timezone)
    _check_day(rt, day, now.date())
    ctx = await ensure_open(rt, day)
    clock = ctx.clock
    deliver_by = body.deliver_by
    if deliver_by is not None and deliver_by.tzinfo is None:
        deliver_by = deliver_by.replace(tzinfo=tz)
    ask = ParcelAsk(
        origin=rt.snapper.snap(body.pickup.lat, body.pickup.lon),  # OffNetworkError -> 422
        destination=rt.snapper.snap(body.delivery.lat, body.delivery.lon),
        kg=body.kg, litres=body.litres,
        pickup_after=None if after is None else clock.earliest(after),
        deliver_by=None if deliver_by is None else clock.latest(deliver_by),
        now=clock.now_seconds(), shipper_id=shipper_id)
    if ask.origin == ask.destination:
        raise invalid("pickup and delivery are the same place on the road network")
    parcel_id = new_booking_id(day)

    async def hand_in(w: Write) -> ParcelPublic:
        state, results = apply_event(w, ctx.dispatcher, ctx.schedules, clock,
                                     ShipParcel(parcel_id, ask, clock.now_seconds()))
        refused = next((o for o in results if isinstance(o, outcomes.BookingRejected)), None)
        if refused is not None:
            if refused.reason is RejectionReason.OUTSIDE_AREA:
                raise invalid(refused.message, code=refused.reason.value)
            raise conflict(refused.reason.value, refused.message)
        record = {"schema": "maas.parcel", "version": 1, "id": parcel_id,
                  "shipper_id": shipper_id, "handed_in_at": rt.clock.now().isoformat()}
        w.hset(ctx.store.keys.parcels, parcel_id, json.dumps(record))
        return parcel_public(ctx, state, state.bookings[parcel_id])

    return await ctx.store.write(hand_in)


def _check_day(rt: Runtime, day: date, today: date) -> None:
    if not rt.service.is_operating(day):
        raise invalid(f"no service on {day}: {rt.service.closed_reason(day)}",
                      code="not_operating")
    if day > today + timedelta(days=rt.service.booking.days_ahead):
        raise invalid(f"parcels are taken at most {rt.service.booking.days_ahead} days ahead",
                      code="too_far_ahead")


def parcel_public(ctx: DayContext, state: DispatchState, booking: Booking) -> ParcelPublic:
    """A parcel as its shipper sees it, with the planned times of the live plan."""
    r, clock = booking.request, ctx.clock
    if booking.status is BookingStatus.CONFIRMED:
        status: ParcelState = "waiting" if booking.waiting else "planned"
    elif booking.status is BookingStatus.ONBOARD and booking.return_to is not None:
        status = "returning"
    else:
        status = _STATUS[booking.status]
    planned: dict[str, int] = {}
    if booking.vehicle_id and booking.active:
        sched = ctx.schedules.of_vehicle(state, booking.vehicle_id).get(booking.vehicle_id, ())
        for s in sched:
            if s.stop.request_id == booking.id:
                planned[s.stop.kind.value] = s.start
    pickup_at = booking.picked_up_at if booking.picked_up_at is not None \
        else planned.get("pickup")
    delivery_at = booking.dropped_off_at if booking.status is BookingStatus.COMPLETED \
        else planned.get("dropoff") if booking.return_to is None else None
    return ParcelPublic(
        id=booking.id, status=status, service_date=clock.service_day.isoformat(),
        shipper_id=booking.rider_id, vehicle_id=booking.vehicle_id or None,
        pickup=lat_lon(r.origin), delivery=lat_lon(r.destination),
        kg=r.cargo_kg, litres=r.cargo_litres, pickup_window=window(clock, r.pickup),
        deliver_by=clock.iso(r.dropoff.latest),
        planned_pickup=None if pickup_at is None else clock.iso(pickup_at),
        planned_delivery=None if delivery_at is None else clock.iso(delivery_at))


async def parcels_of(rt: Runtime, caller: Principal, limit: int) -> list[ParcelPublic]:
    """The caller's parcels on the open days (staff: everyone's), newest first."""
    found: list[ParcelPublic] = []
    for day in reversed(await rt.days.open_days()):
        ctx = rt.days.context(day)
        records = [r for r in (await rt.store.records(ctx.store.keys.parcels)).values()
                   if may_see(caller, r.get("shipper_id"))]
        records.sort(key=lambda r: (str(r.get("handed_in_at")), str(r["id"])), reverse=True)
        state = await ctx.store.state()
        for record in records:
            booking = state.bookings.get(str(record["id"]))
            if booking is not None:
                found.append(parcel_public(ctx, state, booking))
                if len(found) == limit:
                    return found
    return found


async def cancel(rt: Runtime, caller: Principal, parcel_id: str, day: date | None
                 ) -> ParcelPublic | None:
    """Withdraw a parcel not collected yet (its shipper or staff who may act); None if the
    caller may not see it. Withdrawing twice is not an error; a parcel on a van, 409."""
    found = await one_parcel(rt, caller, parcel_id, day)
    if found is None or day is None:
        return None
    if caller.is_operator and not caller.may_act:
        raise forbidden("a viewer may only read")
    ctx = rt.days.context(day)

    async def withdraw(w: Write) -> ParcelPublic:
        booking = w.state.bookings[parcel_id]
        if booking.status is BookingStatus.CANCELLED:
            return parcel_public(ctx, w.state, booking)
        if booking.status is not BookingStatus.CONFIRMED:
            now = parcel_public(ctx, w.state, booking).status
            raise conflict("cannot_cancel", f"the parcel is {now}")
        state, _ = apply_event(w, ctx.dispatcher, ctx.schedules, ctx.clock,
                               CancelBooking(parcel_id, ctx.clock.now_seconds()))
        return parcel_public(ctx, state, state.bookings[parcel_id])

    return await ctx.store.write(withdraw)


async def one_parcel(rt: Runtime, caller: Principal, parcel_id: str, day: date | None
                     ) -> ParcelPublic | None:
    """One parcel, if it exists on an open day and the caller may see it."""
    if day is None:
        return None
    record: Mapping[str, Any] | None = await rt.store.record(
        rt.store.keys.day(day).parcels, parcel_id)
    if record is None or not may_see(caller, record.get("shipper_id")):
        return None
    ctx = rt.days.context(day)
    state = await ctx.store.state()
    booking = state.bookings.get(parcel_id)
    return None if booking is None else parcel_public(ctx, state, booking)
