"""The audit log names the actor and says why (``name`` and ``why`` on ``audit_event``).

Revision ID: 0002
Revises: 0001

A database created by 0001 after these columns joined the model has them already (0001 creates the tables of
the models as they are); one created before gets them here, empty for the rows it holds.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_COLUMNS = ("name", "why")


def upgrade() -> None:
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("audit_event")}
    with op.batch_alter_table("audit_event") as batch:
        for name in _COLUMNS:
            if name not in present:
                batch.add_column(sa.Column(name, sa.String(length=200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        for name in _COLUMNS:
            batch.drop_column(name)
