"""``/v1/tokens``: issuing, rotating and revoking bearer tokens of staff, riders and drivers.

Every request reads its token from Redis (``api.deps``), so a revoked token gets 401 at once
on every worker. Who may do what:

- ``POST /v1/tokens``: a new token for an account (a lost phone's replacement): admins and
  dispatchers for riders and drivers, admins for staff; ``Idempotency-Key`` optional.
- ``POST /v1/tokens/rotate``: the caller's own token is replaced by a new one (the old one
  stops working at once); the settings' bootstrap token cannot be rotated (change the env).
- ``POST /v1/tokens/revoke``: the caller's own token, one named token, or every token of an
  account (``kind``, ``id``): anyone for their own, dispatchers for riders' and drivers',
  admins for any.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter

from api.auth import BOOTSTRAP_ADMIN_ID, Principal, Role, new_token
from api.deps import Authenticated, Operator, RuntimeDep, Token
from api.drivers import DRIVER_PREFIX, drivers_key
from api.errors import conflict, forbidden, invalid, not_found
from api.runtime import Runtime
from api.schemas_people import (
    AccountKind,
    OptionalIdempotencyKey,
    TokenIssue,
    TokenIssued,
    TokenRevoke,
    TokenRotate,
    TokensRevoked,
)
from api.staff import staff_key
from api.tokens import (
    body_digest,
    claim,
    derived_token,
    idem_key,
    lookup,
    release,
    revoke_account,
    revoke_token,
    store_token,
    token_record,
    token_secret,
)

router = APIRouter(prefix="/v1/tokens", tags=["tokens"])

ROLE_OF: dict[str, Role] = {"staff": Role.OPERATOR, "rider": Role.RIDER, "driver": Role.DRIVER,
                            "shipper": Role.SHIPPER}
KIND_OF: dict[Role, AccountKind] = {Role.OPERATOR: "staff", Role.RIDER: "rider",
                                    Role.DRIVER: "driver", Role.SHIPPER: "shipper"}


def _may_manage(caller: Principal, role: Role) -> bool:
    """Admins manage every account's tokens, dispatchers riders' and drivers'."""
    return caller.is_admin or (caller.may_act and role is not Role.OPERATOR)


async def _account_exists(rt: Runtime, role: Role, subject_id: str) -> bool:
    hash_key = {Role.OPERATOR: staff_key(rt.store), Role.RIDER: rt.store.keys.riders,
                Role.DRIVER: rt.store.keys.vehicles, Role.SHIPPER: rt.store.keys.shippers}[role]
    if role is Role.DRIVER and subject_id.startswith(DRIVER_PREFIX):  # a driver account
        hash_key = drivers_key(rt.store)
    record = await rt.store.record(hash_key, subject_id)
    return record is not None and not record.get("erased") and not record.get("retired")


def _expires(seconds: int | None) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=seconds)


@router.post("", status_code=201, response_model=TokenIssued)
async def issue_token(body: TokenIssue, caller: Operator, rt: RuntimeDep,
                      idempotency_key: OptionalIdempotencyKey = None) -> TokenIssued:
    """A new token for a staff member, rider or van's driver; older tokens keep working
    until revoked."""
    role = ROLE_OF[body.kind]
    if not _may_manage(caller, role):
        raise forbidden("only an admin may issue staff tokens")
    if not await _account_exists(rt, role, body.id):
        raise not_found(f"{body.kind} {body.id!r}")
    now = rt.clock.now()
    mine = {"id": body.id, "nonce": secrets.token_hex(16),
            "body": body_digest(body.model_dump(mode="json")), "issued_at": now.isoformat()}
    record = token_record(role, body.id, now, _expires(body.expires_in_seconds))
    if idempotency_key is not None:
        key = idem_key(rt.store, caller, "token", idempotency_key)
        earlier = await claim(rt.store, key, mine, rt.settings.idempotency_ttl_seconds * 1000)
        if earlier is not None:
            if earlier["body"] != mine["body"]:
                raise conflict("idempotency_key_reused",
                               "this Idempotency-Key was used for another token")
            token = derived_token(token_secret(rt.settings), earlier["nonce"])
            found = await lookup(rt.store, token)
            return TokenIssued(token=token, kind=body.kind, id=body.id,
                               expires_at=None if found is None else found.get("expires_at"))
        token = derived_token(token_secret(rt.settings), mine["nonce"])
        try:
            await store_token(rt.store, token, record)
        except BaseException:
            await release(rt.store, key)
            raise
    else:
        token = new_token()
        await store_token(rt.store, token, record)
    return TokenIssued(token=token, kind=body.kind, id=body.id, expires_at=record["expires_at"])


@router.post("/rotate", status_code=201, response_model=TokenIssued)
async def rotate_token(body: TokenRotate, caller: Authenticated, token: Token,
                       rt: RuntimeDep) -> TokenIssued:
    """Replace the presented token by a new one for the same account."""
    if caller.subject_id == BOOTSTRAP_ADMIN_ID and caller.is_operator \
            and await lookup(rt.store, token) is None:
        raise invalid("the bootstrap token comes from MAAS_OPERATOR_TOKEN: change it there",
                      code="bootstrap_token")
    fresh = new_token()
    record = token_record(caller.role, caller.subject_id or "", rt.clock.now(),
                          _expires(body.expires_in_seconds))
    await store_token(rt.store, fresh, record)
    await revoke_token(rt.store, token)
    return TokenIssued(token=fresh, kind=KIND_OF[caller.role], id=caller.subject_id or "",
                       expires_at=record["expires_at"])


@router.post("/revoke", response_model=TokensRevoked)
async def revoke(body: TokenRevoke, caller: Authenticated, token: Token,
                 rt: RuntimeDep) -> TokensRevoked:
    """Revoke the presented token, a named token, or every token of an account."""
    if body.token is not None and (body.kind is not None or body.id is not None):
        raise invalid("give either token or kind and id, not both")
    if body.kind is not None or body.id is not None:
        if body.kind is None or body.id is None:
            raise invalid("give both kind and id to revoke an account's tokens")
        role = ROLE_OF[body.kind]
        own = caller.role is role and caller.subject_id == body.id
        if not (own or _may_manage(caller, role)):
            raise forbidden("this caller may not revoke that account's tokens")
        return TokensRevoked(revoked=await revoke_account(rt.store, role, body.id))
    target = body.token if body.token is not None else token
    if target != token:
        found = await lookup(rt.store, target)
        if found is None:
            return TokensRevoked(revoked=0)
        if not _may_manage(caller, Role(found["role"])):
            raise forbidden("this caller may not revoke that token")
    return TokensRevoked(revoked=int(await revoke_token(rt.store, target)))
