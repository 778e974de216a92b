"""Every table of the models as they are when this revision first runs on a database.

Revision ID: 0001
Revises:

Generated from the SQLModel metadata (every package's tables, imported by ``skillmatch.schema``), so a table
added before a database first migrates lands here. A database from before migrations (tables created at
start-up, some columns added later by hand) gets the tables and the columns it lacks. Changes to a table that
databases already hold need a revision of their own after this one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel import SQLModel

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_RESTRICTED = frozenset({"audit_attribute", "exposure_audit_run"})
"""The restricted audit tables (``matching.fairness.exposure_store``), outside the migrations."""

# Columns added to tables after they first shipped, before migrations existed.
_LEGACY_COLUMNS: dict[str, list[sa.Column[object]]] = {
    "profile": [
        sa.Column("deleted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("generation", sa.Integer(), nullable=False, server_default="0"),
    ],
}


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for table, columns in _LEGACY_COLUMNS.items():
        if inspector.has_table(table):
            present = {c["name"] for c in inspector.get_columns(table)}
            for column in columns:
                if column.name not in present:
                    op.add_column(table, column)
    SQLModel.metadata.create_all(bind, tables=_migrated(), checkfirst=True)


def _migrated() -> list[sa.Table]:
    # The restricted audit tables may live in a database of their own: skillmatch.schema creates them.
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in _RESTRICTED]


def downgrade() -> None:
    SQLModel.metadata.drop_all(op.get_bind(), tables=_migrated())
