"""Schema migrations with Alembic, on SQLite and on PostgreSQL: a new database, one from before migrations,
and a migrated schema equal to the models (so that no table or column is missing from the revisions)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from skillmatch.db import make_engine
from skillmatch.schema import HEAD, create_tables, current_revision, head, register_tables

register_tables()  # every package's tables in the metadata the comparisons read


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    # SQLite reports its JSON columns back as plain types, a difference of spelling only.
    return [d for d in diffs if not (isinstance(d, list) and d and d[0][0] == "modify_type")]


def test_a_new_database_is_migrated_to_the_models(engine: Engine) -> None:
    assert current_revision(engine) is None
    create_tables(engine)
    assert current_revision(engine) == head()
    assert set(SQLModel.metadata.tables) <= set(inspect(engine).get_table_names())
    assert _differences(engine) == []
    create_tables(engine)  # a second start changes nothing
    assert current_revision(engine) == head()


def test_a_database_from_before_migrations_is_taken_over(engine: Engine) -> None:
    with engine.begin() as conn:  # the profile table as it first shipped: no tombstones, no generations
        conn.execute(
            text(
                "CREATE TABLE profile (kind VARCHAR(16) NOT NULL, id VARCHAR(64) NOT NULL, active BOOLEAN NOT NULL,"
                " data JSON NOT NULL, updated_at TIMESTAMP NOT NULL, PRIMARY KEY (kind, id))"
            )
        )
        conn.execute(text("INSERT INTO profile VALUES ('jobseeker', 'J1', true, '{}', '2026-01-01 00:00:00')"))
    create_tables(engine)
    assert current_revision(engine) == head()
    columns = {c["name"] for c in inspect(engine).get_columns("profile")}
    assert {"deleted", "generation"} <= columns
    with engine.connect() as conn:
        assert conn.execute(text("SELECT deleted, generation FROM profile")).one() == (False, 0)


def test_a_database_at_0006_gets_the_index_that_profile_counts_read(engine: Engine) -> None:
    create_tables(engine)
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_profile_kind_active_deleted"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    assert _differences(engine) != []
    create_tables(engine)
    assert current_revision(engine) == head()
    assert "ix_profile_kind_active_deleted" in {i["name"] for i in inspect(engine).get_indexes("profile")}
    assert _differences(engine) == []


def _plan(conn: Connection, query: Any) -> list[str]:
    """SQLite's plan for a query as the driver receives it: the statement SQLAlchemy sends, parameters bound."""
    sent: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        sent.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", capture)
    try:
        conn.execute(query).all()
    finally:
        event.remove(conn, "before_cursor_execute", capture)
    ((statement, parameters),) = sent
    return [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]


def test_counting_profiles_reads_the_index_and_reads_by_id_keep_the_primary_key(tmp_path: Path) -> None:
    from sqlalchemy import select

    from matching.profiles import ProfileKind, ProfileRow, ProfileStore

    engine = make_engine(f"sqlite:///{tmp_path / 'count.db'}")
    create_tables(engine)
    store = ProfileStore(engine)
    table = ProfileRow.__table__  # type: ignore[attr-defined]
    by_ids = select(table.c.data).where(
        table.c.kind == "jobseeker", table.c.id.in_(["J1", "J2", "J3"]), ~table.c.deleted
    )
    with engine.connect() as conn:
        counting = _plan(conn, store.count_query(ProfileKind.jobseeker))
        reading = _plan(conn, by_ids)
    assert counting and all("COVERING INDEX ix_profile_kind_active_deleted" in s for s in counting), counting
    # The explanations' read of a page of profiles by id: the primary key, never a scan of the kind's range.
    assert reading and all("sqlite_autoindex_profile_1 (kind=? AND id=?)" in s for s in reading), reading
    assert store.counts(ProfileKind.jobseeker) == (0, 0)


def test_a_database_at_the_first_revision_gets_the_rematch_list_state(engine: Engine) -> None:
    create_tables(engine)
    with engine.begin() as conn:  # rematch_list as the first revision made it, with a list stored
        for column in ("edge_low", "state"):
            conn.execute(text(f"ALTER TABLE rematch_list DROP COLUMN {column}"))
        conn.execute(text("DROP INDEX ix_rematch_match_since_run"))
        conn.execute(text("INSERT INTO rematch_list VALUES ('vacancy', 'V1', 1, 100, 0.5, 40)"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    create_tables(engine)
    assert current_revision(engine) == head()
    assert {"edge_low", "state"} <= {c["name"] for c in inspect(engine).get_columns("rematch_list")}
    assert "ix_rematch_match_since_run" in {i["name"] for i in inspect(engine).get_indexes("rematch_match")}
    assert _differences(engine) == []
    with engine.connect() as conn:  # a list from before has no state: the next change that reaches it computes it
        assert conn.execute(text("SELECT threshold, edge_low, state FROM rematch_list")).one() == (0.5, None, None)


def test_the_head_revision_is_the_migrations_head() -> None:
    assert HEAD == head()


def test_a_start_over_a_migrated_database_imports_no_alembic(tmp_path: Path) -> None:
    # The supervisor migrates; each serving process then finds the database at the head with one query and
    # never imports Alembic (about 10 MB per process).
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    create_tables(make_engine(url))
    script = (
        "import sys\n"
        "import skillmatch.server\n"
        "from skillmatch.db import make_engine\n"
        "from skillmatch.schema import create_tables\n"
        f"create_tables(make_engine({url!r}))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'mako')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert done.stdout.strip() == "[]"
