"""``POST /v1/offers``: "can you take me?" answered with a pickup window and a latest drop-off.

The path of a request: validate the body (schemas) -> decide whose ride it is -> check it
against the clock -> snap both ends onto the road network (422 if off it; remembered per worker, see
api.snap_cache) -> ``RideAsk`` ->
``Dispatcher.offer(state, ask)`` on the state read from Redis (a pure query: nothing is
locked or written) -> an ``Offer`` is kept in Redis until it expires (it holds no seat) and
returned as 201; a ``Rejection`` becomes 422 (outside the service area) or 409 (no van can
do it: the reason code, e.g. ``no_capacity``), with the earliest later pickup
(``alternative``) and up to three servable times each side (``alternatives``, with estimates).
"""

from __future__ import annotations

import dataclasses
import secrets

from fastapi import APIRouter

from api import codec
from api.auth import Principal, Role
from api.deps import Caller, ClockDep, DispatcherDep, SettingsDep, SnapperDep, StoreDep
from api.errors import ApiError, conflict, forbidden, invalid
from api.metrics import OFFERS
from api.schemas import OfferCreate, OfferPublic
from api.views import offer_public
from solver.dispatch import Rejection, RejectionReason, RideAsk

router = APIRouter(prefix="/v1/offers", tags=["offers"])

# A pickup time this far in the past still counts as "now" (clocks of phones drift).
PAST_TOLERANCE_S = 120


@router.post("", status_code=201, response_model=OfferPublic,
             responses={409: {"description": "no vehicle can serve it"},
                        422: {"description": "bad input or outside the service area"}})
async def create_offer(
    body: OfferCreate,
    caller: Caller,
    settings: SettingsDep,
    store: StoreDep,
    snapper: SnapperDep,
    dispatcher: DispatcherDep,
    clock: ClockDep,
) -> OfferPublic:
    """Offer a ride to a rider (or to the operator booking by phone for ``rider_id``)."""
    rider_id = await _rider_of(caller, body.rider_id, store)
    if body.passengers > settings.max_passengers:
        raise invalid(f"at most {settings.max_passengers} passengers per booking")
    now = clock.now_seconds()
    pickup_after = None if body.pickup_after is None else clock.earliest(body.pickup_after)
    arrive_before = None if body.arrive_before is None else clock.latest(body.arrive_before)
    if pickup_after is not None and pickup_after < now - PAST_TOLERANCE_S:
        raise invalid("pickup_after lies in the past", code="in_the_past")
    if arrive_before is not None and arrive_before <= now:
        raise invalid("arrive_before lies in the past", code="in_the_past")

    origin = snapper.snap(body.origin.lat, body.origin.lon)  # OffNetworkError -> 422
    destination = snapper.snap(body.destination.lat, body.destination.lon)
    if origin == destination:
        raise invalid("origin and destination are the same place on the road network")
    wheelchairs = 1 if body.wheelchair else 0
    ask = RideAsk(
        origin=origin, destination=destination,
        passengers=body.passengers - wheelchairs, wheelchairs=wheelchairs,
        pickup_after=None if pickup_after is None else max(pickup_after, now),
        arrive_before=arrive_before, now=now, rider_id=rider_id,
    )

    answer = dispatcher.offer(await store.state(), ask)

    if isinstance(answer, Rejection):
        OFFERS.labels(answer.reason.value).inc()
        raise _rejection_error(answer, clock)
    OFFERS.labels("offered").inc()
    # Offer ids come from the API, not the (pure, deterministic) dispatcher: two riders asking
    # the same thing at the same moment must get two different offers.
    offer = dataclasses.replace(answer, id="o_" + secrets.token_hex(10))
    ttl_ms = (offer.expires_at - now) * 1000
    await store.put_offer(offer.id, {"rider_id": rider_id, "offer": codec.to_jsonable(offer)},
                          ttl_ms)
    return offer_public(clock, offer)


async def _rider_of(caller: Principal, rider_id: str | None, store: StoreDep) -> str:
    """Whose ride this is: a rider books for themselves, the operator for a named rider."""
    if caller.role is Role.RIDER:
        assert caller.subject_id is not None
        if rider_id is not None and rider_id != caller.subject_id:
            raise forbidden("a rider books only for themselves; leave out rider_id")
        return caller.subject_id
    if caller.role is Role.OPERATOR:
        if rider_id is None:
            raise invalid("the operator books for a rider: give rider_id")
        if await store.record(store.keys.riders, rider_id) is None:
            raise invalid(f"unknown rider {rider_id!r}", code="unknown_rider")
        return rider_id
    raise forbidden("drivers do not book rides")


def _rejection_error(rejection: Rejection, clock: ClockDep) -> ApiError:
    if rejection.reason is RejectionReason.OUTSIDE_SERVICE_AREA:
        return invalid(rejection.message, code=rejection.reason.value)
    alternative = None
    if rejection.alternative is not None:
        alternative = {"pickup_after": clock.iso(rejection.alternative)}
    alternatives = [
        {"pickup_after" if a.pickup_after is not None else "arrive_before":
             clock.iso(a.pickup_after if a.pickup_after is not None else a.arrive_before or 0),
         "estimated_pickup": clock.iso(a.pickup), "estimated_dropoff": clock.iso(a.dropoff)}
        for a in rejection.alternatives
    ]
    return conflict(rejection.reason.value, rejection.message, alternative=alternative,
                    alternatives=alternatives)
