"""Alembic environment of the trip history: run programmatically by ``HistoryStore.migrate``.

The caller hands over an open connection in ``config.attributes["connection"]``; there is no
``alembic.ini`` and no logging set-up here (the application owns logging).
"""

from __future__ import annotations

from alembic import context

from maas.history.schema import metadata

VERSION_TABLE = "history_alembic_version"

connection = context.config.attributes.get("connection")
if connection is None:
    msg = "the history migrations run through HistoryStore.migrate(), which passes a connection"
    raise RuntimeError(msg)
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
