"""The two databases the tests run on: SQLite files, and the PostgreSQL server of ``SKILLMATCH_TEST_PG_URL``.

``make test`` starts a throwaway PostgreSQL server (``tests.pg_server``) and sets the variable; without it the
PostgreSQL cases are skipped with a reason. Each test gets a database of its own: on PostgreSQL a new database,
copied from a template (an empty one, or one with the ESCO slice already loaded) in milliseconds.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from skillmatch.db import make_engine
from tests.pg_server import ENV_VAR

BACKENDS = ["sqlite", "postgresql"]
"""The ``params`` of every database fixture."""

_numbers = itertools.count()


def pg_url() -> str:
    """The test server's URL; skips the test when there is none."""
    url = os.environ.get(ENV_VAR, "")
    if not url:
        pytest.skip(f"no PostgreSQL server for the tests ({ENV_VAR} is unset; `make test` starts one)")
    return url


class PgDatabases:
    """Creates databases on the test server, from a template or empty."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")

    def create(self, *, template: str | None = None, name: str | None = None) -> str:
        """A new database; its URL."""
        name = name or f"t{os.getpid()}_{next(_numbers)}"
        clause = f" TEMPLATE {template}" if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        """Drop a database, ending its connections first."""
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def sqlite_url(folder: Path, name: str) -> str:
    """The URL of a SQLite file in a folder."""
    return f"sqlite:///{folder / name}"


def engine_url(engine: Engine) -> str:
    """An engine's URL with its password, to open a second engine on the same database."""
    return engine.url.render_as_string(hide_password=False)


__all__ = ["BACKENDS", "PgDatabases", "engine_url", "pg_url", "sqlite_url"]
