"""Cancel reasons in the history (Alembic revision 0003), on SQLite and PostgreSQL: the
migration keeps the days already in, reasons survive import and read-back, erasure clears
the clerk's note, and the month counts cancellations by reason."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from alembic import command
from sqlalchemy import inspect, select

from maas.history import HistoryStore, Month
from maas.history import schema as s
from maas.history.day import (
    BASE_VERSION,
    CANCEL_REASONS,
    VERSION,
    DayRecord,
    DayRecordError,
    day_digest,
    day_from_json,
    day_to_json,
)
from maas.history.month import CostModel, GridZones, month_figures, month_report, report_dict
from tests.history.week import AREA, closed_day

DAY = dt.date(2026, 11, 4)


def with_reasons(record: DayRecord) -> DayRecord:
    """The day with a reason (and a note on every other one) on each cancelled booking."""
    out = []
    cancelled = 0
    for b in record.bookings:
        if b.status == "cancelled":
            reason = CANCEL_REASONS[cancelled % len(CANCEL_REASONS)]
            note = f"Sato-san called at {cancelled}" if cancelled % 2 == 0 else None
            b = dataclasses.replace(b, cancel_reason=reason, cancel_note=note)  # type: ignore[arg-type]
            cancelled += 1
        out.append(b)
    assert cancelled >= 2
    return dataclasses.replace(record, bookings=tuple(out))


def test_a_day_without_reasons_keeps_its_version_1_text() -> None:
    plain = closed_day(DAY)
    assert json.loads(day_to_json(plain))["version"] == BASE_VERSION
    assert "cancel_reason" not in day_to_json(plain)
    reasoned = with_reasons(plain)
    data = json.loads(day_to_json(reasoned))
    assert data["version"] == 2 < VERSION  # reasons, no parcels: the version that has them
    assert day_from_json(day_to_json(reasoned)) == reasoned
    assert day_digest(reasoned) != day_digest(plain)
    done = next(b for b in plain.bookings if b.status == "completed")
    with pytest.raises(DayRecordError, match="cancel_reason: only a cancelled"):
        dataclasses.replace(done, cancel_reason="weather")
    gone = next(b for b in plain.bookings if b.status == "cancelled")
    with pytest.raises(DayRecordError, match="cancel_reason: 'bored'"):
        dataclasses.replace(gone, cancel_reason="bored")  # type: ignore[arg-type]


def test_migration_0003_keeps_the_days_in_and_adds_the_columns(store: HistoryStore) -> None:
    before = closed_day(DAY)
    assert store.import_day(before)
    with store.engine.begin() as conn:
        command.downgrade(store._alembic(conn), "0002")
    with store.engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("bookings")}
        kept = conn.execute(select(s.Booking.id).where(s.Booking.day == DAY)).all()
    assert "cancel_reason" not in columns and len(kept) == len(before.bookings)
    assert store.migrate() == HistoryStore.head()
    assert store.day(AREA, DAY) == before  # read back: no reasons
    assert store.import_day(before) is False  # the same day: nothing added, no conflict
    later = with_reasons(closed_day(DAY + dt.timedelta(days=1)))
    assert store.import_day(later)
    assert store.day(AREA, later.date) == later


def test_erasure_clears_the_note_and_the_month_counts_reasons(store: HistoryStore) -> None:
    day = with_reasons(closed_day(DAY))
    store.import_day(day)
    noted = next(b for b in day.bookings if b.cancel_note and b.rider_id)
    store.erase_rider(noted.rider_id or "")
    back = store.day(AREA, DAY)
    assert back is not None
    erased = {b.id: b for b in back.bookings}[noted.id]
    assert erased.cancel_note is None and erased.cancel_reason == noted.cancel_reason
    figures = month_figures(AREA, Month(2026, 11), [back], CostModel(), GridZones(1.0, 43.0))
    counted = dict(figures.cancelled_by_reason)
    expected = {code: sum(b.cancel_reason == code for b in day.bookings)
                for code in CANCEL_REASONS}
    assert {k: v for k, v in counted.items() if k != "unspecified"} == expected
    assert sum(counted.values()) == figures.total.cancelled
    report = report_dict(month_report(AREA, Month(2026, 11), [back], CostModel(),
                                      GridZones(1.0, 43.0)))
    assert report["current"]["cancelled_by_reason"] == counted
