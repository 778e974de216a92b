"""The tables of the pages' daily work: jobseekers' interest in vacancies, and long runs with their progress.

Revision ID: 0003
Revises: 0002

A database at 0001 from before these tables gets them; a new database already has them from 0001 (which
creates every table of the models), so this revision finds nothing to do there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel import SQLModel

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLES = ("vacancy_interest", "background_job")


def upgrade() -> None:
    tables = [SQLModel.metadata.tables[name] for name in _TABLES]
    SQLModel.metadata.create_all(op.get_bind(), tables=tables, checkfirst=True)


def downgrade() -> None:
    bind = op.get_bind()
    for name in _TABLES:
        if sa.inspect(bind).has_table(name):
            op.drop_table(name)
