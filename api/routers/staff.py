"""``/v1/staff``: named staff accounts (admins only), each with its own bearer token.

``POST`` takes an optional ``Idempotency-Key``: a retried call (its response lost) returns
the same account and the same token (``api.accounts``; derived, never stored). ``DELETE``
removes the account and revokes its tokens at once.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from api.accounts import create_once
from api.auth import Role, StaffRole
from api.deps import Admin, RuntimeDep, Staff
from api.errors import invalid, not_found
from api.runtime import Runtime
from api.schemas_people import (
    OptionalIdempotencyKey,
    StaffCreate,
    StaffCreated,
    StaffList,
    StaffPublic,
    StaffUpdate,
)
from api.staff import (
    all_staff,
    is_last_admin,
    last_admin_error,
    put_staff,
    remove_staff,
    staff_member,
    staff_record,
    update_staff,
)
from api.tokens import (
    expired,
    lookup,
    revoke_account,
    store_token,
    token_record,
)

router = APIRouter(prefix="/v1/staff", tags=["staff"])


@router.post("", status_code=201, response_model=StaffCreated)
async def create_staff(body: StaffCreate, caller: Admin, rt: RuntimeDep,
                       idempotency_key: OptionalIdempotencyKey = None) -> StaffCreated:
    """Create a staff account (admin only); its token is shown once."""
    store, now = rt.store, rt.clock.now()
    expires_in = None if body.expires_in_seconds is None else timedelta(
        seconds=body.expires_in_seconds)
    issued: dict[str, Any] = {}

    async def make(staff_id: str, token: str) -> dict[str, Any]:
        record = staff_record(staff_id, body.name, body.role, now, caller.subject_id or "")
        issued.update(token_record(Role.OPERATOR, staff_id, now, expires_in))
        await store_token(store, token, issued)
        await put_staff(store, record)
        return record

    created = await create_once(store, rt.settings, caller, "staff", idempotency_key,
                                body.model_dump(mode="json"), "s_" + secrets.token_hex(6),
                                lambda staff_id: staff_member(store, staff_id), make)
    expires = await _expiry_of(rt, created.token) if created.replayed \
        else issued["expires_at"]
    return StaffCreated(**created.record, token=created.token, token_expires_at=expires)


async def _expiry_of(rt: Runtime, token: str) -> str | None:
    found = await lookup(rt.store, token)
    if found is None or expired(found, rt.clock.now()):
        return None
    expires: str | None = found.get("expires_at")
    return expires


@router.get("", response_model=StaffList)
async def list_staff(_: Admin, rt: RuntimeDep) -> StaffList:
    """Every staff account (admin only), by name."""
    return StaffList(staff=[StaffPublic.model_validate(r) for r in await all_staff(rt.store)])


class StaffMe(BaseModel):
    """Who the caller is, for a page to offer only what the role may do."""

    id: str
    name: str | None
    role: StaffRole


@router.get("/me", response_model=StaffMe)
async def get_me(caller: Staff, rt: RuntimeDep) -> StaffMe:
    """The calling staff member (any staff role; the bootstrap token is an admin)."""
    assert caller.staff_role is not None and caller.subject_id is not None
    record = await staff_member(rt.store, caller.subject_id)
    return StaffMe(id=caller.subject_id, name=None if record is None else record.get("name"),
                   role=caller.staff_role)


@router.get("/{staff_id}", response_model=StaffPublic)
async def get_staff(staff_id: str, _: Admin, rt: RuntimeDep) -> StaffPublic:
    """One staff account (admin only)."""
    record = await staff_member(rt.store, staff_id)
    if record is None:
        raise not_found(f"staff member {staff_id!r}")
    return StaffPublic.model_validate(record)


@router.patch("/{staff_id}", response_model=StaffPublic)
async def patch_staff(staff_id: str, body: StaffUpdate, caller: Admin,
                      rt: RuntimeDep) -> StaffPublic:
    """Change a staff member's role, name or whether the account is active (admin only);
    takes effect on their next request. 409 ``last_admin`` when it would leave no active
    admin."""
    change = body.model_dump(exclude_unset=True, exclude_none=True, mode="json")
    if not change:
        raise invalid("give at least one of name, role, active", code="empty_change")
    updated = await update_staff(rt.store, staff_id, change, rt.clock.now(),
                                 caller.subject_id or "")
    return StaffPublic.model_validate(updated)


@router.delete("/{staff_id}", response_model=StaffPublic)
async def delete_staff(staff_id: str, caller: Admin, rt: RuntimeDep) -> StaffPublic:
    """Remove a staff account and revoke its tokens at once (admin only; not oneself)."""
    if staff_id == caller.subject_id:
        raise invalid("an admin cannot delete their own account", code="own_account")
    record = await staff_member(rt.store, staff_id)
    if record is None:
        raise not_found(f"staff member {staff_id!r}")
    if await is_last_admin(rt.store, staff_id):
        raise last_admin_error(staff_id)
    await remove_staff(rt.store, staff_id)
    await revoke_account(rt.store, Role.OPERATOR, staff_id)
    return StaffPublic.model_validate(record)
