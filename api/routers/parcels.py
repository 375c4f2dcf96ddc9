"""``/v1/parcels`` (a shipper hands in a parcel and follows it) and ``/v1/shippers`` (the
operator registers shippers). Thin: the use cases live in ``api.parcels``.

Only a shipper (a shipper token) hands in parcels: riders, drivers and staff get 403. A
shipper sees its own parcels, staff every parcel; to anyone else a parcel answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api import parcels
from api.deps import Caller, Operator, RuntimeDep
from api.errors import forbidden, not_found
from api.schemas_parcels import (
    ParcelCreate,
    ParcelList,
    ParcelPublic,
    ShipperCreate,
    ShipperCreated,
)
from api.service_days import day_of_booking

router = APIRouter(tags=["parcels"])


@router.post("/v1/shippers", status_code=201, response_model=ShipperCreated)
async def create_shipper(body: ShipperCreate, _: Operator, rt: RuntimeDep) -> ShipperCreated:
    """Register a shop, the post office or a farm as a shipper (operator only); its token
    is shown once."""
    return await parcels.create_shipper(rt, body)


@router.post("/v1/parcels", status_code=201, response_model=ParcelPublic,
             responses={403: {"description": "not a shipper"},
                        409: {"description": "no van of the fleet could take it"},
                        422: {"description": "bad input, a day without service, off the "
                                             "roads"}})
async def create_parcel(body: ParcelCreate, caller: Caller, rt: RuntimeDep) -> ParcelPublic:
    """Hand in a parcel: it rides on a van where the riders' plan has room, else it waits
    (``status: waiting``) for the next van with room."""
    return await parcels.ship(rt, caller, body)


@router.get("/v1/parcels", response_model=ParcelList)
async def list_parcels(caller: Caller, rt: RuntimeDep,
                       limit: Annotated[int, Query(ge=1, le=500)] = 50) -> ParcelList:
    """The caller's parcels on the open days (staff: all of them), newest first."""
    if not (caller.is_operator or caller.role.value == "shipper"):
        raise forbidden("parcels are listed to their shippers and to staff")
    return ParcelList(parcels=await parcels.parcels_of(rt, caller, limit))


@router.get("/v1/parcels/{parcel_id}", response_model=ParcelPublic)
async def get_parcel(parcel_id: str, caller: Caller, rt: RuntimeDep) -> ParcelPublic:
    """A parcel and where it stands, for its shipper or staff (404 for anyone else)."""
    found = await parcels.one_parcel(rt, caller, parcel_id, day_of_booking(parcel_id))
    if found is None:
        raise not_found(f"parcel {parcel_id!r}")
    return found


@router.delete("/v1/parcels/{parcel_id}", response_model=ParcelPublic,
               responses={409: {"description": "the parcel is on a van already"}})
async def cancel_parcel(parcel_id: str, caller: Caller, rt: RuntimeDep) -> ParcelPublic:
    """Withdraw a parcel not collected yet (its shipper, or staff); twice is not an error."""
    found = await parcels.cancel(rt, caller, parcel_id, day_of_booking(parcel_id))
    if found is None:
        raise not_found(f"parcel {parcel_id!r}")
    return found
