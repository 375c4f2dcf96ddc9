"""Domain objects <-> JSON for Redis.

The dispatcher's state is a tree of frozen dataclasses (``maas.domain``, ``solver.dispatch``)
holding tuples, mappings, enums and numbers. This codec writes such a tree as JSON that keeps
each object's type, so that a state read back from Redis equals the one written, whichever
fields the dispatcher adds later. A type is written as its stable tag from
``api.stored_types`` (``"booking"``, ``"route"``, ...), never as a Python module or class:
the encoder refuses an object of a class not listed there, and the decoder rebuilds only
listed classes (an unknown tag is a ``CodecError``; nothing is imported by name).

Encoding rules: a dataclass -> ``{"__t": tag, field: value...}``; a tuple or list -> a JSON
array (decoded as a tuple: domain objects are immutable); a mapping -> ``{"__m": [[key,
value], ...]}`` (keys need not be strings); a set -> ``{"__s": [...]}``; an enum -> ``{"__e":
tag, "v": value}``; a shapely geometry (a road closure) -> ``{"__g": GeoJSON}``; ``None``,
bool, int, float, str as themselves.

Evolving the layout: a field the engine adds to a stored dataclass gets a default, so roots
and parts written before it decode unchanged (the missing key takes the default) and the
area's key layout (``api.store.SCHEMA_VERSION``) stays; a change that would not read old
data (a field renamed or removed, a meaning changed, a tag changed) bumps that version
instead, with a migration in ``api.migrations``. Issue 16 added, this way, cargo to
``Request`` and ``VehicleType`` and a parcel's return to ``Booking``
(tests/api/test_codec_parcels.py reads a state written before them). Layout 3 replaced
layout 2's ``"module:Class"`` tags with the registry's tags (``api.codec_v2`` rewrites the
old form; tests/api/fixtures/state_v2.json is a state the layout-2 codec wrote).

Parts: bookings, routes and vans are a state's bulk, and successive states share all but a
few of them (they are immutable). ``split`` therefore writes each of them as a separate
*part*, named by a hash of its JSON text, and the state itself as a small root that refers to
its parts (``{"__r": name}``); the store keeps the parts in a Redis hash, so a booking writes
the root and the two or three parts that changed, not the whole state. ``dumps`` writes the
same tree self-contained (a part inline as ``{"__f": text}``).

Caches: a ``PartCache`` remembers parts both ways, text by object identity (encoding) and
object by name (decoding), so a write encodes, and a reader decodes, only what changed. The
caller owns it and passes it in: the store keeps one per service day of an area in each
worker process (``api.store.DayStore``), retained to the parts of that day's current state
after each read and write, emptied once the day is no longer open (``AreaStore.day_records``)
and dropped with the day. Without one, a call encodes and decodes
from scratch (offers, position records, tests). The module itself holds no mutable state.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from enum import Enum
from typing import Any

import shapely.geometry
from shapely.geometry.base import BaseGeometry

from api.stored_types import BY_CLASS, BY_TAG, StoredType

CACHE_LIMIT = 200_000  # entries per cache; cleared when full (they refill from live states)


class CodecError(ValueError):
    """Stored JSON that does not describe an engine object, or an object not stored."""


class MissingParts(CodecError):
    """A root names parts the reader was not given (they changed while it read)."""


class PartCache:
    """Parts already encoded (text by object identity) and decoded (object by name).

    Owned by whoever writes and reads one sequence of states (the store: one per service
    day and worker process); ``retain`` it to the current state's parts after each read or
    write, else superseded bookings and routes stay cached until ``limit`` entries, when it
    is cleared (it refills from the live state)."""

    def __init__(self, limit: int = CACHE_LIMIT) -> None:
        self.limit = limit
        self._part_of: dict[int, tuple[Any, str, str]] = {}  # id(object) -> (obj, name, text)
        self._object_of: dict[str, Any] = {}  # part name -> object

    def __len__(self) -> int:
        return len(self._object_of)

    def has(self, name: str) -> bool:
        """Whether part ``name`` is decoded here."""
        return name in self._object_of

    def retain(self, names: set[str] | Mapping[str, str]) -> None:
        """Forget parts other than ``names`` (those of the state now current): without this,
        every superseded route and booking would stay cached, and the cyclic garbage
        collector would walk them all on each full pass."""
        for name in [n for n in self._object_of if n not in names]:
            del self._object_of[name]
        for key in [k for k, (_, name, _) in self._part_of.items() if name not in names]:
            del self._part_of[key]

    def text_of(self, obj: Any) -> tuple[str, str] | None:
        """``(name, text)`` of ``obj`` if this very object was encoded or decoded here."""
        cached = self._part_of.get(id(obj))
        if cached is not None and cached[0] is obj:
            return cached[1], cached[2]
        return None

    def object_of(self, name: str) -> Any:
        """The object of part ``name`` (None if not here)."""
        return self._object_of.get(name)

    def remember(self, obj: Any, name: str, text: str) -> None:
        """Keep ``obj`` as part ``name`` with its ``text``."""
        if len(self._part_of) >= self.limit or len(self._object_of) >= self.limit:
            self._part_of.clear()
            self._object_of.clear()
        self._part_of[id(obj)] = (obj, name, text)  # holding obj keeps its id from reuse
        self._object_of[name] = obj


def to_jsonable(obj: Any, parts: dict[str, str] | None = None,
                cache: PartCache | None = None) -> Any:
    """A JSON-compatible tree for ``obj``. With ``parts``, bookings, routes and vans become
    references and their texts are collected in ``parts``; without, they are inlined.
    ``cache``: parts already encoded (none: encode everything)."""
    return _encode(obj, parts, cache if cache is not None else PartCache())


def from_jsonable(data: Any, parts: Mapping[str, str] | None = None,
                  cache: PartCache | None = None) -> Any:
    """The object ``to_jsonable`` was given (``parts``: texts of parts not in ``cache``)."""
    return _decode(data, parts, cache if cache is not None else PartCache())


def dumps(obj: Any) -> str:
    """``obj`` as one self-contained JSON text."""
    return json.dumps(to_jsonable(obj), separators=(",", ":"), allow_nan=False)


def loads(text: str | bytes) -> Any:
    """The object ``dumps`` wrote."""
    return from_jsonable(json.loads(text))


def split(obj: Any, cache: PartCache | None = None) -> tuple[str, dict[str, str]]:
    """``obj`` as a root text and its parts (name -> text); parts of ``cache`` are not
    encoded again."""
    parts: dict[str, str] = {}
    root = json.dumps(to_jsonable(obj, parts, cache), separators=(",", ":"), allow_nan=False)
    return root, parts


def parse_root(root: str | bytes) -> Any:
    """The JSON tree of a root (for ``missing_parts`` and ``join``)."""
    return json.loads(root)


def part_names(tree: Any) -> set[str]:
    """Names of the parts a root refers to."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            name = node.get("__r")
            if name is not None:
                found.add(name)
                return
            for value in node.values():
                walk(value)

    walk(tree)
    return found


def missing_parts(tree: Any, cache: PartCache | None = None) -> set[str]:
    """Names of the parts a root refers to that ``cache`` does not hold."""
    return {name for name in part_names(tree) if cache is None or not cache.has(name)}


def join(tree: Any, parts: Mapping[str, str], cache: PartCache | None = None) -> Any:
    """The object of a root tree, given the texts of its ``missing_parts``."""
    return from_jsonable(tree, parts, cache)


def part_name(text: str) -> str:
    """The name of a part: a hash of its text."""
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


_PLAIN = frozenset({str, int, float, bool, type(None)})  # exact types: a StrEnum is not one


def _encode(obj: Any, parts: dict[str, str] | None, cache: PartCache) -> Any:
    cls = type(obj)
    if cls in _PLAIN:
        return obj
    stored = BY_CLASS.get(cls)
    if stored is not None:
        if stored.is_enum:
            return {"__e": stored.tag, "v": obj.value}
        if stored.is_part:
            name, text = _part_text(obj, stored, cache)
            if parts is None:
                return {"__f": text}
            parts[name] = text
            return {"__r": name}
        return _fields(obj, stored, parts, cache)
    if isinstance(obj, tuple | list):
        return [_encode(v, parts, cache) for v in obj]
    if isinstance(obj, Enum) or dataclasses.is_dataclass(obj):
        _stored(cls)  # not listed: say so
    if isinstance(obj, str | int | float):  # a subclass (a plain value all the same)
        return obj
    if isinstance(obj, BaseGeometry):
        return {"__g": shapely.geometry.mapping(obj)}
    if isinstance(obj, frozenset | set):
        return {"__s": [_encode(v, parts, cache) for v in sorted(obj, key=repr)]}
    if hasattr(obj, "items"):
        return {"__m": [[_encode(k, parts, cache), _encode(v, parts, cache)]
                        for k, v in obj.items()]}
    if hasattr(obj, "item"):  # numpy scalar
        return obj.item()
    msg = f"cannot encode {cls.__name__} for Redis"
    raise CodecError(msg)


def _fields(obj: Any, stored: StoredType, parts: dict[str, str] | None, cache: PartCache
            ) -> dict[str, Any]:
    out: dict[str, Any] = {"__t": stored.tag}
    for name in stored.fields:
        out[name] = _encode(getattr(obj, name), parts, cache)
    return out


def _part_text(obj: Any, stored: StoredType, cache: PartCache) -> tuple[str, str]:
    """Name and text of a part, cached by identity: successive states hold the very same
    objects, and an identity lookup costs nothing whatever the object's size."""
    cached = cache.text_of(obj)
    if cached is not None:
        return cached
    text = json.dumps(_fields(obj, stored, None, cache), separators=(",", ":"),
                      allow_nan=False)
    name = part_name(text)
    cache.remember(obj, name, text)
    return name, text


def _decode(data: Any, parts: Mapping[str, str] | None, cache: PartCache) -> Any:
    if isinstance(data, list):
        return tuple([_decode(v, parts, cache) for v in data])
    if not isinstance(data, dict):
        return data
    tag = data.get("__t")
    if tag is not None:
        stored = _tagged(tag)
        if stored.is_enum:
            msg = f"stored tag {stored.tag!r} is an enum, not a dataclass"
            raise CodecError(msg)
        return stored.cls(**{k: _decode(v, parts, cache) for k, v in data.items()
                             if k != "__t"})
    if "__r" in data:
        return _part_object(data["__r"], parts, cache)
    if "__f" in data:
        text = data["__f"]
        return _part_object(part_name(text), {part_name(text): text}, cache)
    if "__m" in data:
        return {_decode(k, parts, cache): _decode(v, parts, cache) for k, v in data["__m"]}
    if "__s" in data:
        return frozenset([_decode(v, parts, cache) for v in data["__s"]])
    if "__g" in data:
        return shapely.geometry.shape(data["__g"])
    if "__e" in data:
        stored = _tagged(data["__e"])
        if not stored.is_enum:
            msg = f"stored tag {stored.tag!r} is a dataclass, not an enum"
            raise CodecError(msg)
        return stored.cls(data["v"])
    msg = f"untagged JSON object in stored state: keys {sorted(data)[:5]}"
    raise CodecError(msg)


def _part_object(name: str, parts: Mapping[str, str] | None, cache: PartCache) -> Any:
    """The object of part ``name`` (one object per name: parts are immutable)."""
    obj = cache.object_of(name)
    if obj is None:
        if parts is None or name not in parts:
            raise MissingParts(name)
        text = parts[name]
        obj = _decode(json.loads(text), None, cache)
        cache.remember(obj, name, text)
    return obj


def _stored(cls: type) -> StoredType:
    found = BY_CLASS.get(cls)
    if found is None:
        msg = (f"{cls.__module__}.{cls.__qualname__} is not a stored type: give it a tag in "
               "api/stored_types.py before it goes to Redis")
        raise CodecError(msg)
    return found


def _tagged(tag: Any) -> StoredType:
    found = BY_TAG.get(tag) if isinstance(tag, str) else None
    if found is None:
        hint = (" (a layout-2 class name: run the store migration, docs/operations.md)"
                if isinstance(tag, str) and ":" in tag else "")
        msg = f"unknown stored type tag {tag!r}{hint}"
        raise CodecError(msg)
    return found
