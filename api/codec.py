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


class CodecError(ValueError):
    """Stored JSON that does not describe an engine object."""


def to_jsonable(obj: Any) -> Any:
    """A JSON-compatible tree for ``obj`` (see the module docstring for the rules)."""
    if isinstance(obj, Enum):  # first: a StrEnum is also a str
        return {"__e": _type_name(type(obj)), "v": obj.value}
    if obj is None or isinstance(obj, bool | int | float | str):
        return obj
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        out: dict[str, Any] = {"__t": _type_name(type(obj))}
        for f in dataclasses.fields(obj):
            if f.init:
                out[f.name] = to_jsonable(getattr(obj, f.name))
        return out
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
