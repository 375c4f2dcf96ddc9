"""``/v1/bookings``: accept an offer, read or cancel a booking.

The path of ``POST /v1/bookings``: the offer record names its service day -> inside one
serialised write of that day (``DayStore.write``: WATCH/MULTI on the day's version) -> the
``Idempotency-Key`` seen before? return that booking -> read the offer (gone: expired;
already booked: 409) -> ``Dispatcher.apply(state, ConfirmOffer)`` re-checks the insertion
against the *current* plan -> commit the new state, the booking record, the idempotency key
and the events together -> 201. Two requests racing for the last seat both run this step;
the second to commit sees the first one's state and is refused by the dispatcher.

Only the owner (the rider) and the operator see a booking; to anyone else it answers 404.
``GET /v1/bookings`` lists the caller's bookings on the open days (the operator:
everyone's), newest first; a driver gets 403, since a van's work is its manifest.

Each booking record keeps ``seq``, the day's version its booking committed at (versions rise
by one per committed write across every process), so it orders a day's bookings by
confirmation without trusting any clock. A return trip names its outbound booking; when the
outbound is cancelled (or its rider does not show), the rider and the operator are asked
whether the return still stands (a ``return_trip_check`` event).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from api import offer_records
from api.auth import Principal, Role
from api.deps import Caller, RuntimeDep
from api.errors import conflict, forbidden, not_found
from api.metrics import BOOKINGS
from api.notify import apply_event, ask_about_return
from api.ownership import may_act_for
from api.runtime import Runtime
from api.schemas import BookingCancel, BookingCreate, BookingList, BookingPublic
from api.service_days import DayContext, day_of_booking, new_booking_id
from api.store import Write
from api.views import booking_public, booking_record
from solver.dispatch import BookingStatus, DispatchState, outcomes
from solver.dispatch.events import CancelBooking, ConfirmOffer

router = APIRouter(prefix="/v1/bookings", tags=["bookings"])

IdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", min_length=1, max_length=200, pattern=r"^[\x21-\x7e]+$")
]


@router.post("", status_code=201, response_model=BookingPublic,
             responses={200: {"model": BookingPublic, "description": "replay of the same key"},
                        409: {"description": "offer expired, already booked or no longer "
                                             "feasible"}})
async def create_booking(
    body: BookingCreate,
    idempotency_key: IdempotencyKey,
    caller: Caller,
    response: Response,
    rt: RuntimeDep,
) -> BookingPublic:
    """Confirm an offer; the same ``Idempotency-Key`` again returns the same booking."""
    if caller.role is Role.DRIVER:
        raise forbidden("drivers do not book rides")
    store = rt.store
    idem_key = store.keys.idempotency(f"{caller.role.value}:{caller.subject_id}", idempotency_key)
    offer_key = store.keys.offer(body.offer_id)
    # Which day's state the write must lock: named by the offer (or, on a replay after the
    # offer expired, by the booking id the key points to).
    raw, seen = await store.redis.mget(offer_key, idem_key)
    if raw is None and seen is None:
        raise conflict("offer_expired", "the offer has expired (or never existed)")
    if seen is not None:
        earlier = json.loads(seen)
        day = day_of_booking(earlier["booking_id"])
    else:
        day = date.fromisoformat(json.loads(raw)["day"])
    assert day is not None
    ctx = rt.days.context(day)
    new_booking_id_ = new_booking_id(day)

    async def confirm(w: Write) -> tuple[BookingPublic, bool]:
        seen = await w.get(idem_key)
        if seen is not None:
            earlier = json.loads(seen)
            if earlier["offer_id"] != body.offer_id:
                raise conflict("idempotency_key_reused",
                               "this Idempotency-Key was used for another offer")
            record = await w.hget(ctx.store.keys.bookings, earlier["booking_id"])
            if record is None:
                raise not_found(f"booking {earlier['booking_id']!r} (its day has closed)")
            return _public_now(ctx, w.state, json.loads(record)), False

        raw_offer = await w.get(offer_key)
        stored = None if raw_offer is None else json.loads(raw_offer)
        if stored is None or not may_act_for(caller, stored["rider_id"]):
            raise conflict("offer_expired", "the offer has expired (or never existed)")
        if stored.get("booking_id"):
            raise conflict("offer_already_booked", "this offer has already been booked")
        offer = offer_records.offer_of(stored)
        now = ctx.clock.now_seconds()
        if offer.expires_at < now:
            raise conflict("offer_expired", "the offer has expired")

        dispatcher = rt.days.offer_dispatcher(ctx, bool(stored["same_day"]))
        _, results = apply_event(w, dispatcher, ctx.schedules, ctx.clock,
                                 ConfirmOffer(offer, new_booking_id_, now))
        confirmed = next((o.booking for o in results
                          if isinstance(o, outcomes.BookingConfirmed)), None)
        if confirmed is None:
            refusal = next((o for o in results if isinstance(o, outcomes.BookingRejected)), None)
            code = refusal.reason.value if refusal else "no_longer_feasible"
            message = refusal.message if refusal and refusal.message else (
                "the offer can no longer be served; ask for a new one")
            raise conflict(code, message)

        same_day = bool(stored["same_day"])
        extra: dict[str, Any] = {"window_final": same_day, "fare": stored.get("fare", 0),
                                 "outbound_booking_id": stored.get("outbound_booking_id"),
                                 "pickup_point": stored.get("pickup_point"),
                                 "dropoff_point": stored.get("dropoff_point")}
        public = booking_public(ctx.clock, confirmed, extra)
        if not same_day:
            public = public.model_copy(update={"provisional_window": public.pickup_window})
        w.hset(ctx.store.keys.bookings, confirmed.id, json.dumps(booking_record(
            public, seq=w.version + 1,
            asked_pickup_after=stored.get("asked_pickup_after"),
            asked_arrive_before=stored.get("asked_arrive_before"),
            status_changes=[{"at": rt.clock.now().isoformat(), "status": "confirmed"}])))
        outbound = stored.get("outbound_booking_id")
        if outbound:
            raw_out = await w.hget(ctx.store.keys.bookings, outbound)
            if raw_out is not None:
                w.hset(ctx.store.keys.bookings, outbound,
                       json.dumps({**json.loads(raw_out), "return_booking_id": confirmed.id}))
        w.set(idem_key, json.dumps({"offer_id": offer.id, "booking_id": confirmed.id}),
              ttl_ms=rt.settings.idempotency_ttl_seconds * 1000)
        w.set(offer_key, json.dumps({**stored, "booking_id": confirmed.id}), keepttl=True)
        return public, True

    public, created = await ctx.store.write(confirm, reads=(idem_key, offer_key))
    BOOKINGS.labels("confirmed" if created else "replayed").inc()
    response.status_code = 201 if created else 200
    return public


@router.get("", response_model=BookingList, responses={403: {"description": "drivers"}})
async def list_bookings(
    caller: Caller,
    rt: RuntimeDep,
    status: Annotated[BookingStatus | None, Query(description="only bookings in this status")]
    = None,
    service_date: Annotated[date | None, Query(description="only this open service day")]
    = None,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many")] = 50,
) -> BookingList:
    """The caller's bookings on the open days (the operator: all of them), newest first."""
    if caller.role is Role.DRIVER:
        raise forbidden("drivers follow their manifest; bookings are listed to riders")
    days = [d for d in await rt.days.open_days() if service_date in (None, d)]
    found: list[BookingPublic] = []
    for day in reversed(days):
        ctx = rt.days.context(day)
        records = [r for r in (await rt.store.records(ctx.store.keys.bookings)).values()
                   if may_act_for(caller, r.get("rider_id"))]
        records.sort(key=lambda r: (int(r.get("seq", 0)), str(r["id"])), reverse=True)
        state = await ctx.store.state()
        for record in records:
            public = _public_now(ctx, state, record)
            if status is None or public.status == status.value:
                found.append(public)
                if len(found) == limit:
                    return BookingList(bookings=found)
    return BookingList(bookings=found)


async def _booking_day(rt: Runtime, caller: Principal, booking_id: str
                       ) -> tuple[DayContext, dict[str, Any]]:
    """The open day of a booking and its record (404 if absent or not the caller's)."""
    day = day_of_booking(booking_id)
    record = None if day is None else await rt.store.record(
        rt.store.keys.day(day).bookings, booking_id)
    if day is None or record is None or not may_act_for(caller, record.get("rider_id")):
        raise not_found(f"booking {booking_id!r}")
    return rt.days.context(day), record


@router.get("/{booking_id}", response_model=BookingPublic)
async def get_booking(booking_id: str, caller: Caller, rt: RuntimeDep) -> BookingPublic:
    """A booking, for its rider or the operator (404 for anyone else)."""
    ctx, record = await _booking_day(rt, caller, booking_id)
    return _public_now(ctx, await ctx.store.state(), record)


@router.delete("/{booking_id}", response_model=BookingPublic)
async def cancel_booking(booking_id: str, caller: Caller, rt: RuntimeDep,
                         body: BookingCancel | None = None) -> BookingPublic:
    """Cancel a booking (its rider or the operator); cancelling twice is not an error.
    An optional body gives the reason (kept with the booking and in the history); without
    one, a rider's own cancellation is ``rider_request`` and staff's is left unsaid."""
    ctx, record = await _booking_day(rt, caller, booking_id)
    reason = body.reason if body is not None else (
        "rider_request" if caller.role is Role.RIDER else None)
    why = {"cancel_reason": reason, "cancel_note": None if body is None else body.note}

    async def cancel(w: Write) -> BookingPublic:
        booking = w.state.bookings.get(booking_id)
        if booking is None or booking.status is BookingStatus.CANCELLED:
            return _public_now(ctx, w.state, record)
        if booking.status is not BookingStatus.CONFIRMED:
            raise conflict("cannot_cancel", f"the booking is {booking.status.value}")
        state, _ = apply_event(w, ctx.dispatcher, ctx.schedules, ctx.clock,
                               CancelBooking(booking_id, ctx.clock.now_seconds()))
        public = _public_now(ctx, state, record)
        changes = [*record.get("status_changes", []),
                   {"at": rt.clock.now().isoformat(), "status": "cancelled"}]
        public = public.model_copy(update=why)
        w.hset(ctx.store.keys.bookings, booking_id, json.dumps(
            {**record, **public.model_dump(mode="json"), "status_changes": changes}))
        ask_about_return(w, record, "cancelled")
        return public

    return await ctx.store.write(cancel)


def _public_now(ctx: DayContext, state: DispatchState, record: dict[str, Any]) -> BookingPublic:
    """The stored booking record, with its status as the live state has it now."""
    live = state.bookings.get(str(record["id"]))
    if live is not None:
        return booking_public(ctx.clock, live, record)
    fields = set(BookingPublic.model_fields)
    return BookingPublic.model_validate({k: v for k, v in record.items() if k in fields})
