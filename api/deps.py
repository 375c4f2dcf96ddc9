"""``Annotated`` dependency aliases: what a router function may ask for, in one place.

The app's long-lived parts (settings, the Redis store, the road network, the dispatcher, the
service clock) are built once by ``api.main.create_app`` and kept on ``app.state``; these
aliases hand them to routers. ``Caller`` authenticates the bearer token; ``Operator`` also
requires the operator role.

Every provider is ``async def`` although none awaits: FastAPI runs a plain ``def``
dependency in its threadpool, and five thread hand-offs per request (each waking a worker
thread that then contends for the GIL) cost more than the offer's own dispatcher call.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import OPERATOR, Principal, Role, hash_token, same_token
from api.clock import ServiceClock
from api.errors import forbidden, unauthorized
from api.settings import Settings
from api.snap_cache import SnapCache
from api.store import StateStore
from api.views import ScheduleCache
from solver.dispatch import Dispatcher

_bearer = HTTPBearer(auto_error=False, description="Operator, rider or driver token")


async def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def _store(request: Request) -> StateStore:
    return request.app.state.store  # type: ignore[no-any-return]


async def _dispatcher(request: Request) -> Dispatcher:
    return request.app.state.dispatcher()  # type: ignore[no-any-return]  # today's


async def _network(request: Request) -> Any:
    return request.app.state.network


async def _snapper(request: Request) -> SnapCache:
    return request.app.state.snapper  # type: ignore[no-any-return]


async def _clock(request: Request) -> ServiceClock:
    return request.app.state.clock  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(_settings)]
StoreDep = Annotated[StateStore, Depends(_store)]
DispatcherDep = Annotated[Dispatcher, Depends(_dispatcher)]
NetworkDep = Annotated[Any, Depends(_network)]
SnapperDep = Annotated[SnapCache, Depends(_snapper)]
ClockDep = Annotated[ServiceClock, Depends(_clock)]


async def _caller(
    settings: SettingsDep,
    store: StoreDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized()
    token = credentials.credentials
    operator_token = settings.operator_token
    if operator_token is not None and same_token(token, operator_token.get_secret_value()):
        return OPERATOR
    found = await store.principal(hash_token(token))
    if found is None:
        raise unauthorized()
    return Principal(Role(found["role"]), found["id"])


async def _operator(caller: Annotated[Principal, Depends(_caller)]) -> Principal:
    if not caller.is_operator:
        raise forbidden("only the operator may do this")
    return caller


Caller = Annotated[Principal, Depends(_caller)]
Operator = Annotated[Principal, Depends(_operator)]


async def _schedules(request: Request) -> ScheduleCache:
    return request.app.state.schedules  # type: ignore[no-any-return]


SchedulesDep = Annotated[ScheduleCache, Depends(_schedules)]
