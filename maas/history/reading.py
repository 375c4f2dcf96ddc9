"""A month report read from the history: the store's days handed to the pure month figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from maas.history.day import DayRecord
from maas.history.month import CostModel, Month, MonthReport, Zones, month_report, zones_from
from maas.history.store import HistoryStore
from maas.service import ServiceDefinition


@dataclass(frozen=True, slots=True)
class ReportConfig:
    """How a town's report is figured: its cost model and its zones (polygons of
    ``[lon, lat]`` by name; none: a grid of ``grid_km`` cells)."""

    cost: CostModel = field(default_factory=CostModel)
    zones: Mapping[str, Sequence[Sequence[float]]] | None = None
    grid_km: float = 1.0


def service_report_config(service: ServiceDefinition, cost: CostModel | None = None
                          ) -> ReportConfig:
    """A town's report settings from its service file: its ``zones`` (none: the grid) and
    its fares' currency for the cost model."""
    zones = {z.name: [[lon, lat] for lon, lat in z.ring] for z in service.zones}
    cost = cost or CostModel(currency=service.fares.currency)
    return ReportConfig(cost=cost, zones=zones or None)


@dataclass(frozen=True, slots=True)
class MonthRead:
    """A month report with the day records (both months) and the zones it was figured on."""

    report: MonthReport
    days: tuple[DayRecord, ...]
    zones: Zones


def read_month(store: HistoryStore, area: str, month: Month,
               config: ReportConfig | None = None) -> MonthRead:
    """``month`` of ``area`` beside the month before, from the history."""
    config = config or ReportConfig()
    days = store.days(area, month.previous().first, month.last)
    zones = zones_from(config.zones, days, config.grid_km)
    return MonthRead(month_report(area, month, days, config.cost, zones), days, zones)


def read_month_report(store: HistoryStore, area: str, month: Month,
                      config: ReportConfig | None = None) -> MonthReport:
    """Only the figures of ``read_month``."""
    return read_month(store, area, month, config).report
