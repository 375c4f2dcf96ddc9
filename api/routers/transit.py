"""``POST /v1/transit/delays``: the operator reports a late train; return rides waiting for
it move their pickup windows and the plan follows (``api.train_delays``)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Operator, RuntimeDep
from api.schemas import TrainDelayCreate, TrainDelayPublic
from api.train_delays import report_delay

router = APIRouter(prefix="/v1/transit", tags=["transit"])


@router.post("/delays", response_model=TrainDelayPublic)
async def create_delay(body: TrainDelayCreate, _: Operator, rt: RuntimeDep) -> TrainDelayPublic:
    """A train (GTFS ``trip_id``) runs ``delay_minutes`` late today."""
    return await report_delay(rt, body)
