"""cancel reasons: why a booking was cancelled, and the clerk's note

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Both columns are nullable: bookings imported before say no reason (the monthly report counts
them as ``unspecified``). ``cancel_note`` is free text that may name a person, so erasing a
rider clears it (``HistoryStore.erase_rider``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE ADD / DROP COLUMN on both databases (SQLite has both since 3.35): no
# batch copy of ``bookings``, which other tables reference (SQLite would refuse to drop it
# with foreign keys on, and copying every booking of the history is slow anyway).

def upgrade() -> None:
    op.add_column("bookings", sa.Column("cancel_reason", sa.String(length=32), nullable=True))
    op.add_column("bookings", sa.Column("cancel_note", sa.String(length=500), nullable=True))


def downgrade() -> None:
    op.drop_column("bookings", "cancel_note")
    op.drop_column("bookings", "cancel_reason")
