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
GeoJSON}``; ``None``, bool, int, float, str as themselves. A booking, a route or a vehicle
-> ``{"__f": "its JSON text"}``.

Why those three travel as JSON text: they are a state's bulk, and successive states share all
but a few of them (they are immutable). Each one's text is cached by the object's identity
(encoding) and each object by its text (decoding), so a write encodes, and a reader decodes,
only the bookings and routes that changed.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from enum import Enum
from functools import cache
from typing import Any

import shapely.geometry
from shapely.geometry.base import BaseGeometry

TRUSTED_PACKAGES = ("maas.", "solver.")
SHARED_TYPES = frozenset({
    "solver.dispatch.state:Booking", "maas.domain:Route", "maas.domain:Vehicle"})
CACHE_LIMIT = 200_000  # entries per cache; cleared when full (they refill from live states)

_text_of: dict[int, tuple[Any, str]] = {}
_value_of: dict[str, Any] = {}


class CodecError(ValueError):
    """Stored JSON that does not describe an engine object."""


def to_jsonable(obj: Any) -> Any:
    """A JSON-compatible tree for ``obj`` (see the module docstring for the rules)."""
    if isinstance(obj, Enum):  # first: a StrEnum is also a str
        return {"__e": _type_name(type(obj)), "v": obj.value}
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        if _type_name(type(obj)) in SHARED_TYPES:
            return {"__f": _text(obj)}
        return _dataclass_tree(obj)

    if isinstance(obj, tuple | list):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, BaseGeometry):
        return {"__g": shapely.geometry.mapping(obj)}
    if isinstance(obj, frozenset | set):
        return {"__s": [to_jsonable(v) for v in sorted(obj, key=repr)]}
    if hasattr(obj, "items"):
        return {"__m": [[to_jsonable(k), to_jsonable(v)] for k, v in obj.items()]}
    if hasattr(obj, "item"):  # numpy scalar
        return obj.item()
    msg = f"cannot encode {type(obj).__name__} for Redis"
    raise CodecError(msg)


def from_jsonable(data: Any) -> Any:
    """The object ``to_jsonable`` was given."""
    if isinstance(data, list):
        return tuple(from_jsonable(v) for v in data)
    if not isinstance(data, dict):
        return data
    if "__t" in data:
        cls = _trusted_type(data["__t"])
        kwargs = {k: from_jsonable(v) for k, v in data.items() if k != "__t"}
        return cls(**kwargs)
    if "__f" in data:
        return _value(data["__f"])
    if "__m" in data:
        return {from_jsonable(k): from_jsonable(v) for k, v in data["__m"]}
    if "__s" in data:
        return frozenset(from_jsonable(v) for v in data["__s"])
    if "__g" in data:
        return shapely.geometry.shape(data["__g"])
    if "__e" in data:
        return _trusted_type(data["__e"])(data["v"])
    msg = f"untagged JSON object in stored state: keys {sorted(data)[:5]}"
    raise CodecError(msg)


def dumps(obj: Any) -> str:
    """``obj`` as compact JSON text."""
    return json.dumps(to_jsonable(obj), separators=(",", ":"), allow_nan=False)


def loads(text: str | bytes) -> Any:
    """The object ``dumps`` wrote."""
    return from_jsonable(json.loads(text))


def _dataclass_tree(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"__t": _type_name(type(obj))}
    cls: type = type(obj)
    for name in _init_fields(cls):
        out[name] = to_jsonable(getattr(obj, name))
    return out


def _text(value: Any) -> str:
    """JSON text of a shared object, cached by identity: successive states hold the very same
    objects, and an identity lookup costs nothing whatever the object's size."""
    cached = _text_of.get(id(value))
    if cached is not None and cached[0] is value:
        return cached[1]
    text = json.dumps(_dataclass_tree(value), separators=(",", ":"), allow_nan=False)
    if len(_text_of) >= CACHE_LIMIT:
        _text_of.clear()
    _text_of[id(value)] = (value, text)  # holding the object keeps its id from being reused
    return text


def _value(text: str) -> Any:
    """The object ``_text`` wrote (one object for one text: they are immutable)."""
    value = _value_of.get(text)
    if value is None:
        value = from_jsonable(json.loads(text))
        if len(_value_of) >= CACHE_LIMIT:
            _value_of.clear()
        _value_of[text] = value
    return value


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
