"""Learned links and record corrections: what people confirmed, corrected and taught the linker.

Revision ID: 0004
Revises: 0003

``learned_link`` (``matching.linking.learned``): consultants' verdicts on links from a phrase to an ESCO concept.
``record_correction`` (``ingestion.corrections``): corrections of a record's occupation, skills and language
levels, with their provenance. A database that 0001 created after these models existed already has them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel import SQLModel

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TABLES = ("learned_link", "record_correction")


def upgrade() -> None:
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    tables = [SQLModel.metadata.tables[name] for name in _TABLES if name not in present]
    SQLModel.metadata.create_all(bind, tables=tables, checkfirst=True)


def downgrade() -> None:
    SQLModel.metadata.drop_all(op.get_bind(), tables=[SQLModel.metadata.tables[name] for name in _TABLES])
