"""parcels: the parcels (貨客混載) of each closed day and what became of them

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Days imported before have no parcel rows: the archive of a closed day kept rides only until
this revision, so their parcels are not in the history.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "parcels",
        sa.Column("area", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("kg", sa.Integer(), nullable=False),
        sa.Column("litres", sa.Integer(), nullable=False),
        sa.Column("pickup_lat", sa.Float(), nullable=False),
        sa.Column("pickup_lon", sa.Float(), nullable=False),
        sa.Column("delivery_lat", sa.Float(), nullable=False),
        sa.Column("delivery_lon", sa.Float(), nullable=False),
        sa.Column("handed_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("shipper_id", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("deliver_by", sa.DateTime(timezone=True), nullable=True),
        sa.Column("vehicle_id", sa.String(length=64), nullable=True),
        sa.Column("picked_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("direct_m", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area", "day"],
            ["history_days.area", "history_days.day"],
            name=op.f("fk_parcels_area_history_days"),
        ),
        sa.PrimaryKeyConstraint("area", "day", "id", name=op.f("pk_parcels")),
    )


def downgrade() -> None:
    op.drop_table("parcels")
