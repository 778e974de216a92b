"""Shortlists: per vacancy, the candidates a consultant keeps, each with where it stands."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import UniqueConstraint, delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from matching.upsert import on_conflict_update


class ShortlistStatus(StrEnum):
    """Where a shortlisted candidate stands."""

    proposed = "proposed"
    contacted = "contacted"
    sent_to_employer = "sent_to_employer"
    hired = "hired"
    rejected = "rejected"


class ShortlistRow(SQLModel, table=True):
    """A candidate on a vacancy's shortlist."""

    __tablename__ = "shortlist_entry"
    __table_args__ = (UniqueConstraint("vacancy_id", "jobseeker_id", name="uq_shortlist_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    vacancy_id: str = Field(max_length=64, index=True)
    jobseeker_id: str = Field(max_length=64, index=True)
    status: str = Field(max_length=32)
    score: float | None = None
    """The match score when the candidate was added."""
    updated_at: datetime
    updated_by: str = Field(max_length=200)


SHORTLIST_TABLES = [ShortlistRow.__table__]  # type: ignore[attr-defined]
_TABLE = ShortlistRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ShortlistEntry:
    """A shortlisted candidate."""

    vacancy_id: str
    jobseeker_id: str
    status: ShortlistStatus
    score: float | None
    updated_at: datetime
    updated_by: str


class Shortlists:
    """The shortlists of every vacancy."""

    def __init__(self, engine: Engine) -> None:
        """Args:
        engine: the database (the table is created by the wiring).
        """
        self.engine = engine

    def put(
        self, vacancy_id: str, jobseeker_id: str, status: ShortlistStatus, by: str, score: float | None = None
    ) -> ShortlistEntry:
        """Add a candidate to a vacancy's shortlist, or change their status (the first score is kept)."""
        now = datetime.now(UTC)
        row = {"vacancy_id": vacancy_id, "jobseeker_id": jobseeker_id, "status": status.value, "score": score,
               "updated_at": now, "updated_by": by}  # fmt: skip
        with self.engine.begin() as conn:
            # The first score is kept: a later status change does not re-rank the candidate.
            conn.execute(
                on_conflict_update(
                    conn, _TABLE, ["vacancy_id", "jobseeker_id"], ["status", "updated_at", "updated_by"]
                ),
                [row],
            )
        entry = self.get(vacancy_id, jobseeker_id)
        assert entry is not None
        return entry

    def get(self, vacancy_id: str, jobseeker_id: str) -> ShortlistEntry | None:
        """One shortlisted candidate."""
        found = [e for e in self.of(vacancy_id) if e.jobseeker_id == jobseeker_id]
        return found[0] if found else None

    def of(self, vacancy_id: str) -> list[ShortlistEntry]:
        """A vacancy's shortlist, best score first."""
        query = select(_TABLE).where(_TABLE.c.vacancy_id == vacancy_id).order_by(_TABLE.c.score.desc(), _TABLE.c.id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [
            ShortlistEntry(r.vacancy_id, r.jobseeker_id, ShortlistStatus(r.status), r.score,
                           r.updated_at if r.updated_at.tzinfo else r.updated_at.replace(tzinfo=UTC), r.updated_by)
            for r in rows
        ]  # fmt: skip

    def remove(self, vacancy_id: str, jobseeker_id: str) -> bool:
        """Take a candidate off a shortlist; whether they were on it."""
        with self.engine.begin() as conn:
            result = conn.execute(
                delete(_TABLE).where(_TABLE.c.vacancy_id == vacancy_id, _TABLE.c.jobseeker_id == jobseeker_id)
            )
        return bool(result.rowcount)

    def forget_jobseeker(self, jobseeker_id: str) -> int:
        """Take a deleted dossier off every shortlist."""
        with self.engine.begin() as conn:
            return int(conn.execute(delete(_TABLE).where(_TABLE.c.jobseeker_id == jobseeker_id)).rowcount)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Cells a spreadsheet would read as a formula (OWASP's CSV injection list)."""


def neutralise(cell: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula: a leading =, +, -, @, tab or CR gets a quote."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    """Rows as CSV text with every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([[neutralise(c) for c in row] for row in rows])
    return out.getvalue()


__all__ = [
    "SHORTLIST_TABLES",
    "ShortlistEntry",
    "ShortlistRow",
    "ShortlistStatus",
    "Shortlists",
    "neutralise",
    "to_csv",
]
