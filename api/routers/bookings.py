"""``/v1/bookings``: accept an offer, read or cancel a booking.

The path of ``POST /v1/bookings``: inside one serialised write of the service area
(``StateStore.write``: WATCH/MULTI on the area's version) -> the ``Idempotency-Key`` seen
before? return that booking -> read the offer (gone: expired; already booked: 409) ->
``Dispatcher.apply(state, ConfirmOffer)`` re-checks the insertion against the *current* plan
-> commit the new state, the booking record, the idempotency key and the events together ->
201. Two requests racing for the last seat both run this step; the second to commit sees the
first one's state and is refused by the dispatcher.

Only the owner (the rider) and the operator see a booking; to anyone else it answers 404.
``GET /v1/bookings`` lists the caller's bookings (the operator: everyone's), newest first; a
driver gets 403, since a van's work is its manifest, not a list of riders' bookings.

Each booking record keeps ``seq``, the area version its booking committed at: versions rise
by one per committed write across every process, so it orders bookings by confirmation
without trusting any clock.
"""

from __future__ import annotations

import json
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response

from api import codec
from api.auth import Principal, Role
from api.deps import Caller, ClockDep, DispatcherDep, SchedulesDep, SettingsDep, StoreDep
from api.errors import conflict, forbidden, not_found
from api.metrics import BOOKINGS
from api.notify import apply_event
from api.schemas import BookingCreate, BookingList, BookingPublic
from api.store import Write
from api.views import booking_public
from solver.dispatch import BookingStatus, DispatchState, Offer, outcomes
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
    settings: SettingsDep,
    store: StoreDep,
    dispatcher: DispatcherDep,
    schedules: SchedulesDep,
    clock: ClockDep,
) -> BookingPublic:
    """Confirm an offer; the same ``Idempotency-Key`` again returns the same booking."""
    if caller.role is Role.DRIVER:
        raise forbidden("drivers do not book rides")
    idem_key = store.keys.idempotency(f"{caller.role.value}:{caller.subject_id}", idempotency_key)
    offer_key = store.keys.offer(body.offer_id)
    new_booking_id = "b_" + secrets.token_hex(8)

    async def confirm(w: Write) -> tuple[BookingPublic, bool]:
        seen = await w.get(idem_key)
        if seen is not None:
            earlier = json.loads(seen)
            if earlier["offer_id"] != body.offer_id:
                raise conflict("idempotency_key_reused",
                               "this Idempotency-Key was used for another offer")
            record = await w.hget(store.keys.bookings, earlier["booking_id"])
            assert record is not None
            return _public_now(clock, w.state, json.loads(record)), False

        raw_offer = await w.get(offer_key)
        stored = None if raw_offer is None else json.loads(raw_offer)
        if stored is None or not _may_book(caller, stored["rider_id"]):
            raise conflict("offer_expired", "the offer has expired (or never existed)")
        if stored.get("booking_id"):
            raise conflict("offer_already_booked", "this offer has already been booked")
        offer: Offer = codec.from_jsonable(stored["offer"])
        now = clock.now_seconds()
        if offer.expires_at < now:
            raise conflict("offer_expired", "the offer has expired")

        _, results = apply_event(w, dispatcher, schedules, clock,
                                 ConfirmOffer(offer, new_booking_id, now))
        confirmed = next((o.booking for o in results
                          if isinstance(o, outcomes.BookingConfirmed)), None)
        if confirmed is None:
            refusal = next((o for o in results if isinstance(o, outcomes.BookingRejected)), None)
            code = refusal.reason.value if refusal else "no_longer_feasible"
            message = refusal.message if refusal and refusal.message else (
                "the offer can no longer be served; ask for a new one")
            raise conflict(code, message)

        public = booking_public(clock, confirmed)
        w.hset(store.keys.bookings, confirmed.id, _record(public, seq=w.version + 1))
        w.set(idem_key, json.dumps({"offer_id": offer.id, "booking_id": confirmed.id}),
              ttl_ms=settings.idempotency_ttl_seconds * 1000)
        w.set(offer_key, json.dumps({**stored, "booking_id": confirmed.id}), keepttl=True)
        return public, True

    public, created = await store.write(confirm, reads=(idem_key, offer_key))
    BOOKINGS.labels("confirmed" if created else "replayed").inc()
    response.status_code = 201 if created else 200
    return public


@router.get("", response_model=BookingList, responses={403: {"description": "drivers"}})
async def list_bookings(
    caller: Caller,
    store: StoreDep,
    clock: ClockDep,
    status: Annotated[BookingStatus | None, Query(description="only bookings in this status")]
    = None,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many")] = 50,
) -> BookingList:
    """The caller's bookings (the operator: all of them), newest first."""
    if caller.role is Role.DRIVER:
        raise forbidden("drivers follow their manifest; bookings are listed to riders")
    records = [r for r in (await store.records(store.keys.bookings)).values()
               if _may_book(caller, r.get("rider_id"))]
    records.sort(key=lambda r: (int(r.get("seq", 0)), str(r["id"])), reverse=True)
    state = await store.state()
    found: list[BookingPublic] = []
    for record in records:
        public = _public_now(clock, state, record)
        if status is None or public.status == status.value:
            found.append(public)
            if len(found) == limit:
                break
    return BookingList(bookings=found)


@router.get("/{booking_id}", response_model=BookingPublic)
async def get_booking(
    booking_id: str, caller: Caller, store: StoreDep, clock: ClockDep
) -> BookingPublic:
    """A booking, for its rider or the operator (404 for anyone else)."""
    record = await store.record(store.keys.bookings, booking_id)
    if record is None or not _may_book(caller, record.get("rider_id")):
        raise not_found(f"booking {booking_id!r}")
    return _public_now(clock, await store.state(), record)


@router.delete("/{booking_id}", response_model=BookingPublic)
async def cancel_booking(
    booking_id: str,
    caller: Caller,
    store: StoreDep,
    dispatcher: DispatcherDep,
    schedules: SchedulesDep,
    clock: ClockDep,
) -> BookingPublic:
    """Cancel a booking (its rider or the operator); cancelling twice is not an error."""
    record = await store.record(store.keys.bookings, booking_id)
    if record is None or not _may_book(caller, record.get("rider_id")):
        raise not_found(f"booking {booking_id!r}")

    async def cancel(w: Write) -> BookingPublic:
        booking = w.state.bookings.get(booking_id)
        if booking is None or booking.status is BookingStatus.CANCELLED:
            return _public_now(clock, w.state, record)
        if booking.status is not BookingStatus.CONFIRMED:
            raise conflict("cannot_cancel", f"the booking is {booking.status.value}")
        state, _ = apply_event(w, dispatcher, schedules, clock,
                               CancelBooking(booking_id, clock.now_seconds()))
        public = _public_now(clock, state, record)
        w.hset(store.keys.bookings, booking_id, _record(public, seq=record.get("seq", 0)))
        return public

    return await store.write(cancel)


def _may_book(caller: Principal, rider_id: str | None) -> bool:
    """The operator acts for every rider; a rider only for themselves."""
    return caller.is_operator or (rider_id is not None and caller.is_rider(rider_id))


def _record(public: BookingPublic, seq: int) -> str:
    """The stored booking record: the public view and its confirmation order."""
    return json.dumps({**public.model_dump(mode="json"), "seq": seq})


def _public_now(clock: ClockDep, state: DispatchState, record: dict[str, Any]) -> BookingPublic:
    """The stored booking record, with its status as the live state has it now."""
    live = state.bookings.get(str(record["id"]))
    if live is not None:
        return booking_public(clock, live)
    return BookingPublic.model_validate(record)
