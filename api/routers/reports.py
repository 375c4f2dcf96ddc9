"""``GET /v1/reports/months/{yyyy-mm}``: the town's monthly figures from the trip history.

The same figures as ``maas report`` writes to ``report.csv`` and ``report.html`` (one code,
``maas.history.month``), as JSON: per day, the month's total, rides by weekday, hour and
zone, and the month before beside it. Operator only.

Wiring (``api.main``): ``app.state.history`` is the ``maas.history.HistoryStore`` closed days
are imported into (when unset, one is opened on first use at the archive's history URL);
``app.state.report_config`` (optional) a ``maas.history.ReportConfig`` with the town's cost
model and zone polygons (when unset: the service file's zones and currency, default costs).
The handler is a plain ``def``: the database call runs in FastAPI's threadpool, off the
event loop.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from api.deps import RuntimeDep, Staff
from api.errors import ApiError, invalid, not_found
from api.runtime import Runtime
from api.schemas_disaster import WelfareList
from api.welfare import welfare_list
from maas.history import (
    HistoryError,
    HistoryStore,
    Month,
    ReportConfig,
    ReportError,
    read_month_report,
    report_dict,
    service_report_config,
)
from maas.history.month import DAY_COLUMNS, MonthReport, csv_rows

router = APIRouter(prefix="/v1/reports", tags=["reports"])


def _report(month: str, request: Request, rt: Runtime) -> MonthReport:
    try:
        which = Month.parse(month)
    except ReportError as exc:
        raise invalid(str(exc), code="bad_month") from exc
    history: HistoryStore | None = getattr(request.app.state, "history", None)
    if history is None and rt.archive.history_url:
        # Opened on first use and kept for the app's life (the app owns it).
        history = request.app.state.history = HistoryStore(rt.archive.history_url)
    if history is None:
        raise ApiError(503, "history_unavailable", "this service keeps no trip history")
    config: ReportConfig | None = getattr(request.app.state, "report_config", None)
    if config is None:
        service = getattr(rt, "service", None)  # the service file's zones and currency
        config = ReportConfig() if service is None else service_report_config(service)
    area = rt.settings.area
    try:
        report = read_month_report(history, area, which, config)
    except HistoryError as exc:
        raise ApiError(503, "history_unavailable", str(exc)) from exc
    if not report.current.days:
        raise not_found(f"month {which} of area {area} in the history")
    return report


@router.get("/months/{month}")
def month_report(month: str, request: Request, _: Staff, rt: RuntimeDep) -> dict[str, Any]:
    """The figures of a calendar month (``2026-12``) of this service area, with the month
    before; 404 when the history holds no day of that month."""
    return report_dict(_report(month, request, rt))


@router.get("/months/{month}/report.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def month_csv(month: str, request: Request, _: Staff, rt: RuntimeDep) -> Response:
    """The month as ``maas report`` writes ``report.csv``: one row per day (``date``
    first), the last row ``date = total``."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=DAY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in csv_rows(_report(month, request, rt).current):
        writer.writerow(row)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="report-{month}.csv"'})


@router.get("/welfare", response_model=WelfareList)
async def welfare_report(request: Request, _: Staff, rt: RuntimeDep,
                         since: Annotated[date | None, Query(
                             description="from this service date (default: the service "
                                         "file's care.welfare_period_days before today)")]
                         = None) -> WelfareList:
    """Riders living alone or elderly with repeated no-shows (never cancelled) since
    ``since``, for the town's welfare office: closed days from the trip history (when the
    service keeps one; ``history_included`` false when it could not be read) and the open
    days."""
    history: HistoryStore | None = getattr(request.app.state, "history", None)
    if history is None and rt.archive.history_url:
        history = request.app.state.history = HistoryStore(rt.archive.history_url)
    return await welfare_list(rt, since, history)
