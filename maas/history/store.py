"""``HistoryStore``: the trip history in SQLite (the embedded default) or PostgreSQL.

Writes are day by day and append-only: ``import_day`` adds a closed day once; the same day
again adds nothing (``False``), a different record for a day already in raises
``DayConflict``. The one change the history allows afterwards is erasing a rider's personal
data (``erase_rider``), which keeps every ride of theirs without it.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, func, insert, select, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError

from maas.errors import InvalidInput, MaasError
from maas.history import schema as s
from maas.history.audit import AuditEntry, AuditFilter
from maas.history.day import (
    SCHEMA,
    BookingRecord,
    ClosureRecord,
    DayRecord,
    ParcelRecord,
    RiderRecord,
    StatusChange,
    VanDayRecord,
    day_digest,
    day_to_dict,
    riders_referenced,
)
from maas.history.month import Month

DEFAULT_URL: Final = "sqlite:///maas-history.db"
URL_ENV: Final = "MAAS_HISTORY_URL"
MIGRATIONS: Final = Path(__file__).parent / "migrations"
VERSION_TABLE: Final = "history_alembic_version"
# Erasure keeps a rider's trips for the figures but blurs where they started and ended to
# about 100 m (3 decimals of a degree): enough for a hamlet's count, not for a doorstep.
ERASED_DECIMALS: Final = 3
MIGRATE_ATTEMPTS: Final = 4
# Alembic runs a migration through module-global state (``alembic.context``): two threads of
# one process must not migrate at the same time. Processes race on the database instead.
_ALEMBIC: Final = threading.Lock()


class HistoryError(MaasError):
    """The history database cannot do what was asked (unreachable, not migrated...)."""

    code = "history_error"


class DayConflict(HistoryError):
    """A day already in the history was offered again with different content."""

    code = "day_conflict"


def history_url(url: str | None = None) -> str:
    """``url``, else ``MAAS_HISTORY_URL``, else the SQLite file ``maas-history.db``."""
    return url or os.environ.get(URL_ENV) or DEFAULT_URL


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class HistoryStore:
    """The trip history behind one database URL (``sqlite:///...``, ``postgresql+psycopg://``)."""

    def __init__(self, url: str | None = None) -> None:
        text = history_url(url)
        try:
            parsed = make_url(text)
        except ArgumentError as exc:
            msg = f"history URL {text!r} is not a database URL (sqlite:///FILE, postgresql+psycopg://...)"
            raise InvalidInput(msg) from exc
        self.url = parsed.render_as_string(hide_password=True)
        try:
            self.engine: Engine = create_engine(parsed, future=True)
        except (ArgumentError, ImportError) as exc:
            msg = f"history URL {self.url}: {exc}"
            raise InvalidInput(msg) from exc
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _enable_sqlite_foreign_keys)
        self._migrated = False

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- schema -------------------------------------------------------------------------

    def _alembic(self, connection: Connection) -> Config:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection"] = connection
        return cfg

    def migrate(self) -> str:
        """Bring the schema to the newest migration; returns that revision.

        Two openers of a new database (the API's audit flush and a report, two workers) may
        migrate at once: the one that loses finds the tables the other created. It tries
        again, and then sees the schema at the newest revision and changes nothing."""
        for attempt in range(MIGRATE_ATTEMPTS):
            try:
                with _ALEMBIC, self.engine.begin() as conn:
                    command.upgrade(self._alembic(conn), "head")
                break
            except DBAPIError as exc:  # sqlite: OperationalError; PostgreSQL: a duplicate
                text = str(exc.orig)
                raced = "already exists" in text or "locked" in text or "duplicate" in text
                if not raced or attempt == MIGRATE_ATTEMPTS - 1:
                    msg = f"history {self.url}: cannot migrate: {exc.orig}"
                    raise HistoryError(msg) from exc
                time.sleep(0.2 * (attempt + 1))
        self._migrated = True
        return self.head()

    @staticmethod
    def head() -> str:
        """The newest migration revision this engine ships."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(cfg).get_current_head()
        assert head is not None
        return head

    def revision(self) -> str | None:
        """The database's current migration revision (None: never migrated)."""
        with self.engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
            return ctx.get_current_revision()

    def _check_migrated(self) -> None:
        if self._migrated:  # a schema only moves forward: once at head, it stays there
            return
        try:
            current = self.revision()
        except OperationalError as exc:
            msg = f"history {self.url}: cannot read the database: {exc.orig}"
            raise HistoryError(msg) from exc
        if current != self.head():
            msg = (f"history {self.url} is at schema revision {current or 'none'}, this engine "
                   f"needs {self.head()}: run migrate() (maas report migrates by itself)")
            raise HistoryError(msg)
        self._migrated = True

    # --- writing ------------------------------------------------------------------------

    def import_day(self, record: DayRecord) -> bool:
        """Add a closed day; ``False`` if exactly this day is in already (nothing added)."""
        self._check_migrated()
        digest = day_digest(record)
        try:
            with self.engine.begin() as conn:
                if self._known(conn, record, digest):
                    return False
                _insert_day(conn, record, digest)
        except IntegrityError:
            # Another writer imported the same day between our check and our insert.
            with self.engine.connect() as conn:
                if self._known(conn, record, digest):
                    return False
            raise
        return True

    @staticmethod
    def _known(conn: Connection, record: DayRecord, digest: str) -> bool:
        found = conn.execute(select(s.Day.digest).where(
            s.Day.area == record.area, s.Day.day == record.date)).scalar_one_or_none()
        if found is None:
            return False
        if found != digest:
            msg = (f"day {record.date} of area {record.area} is already in the history with "
                   "other content; the history is append-only")
            raise DayConflict(msg)
        return True

    def erase_rider(self, rider_id: str, *, area: str | None = None,
                    now: dt.datetime | None = None) -> int:
        """Remove a rider's personal data (in ``area``, or every area); their rides stay,
        counted, with blurred places. Returns how many rider rows were erased."""
        self._check_migrated()
        at = now or dt.datetime.now(dt.UTC)
        where = [s.Rider.id == rider_id] + ([s.Rider.area == area] if area else [])
        with self.engine.begin() as conn:
            erased = conn.execute(update(s.Rider).where(*where).values(
                name=None, phone=None, erased_at=at)).rowcount
            bookings = conn.execute(select(s.Booking.area, s.Booking.day, s.Booking.id,
                                           s.Booking.origin_lat, s.Booking.origin_lon,
                                           s.Booking.destination_lat, s.Booking.destination_lon)
                                    .where(s.Booking.rider_id == rider_id,
                                           *([s.Booking.area == area] if area else []))).all()
            for b in bookings:
                conn.execute(update(s.Booking).where(
                    s.Booking.area == b.area, s.Booking.day == b.day, s.Booking.id == b.id
                ).values(cancel_note=None,  # the clerk's words may name the rider
                         **{name: round(getattr(b, name), ERASED_DECIMALS) for name in (
                             "origin_lat", "origin_lon", "destination_lat",
                             "destination_lon")}))
        return int(erased)

    def audit(self, *entries: AuditEntry) -> int:
        """Add audit entries (``audit_log``); an entry already in (same id) is skipped, so a
        queue flushed twice stores each once. Returns how many were added."""
        self._check_migrated()
        if not entries:
            return 0
        ids = [e.id for e in entries]
        with self.engine.begin() as conn:
            known = set(conn.execute(select(s.AuditLog.id).where(s.AuditLog.id.in_(ids)))
                        .scalars())
            fresh = {e.id: e for e in entries if e.id not in known}
            if fresh:
                conn.execute(insert(s.AuditLog), [{
                    "id": e.id, "area": e.area, "at": e.at, "actor": e.actor,
                    "actor_role": e.actor_role, "action": e.action,
                    "object_type": e.object_type, "object_id": e.object_id,
                    "status": e.status} for e in fresh.values()])
        return len(fresh)

    def audit_log(self, filters: AuditFilter) -> list[AuditEntry]:
        """Audit entries of an area matching ``filters``, newest first."""
        self._check_migrated()
        a = s.AuditLog
        where = [a.area == filters.area]
        if filters.actor is not None:
            where.append(a.actor == filters.actor)
        if filters.action is not None:
            where.append(a.action == filters.action)
        if filters.since is not None:
            where.append(a.at >= filters.since)
        if filters.until is not None:
            where.append(a.at < filters.until)
        with self.engine.connect() as conn:
            rows = conn.execute(select(
                a.id, a.area, a.at, a.actor, a.actor_role, a.action, a.object_type,
                a.object_id, a.status).where(*where)
                .order_by(a.at.desc(), a.id.desc()).limit(filters.limit)).all()
        return [AuditEntry(id=r.id, area=r.area, at=r.at, actor=r.actor,
                           actor_role=r.actor_role, action=r.action,
                           object_type=r.object_type, object_id=r.object_id, status=r.status)
                for r in rows]

    # --- reading ------------------------------------------------------------------------

    def areas(self) -> list[str]:
        """Areas with at least one day in the history."""
        self._check_migrated()
        with self.engine.connect() as conn:
            return list(conn.execute(select(s.Day.area).distinct().order_by(s.Day.area))
                        .scalars())

    def day(self, area: str, day: dt.date) -> DayRecord | None:
        """One day as imported (an erased rider's data as erased), or None."""
        found = self.days(area, day, day)
        return found[0] if found else None

    def days(self, area: str, first: dt.date, last: dt.date) -> tuple[DayRecord, ...]:
        """The days of ``area`` from ``first`` to ``last`` (inclusive), oldest first."""
        self._check_migrated()
        with self.engine.connect() as conn:
            return _read_days(conn, area, first, last)

    def month(self, area: str, month: Month) -> tuple[DayRecord, ...]:
        """The days of one calendar month (by service date)."""
        return self.days(area, month.first, month.last)

    def latest_month_with_trips(self, area: str) -> Month | None:
        """The newest month of ``area`` with at least one completed ride."""
        self._check_migrated()
        with self.engine.connect() as conn:
            latest = conn.execute(select(func.max(s.Trip.day)).where(s.Trip.area == area)
                                  ).scalar_one_or_none()
        return None if latest is None else Month(latest.year, latest.month)


# --- rows <-> records -----------------------------------------------------------------------

_BOOKING_COLUMNS: Final = tuple(
    name for name in BookingRecord.__dataclass_fields__
    if name not in ("status_changes", "picked_up_at", "dropped_off_at"))


def _insert_day(conn: Connection, record: DayRecord, digest: str) -> None:
    key = {"area": record.area, "day": record.date}
    conn.execute(insert(s.Day).values(
        **key, timezone=record.timezone, closed_at=record.closed_at,
        imported_at=dt.datetime.now(dt.UTC), record_schema=SCHEMA,
        record_version=day_to_dict(record)["version"], digest=digest))
    _upsert_riders(conn, record)
    if record.bookings:
        conn.execute(insert(s.Booking), [
            {**key, **{name: getattr(b, name) for name in _BOOKING_COLUMNS}}
            for b in record.bookings])
    changes = [{**key, "booking_id": b.id, "seq": i, "at": c.at, "status": c.status}
               for b in record.bookings for i, c in enumerate(b.status_changes)]
    if changes:
        conn.execute(insert(s.BookingStatusChange), changes)
    trips = [{**key, "booking_id": b.id, "vehicle_id": b.vehicle_id,
              "picked_up_at": b.picked_up_at, "dropped_off_at": b.dropped_off_at,
              "ride_s": int((b.dropped_off_at - b.picked_up_at).total_seconds()),
              "direct_s": b.direct_s, "direct_m": b.direct_m}
             for b in record.bookings
             if b.picked_up_at is not None and b.dropped_off_at is not None]
    if trips:
        conn.execute(insert(s.Trip), trips)
    if record.vans:
        conn.execute(insert(s.VanDay), [
            {**key, **{name: getattr(v, name) for name in VanDayRecord.__dataclass_fields__}}
            for v in record.vans])
    if record.closures:
        conn.execute(insert(s.Closure), [
            {**key, "id": c.id, "start": c.start, "until": c.until, "reason": c.reason}
            for c in record.closures])
    if record.parcels:
        conn.execute(insert(s.Parcel), [
            {**key, **{name: getattr(p, name) for name in ParcelRecord.__dataclass_fields__}}
            for p in record.parcels])


def _upsert_riders(conn: Connection, record: DayRecord) -> None:
    """Riders of the day: new ones added, known ones updated to the day's data, erased ones
    left erased (a later day never brings personal data back)."""
    given = {r.id: r for r in record.riders}
    wanted = list(dict.fromkeys([*given, *riders_referenced(record)]))
    if not wanted:
        return
    known = {row.id: row for row in conn.execute(
        select(s.Rider).where(s.Rider.area == record.area, s.Rider.id.in_(wanted))).all()}
    new = []
    for rider_id in wanted:
        rider = given.get(rider_id, RiderRecord(rider_id))
        row = known.get(rider_id)
        if row is None:
            new.append({"area": record.area, "id": rider_id, "name": rider.name,
                        "phone": rider.phone, "erased_at": None})
        elif (row.erased_at is None and rider_id in given
              and (row.name, row.phone) != (rider.name, rider.phone)):
            conn.execute(update(s.Rider).where(s.Rider.area == record.area,
                                               s.Rider.id == rider_id)
                         .values(name=rider.name, phone=rider.phone))
    if new:
        conn.execute(insert(s.Rider), new)


def _read_days(conn: Connection, area: str, first: dt.date, last: dt.date
               ) -> tuple[DayRecord, ...]:
    def rows(table: Any, *order: Any) -> Sequence[Any]:
        return conn.execute(select(table).where(
            table.area == area, table.day >= first, table.day <= last).order_by(*order)
        ).all()

    days = rows(s.Day, s.Day.day)
    if not days:
        return ()
    by_day: dict[str, dict[dt.date, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for what, found in (
        ("bookings", rows(s.Booking, s.Booking.day, s.Booking.id)),
        ("changes", rows(s.BookingStatusChange, s.BookingStatusChange.day,
                         s.BookingStatusChange.booking_id, s.BookingStatusChange.seq)),
        ("trips", rows(s.Trip, s.Trip.day, s.Trip.booking_id)),
        ("vans", rows(s.VanDay, s.VanDay.day, s.VanDay.vehicle_id)),
        ("closures", rows(s.Closure, s.Closure.day, s.Closure.id)),
        ("parcels", rows(s.Parcel, s.Parcel.day, s.Parcel.id)),
    ):
        for row in found:
            by_day[what][row.day].append(row)
    rider_ids = {b.rider_id for rows_ in by_day["bookings"].values() for b in rows_
                 if b.rider_id is not None}
    riders = {r.id: r for r in _chunked_riders(conn, area, sorted(rider_ids))}
    out = []
    for d in days:
        changes: dict[str, list[StatusChange]] = defaultdict(list)
        for c in by_day["changes"][d.day]:
            changes[c.booking_id].append(StatusChange(c.at, c.status))
        trips = {t.booking_id: t for t in by_day["trips"][d.day]}
        bookings = []
        for b in by_day["bookings"][d.day]:
            trip = trips.get(b.id)
            bookings.append(BookingRecord(
                **{name: getattr(b, name) for name in _BOOKING_COLUMNS},
                picked_up_at=None if trip is None else trip.picked_up_at,
                dropped_off_at=None if trip is None else trip.dropped_off_at,
                status_changes=tuple(changes[b.id])))
        referenced = sorted({b.rider_id for b in bookings if b.rider_id})
        out.append(DayRecord(
            area=area, date=d.day, timezone=d.timezone, closed_at=d.closed_at,
            bookings=tuple(bookings),
            vans=tuple(VanDayRecord(**{name: getattr(v, name)
                                       for name in VanDayRecord.__dataclass_fields__})
                       for v in by_day["vans"][d.day]),
            closures=tuple(ClosureRecord(c.id, c.start, c.until, c.reason)
                           for c in by_day["closures"][d.day]),
            riders=tuple(RiderRecord(r, riders[r].name, riders[r].phone)
                         for r in referenced if r in riders),
            parcels=tuple(ParcelRecord(**{name: getattr(p, name)
                                          for name in ParcelRecord.__dataclass_fields__})
                          for p in by_day["parcels"][d.day]),
        ))
    return tuple(out)


def _chunked_riders(conn: Connection, area: str, ids: Iterable[str]) -> list[Any]:
    ids = list(ids)
    found: list[Any] = []
    for i in range(0, len(ids), 500):  # keep IN lists short (SQLite's parameter limit)
        found.extend(conn.execute(select(s.Rider).where(
            s.Rider.area == area, s.Rider.id.in_(ids[i:i + 500]))).all())
    return found
