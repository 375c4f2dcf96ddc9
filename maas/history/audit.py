"""``AuditEntry``: one staff write (who, when, what, on which object), as the history keeps it.

Entries travel as JSON (schema ``maas.audit``, version 1) from the API, which queues them in
Redis, to the history database (table ``audit_log``); the id makes storing one twice a no-op.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from typing import Any, Final

from maas.errors import InvalidInput

SCHEMA: Final = "maas.audit"
VERSION: Final = 1


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One staff write: ``action`` is the HTTP method and route (``POST /v1/staff``),
    ``object_type`` and ``object_id`` what it acted on, ``status`` the HTTP status."""

    id: str
    area: str
    at: dt.datetime
    actor: str
    actor_role: str
    action: str
    object_type: str
    object_id: str | None
    status: int

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            msg = f"audit entry {self.id}: 'at' must carry a time zone"
            raise InvalidInput(msg)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries to read: all of an area, narrowed by actor, action and time
    (``since`` inclusive, ``until`` exclusive); newest first, at most ``limit``."""

    area: str
    actor: str | None = None
    action: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 1000


def entry_to_json(entry: AuditEntry) -> str:
    data: dict[str, Any] = asdict(entry)
    data["at"] = entry.at.isoformat()
    return json.dumps({"schema": SCHEMA, "version": VERSION, **data}, separators=(",", ":"))


def entry_from_json(text: str) -> AuditEntry:
    """An entry from its JSON form (``InvalidInput`` naming what is wrong)."""
    data = json.loads(text)
    if data.get("schema") != SCHEMA or data.get("version") != VERSION:
        msg = f"audit entry: expected schema {SCHEMA} version {VERSION}"
        raise InvalidInput(msg)
    try:
        return AuditEntry(
            id=str(data["id"]), area=str(data["area"]),
            at=dt.datetime.fromisoformat(data["at"]), actor=str(data["actor"]),
            actor_role=str(data["actor_role"]), action=str(data["action"]),
            object_type=str(data["object_type"]),
            object_id=None if data["object_id"] is None else str(data["object_id"]),
            status=int(data["status"]))
    except KeyError as exc:
        msg = f"audit entry: missing field {exc.args[0]!r}"
        raise InvalidInput(msg) from exc
