"""Insert-or-update and insert-if-new on SQLite and PostgreSQL: the one home of the dialect-specific upsert.

Both databases say ``INSERT ... ON CONFLICT``, but SQLAlchemy builds it with each dialect's own ``insert``;
every store that upserts builds its statement here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Engine


def _insert(bind: Engine | Connection, table: Table) -> Any:
    # The dialect's module imported on first use: a process on SQLite never loads PostgreSQL's (27 ms of a
    # command's start), and the engine of a PostgreSQL URL has loaded it already.
    if bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def on_conflict_update(
    bind: Engine | Connection,
    table: Table,
    keys: Sequence[str],
    columns: Iterable[str],
    *,
    fixed: Mapping[str, Any] | None = None,
) -> Any:
    """``INSERT``, or on a row with the same keys ``UPDATE`` some of its columns (executed with the rows).

    Args:
        bind: the engine or connection the statement runs on (its dialect chooses the SQL).
        table: the table.
        keys: the columns of the unique constraint that makes two rows one.
        columns: the columns an existing row takes from the inserted one.
        fixed: columns an existing row gets set to these values instead.

    Returns:
        The statement; run it with ``conn.execute(statement, rows)``.
    """
    stmt = _insert(bind, table)
    update = {name: stmt.excluded[name] for name in columns} | dict(fixed or {})
    return stmt.on_conflict_do_update(index_elements=list(keys), set_=update)


def on_conflict_ignore(bind: Engine | Connection, table: Table, keys: Sequence[str]) -> Any:
    """``INSERT`` that leaves an existing row with the same keys as it is.

    Args:
        bind: the engine or connection the statement runs on.
        table: the table.
        keys: the columns of the unique constraint that makes two rows one.

    Returns:
        The statement; run it with ``conn.execute(statement, rows)``.
    """
    return _insert(bind, table).on_conflict_do_nothing(index_elements=list(keys))


__all__ = ["on_conflict_ignore", "on_conflict_update"]
