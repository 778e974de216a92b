"""The access-restricted audit table (gender, age band, nationality group per jobseeker) and the audit runs.

The attributes come in only through the audit import (an admin's CSV: ``id`` plus the audit columns) and are
read only by the exposure audit (``matching.fairness.exposure_run``); nothing that ranks imports this module.
The table may live in a database of its own (its engine is passed in), so that a deployment can give only the
audit role access to it. Erasing a dossier keeps its audit row as an id alone: the values are cleared and a later import
never fills them again.

Each audit run (on demand, or after a nightly rematch) is kept with its report, for admins to read.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Column, select, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from matching.upsert import on_conflict_update

GROUP_ATTRIBUTES = ("gender", "age_band", "nationality_group")
"""The attributes the audit table holds, and nothing else."""
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")
_VALUE = re.compile(r"^[\w<>+ .-]{1,32}$")


class GroupAttributeRow(SQLModel, table=True):
    """One jobseeker's audit attributes (restricted: read by the exposure audit only)."""

    __tablename__ = "audit_attribute"

    jobseeker_id: str = Field(primary_key=True, max_length=64)
    gender: str | None = Field(default=None, max_length=32)
    age_band: str | None = Field(default=None, max_length=32)
    nationality_group: str | None = Field(default=None, max_length=32)
    imported_at: datetime
    erased_at: datetime | None = None
    """Set when the dossier was erased: the values are gone, the id stays so that no import restores them."""


class ExposureRunRow(SQLModel, table=True):
    """One exposure audit: when, on what, how many alerts, and the whole report."""

    __tablename__ = "exposure_audit_run"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(index=True)
    source: str = Field(max_length=32, description="on-demand, rematch, ...")
    lists: int = 0
    alerts: int = 0
    report: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


EXPOSURE_TABLES = [GroupAttributeRow.__table__, ExposureRunRow.__table__]  # type: ignore[attr-defined]


def create_tables(engine: Engine) -> None:
    """Create the audit tables that do not exist yet (in the database that holds them)."""
    SQLModel.metadata.create_all(engine, tables=EXPOSURE_TABLES)


class InvalidAttributeFile(Exception):
    """An audit import that cannot be read: a column that is not an audit attribute, or no id column."""


@dataclass
class AttributeImportSummary:
    """What an audit import did."""

    imported: int = 0
    updated: int = 0
    skipped_erased: int = 0
    """Rows of erased dossiers: never filled again."""
    rejected: list[dict[str, Any]] = field(default_factory=list)
    """Rows that were not imported: line, id and reason."""

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON output."""
        return {
            "imported": self.imported,
            "updated": self.updated,
            "skipped_erased": self.skipped_erased,
            "rejected": len(self.rejected),
            "reasons": self.rejected[:20],
        }


def read_attribute_csv(path: Path) -> Iterator[dict[str, str]]:
    """Rows of an audit CSV file (``id`` and some of the audit columns).

    Raises:
        InvalidAttributeFile: there is no ``id`` column, or a column that is not an audit attribute.
    """
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        check_columns(reader.fieldnames or [])
        for row in reader:
            yield {k: (v or "").strip() for k, v in row.items() if k is not None}


def check_columns(columns: Sequence[str]) -> None:
    """Refuse columns other than ``id`` and the audit attributes (no name, no contact, nothing else).

    Raises:
        InvalidAttributeFile: with the reason.
    """
    if "id" not in columns:
        raise InvalidAttributeFile("the audit file needs an 'id' column (the jobseeker's id)")
    extra = [c for c in columns if c != "id" and c not in GROUP_ATTRIBUTES]
    if extra:
        raise InvalidAttributeFile(
            f"columns {', '.join(map(repr, extra))} are not audit attributes; only "
            f"{', '.join(GROUP_ATTRIBUTES)} may be imported"
        )


class ExposureStore:
    """The audit attributes and the audit runs, in the database that holds them."""

    def __init__(self, engine: Engine) -> None:
        """Args:
        engine: the audit database (the service's own database, or one the audit role alone may read).
        """
        self.engine = engine

    @staticmethod
    def _table() -> Any:
        return GroupAttributeRow.__table__  # type: ignore[attr-defined]

    def import_rows(self, rows: Iterable[Mapping[str, str]]) -> AttributeImportSummary:
        """Insert or update audit attributes, row by row (a bad row is reported, never stops the import).

        Args:
            rows: mappings with ``id`` and audit attribute columns (empty value: unknown).

        Returns:
            Counts of imported, updated, skipped (erased) and rejected rows.

        Raises:
            InvalidAttributeFile: a row carries a column that is not an audit attribute.
        """
        summary = AttributeImportSummary()
        table = self._table()
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            known = {str(r[0]): r[1] is not None for r in conn.execute(select(table.c.jobseeker_id, table.c.erased_at))}
            batch: dict[str, dict[str, Any]] = {}
            for line, row in enumerate(rows, start=2):
                check_columns(list(row))
                person = (row.get("id") or "").strip()
                values = {a: (row.get(a) or "").strip() or None for a in GROUP_ATTRIBUTES}
                bad = [a for a, v in values.items() if v is not None and not _VALUE.match(v)]
                if not _ID.match(person) or bad:
                    reason = "invalid id" if not _ID.match(person) else f"invalid value of {', '.join(bad)}"
                    summary.rejected.append({"line": line, "id": person[:64], "reason": reason})
                    continue
                if known.get(person):
                    summary.skipped_erased += 1
                    continue
                if person in known or person in batch:
                    summary.updated += 1
                else:
                    summary.imported += 1
                batch[person] = {"jobseeker_id": person, **values, "imported_at": now, "erased_at": None}
            if batch:
                stmt = on_conflict_update(conn, table, ["jobseeker_id"], (*GROUP_ATTRIBUTES, "imported_at"))
                conn.execute(stmt, list(batch.values()))
        return summary

    def attributes(self) -> dict[str, dict[str, str]]:
        """jobseeker id -> attribute -> group, for every jobseeker with an audit row (erased ones left out)."""
        table = self._table()
        query = select(table).where(table.c.erased_at.is_(None))
        with self.engine.connect() as conn:
            return {
                row.jobseeker_id: {a: getattr(row, a) for a in GROUP_ATTRIBUTES if getattr(row, a) is not None}
                for row in conn.execute(query)
            }

    def of(self, jobseeker_id: str) -> dict[str, Any] | None:
        """One jobseeker's audit row (for the export of their own data), or None."""
        table = self._table()
        with self.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.jobseeker_id == jobseeker_id)).first()
        if row is None:
            return None
        data = dict(row._mapping)
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items()}

    def erase(self, ids: Sequence[str], *, conn: Connection | None = None) -> int:
        """Keep the audit rows of erased dossiers as ids only (values cleared, the erasure dated).

        Returns:
            Rows cleared.
        """
        if conn is None:
            with self.engine.begin() as own:
                return self.erase(ids, conn=own)
        table = self._table()
        result = conn.execute(
            update(table)
            .where(table.c.jobseeker_id.in_(list(ids)), table.c.erased_at.is_(None))
            .values(**dict.fromkeys(GROUP_ATTRIBUTES), erased_at=datetime.now(UTC))
        )
        return int(result.rowcount or 0)

    def count(self) -> int:
        """Jobseekers with audit attributes (erased ones not counted)."""
        return len(self.attributes())

    # -- runs ---------------------------------------------------------------------------------------------

    def save_run(self, source: str, lists: int, alerts: int, report: dict[str, Any]) -> int:
        """Keep an audit run; its id."""
        table = ExposureRunRow.__table__  # type: ignore[attr-defined]
        row = {"created_at": datetime.now(UTC), "source": source[:32], "lists": lists, "alerts": alerts}
        with self.engine.begin() as conn:
            key = conn.execute(table.insert().values(**row, report=report)).inserted_primary_key
            return int(key[0]) if key else 0

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest audit runs, newest first (without their reports)."""
        table = ExposureRunRow.__table__  # type: ignore[attr-defined]
        query = (
            select(table.c.id, table.c.created_at, table.c.source, table.c.lists, table.c.alerts)
            .order_by(table.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [{**dict(r._mapping), "created_at": r.created_at.isoformat()} for r in conn.execute(query)]

    def run(self, run_id: int | None = None) -> dict[str, Any] | None:
        """One audit run with its report (the latest when no id is given), or None."""
        table = ExposureRunRow.__table__  # type: ignore[attr-defined]
        query = select(table).order_by(table.c.id.desc()).limit(1)
        if run_id is not None:
            query = select(table).where(table.c.id == run_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return {**dict(row._mapping), "created_at": row.created_at.isoformat()}


__all__ = [
    "GROUP_ATTRIBUTES",
    "GroupAttributeRow",
    "AttributeImportSummary",
    "ExposureRunRow",
    "ExposureStore",
    "InvalidAttributeFile",
    "check_columns",
    "create_tables",
    "read_attribute_csv",
]
