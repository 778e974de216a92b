"""Ingestion: validate record by record, quarantine the bad ones with reasons, store and profile the rest.

A bad record never stops a batch. Re-ingesting the same input is idempotent: accepted records are upserted by
id with a content hash (same hash: unchanged), and a rejected record is quarantined once (by the hash of its
original text). Nothing accepted is ever lost: a chunk's records, their profiles and its quarantine rows are
written in one transaction, and its profiles are indexed with it (``matching.ranking.writer``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from sqlalchemy.engine import Connection
from tqdm import tqdm

from ingestion.adapters import RecordFormat, adapter
from ingestion.build_pool import BuildPool
from ingestion.models import RecordKind
from ingestion.profile_builder import BuiltProfile, ProfileBuilder
from ingestion.readers import RawRecord
from ingestion.repository import RecordRepository, content_hash
from ingestion.rights_models import opted_out
from ingestion.schemas import JobseekerIn
from ingestion.validation import AnyRecord, FieldError, InvalidRecord, RecordValidator, protected_warnings
from matching.profiles import ProfileKind
from matching.ranking import ProfileWriter

CHUNK = 256

_PLURAL = {RecordKind.jobseeker: "jobseekers", RecordKind.vacancy: "vacancies"}


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


def _chunks(items: Iterable[RawRecord], size: int) -> Iterator[list[RawRecord]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


@dataclass
class _Prepared:
    """A validated segment of a batch, waiting to be built and stored."""

    raws: list[RawRecord]
    valid: dict[str, tuple[AnyRecord, str]] = field(default_factory=dict)
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


def _kind_of(record: AnyRecord) -> RecordKind:
    return RecordKind.jobseeker if isinstance(record, JobseekerIn) else RecordKind.vacancy


class IngestionService:
    """Validates, stores and profiles jobseekers and vacancies."""

    def __init__(
        self,
        validator: RecordValidator,
        repository: RecordRepository,
        builder: ProfileBuilder,
        writer: ProfileWriter,
    ) -> None:
        """Args:
        validator: checks records against their schema and ESCO.
        repository: stored records and the quarantine.
        builder: turns records into profiles.
        writer: stores profiles and indexes them, as one unit with the records.
        """
        self.validator = validator
        self.repository = repository
        self.builder = builder
        self.writer = writer
        self.pool: BuildPool | None = None
        """Worker processes that build a batch's profiles (``ingest``); None: built in this process."""

    def validate(self, kind: RecordKind, data: dict[str, Any]) -> tuple[AnyRecord, list[str]]:
        """Validate one record (see ``RecordValidator.validate``).

        Raises:
            InvalidRecord: with every field error found.
        """
        return self.validator.validate(kind, data)

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
                prepared.rejected.append(
                    (raw, [FieldError("(record)", raw.error or "unreadable record", "unreadable")], None)
                )
                continue
            try:
                record, warnings = self.validator.validate(kind, to_native(raw.data))
            except InvalidRecord as exc:
                record_id = raw.data.get("id") if isinstance(raw.data.get("id"), str) else None
                prepared.rejected.append((raw, exc.errors, record_id))
                continue
            summary.warnings.extend(warnings)
            prepared.valid[record.id] = (record, content_hash(record))
        return prepared

    def _finish(self, kind: RecordKind, prepared: _Prepared, source: str, summary: IngestSummary) -> None:
        """Build, store and index a validated segment: new or changed records only."""
        valid, rejected = prepared.valid, prepared.rejected
        existing = self.repository.existing_hashes(kind, list(valid))
        changed = {rid: v for rid, v in valid.items() if existing.get(rid) != v[1]}
        records = [v[0] for v in changed.values()]
        if not records:
            built = []
        elif self.pool is not None:
            built = self.pool.build(self.builder, records)
        else:
            built = self.builder.build(records)
        built = self._keep_opt_outs(kind, built)
        flags = [self.repository.screen_flags(v[0]) for v in changed.values()]
        outcome = {"quarantined": 0, "already_quarantined": 0}

        def store(conn: Connection) -> None:
            now = datetime.now(UTC)
            self._store_records(conn, list(changed.values()), built, source, now, flags)
            self.repository.resolve_quarantine(conn, kind, list(valid), now)
            for raw, errors, record_id in rejected:
                new = self.repository.quarantine(conn, kind, raw, errors, record_id, source, now)
                outcome["quarantined" if new else "already_quarantined"] += 1

        self.writer.write([b.profile for b in built], also=store)
        summary.unchanged += len(valid) - len(changed)
        summary.updated += sum(1 for rid in changed if rid in existing)
        summary.accepted += sum(1 for rid in changed if rid not in existing)
        summary.quarantined += outcome["quarantined"]
        summary.already_quarantined += outcome["already_quarantined"]

    def _keep_opt_outs(self, kind: RecordKind, built: list[BuiltProfile]) -> list[BuiltProfile]:
        """A jobseeker who opted out of being proposed stays out of the lists when their dossier changes."""
        if kind is not RecordKind.jobseeker or not built:
            return built
        with self.repository.engine.connect() as conn:
            out = opted_out(conn, [b.profile.id for b in built])
        for b in built:
            if b.profile.id in out:
                b.profile.active = False
        return built

    def _store_records(
        self,
        conn: Connection,
        records: Sequence[tuple[AnyRecord, str]],
        built: Sequence[BuiltProfile],
        source: str,
        now: datetime,
        flags: Sequence[list[dict[str, Any]] | None],
    ) -> None:
        for (record, digest), result, screened in zip(records, built, flags, strict=True):
            self.repository.upsert_record(conn, record, digest, result.links, source, now, screened)

    # -- single records (API) ---------------------------------------------------------------------------

    def ingest_one(self, kind: RecordKind, data: dict[str, Any]) -> IngestResult:
        """Validate and store one record (an API payload); nothing is quarantined, errors are raised.

        Raises:
            InvalidRecord: with every field error found.
        """
        record, warnings = self.validator.validate(kind, data)
        return self.store_one(record, warnings)

    def store_one(
        self,
        record: AnyRecord,
        warnings: Sequence[str] = (),
        *,
        source: str = "api",
        also: Callable[[Connection], None] | None = None,
    ) -> IngestResult:
        """Store and index one schema-valid record after checking its ESCO URIs, as one unit.

        Args:
            record: the record.
            warnings: warnings of its validation, to pass on.
            source: where it comes from (kept with the record).
            also: more work for the same transaction (a correction's provenance); run on its own when the record
                is unchanged.

        Raises:
            InvalidRecord: an ESCO URI is unknown.
        """
        kind = _kind_of(record)
        self.validator.check_uris(record)
        warnings = list(warnings) + [w for w in protected_warnings(record) if w not in warnings]
        digest = content_hash(record)
        existing = self.repository.existing_hashes(kind, [record.id])
        if existing.get(record.id) == digest:
            if also is not None:
                with self.repository.engine.begin() as conn:
                    also(conn)
            return IngestResult("unchanged", record.id, warnings)
        built = self._keep_opt_outs(kind, self.builder.build([record]))[0]
        flags = self.repository.screen_flags(record)  # before the write's turn, like linking

        def store(conn: Connection) -> None:
            now = datetime.now(UTC)
            self.repository.upsert_record(conn, record, digest, built.links, source, now, flags)
            self.repository.resolve_quarantine(conn, kind, [record.id], now)
            if also is not None:
                also(conn)

        self.writer.write([built.profile], also=store)
        return IngestResult("updated" if record.id in existing else "accepted", record.id, warnings)

    def relink(
        self, kind: RecordKind, records: Sequence[AnyRecord], *, source: str = "relink", batch: int = 500
    ) -> int:
        """Link stored records again and store their links and profiles, changed or not (a new ESCO release).

        Each batch is stored and indexed as one unit, as an ingestion batch is.

        Raises:
            InvalidRecord: an ESCO URI of a record is unknown (nothing of its batch is written).

        Returns:
            Records linked again.
        """
        done = 0
        for start in range(0, len(records), batch):
            chunk = list(records[start : start + batch])
            for record in chunk:
                self.validator.check_uris(record)
            built = self._keep_opt_outs(kind, self.builder.build(chunk))
            pairs = [(record, content_hash(record)) for record in chunk]
            flags = [self.repository.screen_flags(record) for record in chunk]

            def store(
                conn: Connection,
                pairs: list[tuple[AnyRecord, str]] = pairs,
                built: list[BuiltProfile] = built,
                flags: list[list[dict[str, Any]] | None] = flags,
            ) -> None:
                self._store_records(conn, pairs, built, source, datetime.now(UTC), flags)

            self.writer.write([b.profile for b in built], also=store)
            done += len(chunk)
        return done

    def delete_one(self, kind: RecordKind, record_id: str) -> bool:
        """Delete a stored record and its profile (store and index as one unit).

        Returns:
            Whether there was such a record.
        """
        found = {"record": False}

        def remove(conn: Connection) -> None:
            found["record"] = self.repository.delete_record(conn, kind, record_id)

        self.writer.delete(ProfileKind(kind.value), [record_id], also=remove)
        return found["record"]


__all__ = ["IngestResult", "IngestSummary", "IngestionService", "RecordKind"]
