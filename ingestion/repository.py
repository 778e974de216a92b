"""Stored records and the quarantine: reading content hashes, writing accepted and rejected records.

Writes take an open connection, so that a record, its profile and its quarantine bookkeeping share one
transaction (see ``matching.ranking.writer``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection, Engine

from ingestion.minimise import minimise_line
from ingestion.models import JobseekerRecord, QuarantineRecord, RecordKind, VacancyRecord
from ingestion.readers import RawRecord
from ingestion.schemas import JobseekerIn
from ingestion.screen import screen_text
from ingestion.text_clean import printable
from ingestion.validation import AnyRecord, FieldError
from matching.upsert import on_conflict_ignore, on_conflict_update


def content_hash(record: AnyRecord) -> str:
    """A hash of a validated record's content: the same record always hashes the same."""
    data = record.model_dump(mode="json")
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _records_table(kind: RecordKind) -> Any:
    return (JobseekerRecord if kind is RecordKind.jobseeker else VacancyRecord).__table__  # type: ignore[union-attr]


def _quarantine_table() -> Any:
    return QuarantineRecord.__table__  # type: ignore[attr-defined]


class RecordRepository:
    """Accepted records (jobseekers, vacancies) and the quarantine of rejected ones, in one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def existing_hashes(
        self, kind: RecordKind, ids: Sequence[str], *, conn: Connection | None = None
    ) -> dict[str, str]:
        """Content hashes of the stored records among some ids."""
        if not ids:
            return {}
        table = _records_table(kind)
        query = select(table.c.id, table.c.content_hash).where(table.c.id.in_(list(ids)))
        if conn is not None:
            return {str(r[0]): str(r[1]) for r in conn.execute(query)}
        with self.engine.connect() as own:
            return {str(r[0]): str(r[1]) for r in own.execute(query)}

    def stored(self, kind: RecordKind) -> Iterator[tuple[str, dict[str, Any]]]:
        """(id, data as stored) of every record of a kind, by id."""
        table = _records_table(kind)
        with self.engine.connect() as conn:
            for record_id, data in conn.execute(select(table.c.id, table.c.data).order_by(table.c.id)):
                yield str(record_id), dict(data)

    @staticmethod
    def screen_flags(record: AnyRecord) -> list[dict[str, Any]] | None:
        """The discrimination screen's flags of a vacancy as stored (None for a jobseeker).

        Run before the write's transaction (``upsert_record`` takes them), so that screening is not part of the
        short, ordered commit.
        """
        if isinstance(record, JobseekerIn):
            return None
        text = f"{record.title}\n{record.description or ''}"
        return [
            {
                "category": f.category.value,
                "start": f.start,
                "end": f.end,
                "text": f.text,
                "rule": f.rule,
                "explanation": f.explanation,
            }
            for f in screen_text(text, record.language.value if record.language else None)
        ]

    def upsert_record(
        self,
        conn: Connection,
        record: AnyRecord,
        digest: str,
        links: list[dict[str, Any]],
        source: str,
        now: datetime,
        flags: list[dict[str, Any]] | None = None,
    ) -> None:
        """Insert or replace an accepted record with its links (and, for a vacancy, its screen flags).

        Args:
            conn: the write's connection.
            record: the record.
            digest: its content hash.
            links: its ESCO links.
            source: where it comes from.
            now: the time of the write.
            flags: a vacancy's flags from ``screen_flags`` (default: screened here).
        """
        row: dict[str, Any] = {
            "id": record.id,
            "content_hash": digest,
            "data": record.model_dump(mode="json"),
            "links": links,
            "source": source[:500],
            "created_at": now,
            "updated_at": now,
        }
        if isinstance(record, JobseekerIn):
            table = _records_table(RecordKind.jobseeker)
            row |= {"preferred_language": record.preferred_language.value, "active": record.active}
        else:
            table = _records_table(RecordKind.vacancy)
            row |= {
                "language": record.language.value if record.language else "",
                "status": record.status.value,
                "employer_id": record.employer_id,
                "flags": flags if flags is not None else self.screen_flags(record),
            }
        conn.execute(on_conflict_update(conn, table, ["id"], [k for k in row if k not in ("id", "created_at")]), [row])

    @staticmethod
    def delete_record(conn: Connection, kind: RecordKind, record_id: str) -> bool:
        """Delete a stored record (its links and flags with it); whether there was one."""
        table = _records_table(kind)
        return bool(conn.execute(delete(table).where(table.c.id == record_id)).rowcount)

    def quarantine(
        self,
        conn: Connection,
        kind: RecordKind,
        raw: RawRecord,
        errors: list[FieldError],
        record_id: str | None,
        source: str,
        now: datetime,
    ) -> bool:
        """Put a rejected record in the quarantine with its reasons; False if the same text is already there.

        A jobseeker's line is kept minimised as an accepted dossier is (``ingestion.minimise``: no protected
        attribute, no sentence stating one); the hash that recognises a line sent again is of the line as it came.
        """
        raw_hash = hashlib.sha256(raw.raw.encode("utf-8", errors="replace")).hexdigest()
        kept = minimise_line(raw.raw, raw.data) if kind is RecordKind.jobseeker else raw.raw
        # Storable: NUL and other control characters (which PostgreSQL refuses in text) become visible \uXXXX
        # escapes.
        row = {
            "kind": kind.value,
            "source": printable(source[:500]),
            "line": raw.line,
            "record_id": printable(record_id[:200]) if record_id else None,
            "field": printable(errors[0].field[:500]),
            "reason": printable(errors[0].reason),
            "errors": [_stored_error(e) for e in errors],
            "raw": printable(kept),
            "raw_hash": raw_hash,
            "created_at": now,
        }
        table = _quarantine_table()
        stmt = on_conflict_ignore(conn, table, ["kind", "raw_hash"])
        # What the insert returns says whether it stored the row: row counts of ON CONFLICT DO NOTHING differ
        # between drivers (psycopg gives none that can be trusted here).
        return conn.execute(stmt.returning(table.c.raw_hash), row).first() is not None

    @staticmethod
    def resolve_quarantine(conn: Connection, kind: RecordKind, ids: Sequence[str], now: datetime) -> None:
        """Mark quarantined versions of accepted ids as resolved."""
        if not ids:
            return
        table = _quarantine_table()
        conn.execute(
            update(table)
            .where(table.c.kind == kind.value, table.c.record_id.in_(list(ids)), table.c.resolved_at.is_(None))
            .values(resolved_at=now)
        )


def _stored_error(error: FieldError) -> dict[str, Any]:
    """A quarantined record's error as stored: field and reason, and its kind and values when known (the pages
    word the reason in the reader's language from them)."""
    stored: dict[str, Any] = {"field": printable(error.field), "reason": printable(error.reason)}
    if error.code:
        stored["code"] = error.code
        stored["params"] = {name: printable(value) for name, value in error.params}
    return stored


__all__ = ["RecordRepository", "content_hash"]
