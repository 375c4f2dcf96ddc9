"""Layout 2's codec form, and its rewrite to the current one (a migration, as code).

Layout 2 (``api.store.SCHEMA_VERSION`` "2") wrote each dataclass as ``{"__t":
"module:Class", ...}`` and each enum as ``{"__e": "module:Class", "v": ...}``; layout 3
writes the tags of ``api.stored_types``. ``LEGACY_TAGS`` is the fixed map from every name
layout 2 could write to its tag: it is data, frozen as layout 2 left it, and stays right
whatever later happens to the classes (nothing is imported by these names). The rewrite
works on JSON trees and texts only; part texts change with it, so their names (hashes of
the texts) change too, and ``api.migrations`` re-splits a migrated state rather than
patching its parts in place.
"""

from __future__ import annotations

import json
from typing import Any

from api.codec import CodecError
from api.stored_types import BY_TAG

LEGACY_TAGS: dict[str, str] = {
    "solver.dispatch.state:DispatchState": "dispatch_state",
    "solver.dispatch.state:Booking": "booking",
    "solver.dispatch.state:BookingStatus": "booking_status",
    "solver.dispatch.connections:Connection": "connection",
    "solver.dispatch.state:DisasterMode": "disaster",
    "solver.dispatch.state:Evacuee": "evacuee",
    "solver.dispatch.state:Offer": "offer",
    "solver.dispatch.state:RideAsk": "ride_ask",
    "maas.meeting:Walk": "walk",
    "maas.domain:Vehicle": "vehicle",
    "maas.domain:VehicleType": "vehicle_type",
    "maas.domain:Break": "break",
    "maas.domain:Location": "location",
    "maas.domain:TimeWindow": "time_window",
    "maas.domain:Plan": "plan",
    "maas.domain:Route": "route",
    "maas.domain:Stop": "stop",
    "maas.domain:StopKind": "stop_kind",
    "maas.domain:Request": "request",
    "maas.roads.closures:Closure": "closure",
}


def upgrade_tree(tree: Any) -> Any:
    """``tree`` (a codec JSON tree of layout 2) in the current form. Idempotent: a tag
    already current stays, so a migration interrupted half-way can simply run again."""
    if isinstance(tree, list):
        return [upgrade_tree(v) for v in tree]
    if not isinstance(tree, dict):
        return tree
    if "__g" in tree:  # GeoJSON: no tags inside
        return tree
    if "__f" in tree:
        return {"__f": upgrade_text(tree["__f"])}
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if key in ("__t", "__e"):
            out[key] = _tag(value)
        elif key == "v" and "__e" in tree:
            out[key] = value
        else:
            out[key] = upgrade_tree(value)
    return out


def upgrade_text(text: str | bytes) -> str:
    """A codec JSON text of layout 2 in the current form (compact, as the codec writes)."""
    return json.dumps(upgrade_tree(json.loads(text)), separators=(",", ":"), ensure_ascii=True,
                      allow_nan=False)


def _tag(name: Any) -> str:
    if isinstance(name, str) and name in BY_TAG:
        return name
    tag = LEGACY_TAGS.get(name) if isinstance(name, str) else None
    if tag is None:
        msg = f"unknown stored type {name!r}: not a type layout 2 wrote"
        raise CodecError(msg)
    return tag
