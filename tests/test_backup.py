"""Backup and restore on SQLite and PostgreSQL: every row comes back, the service answers the same, and a damaged
backup or a database in use is refused before anything is written."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import Engine

from api.audit import AuditAction, AuditLog
from api.auth import Role, TokenStore
from api.auth.roles import Principal
from ingestion.models import RecordKind
from ingestion.schemas import JobseekerIn, VacancyIn
from skillmatch.backup import BackupError, _tables, create_backup, restore_backup
from skillmatch.db import make_engine
from skillmatch.runtime import Runtime
from tests.databases import PgDatabases, pg_url, sqlite_url
from tests.esco_uris import PASTRY_MAKER
from tests.factories import jobseeker, vacancy


def _another_database(like: Engine, folder: Path, name: str = "restored.db") -> Engine:
    """An empty database on the same backend as ``like``."""
    if like.dialect.name == "postgresql":
        return make_engine(PgDatabases(pg_url()).create())
    return make_engine(sqlite_url(folder, name))


def _rows(db: Engine) -> dict[str, list[str]]:
    with db.connect() as conn:
        return {t.name: sorted(repr(tuple(row)) for row in conn.execute(select(t))) for t in _tables(conn)}


def _filled(runtime: Runtime) -> None:
    """Dossiers, a vacancy whose occupation a consultant corrected (a learned link), a user with a token, an audit
    row and saved indexes."""
    people = [jobseeker(), jobseeker(id="J-BAKER-NL", preferred_language="nl"), jobseeker(id="J-3")]
    for record in people:
        runtime.ingestion.store_one(JobseekerIn.model_validate(record))
    runtime.ingestion.store_one(VacancyIn.model_validate(vacancy()))
    runtime.corrections.set_occupation(
        RecordKind.vacancy, "V-BAKKER-NL", PASTRY_MAKER, actor="user:1", role="consultant", teach=True
    )
    tokens = TokenStore(runtime.db)
    tokens.issue(tokens.add_user("consultant-b", Role.consultant).id)
    who = Principal(subject="user:1", name="consultant-b", role=Role.consultant)
    AuditLog(runtime.db).record(who, AuditAction.candidate_search, "V-BAKKER-NL", ["J-BAKER-FR"])
    assert runtime.save()


def test_a_backup_restores_every_row_and_the_same_answers(fresh_runtime: Runtime, tmp_path: Path) -> None:
    _filled(fresh_runtime)
    before = [m.id for m in fresh_runtime.engine.candidates("V-BAKKER-NL", k=5)]
    manifest = create_backup(fresh_runtime.db, tmp_path / "backup", index_dir=fresh_runtime.index_dir)
    assert manifest["indexes"] == "copied" and manifest["tables"]["jobseeker"]["rows"] == 3
    assert manifest["dialect"] == fresh_runtime.db.dialect.name

    target = _another_database(fresh_runtime.db, tmp_path)
    done = restore_backup(target, tmp_path / "backup", index_dir=tmp_path / "restored-indexes")
    assert done["indexes"] == "restored"
    assert _rows(target) == _rows(fresh_runtime.db)  # every table, every row, every value

    restored = Runtime.open(fresh_runtime.settings, db=target, index_dir=tmp_path / "restored-indexes")
    assert set(restored.report["profile_indexes"].values()) == {"reused"}  # the saved indexes check out
    assert [m.id for m in restored.engine.candidates("V-BAKKER-NL", k=5)] == before
    # What the consultant taught came back with the rest: the same title gets the confirmed occupation first.
    assert restored.linker.learned is not None
    [learned] = restored.linker.learned.search()
    assert learned.uri == PASTRY_MAKER and learned.record_id == "V-BAKKER-NL"
    assert restored.linker.link("BAKKER - Brussel", "occupation", k=1)[0].learned_link == learned.id
    # New rows get new ids after a restore (PostgreSQL's sequences moved past the restored ones).
    tokens = TokenStore(target)
    assert tokens.add_user("consultant-c", Role.consultant).id > tokens.user_by_name("consultant-b").id  # type: ignore[union-attr]
    AuditLog(target).record(
        Principal(subject="user:2", name="c", role=Role.consultant), AuditAction.candidate_search, "V", []
    )
    target.dispose()


def test_a_sqlite_backup_restores_into_postgresql(fresh_runtime: Runtime, tmp_path: Path) -> None:
    if fresh_runtime.db.dialect.name != "sqlite":
        pytest.skip("from the embedded default to the production database")
    _filled(fresh_runtime)
    create_backup(fresh_runtime.db, tmp_path / "backup")
    target = make_engine(PgDatabases(pg_url()).create())
    done = restore_backup(target, tmp_path / "backup")
    assert done["tables"]["jobseeker"] == 3 and done["indexes"] == "not asked for"
    restored = Runtime.open(fresh_runtime.settings, db=target, index_dir=tmp_path / "pg-indexes")
    assert {m.id for m in restored.engine.candidates("V-BAKKER-NL", k=5)} == {
        m.id for m in fresh_runtime.engine.candidates("V-BAKKER-NL", k=5)
    }
    target.dispose()


def _rewrite(path: Path, change: Any) -> None:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(row) + "\n" for row in change(rows))


def test_a_damaged_backup_or_a_database_in_use_is_refused_before_anything_is_written(
    fresh_runtime: Runtime, tmp_path: Path
) -> None:
    _filled(fresh_runtime)
    create_backup(fresh_runtime.db, tmp_path / "backup")
    with pytest.raises(BackupError, match="is not empty"):
        create_backup(fresh_runtime.db, tmp_path / "backup")
    with pytest.raises(BackupError, match="already holds rows in jobseeker"):
        restore_backup(fresh_runtime.db, tmp_path / "backup")  # the service's own, in use

    target = _another_database(fresh_runtime.db, tmp_path)
    _rewrite(tmp_path / "backup" / "tables" / "jobseeker.jsonl.gz", lambda rows: rows[:-1])  # one dossier lost
    with pytest.raises(BackupError, match="jobseeker.jsonl.gz does not match its checksum"):
        restore_backup(target, tmp_path / "backup")
    assert _rows(target).get("jobseeker", []) == []  # nothing was written
    (tmp_path / "backup" / "manifest.json").unlink()
    with pytest.raises(BackupError, match="not a \\(complete\\) backup"):
        restore_backup(target, tmp_path / "backup")
    target.dispose()


def test_backup_and_restore_from_the_command_line(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from skillmatch.cli import app as cli
    from skillmatch.schema import create_tables
    from skillmatch.settings import get_settings

    create_tables(engine)
    TokenStore(engine).add_user("admin-a", Role.admin)
    runner = CliRunner()
    monkeypatch.setenv("SKILLMATCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SKILLMATCH_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    try:
        made = runner.invoke(cli, ["backup", "create", str(tmp_path / "b")])
        assert made.exit_code == 0, made.output
        assert "Backed up" in made.stdout and "indexes no saved indexes" in made.stdout
        again = runner.invoke(cli, ["backup", "restore", str(tmp_path / "b")])  # the same database: refused
        assert again.exit_code == 1 and "already holds rows in api_user" in again.output
        target = _another_database(engine, tmp_path)
        monkeypatch.setenv("SKILLMATCH_DATABASE_URL", target.url.render_as_string(hide_password=False))
        get_settings.cache_clear()
        done = runner.invoke(cli, ["backup", "restore", str(tmp_path / "b")])
        assert done.exit_code == 0, done.output
        assert TokenStore(target).user_by_name("admin-a") is not None
        target.dispose()
    finally:
        get_settings.cache_clear()
