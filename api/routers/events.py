"""``GET /v1/events``: server-sent events from the area's Redis stream.

Every committed change queues its events on the same transaction (``api.notify``), so any
API process serves them to any client. A driver receives their van's manifest changes and
the bookings on it, a rider their own bookings, the operator everything. A reconnecting
client sends ``Last-Event-ID`` and resumes where it left off.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header
from sse_starlette.sse import EventSourceResponse

from api.auth import Principal, Role
from api.deps import Caller, RuntimeDep
from api.store import AreaStore

router = APIRouter(prefix="/v1/events", tags=["events"])

BLOCK_MS = 10_000


def _for(caller: Principal, fields: dict[str, str]) -> bool:
    if caller.role is Role.OPERATOR:
        return True
    named = fields.get("vehicles" if caller.role is Role.DRIVER else "riders", "")
    return caller.subject_id in named.split(",")


@router.get("", response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "a stream of server-sent events"}})
async def stream_events(
    caller: Caller,
    rt: RuntimeDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=40,
                                                pattern=r"^\d+-\d+$")] = None,
) -> EventSourceResponse:
    """Manifest changes, booking updates and closures, as they are committed."""
    start = last_event_id or await rt.store.last_event_id()
    return EventSourceResponse(_events(rt.store, caller, start), ping=15)


async def _events(store: AreaStore, caller: Principal, last_id: str) -> AsyncIterator[Any]:
    while True:
        for entry_id, fields in await store.read_events(last_id, BLOCK_MS):
            last_id = entry_id
            if _for(caller, fields):
                yield {"id": entry_id, "event": fields["kind"], "data": fields["data"]}
