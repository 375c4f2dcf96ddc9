"""The stored state with parcels (codec layout, issue 16): the fields parcels added to
``Request``, ``VehicleType`` and ``Booking`` have defaults, so a state written before them
reads back unchanged, and a parcel on its way back round-trips."""

from __future__ import annotations

import json

from api import codec
from maas.domain import Location, Request, TimeWindow, VehicleType
from solver.dispatch import Booking, BookingStatus

DAY = TimeWindow(25_200, 64_800)
HOME = Location(43.0, 142.0)
SHOP = Location(43.01, 142.02)


def _strip(tree: object, names: set[str]) -> object:
    """The JSON tree without the named fields (as a writer before them left it)."""
    if isinstance(tree, dict):
        return {k: _strip(v, names) for k, v in tree.items() if k not in names}
    if isinstance(tree, list):
        return [_strip(v, names) for v in tree]
    return tree


def test_a_booking_written_before_parcels_reads_back() -> None:
    ride = Booking("b_20261208_aa", "r1", Request("b_20261208_aa", HOME, SHOP, DAY, DAY, 900),
                   "v1")
    new_fields = {"cargo_kg", "cargo_litres", "return_to", "return_by"}
    root, parts = codec.split({"b": ride})  # a booking is stored as a part of the state
    old_parts = {name: json.dumps(_strip(json.loads(text), new_fields))
                 for name, text in parts.items()}
    assert not any("cargo_kg" in text for text in old_parts.values())
    # a fresh reader (no part cache) decodes the old texts
    assert codec.join(codec.parse_root(root), old_parts, codec.PartCache()) == {"b": ride}
    van = VehicleType("hiace", 8, 1)
    old_van = _strip(json.loads(codec.dumps(van)), {"cargo_kg", "cargo_litres"})
    assert codec.loads(json.dumps(old_van)) == van


def test_a_returning_parcel_round_trips() -> None:
    req = Request("b_20261208_bb", SHOP, HOME, DAY, DAY, DAY.width, passengers=0,
                  wheelchairs=0, board=120, alight=120, cargo_kg=5, cargo_litres=20)
    parcel = Booking(req.id, "s_1", req, "v1", BookingStatus.ONBOARD, picked_up_at=30_000,
                     return_to=Location(43.02, 142.01), return_by=64_800)
    back = codec.loads(codec.dumps(parcel))
    assert back == parcel and back.is_parcel and back.return_to == parcel.return_to
