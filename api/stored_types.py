"""The types the store writes to Redis, each under a stable tag of its own.

Stored JSON names a type by its tag (``{"__t": "booking", ...}``, ``{"__e": "stop_kind",
"v": ...}``), never by a Python module or class, so a class may be renamed or moved without
touching what Redis holds: change the class here, keep its tag. The codec refuses to write
an object whose class is not listed, and reads nothing but these tags, so adding a stored
type is a deliberate act: list it here with a new tag (a test checks that every type a
``DispatchState`` or an ``Offer`` can hold is listed). A tag, once written, is never reused
for another meaning; a change that old data cannot be read as bumps the layout version
(``api.store.SCHEMA_VERSION``) with a migration (``api.migrations``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Final

from maas.domain import (
    Break,
    Location,
    Plan,
    Request,
    Route,
    Stop,
    StopKind,
    TimeWindow,
    Vehicle,
    VehicleType,
)
from maas.meeting import Walk
from maas.roads import Closure
from solver.dispatch import Booking, BookingStatus, DispatchState, Offer, RideAsk
from solver.dispatch.connections import Connection
from solver.dispatch.state import DisasterMode, Evacuee


@dataclass(frozen=True)
class StoredType:
    """One stored type: its tag, its class and (a dataclass) the fields the JSON carries."""

    tag: str
    cls: type
    fields: tuple[str, ...]  # the dataclass's init fields; () for an enum
    is_enum: bool = False
    is_part: bool = False  # stored as a part of a state's root (``api.codec.split``)


_TAGS: tuple[tuple[str, type], ...] = (
    ("dispatch_state", DispatchState),
    ("booking", Booking),
    ("booking_status", BookingStatus),
    ("connection", Connection),
    ("disaster", DisasterMode),
    ("evacuee", Evacuee),
    ("offer", Offer),
    ("ride_ask", RideAsk),
    ("walk", Walk),
    ("vehicle", Vehicle),
    ("vehicle_type", VehicleType),
    ("break", Break),
    ("location", Location),
    ("time_window", TimeWindow),
    ("plan", Plan),
    ("route", Route),
    ("stop", Stop),
    ("stop_kind", StopKind),
    ("request", Request),
    ("closure", Closure),
)


PART_TAGS = frozenset({"booking", "route", "vehicle"})  # stored as parts of a state's root


def _stored(tag: str, cls: type) -> StoredType:
    if dataclasses.is_dataclass(cls):
        return StoredType(tag, cls, tuple(f.name for f in dataclasses.fields(cls) if f.init),
                          is_part=tag in PART_TAGS)
    if issubclass(cls, Enum):
        return StoredType(tag, cls, (), is_enum=True)
    msg = f"stored type {tag!r} ({cls.__name__}) is neither a dataclass nor an enum"
    raise TypeError(msg)


# Plain dicts for the codec's speed (one look-up per object); built once from _TAGS, never
# changed: a table of the code's types, not a cache.
BY_TAG: Final[Mapping[str, StoredType]] = {tag: _stored(tag, cls) for tag, cls in _TAGS}
BY_CLASS: Final[Mapping[type, StoredType]] = {t.cls: t for t in BY_TAG.values()}
if len(BY_CLASS) != len(BY_TAG):  # pragma: no cover - a listing mistake, caught on import
    _msg = "a class is listed under two tags"
    raise TypeError(_msg)
