"""A train runs late: the return rides waiting for it follow (``POST /v1/transit/delays``).

The delay applies to the day vans are driving now (GTFS trip ids repeat every service date):
inside one serialised write, ``Dispatcher.apply(state, TrainDelayed)`` moves the pickup
windows of the rides that meet the train and re-plans them (``ConnectionMoved`` for each).
"""

from __future__ import annotations

from api.errors import conflict
from api.notify import apply_event
from api.runtime import Runtime
from api.schemas import MovedRide, TrainDelayCreate, TrainDelayPublic
from api.store import Write
from api.views import window
from solver.dispatch import outcomes
from solver.dispatch.events import TrainDelayed


async def report_delay(rt: Runtime, body: TrainDelayCreate) -> TrainDelayPublic:
    """Apply the delay to today's rides; list those that moved with their new windows."""
    ctx = await rt.days.current()
    if ctx is None:
        raise conflict("no_service_today", "no service day is open today")
    delay_s = round(body.delay_minutes * 60)

    async def apply(w: Write) -> list[outcomes.Outcome]:
        _, results = apply_event(w, ctx.dispatcher, ctx.schedules, ctx.clock,
                                 TrainDelayed(body.trip_id, delay_s, ctx.clock.now_seconds(),
                                              body.stop_id))
        return results

    moved = [o for o in await ctx.store.write(apply) if isinstance(o, outcomes.ConnectionMoved)]
    return TrainDelayPublic(
        trip_id=body.trip_id, delay_minutes=body.delay_minutes,
        moved=[MovedRide(booking_id=o.booking_id, pickup_window=window(ctx.clock, o.pickup))
               for o in moved])
