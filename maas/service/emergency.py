"""Disaster mode and care for riders in a service file: shelters (指定避難所), hazard zones
(浸水想定区域, 土砂災害警戒区域), how far ahead an evacuation pickup may be planned, and when
repeated no-shows of a flagged rider are listed for the town's welfare office."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from maas.service.places import Zone
from maas.service.roster import Point


@dataclass(frozen=True, slots=True)
class Emergency:
    """``shelters`` by name; ``hazard_zones`` whose residents an evacuation fetches;
    ``pickup_within_s``: an evacuation ride's pickup lies within this of the moment it is
    booked (later ones wait for a van)."""

    shelters: Mapping[str, Point] = field(default_factory=dict)
    hazard_zones: tuple[Zone, ...] = ()
    pickup_within_s: int = 3_600

    def hazard_zone(self, name: str) -> Zone | None:
        """The hazard zone of this name, if the file has one."""
        return next((z for z in self.hazard_zones if z.name == name), None)

    def in_hazard(self, lat: float, lon: float, names: tuple[str, ...] | None = None
                  ) -> str | None:
        """The first hazard zone (among ``names``, default all) holding the point."""
        for z in self.hazard_zones:
            if (names is None or z.name in names) and z.contains(lat, lon):
                return z.name
        return None


@dataclass(frozen=True, slots=True)
class CareRules:
    """A rider living alone or elderly with at least ``welfare_no_shows`` no-shows (never
    cancelled) within ``welfare_period_days`` is listed for the welfare office."""

    welfare_no_shows: int = 2
    welfare_period_days: int = 30
