"""The database schema: every table of every package, brought up to date with Alembic migrations at start-up.

``upgrade`` runs the migrations in ``skillmatch/migrations`` (SQLite and PostgreSQL alike) on one connection; on
PostgreSQL it holds an advisory lock meanwhile, so that two processes starting at once migrate one after the
other. A database from before migrations is taken over by the first revision (missing tables and columns
added), then recorded in ``alembic_version``. A database already at ``HEAD`` is recognised with one query and
Alembic is not imported: the serving processes, which the supervisor's migration leaves nothing to do, do not
hold it (about 10 MB each).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from matching.fairness import create_tables as create_exposure_tables
from matching.profiles import create_tables as create_profile_tables

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
HEAD = "0007"
"""The newest revision of the migrations, as ``head`` reads it from them (a test holds the two equal)."""
_LOCK = 0x534B4D  # any constant: the advisory lock that one migrating process holds on PostgreSQL


def register_tables() -> None:
    """Put every package's tables in SQLModel's metadata, which the migrations and backups read.

    Imported here rather than with this module: a process that finds its database at ``HEAD`` (every start but
    the first) needs only the tables it uses, and the modules holding the others import much more (the
    corrections import ingestion, the learned links the linker's package): about 0.15 s of every command's start.
    """
    import api.tables  # noqa: F401 - users, tokens, the audit log and shortlists
    import esco_data.models  # noqa: F401 - the ESCO release
    import ingestion.corrections  # noqa: F401 - corrections of records and their provenance
    import ingestion.models  # noqa: F401 - the record and quarantine tables
    import ingestion.rights_models  # noqa: F401 - opt-outs and contests
    import matching.fairness.oversight  # noqa: F401 - consultants' pins and exclusions
    import matching.guidance.recruiting  # noqa: F401 - shortage lists linked to ESCO
    import matching.linking.learned  # noqa: F401 - the links consultants confirmed or rejected
    import matching.profiles.store  # noqa: F401 - profiles and their change log
    import matching.rematch.tables  # noqa: F401 - the nightly rematch's runs and lists
    import services.jobs  # noqa: F401 - long runs started from the pages and their progress
    import services.outbox  # noqa: F401 - the outbox of match notices
    import skillmatch.lease  # noqa: F401 - one process at a time saves the indexes


def _config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> str:
    """The newest revision of the migrations."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def current_revision(engine: Engine) -> str | None:
    """The revision a database is at (None before any migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Apply the migrations a database lacks.

    Args:
        engine: the database.
    """
    from alembic import command

    register_tables()
    config = _config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def create_tables(engine: Engine, *, exposure: bool = True) -> None:
    """Bring the schema up to date and add the rows every database holds (one generation per profile kind).

    The exposure audit's restricted tables (group attributes, exposure runs) are not part of the migrations: they
    go into the service's database only when no exposure database of their own is configured.

    Args:
        engine: the database.
        exposure: also create the exposure audit's restricted tables here (False when they live in a database of
            their own: ``create_exposure_tables`` creates them there).
    """
    if _recorded_revision(engine) != HEAD:
        upgrade(engine)
    create_profile_tables(engine)
    if exposure:
        create_exposure_tables(engine)


def _recorded_revision(engine: Engine) -> str | None:
    """The revision ``alembic_version`` records, read with plain SQL (None where there is none)."""
    try:
        with engine.connect() as conn:
            revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:  # no such table yet
        return None
    return str(revision) if revision is not None else None


__all__ = [
    "HEAD",
    "MIGRATIONS",
    "create_exposure_tables",
    "create_tables",
    "current_revision",
    "head",
    "register_tables",
    "upgrade",
]
