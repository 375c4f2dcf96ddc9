"""``GET /v1/events``: server-sent events from the area's Redis stream.

Every committed change queues its events on the same transaction (``api.notify``), so any
API process serves them to any client. A driver receives their van's manifest changes and
the bookings on it, a rider their own bookings, the operator everything.

Every stream opens with a ``snapshot`` event (``api.snapshot``: the manifest, the
bookings or the fleet as they are now), whose id is where the stream resumes. A
reconnecting client sends ``Last-Event-ID`` and resumes where it left off; if that entry
has been trimmed from the stream (it keeps ``MAAS_EVENTS_MAXLEN`` entries), the events in
between are gone, so the stream first sends a ``reset`` event (reload what you show) and
then the snapshot. A stream whose Redis goes away ends; the client reconnects.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header
from redis.exceptions import RedisError
from sse_starlette.sse import EventSourceResponse

from api.auth import Principal, Role
from api.deps import Caller, RuntimeDep
from api.runtime import Runtime
from api.snapshot import driven_vans, snapshot

router = APIRouter(prefix="/v1/events", tags=["events"])
log = logging.getLogger("maas.api")

BLOCK_MS = 10_000


def _for(caller: Principal, fields: dict[str, str], vans: frozenset[str] = frozenset()
         ) -> bool:
    """Whether the caller sees an event: staff all, a rider those naming them, a driver
    those naming their van (a driver account: the vans it drives, ``vans``)."""
    if caller.role is Role.OPERATOR:
        return True
    if caller.role is Role.DRIVER:
        named = set(fields.get("vehicles", "").split(","))
        return caller.subject_id in named or bool(vans & named)
    return caller.subject_id in fields.get("riders", "").split(",")


def entry_key(entry_id: str) -> tuple[int, int]:
    """A stream entry id (``ms-seq``) as a comparable pair."""
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


@router.get("", response_class=EventSourceResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "a stream of server-sent events: first "
                                            "`snapshot` (after `reset` if Last-Event-ID was "
                                            "trimmed away), then changes as committed"}})
async def stream_events(
    caller: Caller,
    rt: RuntimeDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=40,
                                                pattern=r"^\d+-\d+$")] = None,
) -> EventSourceResponse:
    """Manifest changes, booking updates and closures, as they are committed."""
    newest = await rt.store.last_event_id()
    oldest = await rt.store.first_event_id()
    reset = None
    if last_event_id is not None and oldest is not None \
            and entry_key(last_event_id) < entry_key(oldest):
        reset = {"reason": "trimmed", "last_event_id": last_event_id, "oldest_event_id": oldest,
                 "message": "events since your Last-Event-ID were trimmed: reload"}
    start = newest if last_event_id is None or reset is not None else last_event_id
    return EventSourceResponse(_events(rt, caller, start, reset), ping=15)


async def _events(rt: Runtime, caller: Principal, last_id: str,
                  reset: dict[str, Any] | None) -> AsyncIterator[Any]:
    try:
        if reset is not None:
            yield {"event": "reset", "data": json.dumps(reset)}
        opening = await snapshot(rt, caller, last_id)
        yield {"id": last_id, "event": "snapshot", "data": json.dumps(opening)}
        vans = frozenset(await driven_vans(rt, caller))
        while True:
            for entry_id, fields in await rt.store.read_events(last_id, BLOCK_MS):
                last_id = entry_id
                if _for(caller, fields, vans):
                    yield {"id": entry_id, "event": fields["kind"], "data": fields["data"]}
    except (RedisError, TimeoutError) as exc:  # the client reconnects with Last-Event-ID
        log.warning("event stream ends: Redis unavailable: %s", exc)
