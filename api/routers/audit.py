"""``GET /v1/audit``: the audit log of staff writes (admins only), newest first.

Entries still queued in Redis (the history database was down) are moved in first; those
that could not be are counted in ``pending``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api import audit
from api.deps import Admin, RuntimeDep
from api.errors import ApiError
from api.store import _pending
from maas.history.audit import AuditFilter
from maas.history.store import HistoryError

log = logging.getLogger("maas.api")

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class AuditEntryPublic(BaseModel):
    id: str
    at: str
    actor: str
    actor_role: str
    action: str
    object_type: str
    object_id: str | None
    status: int


class AuditLogPublic(BaseModel):
    entries: list[AuditEntryPublic]
    pending: int


@router.get("", response_model=AuditLogPublic)
async def read_audit(
    _: Admin, rt: RuntimeDep,
    actor: Annotated[str | None, Query(max_length=64, description="a staff id")] = None,
    action: Annotated[str | None, Query(max_length=200,
                                        description="e.g. 'POST /v1/closures'")] = None,
    since: Annotated[datetime | None, Query(description="from (inclusive)")] = None,
    until: Annotated[datetime | None, Query(description="before (exclusive)")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> AuditLogPublic:
    """Staff writes matching the filters, newest first (admin only)."""
    url = rt.archive.history_url
    if not url:
        raise ApiError(503, "no_history", "no history database is configured")
    for moment in (since, until):
        if moment is not None and moment.tzinfo is None:
            raise ApiError(422, "invalid_input", "since and until need a UTC offset")
    try:
        await audit.flush(rt)
    except Exception:
        log.exception("audit flush failed; entries stay queued")
    filters = AuditFilter(area=rt.settings.area, actor=actor, action=action, since=since,
                          until=until, limit=limit)
    try:
        entries = await asyncio.to_thread(_read, url, filters)
    except HistoryError as exc:
        raise ApiError(503, "history_unavailable", str(exc)) from exc
    pending = int(await _pending(rt.store.redis.llen(audit.queue_key(rt.store))))
    return AuditLogPublic(pending=pending, entries=[AuditEntryPublic(
        id=e.id, at=e.at.isoformat(), actor=e.actor, actor_role=e.actor_role, action=e.action,
        object_type=e.object_type, object_id=e.object_id, status=e.status) for e in entries])


def _read(url: str, filters: AuditFilter) -> list[audit.AuditEntry]:
    from maas.history import HistoryStore

    with HistoryStore(url) as history:
        history.migrate()
        return history.audit_log(filters)
