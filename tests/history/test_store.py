"""HistoryStore on SQLite and PostgreSQL: append-only import, read-back, erasure, migrations."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from maas.history import DayConflict, HistoryError, HistoryStore, Month
from maas.history import schema as s
from maas.history.store import VERSION_TABLE
from tests.history.week import AREA, RIDERS, closed_day, operating_days

WEEK = operating_days(dt.date(2026, 11, 2), dt.date(2026, 11, 8))  # Mon-Sat


def _counts(store: HistoryStore) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in s.metadata.sorted_tables}


def test_a_closed_week_imports_once(store: HistoryStore) -> None:
    """Importing a week adds every row once; importing it again adds nothing."""
    week = [closed_day(d) for d in WEEK]
    assert [store.import_day(r) for r in week] == [True] * len(week)
    first = _counts(store)
    assert first["history_days"] == len(week)
    assert first["bookings"] == sum(len(r.bookings) for r in week)
    assert first["trips"] == sum(b.status == "completed" for r in week for b in r.bookings)
    assert first["booking_status_changes"] == sum(len(b.status_changes)
                                                  for r in week for b in r.bookings)
    assert first["van_days"] == 4 * len(week)
    assert [store.import_day(r) for r in week] == [False] * len(week)
    assert _counts(store) == first


def test_days_read_back_as_imported(store: HistoryStore) -> None:
    """A day read from the history equals the record that was imported (times as instants)."""
    record = closed_day(WEEK[0])
    store.import_day(record)
    back = store.day(AREA, WEEK[0])
    assert back == record
    assert back is not None and all(b.booked_at.tzinfo is not None for b in back.bookings)
    assert store.day(AREA, WEEK[1]) is None
    assert store.areas() == [AREA]


def test_a_changed_day_is_refused(store: HistoryStore) -> None:
    """The history is append-only: other content for an imported day raises DayConflict."""
    record = closed_day(WEEK[0])
    store.import_day(record)
    changed = dataclasses.replace(record, bookings=record.bookings[1:])
    with pytest.raises(DayConflict, match=str(WEEK[0])):
        store.import_day(changed)
    assert len(store.day(AREA, WEEK[0]).bookings) == len(record.bookings)  # type: ignore[union-attr]


def test_erasing_a_rider_leaves_no_personal_data(store: HistoryStore) -> None:
    """After erasure neither name nor phone is in any table; the month's rides are unchanged."""
    week = [closed_day(d) for d in WEEK]
    for r in week:
        store.import_day(r)
    rider = next(b.rider_id for b in week[0].bookings if b.rider_id and b.status == "completed")
    person = next(p for p in RIDERS if p.id == rider)
    before = store.month(AREA, Month(2026, 11))
    assert store.erase_rider(rider) == 1
    assert _text_anywhere(store, person.name) == []  # type: ignore[arg-type]
    assert _text_anywhere(store, person.phone) == []  # type: ignore[arg-type]
    after = store.month(AREA, Month(2026, 11))
    assert [len(d.bookings) for d in after] == [len(d.bookings) for d in before]
    assert ([sum(b.status == "completed" for b in d.bookings) for d in after]
            == [sum(b.status == "completed" for b in d.bookings) for d in before])
    theirs = [b for d in after for b in d.bookings if b.rider_id == rider]
    assert theirs and all(round(b.origin_lat, 3) == b.origin_lat for b in theirs)
    # Re-importing the original days neither fails nor brings the personal data back.
    assert [store.import_day(r) for r in week] == [False] * len(week)
    assert _text_anywhere(store, person.name) == []  # type: ignore[arg-type]
    other = next(p for p in RIDERS if p.id != rider and _text_anywhere(store, p.name or "-"))
    assert other.name is not None  # someone else's data is still there


def _text_anywhere(store: HistoryStore, needle: str) -> list[str]:
    """``table.column`` of every text cell in the database that contains ``needle``."""
    hits = []
    with store.engine.connect() as conn:
        for table in s.metadata.sorted_tables:
            for column in table.columns:
                if column.type.python_type is not str:
                    continue
                found = conn.execute(select(func.count()).select_from(table)
                                     .where(column.contains(needle))).scalar_one()
                if found:
                    hits.append(f"{table.name}.{column.name}")
    return hits


def test_latest_month_with_trips(store: HistoryStore) -> None:
    """The newest month holding a completed ride (None for an empty history)."""
    assert store.latest_month_with_trips(AREA) is None
    store.import_day(closed_day(dt.date(2026, 10, 30)))
    store.import_day(closed_day(dt.date(2026, 12, 1)))
    assert store.latest_month_with_trips(AREA) == Month(2026, 12)


def test_migrations_create_the_mapped_schema(store: HistoryStore) -> None:
    """The Alembic head creates exactly the tables and columns the mapping declares."""
    assert store.revision() == HistoryStore.head()
    with store.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": VERSION_TABLE})
        diff = compare_metadata(context, s.metadata)
        names = set(inspect(conn).get_table_names())
    assert diff == []
    assert {t.name for t in s.metadata.sorted_tables} <= names
    assert store.migrate() == HistoryStore.head()  # migrating again is a no-op


def test_an_unmigrated_history_is_an_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Importing into a database that was never migrated names the fix."""
    store = HistoryStore(f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(HistoryError, match="migrate"):
        store.import_day(closed_day(WEEK[0]))
    with store.engine.connect() as conn:
        assert conn.execute(text("select 1")).scalar_one() == 1
    store.close()


def test_an_unreachable_history_is_a_clear_error() -> None:
    """A PostgreSQL URL nobody answers at gives a HistoryError naming the URL, no password."""
    store = HistoryStore("postgresql+psycopg://maas:secret@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(HistoryError, match=r"127\.0\.0\.1:1") as caught:
        store.areas()
    assert "secret" not in str(caught.value)
    with pytest.raises(HistoryError, match="cannot migrate"):
        store.migrate()
    store.close()
