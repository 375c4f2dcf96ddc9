"""The trip history: closed days in a relational database, and a month's figures from them.

- ``day``: ``DayRecord`` (a closed day) and its versioned JSON codec;
- ``schema`` and ``migrations/``: the SQLAlchemy tables and their Alembic migrations;
- ``store``: ``HistoryStore(url)`` (SQLite by default, PostgreSQL by URL): ``migrate``,
  ``import_day`` (append-only, idempotent), ``erase_rider``, readers;
- ``month``: the month's figures, pure functions of day records; ``reading``: both together.
"""

from maas.history.audit import AuditEntry, AuditFilter, entry_from_json, entry_to_json
from maas.history.day import (
    BookingRecord,
    ClosureRecord,
    DayRecord,
    DayRecordError,
    ParcelRecord,
    RiderRecord,
    StatusChange,
    VanDayRecord,
    day_digest,
    day_from_dict,
    day_from_json,
    day_to_dict,
    day_to_json,
)
from maas.history.month import (
    CostModel,
    GridZones,
    Month,
    MonthFigures,
    MonthReport,
    PolygonZones,
    ReportError,
    Zones,
    month_figures,
    month_report,
    report_dict,
)
from maas.history.reading import (
    MonthRead,
    ReportConfig,
    read_month,
    read_month_report,
    service_report_config,
)
from maas.history.store import DEFAULT_URL, DayConflict, HistoryError, HistoryStore, history_url

__all__ = [
    "DEFAULT_URL",
    "AuditEntry",
    "AuditFilter",
    "BookingRecord",
    "ClosureRecord",
    "CostModel",
    "DayConflict",
    "DayRecord",
    "DayRecordError",
    "GridZones",
    "HistoryError",
    "HistoryStore",
    "Month",
    "MonthFigures",
    "MonthRead",
    "MonthReport",
    "ParcelRecord",
    "PolygonZones",
    "ReportConfig",
    "ReportError",
    "RiderRecord",
    "StatusChange",
    "VanDayRecord",
    "Zones",
    "day_digest",
    "day_from_dict",
    "day_from_json",
    "day_to_dict",
    "day_to_json",
    "entry_from_json",
    "entry_to_json",
    "history_url",
    "month_figures",
    "month_report",
    "read_month",
    "read_month_report",
    "report_dict",
    "service_report_config",
]
