"""``/v1/riders``: residents the operator registers; each gets a bearer token."""

from __future__ import annotations

import secrets

from fastapi import APIRouter

from api.auth import Role, hash_token, new_token
from api.deps import Operator, RuntimeDep
from api.schemas import RiderCreate, RiderCreated, RiderPublic

router = APIRouter(prefix="/v1/riders", tags=["riders"])


@router.post("", status_code=201, response_model=RiderCreated)
async def create_rider(body: RiderCreate, _: Operator, rt: RuntimeDep) -> RiderCreated:
    """Register a rider (operator only); the token is shown once, only its hash is kept."""
    rider = RiderPublic(id="r_" + secrets.token_hex(8), **body.model_dump())
    token = new_token()
    await rt.store.add_with_token(
        rt.store.keys.riders, rider.id, rider.model_dump(), hash_token(token),
        {"role": Role.RIDER.value, "id": rider.id},
    )
    return RiderCreated(**rider.model_dump(), token=token)
