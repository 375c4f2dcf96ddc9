"""Domain objects <-> JSON for Redis.

The dispatcher's state is a tree of frozen dataclasses (``maas.domain``, ``solver.dispatch``)
holding tuples, mappings, enums and numbers. This codec writes such a tree as JSON that keeps
each object's type, so that a state read back from Redis equals the one written, whichever
fields the dispatcher adds later. Only classes from the engine's own packages are ever
rebuilt: the JSON in Redis can name a type, never run code.

Encoding rules: a dataclass -> ``{"__t": "module:Class", field: value...}``; a tuple or list
-> a JSON array (decoded as a tuple: domain objects are immutable); a mapping -> ``{"__m":
[[key, value], ...]}`` (keys need not be strings); a set -> ``{"__s": [...]}``; an enum ->
``{"__e": "module:Class", "v": value}``; a shapely geometry (a road closure) -> ``{"__g":
GeoJSON}``; ``None``, bool, int, float, str as themselves.

Evolving the layout: a field the engine adds to a stored dataclass gets a default, so roots
and parts written before it decode unchanged (the missing key takes the default) and the
area's key layout (``api.store.SCHEMA_VERSION``) stays; a change that would not read old
data (a field renamed or removed, a meaning changed) bumps that version instead, with a
migration. Issue 16 added, this way, cargo to ``Request`` and ``VehicleType`` and a parcel's
return to ``Booking`` (tests/api/test_codec_parcels.py reads a state written before them).

Parts: bookings, routes and vans are a state's bulk, and successive states share all but a
few of them (they are immutable). ``split`` therefore writes each of them as a separate
*part*, named by a hash of its JSON text, and the state itself as a small root that refers to
its parts (``{"__r": name}``); the store keeps the parts in a Redis hash, so a booking writes
the root and the two or three parts that changed, not the whole state. ``dumps`` writes the
same tree self-contained (a part inline as ``{"__f": text}``). Parts are cached both ways:
text by object identity (encoding), object by name (decoding), so a write encodes, and a
reader decodes, only what changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
from collections.abc import Mapping
from enum import Enum
from functools import cache
from typing import Any

import shapely.geometry
from shapely.geometry.base import BaseGeometry

TRUSTED_PACKAGES = ("maas.", "solver.")
PART_TYPES = frozenset({
    "solver.dispatch.state:Booking", "maas.domain:Route", "maas.domain:Vehicle"})
CACHE_LIMIT = 200_000  # entries per cache; cleared when full (they refill from live states)

_part_of: dict[int, tuple[Any, str, str]] = {}  # id(object) -> (object, name, text)
_object_of: dict[str, Any] = {}  # part name -> object


class CodecError(ValueError):
    """Stored JSON that does not describe an engine object."""


class MissingParts(CodecError):
    """A root names parts the reader was not given (they changed while it read)."""


def to_jsonable(obj: Any, parts: dict[str, str] | None = None) -> Any:
    """A JSON-compatible tree for ``obj``. With ``parts``, bookings, routes and vans become
    references and their texts are collected in ``parts``; without, they are inlined."""
    if isinstance(obj, Enum):  # first: a StrEnum is also a str
        return {"__e": _type_name(type(obj)), "v": obj.value}
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if _type_name(type(obj)) in PART_TYPES:
            name, text = _part(obj)
            if parts is None:
                return {"__f": text}
            parts[name] = text
            return {"__r": name}
        return _dataclass_tree(obj, parts)
    if isinstance(obj, tuple | list):
        return [to_jsonable(v, parts) for v in obj]
    if isinstance(obj, BaseGeometry):
        return {"__g": shapely.geometry.mapping(obj)}
    if isinstance(obj, frozenset | set):
        return {"__s": [to_jsonable(v, parts) for v in sorted(obj, key=repr)]}
    if hasattr(obj, "items"):
        return {"__m": [[to_jsonable(k, parts), to_jsonable(v, parts)] for k, v in obj.items()]}
    if hasattr(obj, "item"):  # numpy scalar
        return obj.item()
    msg = f"cannot encode {type(obj).__name__} for Redis"
    raise CodecError(msg)


def from_jsonable(data: Any, parts: Mapping[str, str] | None = None) -> Any:
    """The object ``to_jsonable`` was given (``parts``: texts of parts not cached here)."""
    if isinstance(data, list):
        return tuple(from_jsonable(v, parts) for v in data)
    if not isinstance(data, dict):
        return data
    if "__t" in data:
        cls = _trusted_type(data["__t"])
        kwargs = {k: from_jsonable(v, parts) for k, v in data.items() if k != "__t"}
        return cls(**kwargs)
    if "__r" in data:
        return _object(data["__r"], parts)
    if "__f" in data:
        return _object(_name(data["__f"]), {_name(data["__f"]): data["__f"]})
    if "__m" in data:
        return {from_jsonable(k, parts): from_jsonable(v, parts) for k, v in data["__m"]}
    if "__s" in data:
        return frozenset(from_jsonable(v, parts) for v in data["__s"])
    if "__g" in data:
        return shapely.geometry.shape(data["__g"])
    if "__e" in data:
        return _trusted_type(data["__e"])(data["v"])
    msg = f"untagged JSON object in stored state: keys {sorted(data)[:5]}"
    raise CodecError(msg)


def dumps(obj: Any) -> str:
    """``obj`` as one self-contained JSON text."""
    return json.dumps(to_jsonable(obj), separators=(",", ":"), allow_nan=False)


def loads(text: str | bytes) -> Any:
    """The object ``dumps`` wrote."""
    return from_jsonable(json.loads(text))


def split(obj: Any) -> tuple[str, dict[str, str]]:
    """``obj`` as a root text and its parts (name -> text)."""
    parts: dict[str, str] = {}
    root = json.dumps(to_jsonable(obj, parts), separators=(",", ":"), allow_nan=False)
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


def missing_parts(tree: Any) -> set[str]:
    """Names of the parts a root refers to that this process has not decoded yet."""
    return {name for name in part_names(tree) if name not in _object_of}


def retain(names: set[str] | Mapping[str, str]) -> None:
    """Forget cached parts other than ``names`` (those of the state now current): without
    this, every superseded route and booking would stay cached, and the cyclic garbage
    collector would walk them all on each full pass."""
    for name in [n for n in _object_of if n not in names]:
        del _object_of[name]
    for key in [k for k, (_, name, _) in _part_of.items() if name not in names]:
        del _part_of[key]


def join(tree: Any, parts: Mapping[str, str]) -> Any:
    """The object of a root tree, given the texts of its ``missing_parts``."""
    return from_jsonable(tree, parts)


def _dataclass_tree(obj: Any, parts: dict[str, str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"__t": _type_name(type(obj))}
    cls: type = type(obj)
    for name in _init_fields(cls):
        out[name] = to_jsonable(getattr(obj, name), parts)
    return out


def _name(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _part(obj: Any) -> tuple[str, str]:
    """Name and text of a part, cached by identity: successive states hold the very same
    objects, and an identity lookup costs nothing whatever the object's size."""
    cached = _part_of.get(id(obj))
    if cached is not None and cached[0] is obj:
        return cached[1], cached[2]
    text = json.dumps(_dataclass_tree(obj), separators=(",", ":"), allow_nan=False)
    name = _name(text)
    _remember(obj, name, text)
    return name, text


def _object(name: str, parts: Mapping[str, str] | None) -> Any:
    """The object of part ``name`` (one object per name: parts are immutable)."""
    obj = _object_of.get(name)
    if obj is None:
        if parts is None or name not in parts:
            raise MissingParts(name)
        text = parts[name]
        obj = from_jsonable(json.loads(text))
        _remember(obj, name, text)
    return obj


def _remember(obj: Any, name: str, text: str) -> None:
    if len(_part_of) >= CACHE_LIMIT or len(_object_of) >= CACHE_LIMIT:
        _part_of.clear()
        _object_of.clear()
    _part_of[id(obj)] = (obj, name, text)  # holding the object keeps its id from being reused
    _object_of[name] = obj


@cache
def _init_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.init)


def _type_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


@cache
def _trusted_type(name: str) -> Any:
    module_name, _, qualname = name.partition(":")
    if not module_name.startswith(TRUSTED_PACKAGES) and module_name not in ("maas", "solver"):
        msg = f"refusing to rebuild type {name!r} from Redis: not an engine type"
        raise CodecError(msg)
    obj: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    if not (isinstance(obj, type) and (dataclasses.is_dataclass(obj) or issubclass(obj, Enum))):
        msg = f"stored type {name!r} is not a dataclass or an enum"
        raise CodecError(msg)
    return obj
