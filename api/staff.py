"""Staff accounts: named people with a staff role, created by an admin.

    maas:{area}:staff   hash staff id -> staff record (JSON)

Staff record schema, version 1 (``"v": 1``)::

    {"v": 1, "id": "s_...", "name": "...", "role": "admin" | "dispatcher" | "viewer",
     "created_at": "<ISO 8601>", "created_by": "<staff id>"}

The operator token of the settings (``MAAS_OPERATOR_TOKEN``) is the bootstrap admin
(``api.auth.BOOTSTRAP_ADMIN_ID``): it is not stored, and keeps working as an admin so that
the first named admin can be created with it (and the demo runs as before).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from api.auth import StaffRole
from api.store import AreaStore

STAFF_RECORD_VERSION = 1


def staff_key(store: AreaStore) -> str:
    """The hash of the area's staff accounts."""
    return f"{store.keys.prefix}staff"


def staff_record(staff_id: str, name: str, role: StaffRole, now: datetime,
                 created_by: str) -> dict[str, Any]:
    """A version-1 staff record."""
    return {"v": STAFF_RECORD_VERSION, "id": staff_id, "name": name, "role": role.value,
            "created_at": now.isoformat(), "created_by": created_by}


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
