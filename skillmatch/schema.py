"""The database schema: every table of every package, created in one place, at start-up.

Additive changes to tables that older databases already hold are applied here too (a column added with its
default), so an existing data directory keeps working after an upgrade.
"""

from __future__ import annotations

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from api.tables import create_tables as create_api_tables
from esco_data import create_tables as create_esco_tables
from ingestion.models import create_tables as create_ingestion_tables
from ingestion.outbox import create_tables as create_outbox_tables
from ingestion.rights_models import create_tables as create_rights_tables
from matching.audit_store import create_tables as create_audit_tables
from matching.oversight import create_tables as create_oversight_tables
from matching.recruiting import create_tables as create_recruiting_tables
from matching.rematch.tables import create_tables as create_rematch_tables
from matching.store import create_tables as create_profile_tables

# table -> column -> SQL type and default, for columns added after a table first shipped
_ADDED_COLUMNS: dict[str, dict[str, str]] = {
    "profile": {
        "deleted": "BOOLEAN NOT NULL DEFAULT FALSE",
        "generation": "INTEGER NOT NULL DEFAULT 0",
    },
}


def _add_missing_columns(engine: Engine) -> None:
    inspector = inspect(engine)
    with engine.begin() as conn:
        for table, columns in _ADDED_COLUMNS.items():
            if not inspector.has_table(table):
                continue
            present = {c["name"] for c in inspector.get_columns(table)}
            for name, ddl in columns.items():
                if name not in present:
                    conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))


def create_tables(engine: Engine, *, audit: bool = True) -> None:
    """Create every table that does not exist yet, and add the columns older databases lack.

    Args:
        engine: the database.
        audit: also the restricted audit tables (False when they live in a database of their own:
            ``create_audit_tables`` creates them there).
    """
    _add_missing_columns(engine)
    create_esco_tables(engine)
    create_profile_tables(engine)
    create_ingestion_tables(engine)
    create_rights_tables(engine)
    create_oversight_tables(engine)
    create_recruiting_tables(engine)
    if audit:
        create_audit_tables(engine)
    create_rematch_tables(engine)
    create_outbox_tables(engine)
    create_api_tables(engine)


__all__ = ["create_audit_tables", "create_tables"]
