"""Alembic environment: runs on the connection that ``skillmatch.schema.upgrade`` opened (never from a URL here)."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from skillmatch.schema import register_tables

register_tables()
connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters a table by copying it
)
with context.begin_transaction():
    context.run_migrations()
