"""Ingestion: validate record by record, quarantine the bad ones with reasons, store and profile the rest.

A bad record never stops a batch. Re-ingesting the same input is idempotent: accepted records are upserted by
id with a content hash (same hash: unchanged), and a rejected record is quarantined once (by the hash of its
original text). Nothing accepted is ever lost: records and profiles are written in one transaction per chunk.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from itertools import islice
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from tqdm import tqdm

from esco_data import ConceptKind, Taxonomy
from ingestion.adapters import RecordFormat, adapter
from ingestion.models import JobseekerRecord, QuarantineRecord, VacancyRecord, create_tables
from ingestion.profile_builder import ProfileBuilder
from ingestion.readers import RawRecord
from ingestion.schemas import JobseekerIn, VacancyIn
from ingestion.screen import screen_text
from matching.profiles import Profile
from matching.runtime import MatchingRuntime
from matching.store import ProfileStore
from matching.store import create_tables as create_profile_tables

CHUNK = 256


class RecordKind(StrEnum):
    """What a batch holds."""

    jobseeker = "jobseeker"
    vacancy = "vacancy"


_PLURAL = {RecordKind.jobseeker: "jobseekers", RecordKind.vacancy: "vacancies"}


@dataclass(frozen=True)
class FieldError:
    """One problem of a record: the field path (``skills[3].uri``) and a reason a person understands."""

    field: str
    reason: str


class InvalidRecord(Exception):
    """A record that cannot be accepted, with every problem found."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in self.errors))


@dataclass
class IngestSummary:
    """What a batch did."""

    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    already_quarantined: int = 0
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        """Records read."""
        return self.accepted + self.updated + self.unchanged + self.quarantined + self.already_quarantined

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON output."""
        return {
            "accepted": self.accepted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "already_quarantined": self.already_quarantined,
            "warnings": self.warnings,
            "seconds": round(self.seconds, 2),
        }


@dataclass
class IngestResult:
    """What happened to one API payload."""

    status: str
    """``accepted``, ``updated`` or ``unchanged``."""
    record_id: str
    warnings: list[str]


def field_path(loc: Sequence[int | str]) -> str:
    """A pydantic error location as a field path: ``("skills", 3, "uri")`` -> ``skills[3].uri``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(record)"


def validation_errors(exc: ValidationError) -> list[FieldError]:
    """Field errors of a pydantic validation error, with messages a person understands."""
    errors = []
    for err in exc.errors(include_url=False):
        loc = [p for p in err["loc"] if not (isinstance(p, str) and p.startswith(("function-", "literal[")))]
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "missing":
            message = "this field is required"
        elif err["type"] == "string_pattern_mismatch":
            message = f"{message} (found {str(err.get('input'))[:80]!r})"
        errors.append(FieldError(field_path(loc), message))
    return errors


def _hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def _chunks(items: Iterable[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


@dataclass
class _Prepared:
    """A validated segment of a batch, waiting to be built and stored."""

    raws: list[RawRecord]
    valid: dict[str, tuple[JobseekerIn | VacancyIn, str]] = field(default_factory=dict)
    """id -> (record, content hash); a later line with the same id wins."""
    rejected: list[tuple[RawRecord, list[FieldError], str | None]] = field(default_factory=list)


def _without_repeated_ids(chunk: list[RawRecord]) -> Iterator[list[RawRecord]]:
    """Cut a chunk where an id repeats, so that each version of a record is counted and applied in order."""
    segment: list[RawRecord] = []
    seen: set[str] = set()
    for raw in chunk:
        record_id = raw.data.get("id") if raw.data is not None else None
        if isinstance(record_id, str) and record_id in seen:
            yield segment
            segment, seen = [], set()
        if isinstance(record_id, str):
            seen.add(record_id)
        segment.append(raw)
    if segment:
        yield segment


class IngestionService:
    """Validates, stores and profiles jobseekers and vacancies."""

    def __init__(
        self,
        engine: Engine,
        taxonomy: Taxonomy,
        builder: ProfileBuilder,
        *,
        on_profiles: Callable[[list[Profile]], None] | None = None,
    ) -> None:
        """Args:
        engine: the database.
        taxonomy: ESCO, to check URIs.
        builder: turns records into profiles.
        on_profiles: called with the profiles of each stored chunk (e.g. to update the indexes).
        """
        self.engine = engine
        self.taxonomy = taxonomy
        self.builder = builder
        self.profiles = ProfileStore(engine)
        self.on_profiles = on_profiles
        create_tables(engine)
        create_profile_tables(engine)

    @classmethod
    def for_runtime(cls, runtime: MatchingRuntime) -> IngestionService:
        """An ingestion service whose accepted profiles go straight into the runtime's indexes."""
        return cls(
            runtime.db,
            runtime.taxonomy,
            ProfileBuilder(runtime.taxonomy, runtime.linker),
            on_profiles=runtime.engine.upsert,
        )

    # -- validation ---------------------------------------------------------------------------------------

    def validate(self, kind: RecordKind, data: dict[str, Any]) -> tuple[JobseekerIn | VacancyIn, list[str]]:
        """Validate one record against its schema and the loaded ESCO taxonomy.

        Args:
            kind: jobseeker or vacancy.
            data: the record in the native layout.

        Returns:
            The validated record (protected attributes dropped) and warnings.

        Raises:
            InvalidRecord: with every field error found.
        """
        schema = JobseekerIn if kind is RecordKind.jobseeker else VacancyIn
        try:
            record = schema.model_validate(data)
        except ValidationError as exc:
            raise InvalidRecord(validation_errors(exc)) from None
        errors = self._unknown_uris(record)
        if errors:
            raise InvalidRecord(errors)
        warnings = [
            f"{record.id}: dropped protected attribute {name!r} (never used for matching)"
            for name in record.dropped_protected
        ]
        return record, warnings

    def _unknown_uris(self, record: JobseekerIn | VacancyIn) -> list[FieldError]:
        tx = self.taxonomy
        errors = []

        def check(path: str, uri: str | None, kinds: tuple[ConceptKind, ...], what: str) -> None:
            if uri is not None and (uri not in tx or tx.concept(uri).kind not in kinds):
                errors.append(FieldError(path, f"unknown ESCO {what}: {uri}"))

        occupation = (ConceptKind.occupation,)
        if isinstance(record, JobseekerIn):
            for i, s in enumerate(record.skills):
                check(f"skills[{i}].uri", s.uri, (ConceptKind.skill,), "skill")
            for i, e in enumerate(record.experiences):
                check(f"experiences[{i}].occupation_uri", e.occupation_uri, occupation, "occupation")
            for i, d in enumerate(record.desired_occupations):
                check(f"desired_occupations[{i}].occupation_uri", d.occupation_uri, occupation, "occupation")
        else:
            for name in ("required_skills", "nice_to_have_skills"):
                for i, s in enumerate(getattr(record, name)):
                    check(f"{name}[{i}].uri", s.uri, (ConceptKind.skill,), "skill")
            check("occupation_uri", record.occupation_uri, occupation, "occupation")
        return errors

    # -- batches ------------------------------------------------------------------------------------------

    def ingest(
        self,
        kind: RecordKind,
        records: Iterable[RawRecord],
        *,
        source: str = "",
        fmt: RecordFormat = RecordFormat.native,
        progress: bool = False,
        total: int | None = None,
    ) -> IngestSummary:
        """Ingest a batch: every good record goes in, every bad one to the quarantine with its reasons.

        Args:
            kind: jobseeker or vacancy.
            records: raw records from a reader.
            source: where they come from (a file name), kept with quarantined records.
            fmt: the layout of the records.
            progress: show a progress bar on standard error.
            total: number of records, for the progress bar.

        Returns:
            Counts of accepted, updated, unchanged and quarantined records, and warnings.
        """
        started = time.perf_counter()
        summary = IngestSummary()
        to_native = adapter(kind.value, fmt)
        with tqdm(total=total, desc=f"ingesting {_PLURAL[kind]}", unit="record", disable=not progress) as bar:
            for chunk in _chunks(records, CHUNK):
                for segment in _without_repeated_ids(chunk):
                    self._finish(kind, self._prepare(kind, segment, to_native, summary), source, summary)
                bar.update(len(chunk))
        summary.seconds = time.perf_counter() - started
        return summary

    def _prepare(
        self,
        kind: RecordKind,
        raws: list[RawRecord],
        to_native: Callable[[dict[str, Any]], dict[str, Any]],
        summary: IngestSummary,
    ) -> _Prepared:
        """Validate a segment of a batch."""
        prepared = _Prepared(raws)
        for raw in raws:
            if raw.data is None:
                prepared.rejected.append((raw, [FieldError("(record)", raw.error or "unreadable record")], None))
                continue
            try:
                record, warnings = self.validate(kind, to_native(raw.data))
            except InvalidRecord as exc:
                record_id = raw.data.get("id") if isinstance(raw.data.get("id"), str) else None
                prepared.rejected.append((raw, exc.errors, record_id))
                continue
            summary.warnings.extend(warnings)
            prepared.valid[record.id] = (record, _hash(record.model_dump(mode="json")))
        return prepared

    def _finish(self, kind: RecordKind, prepared: _Prepared, source: str, summary: IngestSummary) -> None:
        """Build, store and index a validated segment: new or changed records only."""
        valid, rejected = prepared.valid, prepared.rejected
        existing = self._existing_hashes(kind, list(valid))
        changed = {rid: v for rid, v in valid.items() if existing.get(rid) != v[1]}
        summary.unchanged += len(valid) - len(changed)
        built = self.builder.build([v[0] for v in changed.values()]) if changed else []
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            for (rid, (record, content_hash)), result in zip(changed.items(), built, strict=True):
                self._upsert_record(conn, kind, record, content_hash, result.links, source, now)
                if rid in existing:
                    summary.updated += 1
                else:
                    summary.accepted += 1
            self.profiles.upsert([b.profile for b in built], conn=conn)
            self._resolve_quarantine(conn, kind, list(valid), now)
            for raw, errors, record_id in rejected:
                if self._quarantine(conn, kind, raw, errors, record_id, source, now):
                    summary.quarantined += 1
                else:
                    summary.already_quarantined += 1
        if built and self.on_profiles is not None:
            self.on_profiles([b.profile for b in built])

    @staticmethod
    def _resolve_quarantine(conn: Connection, kind: RecordKind, ids: list[str], now: datetime) -> None:
        """Mark quarantined versions of accepted ids as resolved."""
        if not ids:
            return
        table = QuarantineRecord.__table__  # type: ignore[attr-defined]
        conn.execute(
            update(table)
            .where(table.c.kind == kind.value, table.c.record_id.in_(ids), table.c.resolved_at.is_(None))
            .values(resolved_at=now)
        )

    def _existing_hashes(self, kind: RecordKind, ids: list[str]) -> dict[str, str]:
        table: Any = (JobseekerRecord if kind is RecordKind.jobseeker else VacancyRecord).__table__  # type: ignore[union-attr]
        if not ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(table.c.id, table.c.content_hash).where(table.c.id.in_(ids)))
            return {str(row[0]): str(row[1]) for row in rows}

    def _insert(self) -> Any:
        return pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert

    def _upsert_record(
        self,
        conn: Connection,
        kind: RecordKind,
        record: JobseekerIn | VacancyIn,
        content_hash: str,
        links: list[dict[str, Any]],
        source: str,
        now: datetime,
    ) -> None:
        data = record.model_dump(mode="json")
        row: dict[str, Any] = {
            "id": record.id,
            "content_hash": content_hash,
            "data": data,
            "links": links,
            "source": source[:500],
            "created_at": now,
            "updated_at": now,
        }
        if isinstance(record, JobseekerIn):
            table = JobseekerRecord.__table__  # type: ignore[attr-defined]
            row |= {"preferred_language": record.preferred_language.value, "active": record.active}
        else:
            table = VacancyRecord.__table__  # type: ignore[attr-defined]
            text = f"{record.title}\n{record.description or ''}"
            flags = [
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
            row |= {
                "language": record.language.value if record.language else "",
                "status": record.status.value,
                "employer_id": record.employer_id,
                "flags": flags,
            }
        stmt = self._insert()(table)
        update_cols = {k: stmt.excluded[k] for k in row if k not in ("id", "created_at")}
        conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=update_cols), [row])

    def _quarantine(
        self,
        conn: Connection,
        kind: RecordKind,
        raw: RawRecord,
        errors: list[FieldError],
        record_id: str | None,
        source: str,
        now: datetime,
    ) -> bool:
        table = QuarantineRecord.__table__  # type: ignore[attr-defined]
        raw_hash = hashlib.sha256(raw.raw.encode("utf-8", errors="replace")).hexdigest()
        row = {
            "kind": kind.value,
            "source": source[:500],
            "line": raw.line,
            "record_id": record_id[:200] if record_id else None,
            "field": errors[0].field[:500],
            "reason": errors[0].reason,
            "errors": [{"field": e.field, "reason": e.reason} for e in errors],
            "raw": raw.raw,
            "raw_hash": raw_hash,
            "created_at": now,
        }
        stmt = self._insert()(table).on_conflict_do_nothing(index_elements=["kind", "raw_hash"])
        result = conn.execute(stmt, [row])
        return bool(result.rowcount)

    # -- single records (API) ---------------------------------------------------------------------------

    def ingest_one(self, kind: RecordKind, data: dict[str, Any]) -> IngestResult:
        """Validate and store one record (an API payload); nothing is quarantined, errors are raised.

        Raises:
            InvalidRecord: with every field error found.
        """
        record, warnings = self.validate(kind, data)
        return self.store_one(record, warnings)

    def store_one(self, record: JobseekerIn | VacancyIn, warnings: Sequence[str] = ()) -> IngestResult:
        """Store one schema-valid record after checking its ESCO URIs.

        Raises:
            InvalidRecord: an ESCO URI is unknown.
        """
        kind = RecordKind.jobseeker if isinstance(record, JobseekerIn) else RecordKind.vacancy
        errors = self._unknown_uris(record)
        if errors:
            raise InvalidRecord(errors)
        warnings = list(warnings) + [
            f"{record.id}: dropped protected attribute {name!r} (never used for matching)"
            for name in record.dropped_protected
            if not any(repr(name) in w for w in warnings)
        ]
        content_hash = _hash(record.model_dump(mode="json"))
        existing = self._existing_hashes(kind, [record.id])
        if existing.get(record.id) == content_hash:
            return IngestResult("unchanged", record.id, warnings)
        built = self.builder.build([record])[0]
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            self._upsert_record(conn, kind, record, content_hash, built.links, "api", now)
            self.profiles.upsert([built.profile], conn=conn)
            self._resolve_quarantine(conn, kind, [record.id], now)
        if self.on_profiles is not None:
            self.on_profiles([built.profile])
        return IngestResult("updated" if record.id in existing else "accepted", record.id, warnings)


__all__ = [
    "FieldError",
    "IngestResult",
    "IngestSummary",
    "IngestionService",
    "InvalidRecord",
    "RecordKind",
    "field_path",
    "validation_errors",
]
