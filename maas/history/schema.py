"""The history's relational schema (SQLAlchemy 2 typed declarative mapping).

One schema for SQLite and PostgreSQL. Every row of a day carries ``(area, day)``: a day is the
unit of import, and ``history_days`` says which days are in. Personal data lives in
``riders`` only (``name``, ``phone``), so that erasing a rider is one update there; bookings
keep the rider's opaque id. The Alembic migrations in ``migrations/versions`` create exactly
these tables (a test compares them); change both together, with a new revision.

Times are stored as UTC (``UtcDateTime``) and come back as aware UTC datetimes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ID = 64  # ids of bookings, riders, vans, closures, areas


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored as UTC (SQLite has no time zones; PostgreSQL's timestamptz)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            msg = f"naive datetime {value.isoformat()} given to the history"
            raise ValueError(msg)
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of the history tables."""

    metadata = MetaData(naming_convention=NAMING)


class Day(Base):
    """A closed day that was imported (the unit of append-only import)."""

    __tablename__ = "history_days"

    area: Mapped[str] = mapped_column(String(ID), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    record_schema: Mapped[str] = mapped_column(String(64))
    record_version: Mapped[int] = mapped_column(Integer)
    digest: Mapped[str] = mapped_column(String(64))


class Rider(Base):
    """A rider: personal data, erasable (``erased_at`` set, ``name`` and ``phone`` gone)."""

    __tablename__ = "riders"

    area: Mapped[str] = mapped_column(String(ID), primary_key=True)
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    erased_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Booking(Base):
    """A booking with every promise made (or a refused request: status ``rejected``)."""

    __tablename__ = "bookings"
    __table_args__ = (
        ForeignKeyConstraint(["area", "day"], ["history_days.area", "history_days.day"]),
        ForeignKeyConstraint(["area", "rider_id"], ["riders.area", "riders.id"]),
    )

    area: Mapped[str] = mapped_column(String(ID), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    rider_id: Mapped[str | None] = mapped_column(String(ID), index=True)
    status: Mapped[str] = mapped_column(String(16))
    passengers: Mapped[int] = mapped_column(Integer)
    wheelchairs: Mapped[int] = mapped_column(Integer)
    origin_lat: Mapped[float] = mapped_column(Float)
    origin_lon: Mapped[float] = mapped_column(Float)
    destination_lat: Mapped[float] = mapped_column(Float)
    destination_lon: Mapped[float] = mapped_column(Float)
    booked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    pickup_after: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    arrive_before: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    pickup_earliest: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    pickup_latest: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    provisional_earliest: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    provisional_latest: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    window_final: Mapped[bool] = mapped_column(Boolean)
    dropoff_by: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    max_ride_s: Mapped[int | None] = mapped_column(Integer)
    vehicle_id: Mapped[str | None] = mapped_column(String(ID))
    planned_pickup: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    planned_dropoff: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    direct_s: Mapped[int | None] = mapped_column(Integer)
    direct_m: Mapped[int | None] = mapped_column(Integer)
    fare: Mapped[int] = mapped_column(Integer)
    standing_id: Mapped[str | None] = mapped_column(String(ID))
    outbound_id: Mapped[str | None] = mapped_column(String(ID))
    cancel_reason: Mapped[str | None] = mapped_column(String(32))
    cancel_note: Mapped[str | None] = mapped_column(String(500))  # free text: erasable


class BookingStatusChange(Base):
    """One status a booking entered, with its time (``seq`` keeps their order)."""

    __tablename__ = "booking_status_changes"
    __table_args__ = (
        ForeignKeyConstraint(["area", "day", "booking_id"],
                             ["bookings.area", "bookings.day", "bookings.id"]),
    )

    area: Mapped[str] = mapped_column(String(ID), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    booking_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(32))


class Trip(Base):
    """A served ride: when the rider was picked up and dropped off, and how far it went."""

    __tablename__ = "trips"
    __table_args__ = (
        ForeignKeyConstraint(["area", "day", "booking_id"],
                             ["bookings.area", "bookings.day", "bookings.id"]),
    )

    area: Mapped[str] = mapped_column(String(ID), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    booking_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    vehicle_id: Mapped[str | None] = mapped_column(String(ID))
    picked_up_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    dropped_off_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    ride_s: Mapped[int] = mapped_column(Integer)
    direct_s: Mapped[int | None] = mapped_column(Integer)
    direct_m: Mapped[int | None] = mapped_column(Integer)


class VanDay(Base):
    """A van's day: roster entry, km driven, hours out, riders carried."""

    __tablename__ = "van_days"
    __table_args__ = (
        ForeignKeyConstraint(["area", "day"], ["history_days.area", "history_days.day"]),
    )

    area: Mapped[str] = mapped_column(String(ID), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    vehicle_id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    seats: Mapped[int] = mapped_column(Integer)
    wheelchair_places: Mapped[int] = mapped_column(Integer)
    shift_start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    shift_end: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    km: Mapped[float] = mapped_column(Float)
    hours: Mapped[float] = mapped_column(Float)
    riders: Mapped[int] = mapped_column(Integer)
    passengers: Mapped[int] = mapped_column(Integer)


class Closure(Base):
    """A road closure in force during a day."""

    __tablename__ = "closures"
    __table_args__ = (
        ForeignKeyConstraint(["area", "day"], ["history_days.area", "history_days.day"]),
    )

    area: Mapped[str] = mapped_column(String(ID), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(String(500))


class Parcel(Base):
    """A parcel of the day (貨客混載) and what became of it; no personal data (the shipper
    is a business account, the places are where a van stopped)."""

    __tablename__ = "parcels"
    __table_args__ = (
        ForeignKeyConstraint(["area", "day"], ["history_days.area", "history_days.day"]),
    )

    area: Mapped[str] = mapped_column(String(ID), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    kg: Mapped[int] = mapped_column(Integer)
    litres: Mapped[int] = mapped_column(Integer)
    pickup_lat: Mapped[float] = mapped_column(Float)
    pickup_lon: Mapped[float] = mapped_column(Float)
    delivery_lat: Mapped[float] = mapped_column(Float)
    delivery_lon: Mapped[float] = mapped_column(Float)
    handed_in_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    shipper_id: Mapped[str | None] = mapped_column(String(ID))
    source: Mapped[str | None] = mapped_column(String(32))
    deliver_by: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    vehicle_id: Mapped[str | None] = mapped_column(String(ID))
    picked_up_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    direct_m: Mapped[int | None] = mapped_column(Integer)


class AuditLog(Base):
    """One staff write (``maas.history.audit.AuditEntry``); not tied to a day."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_area_at", "area", "at"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    area: Mapped[str] = mapped_column(String(ID))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(ID))
    actor_role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(200))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)


metadata = Base.metadata
