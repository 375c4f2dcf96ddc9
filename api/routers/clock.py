"""``/v1/clock``: the service's time; on a training service (``maas serve --training``) the
operator moves it forward, and the days catch up at once (opened, planned, closed)."""

from __future__ import annotations

import json

from fastapi import APIRouter

from api import day_cycle
from api.clock import ClockError
from api.deps import Caller, Operator, RuntimeDep
from api.errors import ApiError, invalid
from api.schemas import ClockPublic, ClockSet

router = APIRouter(prefix="/v1/clock", tags=["clock"])


@router.get("", response_model=ClockPublic)
async def get_clock(_: Caller, rt: RuntimeDep) -> ClockPublic:
    """The service's time now."""
    training = rt.training
    return ClockPublic(now=rt.clock.now().astimezone(rt.service.tz).isoformat(),
                       training=training is not None,
                       running=training.running if training is not None else True)


@router.put("", response_model=ClockPublic,
            responses={409: {"description": "not a training service"}})
async def set_clock(body: ClockSet, _: Operator, rt: RuntimeDep) -> ClockPublic:
    """Move the training clock forward; then open, plan and close days up to the new time."""
    training = rt.training
    if training is None:
        raise ApiError(409, "not_training", "only a training service (maas serve --training) "
                       "lets the clock be set")
    moment = body.now if body.now.tzinfo else body.now.replace(tzinfo=rt.service.tz)
    try:
        training.set(moment, body.running)
    except ClockError as exc:
        raise invalid(str(exc), code="clock_backwards") from exc
    await rt.store.redis.set(rt.store.keys.clock, json.dumps(training.record()))
    report = await day_cycle.catch_up(rt)
    return ClockPublic(now=rt.clock.now().astimezone(rt.service.tz).isoformat(),
                       training=True, running=training.running,
                       opened=[d.isoformat() for d in report.opened],
                       planned=[d.isoformat() for d in report.planned],
                       closed=[d.isoformat() for d in report.closed])
