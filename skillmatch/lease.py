"""Leases in the database: one process at a time does a thing (saving the profile indexes), on any host.

A lease is a row (name, holder, until). Taking it succeeds when nobody holds it, its holder's time ran out (a
process killed while holding it stops blocking the others after ``seconds``), or the taker already holds it.
The row is updated in one statement, so two processes can never both take it, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, String, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from matching.upsert import on_conflict_ignore


class LeaseRow(SQLModel, table=True):
    """Who holds a lease, and until when."""

    __tablename__ = "service_lease"

    name: str = Field(sa_column=Column(String(64), primary_key=True))
    holder: str = Field(default="", sa_column=Column(String(128), nullable=False, server_default=""))
    until: datetime


LEASE_TABLES = [LeaseRow.__table__]  # type: ignore[attr-defined]


def holder_name() -> str:
    """A name for this process that no other process on any host has (host, pid and a random part)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def take(engine: Engine, name: str, holder: str, seconds: float) -> bool:
    """Take or renew a lease.

    Args:
        engine: the database.
        name: the lease.
        holder: who takes it (``holder_name()``).
        seconds: how long it holds unless renewed or given back.

    Returns:
        Whether the holder now holds it.
    """
    table = LeaseRow.__table__  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(on_conflict_ignore(conn, table, ["name"]), [{"name": name, "holder": "", "until": now}])
        result = conn.execute(
            update(table)
            .where(
                table.c.name == name,
                or_(table.c.holder == holder, table.c.holder == "", table.c.until < now),
            )
            .values(holder=holder, until=now + timedelta(seconds=seconds))
        )
    return bool(result.rowcount)


def give_back(engine: Engine, name: str, holder: str) -> None:
    """Give a lease back (nothing happens when the holder no longer holds it)."""
    table = LeaseRow.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.name == name, table.c.holder == holder).values(holder=""))


@contextmanager
def lease(engine: Engine, name: str, seconds: float = 600.0) -> Iterator[bool]:
    """Hold a lease for a block if it can be taken at once; yields whether it was (the block decides).

    Args:
        engine: the database.
        name: the lease.
        seconds: how long it holds if this process dies inside the block.
    """
    holder = holder_name()
    taken = take(engine, name, holder, seconds)
    try:
        yield taken
    finally:
        if taken:
            give_back(engine, name, holder)


__all__ = ["LEASE_TABLES", "LeaseRow", "give_back", "holder_name", "lease", "take"]
