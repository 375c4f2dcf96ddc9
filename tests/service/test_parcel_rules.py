"""Parcels in the service file (issue 16): cargo space per van (with seats folded into it)
and the parcel rules, read into the dispatcher's policy for the live service and the
simulator alike."""

from __future__ import annotations

from datetime import date

import pytest

from maas.domain import Location
from maas.service import ParcelRules, ServiceDefinition, ServiceError
from solver.dispatch.policy import policy_for_day
from tests.service.conftest import service

MONDAY = date(2026, 12, 7)


def snap(lat: float, lon: float) -> Location:
    return Location(lat, lon)


def test_the_demo_vans_carry_parcels_beside_their_seats(demo: ServiceDefinition) -> None:
    vans = demo.vehicles_for(MONDAY, snap)
    assert {(v.type.seats, v.type.cargo_kg, v.type.cargo_litres) for v in vans} == {(8, 150, 300)}
    assert demo.parcels == ParcelRules(120, 120, None, "depot")


def test_folded_seats_become_cargo_litres() -> None:
    svc = service({"fleet.vans.3.cargo": {"kg": 200, "litres": 300, "folded_seats": 2,
                                          "litres_per_folded_seat": 150}})
    v4 = next(v for v in svc.vehicles_for(MONDAY, snap) if v.id == "v4")
    assert (v4.type.seats, v4.type.cargo_kg, v4.type.cargo_litres) == (6, 200, 600)


def test_a_van_without_cargo_carries_none() -> None:
    svc = service({"fleet.vans.0.cargo": None})
    v1 = next(v for v in svc.vehicles_for(MONDAY, snap) if v.id == "v1")
    assert (v1.type.cargo_kg, v1.type.cargo_litres) == (0, 0)


def test_the_parcel_rules_reach_the_dispatchers_policy() -> None:
    svc = service({"parcels": {"pickup_handling_seconds": 90, "delivery_handling_seconds": 45,
                               "window": 3, "return_to": "pickup"}})
    policy = policy_for_day(svc, MONDAY)
    assert (policy.parcel_pickup_handling_s, policy.parcel_delivery_handling_s,
            policy.parcel_window_s, policy.parcel_return_to) == (90, 45, 3 * 3600, "pickup")
    today = policy_for_day(service(), MONDAY)
    assert today.parcel_window_s is None  # "today": by closing time


@pytest.mark.parametrize(("changes", "where"), [
    ({"fleet.vans.0.cargo": {"kg": 100, "litres": 100, "folded_seats": 8}},
     r"fleet\.vans\.0\.cargo\.folded_seats: folds 8 of 8"),
    ({"fleet.vans.0.cargo": {"kg": -1, "litres": 100}}, r"fleet\.vans\.0\.cargo\.kg: "),
    ({"parcels.window": 0}, r"parcels\.window"),
    ({"parcels.window": "tomorrow"}, r"parcels\.window"),
    ({"parcels.return_to": "post_office"}, r"parcels\.return_to: "),
    ({"parcels.colour": "red"}, r"parcels\.colour: "),
])
def test_a_bad_parcel_field_is_named(changes: dict[str, object], where: str) -> None:
    with pytest.raises(ServiceError, match=rf"^demo-service\.yaml: {where}"):
        service(changes)
