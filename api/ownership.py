"""Whose ride a request is: a rider books for themselves, the operator for a named rider,
a driver for nobody."""

from __future__ import annotations

from api.auth import Principal, Role
from api.errors import forbidden, invalid
from api.runtime import Runtime


async def rider_of(caller: Principal, rider_id: str | None, rt: Runtime) -> str:
    """The rider a booking request is for (403 or 422 when the caller may not say so)."""
    if caller.role is Role.RIDER:
        assert caller.subject_id is not None
        if rider_id is not None and rider_id != caller.subject_id:
            raise forbidden("a rider books only for themselves; leave out rider_id")
        return caller.subject_id
    if caller.role is Role.OPERATOR:
        if rider_id is None:
            raise invalid("the operator books for a rider: give rider_id")
        if await rt.store.record(rt.store.keys.riders, rider_id) is None:
            raise invalid(f"unknown rider {rider_id!r}", code="unknown_rider")
        return rider_id
    raise forbidden("drivers do not book rides")


def may_act_for(caller: Principal, rider_id: str | None) -> bool:
    """The operator acts for every rider; a rider only for themselves."""
    return caller.is_operator or (rider_id is not None and caller.is_rider(rider_id))
