"""Staff accounts: named people with a staff role, created by an admin.

    maas:{area}:staff   hash staff id -> staff record (JSON)

Staff record schema, version 2 (``"v": 2``)::

    {"v": 2, "id": "s_...", "name": "...", "role": "admin" | "dispatcher" | "viewer",
     "active": true, "created_at": "<ISO 8601>", "created_by": "<staff id>",
     "updated_at": "<ISO 8601>" | null, "updated_by": "<staff id>" | null}

Version 1 records (no ``active``, ``updated_*``) read as active and never updated. An
inactive account keeps its record (and its place in the audit log) but its tokens get 401.

The operator token of the settings (``MAAS_OPERATOR_TOKEN``) is the bootstrap admin
(``api.auth.BOOTSTRAP_ADMIN_ID``): it is not stored, and keeps working as an admin so that
the first named admin can be created with it (and the demo runs as before).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from redis.exceptions import WatchError

from api.auth import StaffRole
from api.errors import ApiError, conflict, not_found
from api.store import AreaStore, _pending, _raise_if_connection_lost, _text

STAFF_RECORD_VERSION = 2


def staff_key(store: AreaStore) -> str:
    """The hash of the area's staff accounts."""
    return f"{store.keys.prefix}staff"


def staff_record(staff_id: str, name: str, role: StaffRole, now: datetime,
                 created_by: str) -> dict[str, Any]:
    """A version-1 staff record."""
    return {"v": STAFF_RECORD_VERSION, "id": staff_id, "name": name, "role": role.value,
            "active": True, "created_at": now.isoformat(), "created_by": created_by,
            "updated_at": None, "updated_by": None}


def is_active(record: Mapping[str, Any]) -> bool:
    """Whether an account may sign in (version 1 records always may)."""
    return record.get("active", True) is not False


def _active_admin(record: Mapping[str, Any]) -> bool:
    return record.get("role") == StaffRole.ADMIN.value and is_active(record)


def last_admin_error(staff_id: str) -> ApiError:
    return conflict("last_admin", f"{staff_id} is the last active admin: make another staff "
                    "member an admin first", staff_id=staff_id)


async def update_staff(store: AreaStore, staff_id: str, change: Mapping[str, Any],
                       now: datetime, by: str) -> dict[str, Any]:
    """Apply ``change`` (name, role, active) to an account in one transaction; 409
    ``last_admin`` when it would leave the area without an active named admin (the
    bootstrap token does not count: it is for setting up, not for running the service)."""
    key = staff_key(store)
    async with store.redis.pipeline(transaction=True) as pipe:
        for _ in range(16):
            try:
                await pipe.watch(key)  # the whole hash: a concurrent demotion retries this
                raw = await _pending(pipe.hgetall(key))
                records = {_text(k) or "": json.loads(v) for k, v in raw.items()}
                record = records.get(staff_id)
                if record is None:
                    raise not_found(f"staff member {staff_id!r}")
                updated = {**record, **change, "v": STAFF_RECORD_VERSION,
                           "active": is_active({**record, **change}),
                           "updated_at": now.isoformat(), "updated_by": by}
                admins_after = sum(_active_admin(updated if sid == staff_id else r)
                                   for sid, r in records.items())
                if _active_admin(record) and admins_after == 0:
                    raise last_admin_error(staff_id)
                pipe.multi()
                pipe.hset(key, staff_id, json.dumps(updated))
                await pipe.execute()
                return updated
            except WatchError as exc:
                _raise_if_connection_lost(exc)
                continue
    raise ApiError(503, "busy", "staff accounts kept changing; retry")


async def is_last_admin(store: AreaStore, staff_id: str) -> bool:
    """Whether ``staff_id`` is the only active named admin."""
    records = await store.records(staff_key(store))
    record = records.get(staff_id)
    return (record is not None and _active_admin(record)
            and sum(_active_admin(r) for r in records.values()) == 1)


async def staff_member(store: AreaStore, staff_id: str) -> dict[str, Any] | None:
    """One staff account, if it exists."""
    return await store.record(staff_key(store), staff_id)


async def all_staff(store: AreaStore) -> list[dict[str, Any]]:
    """Every staff account, by name."""
    return sorted((await store.records(staff_key(store))).values(),
                  key=lambda r: (r["name"], r["id"]))


async def put_staff(store: AreaStore, record: dict[str, Any]) -> None:
    await store.hset(staff_key(store), record["id"], json.dumps(record))


async def remove_staff(store: AreaStore, staff_id: str) -> None:
    await store.hdel(staff_key(store), staff_id)
