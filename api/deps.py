"""``Annotated`` dependency aliases: what a router function may ask for, in one place.

The app's long-lived parts are built once by ``api.main.create_app`` into one
``api.runtime.Runtime`` kept on ``app.state``; ``RuntimeDep`` hands it to routers (and, on a
training service, first takes the training clock's setting from Redis, so every worker
reads the same time). ``Caller`` authenticates the bearer token (and refuses a viewer
anything but reading); ``Staff`` requires a staff member (any staff role: for reading),
``Operator`` (alias ``Dispatcher``) a staff member allowed to act (admin or dispatcher),
``Admin`` an admin. ``Authenticated`` is any known token, viewers' writes included: only for
what every token holder may do to their own token (``/v1/tokens``).

Every provider is ``async def`` although few await: FastAPI runs a plain ``def``
dependency in its threadpool, and thread hand-offs per request (each waking a worker
thread that then contends for the GIL) cost more than the offer's own dispatcher call.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api import ratelimit
from api.auth import OPERATOR, Principal, Role, StaffRole, hash_token, same_token
from api.drivers import driver, is_account
from api.errors import forbidden, unauthorized
from api.runtime import Runtime
from api.staff import is_active, staff_member
from api.tokens import expired, lookup

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="Operator, rider or driver token")


async def _runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    training = rt.training
    if training is not None:
        raw = await rt.store.redis.get(rt.store.keys.clock)
        if raw is not None:
            training.adopt(json.loads(raw))
    return rt


RuntimeDep = Annotated[Runtime, Depends(_runtime)]


async def _token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    return credentials.credentials


Token = Annotated[str, Depends(_token)]


async def _principal(request: Request, rt: RuntimeDep, token: Token) -> Principal:
    """Who holds ``token``: read from Redis on every request (no cache in the process, so a
    revoked token fails at once on every worker). The caller is kept on ``request.state``
    for the audit log (``api.audit``). Rate limits (``api.ratelimit``): per client IP if
    set, per rider or driver token."""
    if rt.settings.rate_limit_ip_per_minute and request.client is not None:
        await ratelimit.check(rt.store.redis, rt.store.keys, "ip:" + request.client.host,
                              rt.settings.rate_limit_ip_per_minute)
    operator_token = rt.settings.operator_token
    if operator_token is not None and same_token(token, operator_token.get_secret_value()):
        principal = OPERATOR
    else:
        found = await lookup(rt.store, token)
        if found is None or (found.get("expires_at") and expired(found, rt.clock.now())):
            raise unauthorized()
        role = Role(found["role"])
        if role is Role.OPERATOR:
            member = await staff_member(rt.store, found["id"])
            if member is None or not is_active(member):  # deleted, or made inactive
                raise unauthorized()
            principal = Principal(role, found["id"], StaffRole(member["role"]))
        else:
            principal = Principal(role, found["id"])
            if is_account(principal):  # a driver account: it must still exist and be active
                record = await driver(rt.store, found["id"])
                if record is None or record.get("active") is False:
                    raise unauthorized()
            # Riders and drivers: a request budget per token (the town's staff have none).
            if rt.settings.rate_limit_per_minute:
                await ratelimit.check(rt.store.redis, rt.store.keys,
                                      "token:" + hash_token(token)[:32],
                                      rt.settings.rate_limit_per_minute)
    request.state.principal = principal
    return principal


Authenticated = Annotated[Principal, Depends(_principal)]


async def _caller(request: Request, caller: Authenticated) -> Principal:
    if caller.is_operator and not caller.may_act and request.method not in SAFE_METHODS:
        raise forbidden("a viewer may only read")
    return caller


async def _staff(caller: Annotated[Principal, Depends(_caller)]) -> Principal:
    if not caller.is_operator:
        raise forbidden("only staff may do this")
    return caller


async def _operator(caller: Annotated[Principal, Depends(_caller)]) -> Principal:
    if not caller.may_act:
        raise forbidden("only an admin or a dispatcher may do this")
    return caller


async def _admin(caller: Annotated[Principal, Depends(_caller)]) -> Principal:
    if not caller.is_admin:
        raise forbidden("only an admin may do this")
    return caller


Caller = Annotated[Principal, Depends(_caller)]
Staff = Annotated[Principal, Depends(_staff)]
Operator = Annotated[Principal, Depends(_operator)]
Dispatcher = Operator
Admin = Annotated[Principal, Depends(_admin)]
