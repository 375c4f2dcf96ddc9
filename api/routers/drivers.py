"""``/v1/drivers`` (driver accounts) and ``/v1/vehicles/{id}/days/{date}/driver`` (who
drives a van on a service day). See ``api.drivers`` for the records and the rules."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from api.accounts import create_once
from api.auth import Role
from api.deps import Operator, RuntimeDep, Staff
from api.drivers import (
    DRIVER_PREFIX,
    assign,
    assigned,
    driver,
    driver_record,
    drivers_key,
    encode,
)
from api.errors import invalid, not_found
from api.schemas import Id, Name, Phone, Strict
from api.schemas_people import OptionalIdempotencyKey
from api.tokens import store_token, token_record

router = APIRouter(tags=["drivers"])


class DriverCreate(Strict):
    """A driver (often a part-time retiree): a name, a phone to reach them."""

    name: Name
    phone: Phone | None = None


class DriverPublic(BaseModel):
    id: str
    name: str
    phone: str | None
    active: bool
    created_at: str
    created_by: str


class DriverCreated(DriverPublic):
    """A new driver account with its bearer token (shown once)."""

    token: str


class DriverList(BaseModel):
    drivers: list[DriverPublic]


class VanDayDriver(Strict):
    driver_id: Id


class VanDayAssignment(BaseModel):
    vehicle_id: str
    date: str
    driver_id: str | None
    driver_name: str | None


@router.post("/v1/drivers", status_code=201, response_model=DriverCreated)
async def create_driver(body: DriverCreate, caller: Operator, rt: RuntimeDep,
                        idempotency_key: OptionalIdempotencyKey = None) -> DriverCreated:
    """Create a driver account (dispatcher or admin); its token is shown once. A retried
    call with the same ``Idempotency-Key`` returns the same account and token."""
    store = rt.store

    async def make(driver_id: str, token: str) -> dict[str, Any]:
        record = driver_record(driver_id, body.name, body.phone, rt.clock.now(),
                               caller.subject_id or "")
        await store_token(store, token, token_record(Role.DRIVER, driver_id, rt.clock.now()))
        await store.hset(drivers_key(store), driver_id, encode(record))
        return record

    created = await create_once(store, rt.settings, caller, "driver", idempotency_key,
                                body.model_dump(mode="json"),
                                DRIVER_PREFIX + secrets.token_hex(6),
                                lambda driver_id: driver(store, driver_id), make)
    return DriverCreated(**created.record, token=created.token)


@router.get("/v1/drivers", response_model=DriverList)
async def list_drivers(_: Staff, rt: RuntimeDep) -> DriverList:
    """Every driver account, by name (staff)."""
    records = (await rt.store.records(drivers_key(rt.store))).values()
    return DriverList(drivers=[DriverPublic.model_validate(r) for r in
                               sorted(records, key=lambda r: (r["name"], r["id"]))])


VehicleId = Annotated[str, Path(min_length=1, max_length=100)]


async def _van_day(rt: RuntimeDep, vehicle_id: str, day: date) -> None:
    record = await rt.store.record(rt.store.keys.vehicles, vehicle_id)
    if record is None or record.get("retired"):
        raise not_found(f"vehicle {vehicle_id!r}")
    if day < rt.days.today():
        raise invalid(f"date: {day} is in the past", code="past_date")


async def _assignment(rt: RuntimeDep, vehicle_id: str, day: date) -> VanDayAssignment:
    driver_id = await assigned(rt.store, day, vehicle_id)
    record = None if driver_id is None else await driver(rt.store, driver_id)
    return VanDayAssignment(vehicle_id=vehicle_id, date=day.isoformat(), driver_id=driver_id,
                            driver_name=None if record is None else record["name"])


@router.get("/v1/vehicles/{vehicle_id}/days/{day}/driver", response_model=VanDayAssignment)
async def get_van_day_driver(vehicle_id: VehicleId, day: date, _: Staff,
                             rt: RuntimeDep) -> VanDayAssignment:
    """Who drives the van that day (staff)."""
    if await rt.store.record(rt.store.keys.vehicles, vehicle_id) is None:
        raise not_found(f"vehicle {vehicle_id!r}")
    return await _assignment(rt, vehicle_id, day)


@router.put("/v1/vehicles/{vehicle_id}/days/{day}/driver", response_model=VanDayAssignment)
async def put_van_day_driver(vehicle_id: VehicleId, day: date, body: VanDayDriver,
                             _: Operator, rt: RuntimeDep) -> VanDayAssignment:
    """Assign a driver account to the van on that day (dispatcher or admin); the driver's
    token then reads that van's manifest and reports its stops on that day only."""
    await _van_day(rt, vehicle_id, day)
    record = await driver(rt.store, body.driver_id)
    if record is None or record.get("active") is False:
        raise invalid(f"driver_id: no active driver {body.driver_id!r}", code="unknown_driver")
    await assign(rt.store, day, vehicle_id, body.driver_id)
    return await _assignment(rt, vehicle_id, day)


@router.delete("/v1/vehicles/{vehicle_id}/days/{day}/driver", response_model=VanDayAssignment)
async def delete_van_day_driver(vehicle_id: VehicleId, day: date, _: Operator,
                                rt: RuntimeDep) -> VanDayAssignment:
    """Take the driver off the van that day."""
    await _van_day(rt, vehicle_id, day)
    await assign(rt.store, day, vehicle_id, None)
    return await _assignment(rt, vehicle_id, day)
