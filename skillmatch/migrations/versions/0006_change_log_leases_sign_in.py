"""Serving from several processes and hosts over one database: the change log, leases and failed sign-ins.

Revision ID: 0006
Revises: 0005

``profile_change`` (``matching.profiles.store``): one entry per committed write of profiles (kind, sequence,
size, time), which tells each serving process how far behind the database it is. ``service_lease``
(``skillmatch.lease``): one process at a time saves the profile indexes. ``sign_in_failure``
(``api.auth.models``): failed sign-ins per address, counted for the service rather than per process. A database
that 0001 created after these models existed already has them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel import SQLModel

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TABLES = ("profile_change", "service_lease", "sign_in_failure")


def upgrade() -> None:
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    tables = [SQLModel.metadata.tables[name] for name in _TABLES if name not in present]
    SQLModel.metadata.create_all(bind, tables=tables, checkfirst=True)


def downgrade() -> None:
    SQLModel.metadata.drop_all(op.get_bind(), tables=[SQLModel.metadata.tables[name] for name in _TABLES])
