"""history: days, riders, bookings, status changes, trips, van days, closures

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-01

The first schema of the trip history (see maas/history/schema.py). Times are timestamptz on
PostgreSQL and UTC text on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "history_days",
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_schema", sa.String(length=64), nullable=False),
        sa.Column("record_version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("area", "day", name=op.f("pk_history_days")),
    )
    op.create_table(
        "riders",
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("area", "id", name=op.f("pk_riders")),
    )
    op.create_table(
        "bookings",
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("rider_id", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("passengers", sa.Integer(), nullable=False),
        sa.Column("wheelchairs", sa.Integer(), nullable=False),
        sa.Column("origin_lat", sa.Float(), nullable=False),
        sa.Column("origin_lon", sa.Float(), nullable=False),
        sa.Column("destination_lat", sa.Float(), nullable=False),
        sa.Column("destination_lon", sa.Float(), nullable=False),
        sa.Column("booked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pickup_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrive_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pickup_earliest", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pickup_latest", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provisional_earliest", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provisional_latest", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_final", sa.Boolean(), nullable=False),
        sa.Column("dropoff_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_ride_s", sa.Integer(), nullable=True),
        sa.Column("vehicle_id", sa.String(length=64), nullable=True),
        sa.Column("planned_pickup", sa.DateTime(timezone=True), nullable=True),
        sa.Column("planned_dropoff", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("direct_s", sa.Integer(), nullable=True),
        sa.Column("direct_m", sa.Integer(), nullable=True),
        sa.Column("fare", sa.Integer(), nullable=False),
        sa.Column("standing_id", sa.String(length=64), nullable=True),
        sa.Column("outbound_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["area", "day"],
            ["history_days.area", "history_days.day"],
            name=op.f("fk_bookings_area_history_days"),
        ),
        sa.ForeignKeyConstraint(
            ["area", "rider_id"], ["riders.area", "riders.id"], name=op.f("fk_bookings_area_riders")
        ),
        sa.PrimaryKeyConstraint("area", "day", "id", name=op.f("pk_bookings")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bookings_rider_id"), ["rider_id"], unique=False)

    op.create_table(
        "closures",
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["area", "day"],
            ["history_days.area", "history_days.day"],
            name=op.f("fk_closures_area_history_days"),
        ),
        sa.PrimaryKeyConstraint("area", "day", "id", name=op.f("pk_closures")),
    )
    op.create_table(
        "van_days",
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("vehicle_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("wheelchair_places", sa.Integer(), nullable=False),
        sa.Column("shift_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shift_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("km", sa.Float(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("riders", sa.Integer(), nullable=False),
        sa.Column("passengers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area", "day"],
            ["history_days.area", "history_days.day"],
            name=op.f("fk_van_days_area_history_days"),
        ),
        sa.PrimaryKeyConstraint("area", "day", "vehicle_id", name=op.f("pk_van_days")),
    )
    op.create_table(
        "booking_status_changes",
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("booking_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["area", "day", "booking_id"],
            ["bookings.area", "bookings.day", "bookings.id"],
            name=op.f("fk_booking_status_changes_area_bookings"),
        ),
        sa.PrimaryKeyConstraint(
            "area", "day", "booking_id", "seq", name=op.f("pk_booking_status_changes")
        ),
    )
    op.create_table(
        "trips",
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("booking_id", sa.String(length=64), nullable=False),
        sa.Column("vehicle_id", sa.String(length=64), nullable=True),
        sa.Column("picked_up_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dropped_off_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ride_s", sa.Integer(), nullable=False),
        sa.Column("direct_s", sa.Integer(), nullable=True),
        sa.Column("direct_m", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area", "day", "booking_id"],
            ["bookings.area", "bookings.day", "bookings.id"],
            name=op.f("fk_trips_area_bookings"),
        ),
        sa.PrimaryKeyConstraint("area", "day", "booking_id", name=op.f("pk_trips")),
    )


def downgrade() -> None:
    op.drop_table("trips")
    op.drop_table("booking_status_changes")
    op.drop_table("van_days")
    op.drop_table("closures")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bookings_rider_id"))

    op.drop_table("bookings")
    op.drop_table("riders")
    op.drop_table("history_days")
