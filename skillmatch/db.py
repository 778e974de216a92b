"""Database engine: SQLite file by default, any SQLAlchemy URL (PostgreSQL) by setting."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any, cache_mb: int | None = None) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web service read while a batch writes; NORMAL is durable enough with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    if cache_mb is not None:
        cursor.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")  # negative: in KiB
    cursor.close()


POOL_SIZE = 40
"""Connections a pool keeps open: as many as the web server's worker threads (anyio's default of 40), so that
concurrent requests reuse open connections instead of waiting for one or opening a new one per request (the
pool opens them only as they are needed)."""
MAX_OVERFLOW = 10
"""Connections opened beyond ``POOL_SIZE`` at a peak (closed when given back)."""


def make_engine(url: str, *, echo: bool = False, cache_mb: int | None = None) -> Engine:
    """Build an engine for a database URL.

    For a SQLite file the parent folder is created; ``sqlite://`` (in memory) uses one shared connection
    so that every session sees the same database.

    Args:
        url: SQLAlchemy database URL.
        echo: log SQL statements.
        cache_mb: SQLite's page cache per connection (default: SQLite's own, 2 MB). A batch that rewrites many
            rows in one transaction (the rematch) spills its changed pages to the log before the commit when they
            outgrow the cache; ignored for other databases.

    Returns:
        The engine.
    """
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs |= {"pool_size": POOL_SIZE, "max_overflow": MAX_OVERFLOW}
        engine = create_engine(url, echo=echo, **kwargs)
        event.listen(engine, "connect", partial(_sqlite_pragmas, cache_mb=cache_mb))
        return engine
    # A broken connection is found before use and replaced (recovery after a restart); a server out of reach
    # fails in seconds, not minutes.
    connect_args = {"connect_timeout": 5} if url.startswith("postgresql") else {}
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
        connect_args=connect_args,
    )


__all__ = ["MAX_OVERFLOW", "POOL_SIZE", "make_engine"]
