"""Fixtures of the service-file tests: the shipped demo service and edited copies of it."""

from __future__ import annotations

import copy
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from maas.service import ServiceDefinition, load_service, parse_service

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
DEMO_FILE = SCENARIOS / "demo-service.yaml"
TOKYO = ZoneInfo("Asia/Tokyo")


def demo_data() -> dict[str, Any]:
    """The raw mapping of the shipped demo service file."""
    data = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def edited(changes: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """The demo mapping with dotted keys set (``{"booking.days_ahead": 3}``) or dropped."""
    data = copy.deepcopy(demo_data())
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node.setdefault(key, {})
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    for dotted in drop:
        *parents, last = dotted.split(".")
        node = data
        for key in parents:
            node = node[key]
        del node[last]
    return data


def service(changes: dict[str, Any] | None = None, drop: tuple[str, ...] = ()) -> ServiceDefinition:
    """A service definition: the demo's, edited."""
    return parse_service(edited(changes or {}, drop), SCENARIOS, "demo-service.yaml")


def tokyo(text: str) -> datetime:
    """``"2026-12-01 10:00"`` as an aware Tokyo datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=TOKYO)


@pytest.fixture(scope="session")
def demo() -> ServiceDefinition:
    """The shipped demo service file, loaded."""
    return load_service(DEMO_FILE)
