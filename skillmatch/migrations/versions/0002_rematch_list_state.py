"""The rematch keeps what it patches a list from: ``rematch_list.edge_low`` and ``rematch_list.state``.

Revision ID: 0002_rematch_list_state
Revises: 0001

A list stored before this revision has no state: the next change that reaches it computes it again (and stores
its state), as a full run does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_rematch_list_state"
down_revision = "0001"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column[object]]:
    return [sa.Column("edge_low", sa.Float(), nullable=True), sa.Column("state", sa.LargeBinary(), nullable=True)]


def upgrade() -> None:
    # The first revision creates the tables as the models are when it runs, so a new database has them already.
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("rematch_list")}
    missing = [c for c in _columns() if c.name not in present]
    if missing:
        with op.batch_alter_table("rematch_list") as batch:
            for column in missing:
                batch.add_column(column)


def downgrade() -> None:
    with op.batch_alter_table("rematch_list") as batch:
        for column in _columns():
            batch.drop_column(column.name)
