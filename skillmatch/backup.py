"""Backup and restore: every table of the database as one consistent snapshot, and the saved indexes beside it.

A backup is a folder:

- ``manifest.json``: format, creation time, the database dialect and migration revision, and per table its file,
  row count and SHA-256 (written last: a folder without it is not a backup);
- ``tables/<table>.jsonl.gz``: the rows, one JSON object per line, in primary-key order (bytes as base64,
  dates and times in ISO 8601), the same on SQLite and PostgreSQL, so a backup of one restores into the other;
- ``indexes/``: a copy of the saved profile indexes, checked against their own manifest (omitted when the copy
  does not match it, e.g. a save replaced them meanwhile: start-up then rebuilds them from the database).

The tables are read in one transaction (a snapshot on PostgreSQL's repeatable read, and in SQLite's write-ahead
log), so a backup taken while the service writes is still consistent. Restore checks every checksum before
touching anything, needs an empty database (no dossier, vacancy, user or profile) at the same migration
revision, writes every table in one transaction, moves PostgreSQL's id sequences past the restored ids, and
puts the indexes back (named as built from the restored database); the next start checks them against the
database as always.
"""

from __future__ import annotations

import base64
import gzip
import json
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Date, DateTime, Integer, LargeBinary, Table, TypeDecorator, delete, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from matching.ranking import MANIFEST as INDEX_MANIFEST
from matching.ranking import file_sha256
from skillmatch.schema import create_tables, current_revision, head, register_tables

FORMAT = 1
MANIFEST = "manifest.json"
_BATCH = 2_000
_MUST_BE_EMPTY = ("jobseeker", "vacancy", "api_user", "profile")
"""A restore refuses a database holding rows in these tables (it would mix two services' data)."""


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why."""


def _tables(conn: Connection) -> list[Table]:
    """Every table of the metadata that exists in the database, parents before children."""
    register_tables()
    present = set(inspect(conn).get_table_names())
    return [t for t in SQLModel.metadata.sorted_tables if t.name in present]


def _encoder(table: Table) -> list[tuple[str, str]]:
    """(column, kind) of a table's columns: ``bytes``, ``datetime``, ``date`` or ``plain``."""
    out = []
    for column in table.columns:
        kind = "plain"
        sql_type = column.type.impl if isinstance(column.type, TypeDecorator) else column.type  # UTCDateTime
        if isinstance(sql_type, LargeBinary):
            kind = "bytes"
        elif isinstance(sql_type, DateTime):
            kind = "datetime"
        elif isinstance(sql_type, Date):
            kind = "date"
        out.append((column.name, kind))
    return out


def _dump(value: Any, kind: str) -> Any:
    if value is None or kind == "plain":
        return value
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    return value.isoformat()


def _load(value: Any, kind: str) -> Any:
    if value is None or kind == "plain":
        return value
    if kind == "bytes":
        return base64.b64decode(value)
    if kind == "datetime":
        return datetime.fromisoformat(value)
    return date.fromisoformat(value)


def _copy_indexes(source: Path, target: Path) -> str:
    """Copy saved indexes and check the copy against their manifest; what happened, in words."""
    if not (source / INDEX_MANIFEST).exists():
        return "no saved indexes"
    for _ in range(2):  # a save may replace the folder while it is copied: try once more
        shutil.rmtree(target, ignore_errors=True)
        try:
            shutil.copytree(source, target)
            files = json.loads((target / INDEX_MANIFEST).read_text()).get("files", {})
            if all((target / name).exists() and file_sha256(target / name) == digest for name, digest in files.items()):
                return "copied"
        except (OSError, ValueError):
            pass
    shutil.rmtree(target, ignore_errors=True)
    return "left out (they changed while being copied; start-up rebuilds them from the database)"


def create_backup(db: Engine, target: Path, *, index_dir: Path | None = None) -> dict[str, Any]:
    """Write a backup of a database (and its saved indexes) into a new folder.

    Args:
        db: the database.
        target: the backup folder (must not exist, or be empty).
        index_dir: the saved profile indexes to copy (None: none).

    Returns:
        The backup's manifest.

    Raises:
        BackupError: the folder is not empty.
    """
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty: a backup goes into a new folder")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    (partial / "tables").mkdir(parents=True)
    tables: dict[str, Any] = {}
    with db.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            if conn.dialect.name == "sqlite":
                # The driver opens no transaction for reads: without this each table would be read at its own
                # moment. In write-ahead-log mode the first read below fixes the snapshot for all of them.
                conn.exec_driver_sql("BEGIN")
            revision = MigrationContext.configure(conn).get_current_revision()
            for table in _tables(conn):
                tables[table.name] = _write_table(conn, table, partial / "tables")
            dialect = conn.dialect.name
    indexes = _copy_indexes(index_dir, partial / "indexes") if index_dir is not None else "not asked for"
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "dialect": dialect,
        "revision": revision,
        "tables": tables,
        "indexes": indexes,
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2))
    if target.exists():
        target.rmdir()
    partial.rename(target)
    return manifest


def _write_table(conn: Connection, table: Table, folder: Path) -> dict[str, Any]:
    columns = _encoder(table)
    order = list(table.primary_key.columns) or list(table.columns)
    path = folder / f"{table.name}.jsonl.gz"
    rows = 0
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for row in conn.execute(select(table).order_by(*order)).yield_per(_BATCH):
            record = {name: _dump(value, kind) for (name, kind), value in zip(columns, row, strict=True)}
            fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            rows += 1
    return {"file": f"tables/{path.name}", "rows": rows, "sha256": file_sha256(path)}


def _read_rows(path: Path, table: Table) -> Iterator[list[dict[str, Any]]]:
    kinds = dict(_encoder(table))
    batch: list[dict[str, Any]] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            stored = json.loads(line)
            unknown = set(stored) - set(kinds)
            if unknown:
                raise BackupError(f"{table.name}: columns {sorted(unknown)} are not in this version's table")
            batch.append({name: _load(value, kinds[name]) for name, value in stored.items()})
            if len(batch) >= _BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def read_manifest(source: Path) -> dict[str, Any]:
    """A backup's manifest, with every table file checked against its checksum.

    Raises:
        BackupError: not a backup, another format, or a file missing or changed.
    """
    path = source / MANIFEST
    if not path.exists():
        raise BackupError(f"{source} holds no {MANIFEST}: not a (complete) backup")
    manifest: dict[str, Any] = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    for name, entry in manifest["tables"].items():
        file = source / entry["file"]
        if not file.exists():
            raise BackupError(f"{entry['file']} is missing")
        if file_sha256(file) != entry["sha256"]:
            raise BackupError(f"{entry['file']} does not match its checksum: the backup of table {name} changed")
    return manifest


def restore_backup(db: Engine, source: Path, *, index_dir: Path | None = None) -> dict[str, Any]:
    """Restore a backup into an empty database (and its indexes into ``index_dir``).

    Args:
        db: the database to restore into (SQLite or PostgreSQL, whichever the backup came from).
        source: the backup folder.
        index_dir: where the saved indexes go (None: not restored; start-up rebuilds them).

    Returns:
        Rows restored per table, and what happened to the indexes.

    Raises:
        BackupError: the backup is damaged, from another migration revision, or the database is not empty.
    """
    manifest = read_manifest(source)
    if manifest["revision"] != head():
        raise BackupError(
            f"the backup is at migration revision {manifest['revision']}, this version at {head()}: restore it "
            "with the version that made it, then start this one (it migrates the database)"
        )
    create_tables(db)
    if current_revision(db) != manifest["revision"]:
        raise BackupError(f"the database is at revision {current_revision(db)}, the backup at {manifest['revision']}")
    restored: dict[str, int] = {}
    with db.begin() as conn:
        present = {t.name: t for t in _tables(conn)}
        for name in _MUST_BE_EMPTY:
            if name in present and conn.execute(select(func.count()).select_from(present[name])).scalar_one():
                raise BackupError(f"the database already holds rows in {name}: restore into an empty database")
        missing = sorted(set(manifest["tables"]) - set(present))
        if missing:
            raise BackupError(f"tables {missing} of the backup are not in this database")
        for table in reversed(list(present.values())):  # rows a new database starts with (generations...)
            conn.execute(delete(table))
        for table in present.values():
            entry = manifest["tables"].get(table.name)
            if entry is None:
                continue
            count = 0
            for batch in _read_rows(source / entry["file"], table):
                conn.execute(table.insert(), batch)
                count += len(batch)
            if count != entry["rows"]:
                raise BackupError(f"{table.name}: {count} rows read, the manifest says {entry['rows']}")
            restored[table.name] = count
            if conn.dialect.name == "postgresql":
                _advance_sequences(conn, table)
    indexes = "not asked for"
    if index_dir is not None:
        if (source / "indexes" / INDEX_MANIFEST).exists():
            shutil.rmtree(index_dir, ignore_errors=True)
            shutil.copytree(source / "indexes", index_dir)
            # Saved indexes name the database they were built from (start-up rebuilds those of another); these
            # were built from the rows just restored, so they now name this one. Start-up still checks their
            # generations and counts against the database, and catches up or rebuilds as after any restart.
            saved = json.loads((index_dir / INDEX_MANIFEST).read_text())
            saved["source"] = db.url.render_as_string(hide_password=True)
            (index_dir / INDEX_MANIFEST).write_text(json.dumps(saved, indent=2))
            indexes = "restored"
        else:
            indexes = "none in the backup (start-up rebuilds them from the database)"
    return {"tables": restored, "rows": sum(restored.values()), "indexes": indexes}


def _advance_sequences(conn: Connection, table: Table) -> None:
    """Move PostgreSQL's sequence of an integer id past the restored ids (the next insert gets a new one)."""
    for column in table.primary_key.columns:
        if not isinstance(column.type, Integer) or column.autoincrement is False:
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": f'"{table.name}"', "c": column.name}
        ).scalar_one()
        if sequence is None:
            continue
        top = conn.execute(select(func.max(column))).scalar_one()
        if top is not None:
            conn.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": int(top)})


__all__ = ["BackupError", "create_backup", "read_manifest", "restore_backup"]
