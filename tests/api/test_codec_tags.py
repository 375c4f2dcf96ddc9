"""Stored types are written by stable tags from one registry (``api.stored_types``), never
as Python module or class names; the codec refuses what is not listed and keeps no cache of
its own."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from enum import Enum

import pytest

from api import codec, stored_types
from maas.roads import Closure
from solver.dispatch import DispatchState, Offer
from tests.api.stored_sample import sample_offer, sample_state


def _reachable(roots: tuple[type, ...]) -> set[type]:
    """Every dataclass and enum a value of ``roots`` can hold, by the fields' annotations."""
    seen: set[type] = set()

    def walk(tp: object) -> None:
        if typing.get_origin(tp) is not None or isinstance(tp, types.UnionType):
            for arg in typing.get_args(tp):
                walk(arg)
        elif isinstance(tp, type) and tp not in seen:
            if dataclasses.is_dataclass(tp):
                seen.add(tp)
                hints = typing.get_type_hints(tp)
                for f in dataclasses.fields(tp):
                    walk(hints[f.name])
            elif issubclass(tp, Enum):
                seen.add(tp)

    for root in roots:
        walk(root)
    return seen


def test_every_type_a_stored_state_or_offer_holds_is_registered() -> None:
    """Each dataclass and enum reachable from DispatchState and Offer (and Closure, which
    the state holds as ``Any``) has a tag."""
    missing = _reachable((DispatchState, Offer, Closure)) - set(stored_types.BY_CLASS)
    assert not missing, f"give these a tag in api/stored_types.py: {missing}"


def test_tags_are_short_names_not_python_paths() -> None:
    """No tag names a module or class path."""
    for tag in stored_types.BY_TAG:
        assert tag.replace("_", "").isalpha() and tag.islower(), tag


def test_stored_json_names_no_python_class() -> None:
    """A fully populated state, split or dumped, and an offer, mention no module path."""
    state = sample_state()
    root, parts = codec.split(state)
    whole, offer = codec.dumps(state), json.dumps(codec.to_jsonable(sample_offer()))
    for text in (root, *parts.values(), whole, offer):
        assert "maas." not in text and "solver." not in text and ":Booking" not in text
    assert codec.join(codec.parse_root(root), parts) == state
    assert codec.loads(whole) == state
    assert codec.from_jsonable(json.loads(offer)) == sample_offer()


def test_an_unregistered_dataclass_or_enum_is_refused() -> None:
    """Encoding a class without a tag fails, naming the class and the registry."""

    @dataclasses.dataclass(frozen=True)
    class Stray:
        x: int

    class Colour(Enum):
        RED = "red"

    with pytest.raises(codec.CodecError, match=r"Stray is not a stored type.*stored_types"):
        codec.dumps({"k": Stray(1)})
    with pytest.raises(codec.CodecError, match="Colour is not a stored type"):
        codec.dumps((Colour.RED,))


def test_an_unknown_tag_is_a_clear_error() -> None:
    """A tag the registry does not hold, or a layout-2 class name, is refused by name."""
    with pytest.raises(codec.CodecError, match="unknown stored type tag 'gondola'"):
        codec.loads('{"__t": "gondola", "x": 1}')
    with pytest.raises(codec.CodecError, match="layout-2 class name: run the store migration"):
        codec.loads('{"__t": "maas.domain:Location", "lat": 1, "lon": 2}')
    with pytest.raises(codec.CodecError, match="is a dataclass, not an enum"):
        codec.loads('{"__e": "location", "v": 1}')


def test_part_caches_belong_to_their_owner() -> None:
    """What one cache decoded another does not know; a cache retains only what it is told
    and clears itself at its limit; the codec module keeps no cache of its own."""
    state = sample_state()
    one, other = codec.PartCache(), codec.PartCache()
    root, parts = codec.split(state, one)
    tree = codec.parse_root(root)
    assert codec.missing_parts(tree, one) == set()
    assert codec.missing_parts(tree, other) == set(parts)
    assert codec.join(tree, parts, other) == state and len(other) == len(parts)
    kept = next(iter(parts))
    one.retain({kept})
    assert codec.missing_parts(tree, one) == set(parts) - {kept}
    small = codec.PartCache(limit=2)
    codec.split(state, small)
    assert len(small) <= 2
    tables = (stored_types.BY_TAG, stored_types.BY_CLASS)  # the registry: fixed, not a cache
    assert not [name for name, value in vars(codec).items() if isinstance(
        value, dict | list | set) and not name.startswith("__") and value not in tables]


def test_a_cached_split_writes_the_same_text_as_a_fresh_one() -> None:
    """Encoding through a warm cache gives the very root and parts a cold encoder gives."""
    state = sample_state()
    cache = codec.PartCache()
    codec.split(state, cache)
    assert codec.split(state, cache) == codec.split(state)
