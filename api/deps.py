"""``Annotated`` dependency aliases: what a router function may ask for, in one place.

The app's long-lived parts are built once by ``api.main.create_app`` into one
``api.runtime.Runtime`` kept on ``app.state``; ``RuntimeDep`` hands it to routers (and, on a
training service, first takes the training clock's setting from Redis, so every worker
reads the same time). ``Caller`` authenticates the bearer token; ``Operator`` also requires
the operator role.

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
from api.auth import OPERATOR, Principal, Role, hash_token, same_token
from api.errors import forbidden, unauthorized
from api.runtime import Runtime

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


async def _caller(
    request: Request,
    rt: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    settings = rt.settings
    if settings.rate_limit_ip_per_minute and request.client is not None:
        await ratelimit.check(rt.store.redis, rt.store.keys, "ip:" + request.client.host,
                              settings.rate_limit_ip_per_minute)
    token = credentials.credentials
    operator_token = settings.operator_token
    if operator_token is not None and same_token(token, operator_token.get_secret_value()):
        return OPERATOR  # the town's own staff and systems: no per-token limit
    token_hash = hash_token(token)
    found = await rt.store.principal(token_hash)
    if found is None:
        raise unauthorized()
    await ratelimit.check(rt.store.redis, rt.store.keys, "token:" + token_hash[:32],
                          settings.rate_limit_per_minute)
    return Principal(Role(found["role"]), found["id"])


async def _operator(caller: Annotated[Principal, Depends(_caller)]) -> Principal:
    if not caller.is_operator:
        raise forbidden("only the operator may do this")
    return caller


Caller = Annotated[Principal, Depends(_caller)]
Operator = Annotated[Principal, Depends(_operator)]
