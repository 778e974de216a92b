"""The API's own tables: users and tokens, the audit log, shortlists (created by the wiring at start-up)."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from api.audit import AUDIT_TABLES
from api.auth.models import AUTH_TABLES
from api.shortlist import SHORTLIST_TABLES

API_TABLES = [*AUTH_TABLES, *AUDIT_TABLES, *SHORTLIST_TABLES]


def create_tables(engine: Engine) -> None:
    """Create the API tables that do not exist yet."""
    SQLModel.metadata.create_all(engine, tables=API_TABLES)


__all__ = ["API_TABLES", "create_tables"]
