"""Driver accounts and which van each drives on which service day.

    maas:{area}:drivers      hash driver id -> driver record (JSON)
    maas:{area}:van-drivers  hash "{date}:{vehicle id}" -> driver id

Driver record schema, version 1 (``"v": 1``)::

    {"v": 1, "id": "d_...", "name": "...", "phone": "..." | null, "active": true,
     "created_at": "<ISO 8601>", "created_by": "<staff id>"}

Two kinds of driver token exist side by side: a van's own token (``POST /v1/vehicles``,
the roster's demo tokens; its subject is the vehicle id, it drives that van every day) and
a driver account's token (subject ``d_...``), which drives only the van it is assigned to on
that day: for any other van day the answer is 403. Assignments of past days stay (a few
bytes a van day) until the area is retired; nothing reads them once the day is closed.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from api.auth import Principal, Role
from api.errors import forbidden, not_found
from api.store import AreaStore, _pending, _text

DRIVER_RECORD_VERSION = 1
DRIVER_PREFIX = "d_"


def drivers_key(store: AreaStore) -> str:
    return f"{store.keys.prefix}drivers"


def assignments_key(store: AreaStore) -> str:
    return f"{store.keys.prefix}van-drivers"


def driver_record(driver_id: str, name: str, phone: str | None, now: datetime,
                  created_by: str) -> dict[str, Any]:
    """A version-1 driver record."""
    return {"v": DRIVER_RECORD_VERSION, "id": driver_id, "name": name, "phone": phone,
            "active": True, "created_at": now.isoformat(), "created_by": created_by}


def is_account(caller: Principal) -> bool:
    """Whether the caller holds a driver account's token (not a van's own token)."""
    return caller.role is Role.DRIVER and (caller.subject_id or "").startswith(DRIVER_PREFIX)


async def driver(store: AreaStore, driver_id: str) -> dict[str, Any] | None:
    return await store.record(drivers_key(store), driver_id)


async def assigned(store: AreaStore, day: date, vehicle_id: str) -> str | None:
    """The driver assigned to ``vehicle_id`` on ``day``, if any."""
    raw = await _pending(store.redis.hget(assignments_key(store), f"{day}:{vehicle_id}"))
    return _text(raw)


async def assign(store: AreaStore, day: date, vehicle_id: str, driver_id: str | None) -> None:
    """Assign (or with None, unassign) the van day's driver."""
    field = f"{day}:{vehicle_id}"
    if driver_id is None:
        await store.hdel(assignments_key(store), field)
    else:
        await store.hset(assignments_key(store), field, driver_id)


async def vans_of(store: AreaStore, driver_id: str, day: date) -> list[str]:
    """The vans ``driver_id`` is assigned to on ``day``."""
    raw = await _pending(store.redis.hgetall(assignments_key(store)))
    prefix = f"{day}:"
    return sorted((_text(k) or "").removeprefix(prefix) for k, v in raw.items()
                  if (_text(k) or "").startswith(prefix) and _text(v) == driver_id)


async def check_drives(store: AreaStore, caller: Principal, vehicle_id: str, day: date,
                       operator_too: bool) -> None:
    """Refuse a caller who does not drive ``vehicle_id`` on ``day``: a van's own token for
    another van gets 404 (as before: vans stay unknown to it), a driver account not
    assigned to this van day 403, staff pass where ``operator_too``, riders 404."""
    if caller.drives(vehicle_id) or (operator_too and caller.is_operator):
        return
    if is_account(caller):
        if await assigned(store, day, vehicle_id) == caller.subject_id:
            return
        raise forbidden(f"you are not assigned to drive {vehicle_id} on {day}")
    raise not_found(f"vehicle {vehicle_id!r}")


def encode(record: dict[str, Any]) -> str:
    return json.dumps(record)
