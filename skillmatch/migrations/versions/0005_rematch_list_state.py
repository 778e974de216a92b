"""The rematch keeps what it patches a list from (``rematch_list.edge_low`` and ``rematch_list.state``), and finds a
run's new matches by ``rematch_match.since_run`` through an index (the outbox reads them after every run).

Revision ID: 0005
Revises: 0004

A list stored before this revision has no state: the next change that reaches it computes it again (and stores
its state), as a full run does.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _columns() -> list[sa.Column[object]]:
    return [sa.Column("edge_low", sa.Float(), nullable=True), sa.Column("state", sa.LargeBinary(), nullable=True)]


_INDEX = "ix_rematch_match_since_run"


def upgrade() -> None:
    # The first revision creates the tables as the models are when it runs, so a new database has them already.
    inspector = sa.inspect(op.get_bind())
    present = {c["name"] for c in inspector.get_columns("rematch_list")}
    missing = [c for c in _columns() if c.name not in present]
    if missing:
        with op.batch_alter_table("rematch_list") as batch:
            for column in missing:
                batch.add_column(column)
    if _INDEX not in {i["name"] for i in inspector.get_indexes("rematch_match")}:
        op.create_index(_INDEX, "rematch_match", ["since_run"])


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="rematch_match")
    with op.batch_alter_table("rematch_list") as batch:
        for column in _columns():
            batch.drop_column(column.name)
