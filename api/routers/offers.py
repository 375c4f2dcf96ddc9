"""``POST /v1/offers``: "can you take me?" answered with a pickup window and a latest drop-off.

The path of a request: validate the body (schemas) -> decide whose ride it is -> the booking
rules of the service file (``maas.service.check_booking``: which service day, is it
operating, too late, too far ahead; 422 with the next bookable time) -> snap both ends onto
the road network (422 if off it; remembered per worker, see api.snap_cache) -> ``RideAsk`` in
that day's seconds -> the day's ``Dispatcher.offer(state, ask)`` on its state read from
Redis (a pure query: nothing is locked or written) -> an ``Offer`` is kept in Redis until it
expires (it holds no seat) and returned as 201; a ``Rejection`` becomes 422 (outside the
service area) or 409 (no van can do it: the reason code, e.g. ``no_capacity``), with the
earliest later pickup (``alternative``) and up to three servable times each side
(``alternatives``, with estimated pickup and drop-off). A ride on a later day gets the
provisional window width; the same day's rides the final one. With meeting points in the
service file (``api.meeting``) a stop-based rider's ask carries the points in reach and the
offer names the one chosen at each end (``pickup_point``/``dropoff_point``).
"""

from __future__ import annotations

import dataclasses
import secrets
from datetime import datetime, timedelta

from fastapi import APIRouter

from api import meeting, offer_records
from api.clock import ServiceClock
from api.connections import connection_public, resolve_train
from api.day_cycle import ensure_open
from api.deps import Caller, RuntimeDep
from api.errors import ApiError, conflict, invalid
from api.metrics import OFFERS
from api.ownership import rider_of
from api.runtime import Runtime
from api.schemas import OfferCreate, OfferPublic
from api.service_days import day_of_booking
from api.views import alternative_public, offer_public
from api.welfare import welfare_watch
from maas.service import BookingRefusal, check_booking
from solver.dispatch import Rejection, RejectionReason, RideAsk

router = APIRouter(prefix="/v1/offers", tags=["offers"])

# A pickup time this far in the past still counts as "now" (clocks of phones drift).
PAST_TOLERANCE_S = 120


@router.post("", status_code=201, response_model=OfferPublic,
             responses={409: {"description": "no vehicle can serve it"},
                        422: {"description": "bad input, outside the service area, the "
                                             "booking rules refuse the time (not_operating, "
                                             "too_late_to_book, too_far_ahead, outside_hours)"
                                             ", or no meeting point within the walk limit "
                                             "(no_meeting_point)"}})
async def create_offer(body: OfferCreate, caller: Caller, rt: RuntimeDep) -> OfferPublic:
    """Offer a ride to a rider (or to the operator booking by phone for ``rider_id``)."""
    rider_id = await rider_of(caller, body.rider_id, rt)
    if body.passengers > rt.settings.max_passengers:
        raise invalid(f"at most {rt.settings.max_passengers} passengers per booking")
    now = rt.clock.now()
    # A train connection sets the time: arrive by departure - buffer, or pick up after the
    # arrival + buffer (api.connections; 422 naming the field when there is no such train).
    train = resolve_train(rt.service, rt.transit, body, now)
    arrive_by = body.arrive_before is not None or (train is not None
                                                   and train.kind == "departure")
    asked = train.moment if train is not None else body.pickup_after or body.arrive_before
    if asked is not None and train is None:
        asked = asked if asked.tzinfo is not None else asked.replace(tzinfo=rt.service.tz)
        if asked < now - timedelta(seconds=PAST_TOLERANCE_S):
            raise invalid(f"{'pickup_after' if body.pickup_after else 'arrive_before'} lies "
                          "in the past", code="in_the_past")
    # As soon as possible means as soon as the rules allow: the minimum notice from now.
    moment = max(asked, now) if asked is not None else \
        now + timedelta(seconds=rt.service.booking.min_notice_s)
    check = check_booking(rt.service, now, moment)
    if isinstance(check, BookingRefusal):
        OFFERS.labels(check.code).inc()
        raise _refusal_error(check)
    ctx = await ensure_open(rt, check.day)
    if body.outbound_booking_id is not None:
        await _check_outbound(rt, body.outbound_booking_id, rider_id, check.day)

    origin = rt.snapper.snap(body.origin.lat, body.origin.lon)  # OffNetworkError -> 422
    destination = rt.snapper.snap(body.destination.lat, body.destination.lon)
    if origin == destination:
        raise invalid("origin and destination are the same place on the road network")
    # The rider's own needs (api.routers.riders): a wheelchair, longer boarding with a cane.
    needs = await rt.store.record(rt.store.keys.riders, rider_id) or {}
    wheelchairs = 1 if body.wheelchair or needs.get("needs_wheelchair") else 0
    # Where the van may meet them: the door, or meeting points in reach (api.meeting).
    origin_walks, destination_walks = meeting.walks(
        rt.meeting, check.day, meeting.rider_flags(needs, wheelchairs > 0),
        (body.origin.lat, body.origin.lon, origin),
        (body.destination.lat, body.destination.lon, destination))
    clock = ctx.clock
    day_now = clock.now_seconds()
    pickup_after = clock.earliest(moment) if not arrive_by else None
    if train is not None:
        train.check_ends(rt.transit, origin, destination)
    ask = RideAsk(
        origin=origin, destination=destination,
        passengers=body.passengers - wheelchairs, wheelchairs=wheelchairs,
        pickup_after=pickup_after,
        arrive_before=clock.latest(moment) if arrive_by else None,
        now=day_now, rider_id=rider_id,
        board=needs.get("board_seconds"), alight=needs.get("alight_seconds"),
        welfare=welfare_watch(needs),
        connect=None if train is None else train.connection(clock),
        origin_walks=origin_walks, destination_walks=destination_walks,
    )
    dispatcher = rt.days.offer_dispatcher(ctx, check.same_day)
    state = await ctx.store.state()
    answer = dispatcher.offer(state, ask)

    if isinstance(answer, Rejection):
        OFFERS.labels(answer.reason.value).inc()
        raise _rejection_error(answer, clock)
    OFFERS.labels("offered").inc()
    # Offer ids come from the API, not the (pure, deterministic) dispatcher: two riders asking
    # the same thing at the same moment must get two different offers.
    offer = dataclasses.replace(answer, id="o_" + secrets.token_hex(10))
    fare = rt.service.fare(body.passengers - wheelchairs, wheelchairs=wheelchairs,
                           disability=1 if needs.get("disability_card") and not wheelchairs
                           else 0)
    ttl_ms = (offer.expires_at - day_now) * 1000
    pickup_point = meeting.place_public(offer.pickup_point)
    dropoff_point = meeting.place_public(offer.dropoff_point)
    await rt.store.put_offer(offer.id, offer_records.offer_record(offer, {
        "rider_id": rider_id, "day": check.day.isoformat(), "same_day": check.same_day,
        "fare": fare, "outbound_booking_id": body.outbound_booking_id,
        "asked_pickup_after": moment.isoformat() if body.pickup_after is not None or (
            train is not None and not arrive_by) else None,
        "asked_arrive_before": moment.isoformat() if arrive_by else None,
        "pickup_point": None if pickup_point is None else pickup_point.model_dump(),
        "dropoff_point": None if dropoff_point is None else dropoff_point.model_dump()}),
        ttl_ms)
    # Asked for, the other times that could be served (a clerk reads them to the caller).
    others = dispatcher.offer_alternatives(state, ask, answer) if body.alternatives else ()
    public = offer_public(clock, offer, window_final=check.same_day, fare=fare,
                          alternatives=others, pickup_point=pickup_point,
                          dropoff_point=dropoff_point)
    if train is None:
        return public
    return public.model_copy(update={"connection": connection_public(clock, offer, rt.transit)})


async def _check_outbound(rt: Runtime, booking_id: str, rider_id: str, day: object) -> None:
    """A return trip names an outbound booking of the same rider on the same day."""
    outbound_day = day_of_booking(booking_id)
    record = None if outbound_day is None else await rt.store.record(
        rt.store.keys.day(outbound_day).bookings, booking_id)
    if record is None or record.get("rider_id") != rider_id:
        raise invalid(f"unknown outbound booking {booking_id!r}", code="unknown_booking")
    if outbound_day != day:
        raise invalid("a return trip must be on the same service day as its outbound ride",
                      code="return_on_another_day")


def _refusal_error(refusal: BookingRefusal) -> ApiError:
    extra: dict[str, str] = {}
    if refusal.next_bookable is not None:
        extra["next_bookable"] = _iso(refusal.next_bookable)
    if refusal.bookable_from is not None:
        extra["bookable_from"] = _iso(refusal.bookable_from)
    return ApiError(422, refusal.code, refusal.message, extra)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _rejection_error(rejection: Rejection, clock: ServiceClock) -> ApiError:
    if rejection.reason is RejectionReason.OUTSIDE_SERVICE_AREA:
        return invalid(rejection.message, code=rejection.reason.value)
    alternative = None
    if rejection.alternative is not None:
        alternative = {"pickup_after": clock.iso(rejection.alternative)}
    alternatives = [alternative_public(clock, a).model_dump(exclude_none=True)
                    for a in rejection.alternatives]
    return conflict(rejection.reason.value, rejection.message, alternative=alternative,
                    alternatives=alternatives)
