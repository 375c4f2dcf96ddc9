"""The audit log of staff writes: recorded by a middleware, queued in Redis, kept in the
history database.

``AuditLog`` (ASGI middleware) records every successful write (POST, PUT, PATCH, DELETE
answered below 400) by a staff member: who (``request.state.principal``, set by
``api.deps``), when (the service clock), what (the method and route, ``PATCH
/v1/vehicles/{vehicle_id}``) and on which object (the route's first path parameter, else the
``id`` of the JSON response). Being a middleware, it also covers routes added later.

Entries are appended to a Redis list in the area's slot

    maas:{area}:audit-queue   list of maas.history.audit JSON entries, oldest first

and moved into the history (``HistoryStore.audit``) by ``flush``: at every tick and before
``GET /v1/audit`` answers. While the database is down the writes succeed and the entries
wait in Redis; a flush removes entries only after the database has stored them, and one
flusher at a time works the queue (a lease), so none is lost or stored twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import Principal
from api.runtime import Runtime
from api.store import AreaStore, _pending
from maas.history.audit import AuditEntry, entry_from_json, entry_to_json

log = logging.getLogger("maas.api")

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_BODY = 64 * 1024  # response bytes kept to find the new object's id
FLUSH_BATCH = 500


def queue_key(store: AreaStore) -> str:
    return f"{store.keys.prefix}audit-queue"


def _lease_key(store: AreaStore) -> str:
    return f"{store.keys.prefix}audit-flush-lease"


class AuditLog:
    """Queue an audit entry for every successful staff write (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return
        status = 0
        body: list[bytes] = []
        size = 0

        async def keep(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and size < MAX_BODY:
                chunk = message.get("body", b"")
                size += len(chunk)
                body.append(chunk)
            await send(message)

        await self.app(scope, receive, keep)
        principal = (scope.get("state") or {}).get("principal")
        if not isinstance(principal, Principal) or not principal.is_operator or status >= 400:
            return
        rt: Runtime | None = getattr(scope["app"].state, "runtime", None)
        if rt is None:
            return
        entry = entry_of(rt, scope, principal, status, b"".join(body))
        try:
            await _pending(rt.store.redis.rpush(queue_key(rt.store), entry_to_json(entry)))
        except Exception:  # the write itself succeeded; say loudly that its entry did not
            log.exception("audit entry not queued: %s", entry_to_json(entry))


def entry_of(rt: Runtime, scope: Scope, principal: Principal, status: int,
             body: bytes) -> AuditEntry:
    """The audit entry of one staff write."""
    route = scope.get("route")
    template = getattr(route, "path", None) or scope["path"]
    parts = template.strip("/").split("/")
    object_type = parts[1] if len(parts) > 1 and parts[0] == "v1" else parts[0]
    params: dict[str, Any] = scope.get("path_params") or {}
    object_id = str(next(iter(params.values()))) if params else _response_id(body)
    return AuditEntry(
        id=entry_id(), area=rt.settings.area, at=rt.clock.now(),
        actor=principal.subject_id or "", actor_role=str(principal.staff_role or ""),
        action=f"{scope['method']} {template}", object_type=object_type,
        object_id=object_id, status=status)


def entry_id() -> str:
    """A fresh entry id; ids sort in the order they were made (nanoseconds first), which
    orders entries of the same ``at`` (a training clock that stands still)."""
    return f"a_{time.time_ns():016x}{secrets.token_hex(6)}"


def _response_id(body: bytes) -> str | None:
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    found = data.get("id") or data.get("offer_id") or data.get("booking_id")
    return None if found is None else str(found)


async def flush(rt: Runtime) -> int:
    """Move queued entries into the history; how many were moved (0 if another process
    is flushing). Raises when the history cannot be written (the entries stay queued)."""
    url = rt.archive.history_url
    store = rt.store
    if not url or not await store.take_lease(_lease_key(store), 60_000):
        return 0
    moved = 0
    try:
        while True:
            raw = await _pending(store.redis.lrange(queue_key(store), 0, FLUSH_BATCH - 1))
            if not raw:
                return moved
            entries = [entry_from_json(r.decode() if isinstance(r, bytes) else r) for r in raw]
            await asyncio.to_thread(_store, url, entries)
            await _pending(store.redis.ltrim(queue_key(store), len(raw), -1))
            moved += len(raw)
    finally:
        await store.redis.delete(_lease_key(store))


def _store(url: str, entries: list[AuditEntry]) -> None:
    from maas.history import HistoryStore

    with HistoryStore(url) as history:
        history.migrate()
        history.audit(*entries)
