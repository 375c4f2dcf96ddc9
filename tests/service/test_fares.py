"""Fares: flat adult fare with child and disability fares."""

from __future__ import annotations

import pytest

from maas.errors import InvalidInput
from maas.service import ServiceDefinition
from tests.service.conftest import service


def test_the_demo_flat_fare_is_300_yen_a_rider(demo: ServiceDefinition) -> None:
    """Two adults pay 600 JPY."""
    assert demo.fare(2) == 600


def test_children_and_disability_riders_pay_the_reduced_fares(demo: ServiceDefinition) -> None:
    """One adult, one child (150) and a wheelchair rider (disability fare 150)."""
    assert demo.fare(2, children=1, wheelchairs=1) == 300 + 150 + 150
    assert demo.fare(1, disability=1) == 150


def test_reduced_fares_default_to_the_adult_fare() -> None:
    """A file that gives only the adult fare charges it to everybody."""
    svc = service({"fares": {"currency": "JPY", "adult": 200}})
    assert svc.fare(1, children=1, wheelchairs=1) == 400


def test_impossible_rider_counts_are_refused(demo: ServiceDefinition) -> None:
    """More children than passengers, or negative counts."""
    with pytest.raises(InvalidInput):
        demo.fare(1, children=2)
    with pytest.raises(InvalidInput):
        demo.fare(-1)
