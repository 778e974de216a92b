"""Jobseekers' rights: the notice, export of one's own data, opting out, contests, erasure and retention.

- Export: everything stored about one jobseeker, as JSON (the dossier and its links, the profile matching
  reads, opt-out, contests, the consultants' decisions about them, their audit row and quarantined versions).
- Opt-out: the profile leaves every candidate list (it is written inactive through the profile writer, so the
  index follows at once) but the jobseeker keeps their own suggestions; re-ingesting the dossier keeps it out.
- Contest: a request about a suggestion (or about how suggestions are made), stored for a consultant to answer.
- Erasure: the record, its quarantined versions, opt-out, contests and interests are deleted, the profile is removed
  through the writer (store and index together), the consultants' decisions and the audit row are kept as ids
  only.
- Retention: a dossier inactive for longer than the retention period is erased by ``purge_inactive``, which also
  deletes quarantined records older than the quarantine's retention period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection, Engine

from ingestion.corrections import erase_corrections
from ingestion.minimise import minimise_line
from ingestion.models import JobseekerRecord, QuarantineRecord, RecordKind
from ingestion.quarantine import purge_quarantine
from ingestion.rights_models import ContestRecord, ContestStatus, OptOutRecord, opted_out
from ingestion.validation import FieldError, InvalidRecord
from matching.errors import UnknownProfile
from matching.fairness import ExposureStore, OversightStore
from matching.guidance import Notice, notice
from matching.profiles import ProfileKind
from matching.ranking import ProfileWriter, ScoreWeights
from matching.upsert import on_conflict_ignore
from services.interest import InterestSignals

MAX_MESSAGE = 5_000


def _tables() -> tuple[Any, Any, Any, Any]:
    return (
        JobseekerRecord.__table__,  # type: ignore[attr-defined]
        QuarantineRecord.__table__,  # type: ignore[attr-defined]
        OptOutRecord.__table__,  # type: ignore[attr-defined]
        ContestRecord.__table__,  # type: ignore[attr-defined]
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class Erasure:
    """What erasing a dossier removed (and what it kept as ids)."""

    jobseeker_id: str
    record: bool = False
    profile: bool = False
    quarantine: int = 0
    contests: int = 0
    decisions_kept_as_ids: int = 0
    audit_kept_as_id: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON output."""
        return dict(self.__dict__)


@dataclass
class Purge:
    """What a retention purge found and erased."""

    cutoff: datetime
    dry_run: bool
    erased: list[str] = field(default_factory=list)
    quarantine: int = 0
    """Quarantined records deleted (past the quarantine's retention)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain form for JSON output."""
        return {
            "cutoff": self.cutoff.isoformat(),
            "dry_run": self.dry_run,
            "count": len(self.erased),
            "ids": self.erased,
            "quarantine_deleted": self.quarantine,
        }


class RightsService:
    """The jobseekers' rights over their dossier, in the service's database."""

    def __init__(
        self,
        db: Engine,
        writer: ProfileWriter,
        exposure: ExposureStore,
        oversight: OversightStore,
        *,
        retention_days: int,
        quarantine_retention_days: int = 90,
        weights: ScoreWeights | None = None,
    ) -> None:
        """Args:
        db: the database of records and profiles.
        writer: the one profile writer (store and index change together).
        exposure: the exposure audit's restricted table of group attributes.
        oversight: the consultants' decisions.
        retention_days: an inactive dossier is erased after this many days.
        quarantine_retention_days: a quarantined record is deleted after this many days.
        weights: the engine's score weights (stated in the notice).
        """
        self.db = db
        self.writer = writer
        self.exposure = exposure
        self.oversight = oversight
        self.retention_days = retention_days
        self.quarantine_retention_days = quarantine_retention_days
        self.weights = weights or writer.engine.scorer.weights
        self.default_language = writer.engine.default_language
        """The language of the notice for a jobseeker who names none (the engine's, from the settings)."""

    def _record(self, conn: Connection, jobseeker_id: str) -> Any:
        table = _tables()[0]
        return conn.execute(select(table).where(table.c.id == jobseeker_id)).first()

    def _require(self, jobseeker_id: str) -> Any:
        with self.db.connect() as conn:
            row = self._record(conn, jobseeker_id)
        if row is None:
            raise UnknownProfile(f"no jobseeker with id {jobseeker_id!r}")
        return row

    # -- notice and export ------------------------------------------------------------------------------

    def notice(self, jobseeker_id: str | None = None, lang: str | None = None) -> Notice:
        """The notice in the jobseeker's language (or the language asked).

        Raises:
            UnknownProfile: no jobseeker has this id.
        """
        if lang is None and jobseeker_id is not None:
            lang = str(self._require(jobseeker_id).preferred_language)
        return notice(
            lang or self.default_language, self.weights, self.retention_days, default_language=self.default_language
        )

    def export(self, jobseeker_id: str, *, with_audit_attributes: bool = True) -> dict[str, Any]:
        """Everything stored about one jobseeker, as JSON.

        Args:
            jobseeker_id: the dossier.
            with_audit_attributes: include the restricted audit attributes (the jobseeker's own export; never
                when someone else, a consultant, exports it for them).

        Raises:
            UnknownProfile: no jobseeker has this id.
        """
        row = self._require(jobseeker_id)
        _, quarantine, _, contests = _tables()
        store = self.writer.store
        try:
            profile: dict[str, Any] | None = store.get(ProfileKind.jobseeker, jobseeker_id).to_json()
        except UnknownProfile:
            profile = None
        with self.db.connect() as conn:
            quarantined = [
                {
                    k: _plain(v)
                    for k, v in r._mapping.items()
                    if k in ("source", "line", "field", "reason", "raw", "created_at")
                }
                for r in conn.execute(
                    select(quarantine).where(quarantine.c.kind == "jobseeker", quarantine.c.record_id == jobseeker_id)
                )
            ]
            out = opted_out(conn, [jobseeker_id])
        for version in quarantined:  # minimised as stored today, whenever it was stored
            version["raw"] = minimise_line(version["raw"]) if isinstance(version.get("raw"), str) else None
        return {
            "jobseeker_id": jobseeker_id,
            "exported_at": datetime.now(UTC).isoformat(),
            "dossier": row.data,
            "links": row.links,
            "record": {k: _plain(getattr(row, k)) for k in ("source", "created_at", "updated_at", "active")},
            "profile": profile,
            "opted_out": jobseeker_id in out,
            "contests": self.contests(jobseeker_id=jobseeker_id),
            "decisions": [d.to_json() for d in self.oversight.history(jobseeker_id=jobseeker_id)],
            "audit_attributes": self.exposure.of(jobseeker_id) if with_audit_attributes else None,
            "quarantined_versions": quarantined,
            "interests": [i.to_json() for i in InterestSignals(self.db).of_jobseeker(jobseeker_id)],
        }

    # -- opting out -------------------------------------------------------------------------------------

    def set_opt_out(self, jobseeker_id: str, out: bool = True) -> bool:
        """Opt a jobseeker out of being proposed to employers (or back in); whether anything changed.

        Raises:
            UnknownProfile: no jobseeker has this id.
        """
        row = self._require(jobseeker_id)
        table = _tables()[2]
        with self.db.connect() as conn:
            already = bool(opted_out(conn, [jobseeker_id]))
        if already == out:
            return False
        profile = self.writer.store.get(ProfileKind.jobseeker, jobseeker_id)
        profile.active = bool(row.active) and not out

        def also(conn: Connection) -> None:
            if out:
                conn.execute(
                    on_conflict_ignore(conn, table, ["jobseeker_id"]),
                    [{"jobseeker_id": jobseeker_id, "created_at": datetime.now(UTC)}],
                )
            else:
                conn.execute(delete(table).where(table.c.jobseeker_id == jobseeker_id))

        self.writer.write([profile], also=also)
        return True

    def is_opted_out(self, jobseeker_id: str) -> bool:
        """Whether a jobseeker opted out (the jobseeker's pages show it)."""
        with self.db.connect() as conn:
            return bool(opted_out(conn, [jobseeker_id]))

    # -- contests ---------------------------------------------------------------------------------------

    def contest(self, jobseeker_id: str, message: str, vacancy_id: str | None = None) -> dict[str, Any]:
        """Store a jobseeker's contest for a consultant.

        Raises:
            UnknownProfile: no jobseeker has this id.
            InvalidRecord: the message is empty or too long.
        """
        self._require(jobseeker_id)
        message = message.strip()
        if not message or len(message) > MAX_MESSAGE:
            raise InvalidRecord([FieldError("message", f"a message of 1 to {MAX_MESSAGE} characters is required")])
        table = _tables()[3]
        row = {
            "jobseeker_id": jobseeker_id,
            "vacancy_id": vacancy_id,
            "message": message,
            "status": ContestStatus.open.value,
            "created_at": datetime.now(UTC),
        }
        with self.db.begin() as conn:
            key = conn.execute(table.insert().values(**row)).inserted_primary_key
        return {"id": int(key[0]) if key else 0, **{k: _plain(v) for k, v in row.items()}}

    def contests(self, *, status: str | None = None, jobseeker_id: str | None = None) -> list[dict[str, Any]]:
        """Contests, oldest first, optionally of one status or one jobseeker."""
        table = _tables()[3]
        query = select(table).order_by(table.c.id)
        if status is not None:
            query = query.where(table.c.status == status)
        if jobseeker_id is not None:
            query = query.where(table.c.jobseeker_id == jobseeker_id)
        with self.db.connect() as conn:
            return [{k: _plain(v) for k, v in r._mapping.items()} for r in conn.execute(query)]

    def answer(self, contest_id: int, by: str, answer: str) -> dict[str, Any]:
        """A consultant's answer to a contest.

        Raises:
            UnknownProfile: no contest has this id.
            InvalidRecord: no answer or no consultant.
        """
        if not answer.strip() or not by.strip():
            raise InvalidRecord([FieldError("answer", "an answer and the consultant who gives it are required")])
        table = _tables()[3]
        with self.db.begin() as conn:
            result = conn.execute(
                update(table)
                .where(table.c.id == contest_id)
                .values(
                    status=ContestStatus.answered.value,
                    answered_by=by.strip()[:200],
                    answered_at=datetime.now(UTC),
                    answer=answer.strip()[:MAX_MESSAGE],
                )
            )
            if not result.rowcount:
                raise UnknownProfile(f"no contest with id {contest_id}")
            row = conn.execute(select(table).where(table.c.id == contest_id)).one()
        return {k: _plain(v) for k, v in row._mapping.items()}

    # -- erasure and retention --------------------------------------------------------------------------

    def erase(self, jobseeker_id: str) -> Erasure:
        """Erase a jobseeker's dossier: record, profile (store and index), quarantined versions, opt-out and
        contests; their decisions and audit row are kept as ids only.

        Raises:
            UnknownProfile: there is neither a record nor a profile with this id.
        """
        records, quarantine, opt_outs, contests = _tables()
        report = Erasure(jobseeker_id)

        def also(conn: Connection) -> None:
            report.record = bool(conn.execute(delete(records).where(records.c.id == jobseeker_id)).rowcount)
            report.quarantine = int(
                conn.execute(
                    delete(quarantine).where(quarantine.c.kind == "jobseeker", quarantine.c.record_id == jobseeker_id)
                ).rowcount
                or 0
            )
            conn.execute(delete(opt_outs).where(opt_outs.c.jobseeker_id == jobseeker_id))
            report.contests = int(
                conn.execute(delete(contests).where(contests.c.jobseeker_id == jobseeker_id)).rowcount or 0
            )
            report.decisions_kept_as_ids = self.oversight.erase_jobseeker(conn, jobseeker_id)
            erase_corrections(conn, RecordKind.jobseeker, jobseeker_id)
            InterestSignals.erase_jobseeker(conn, jobseeker_id)

        generation = self.writer.delete(ProfileKind.jobseeker, [jobseeker_id], also=also)
        report.profile = generation is not None
        if not report.record and not report.profile:
            raise UnknownProfile(f"no jobseeker with id {jobseeker_id!r}")
        report.audit_kept_as_id = self.exposure.erase([jobseeker_id])
        return report

    def inactive_dossiers(self, now: datetime | None = None) -> list[str]:
        """Dossiers inactive (no longer registered) and not updated for longer than the retention period."""
        cutoff = (now or datetime.now(UTC)) - timedelta(days=self.retention_days)
        table = _tables()[0]
        with self.db.connect() as conn:
            rows = conn.execute(select(table.c.id, table.c.updated_at).where(table.c.active.is_(False))).all()
        return sorted(str(r[0]) for r in rows if _aware(r[1]) < cutoff)

    def purge_inactive(self, now: datetime | None = None, *, dry_run: bool = False) -> Purge:
        """Erase every dossier inactive for longer than the retention period.

        Args:
            now: the time to measure from (default: now).
            dry_run: only list them.
        """
        now = now or datetime.now(UTC)
        purge = Purge(cutoff=now - timedelta(days=self.retention_days), dry_run=dry_run)
        for jobseeker_id in self.inactive_dossiers(now):
            if not dry_run:
                self.erase(jobseeker_id)
            purge.erased.append(jobseeker_id)
        if not dry_run:
            purge.quarantine = purge_quarantine(self.db, now - timedelta(days=self.quarantine_retention_days))
        return purge


__all__ = ["Erasure", "Purge", "RightsService"]
