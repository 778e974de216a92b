"""Jobseekers' interest in suggested vacancies: stored when a jobseeker says "I am interested", waiting in the
consultants' queue until one of them follows it up; withdrawn by the jobseeker, erased with the dossier
(``services.rights``).

Each change is one statement in its own transaction; marking twice keeps the first moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection, Engine

from ingestion.rights_models import InterestRecord
from matching.upsert import on_conflict_ignore


def _table() -> Any:
    return InterestRecord.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Interest:
    """One jobseeker's interest in one vacancy."""

    jobseeker_id: str
    vacancy_id: str
    created_at: datetime
    handled_by: str | None
    handled_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON form."""
        return {
            "jobseeker_id": self.jobseeker_id,
            "vacancy_id": self.vacancy_id,
            "created_at": self.created_at.isoformat(),
            "handled_by": self.handled_by,
            "handled_at": self.handled_at.isoformat() if self.handled_at else None,
        }


def _interest(row: Any) -> Interest:
    return Interest(row.jobseeker_id, row.vacancy_id, row.created_at, row.handled_by, row.handled_at)


class InterestSignals:
    """The interest signals in the service's database."""

    def __init__(self, db: Engine) -> None:
        """Args:
        db: the database (the table is created by the migrations).
        """
        self.db = db

    def mark(self, jobseeker_id: str, vacancy_id: str) -> bool:
        """Record that a jobseeker is interested in a vacancy; whether it is new."""
        table = _table()
        row = {"jobseeker_id": jobseeker_id, "vacancy_id": vacancy_id, "created_at": datetime.now(UTC)}
        stmt = on_conflict_ignore(self.db, table, ["jobseeker_id", "vacancy_id"]).values(**row)
        with self.db.begin() as conn:  # RETURNING says whether a row went in (rowcount is -1 on PostgreSQL here)
            return conn.execute(stmt.returning(table.c.jobseeker_id)).first() is not None

    def withdraw(self, jobseeker_id: str, vacancy_id: str) -> bool:
        """Take back an interest; whether there was one."""
        table = _table()
        with self.db.begin() as conn:
            where = (table.c.jobseeker_id == jobseeker_id) & (table.c.vacancy_id == vacancy_id)
            return bool(conn.execute(delete(table).where(where)).rowcount)

    def handle(self, jobseeker_id: str, vacancy_id: str, by: str) -> bool:
        """A consultant followed an interest up (it leaves the queue); whether it was waiting."""
        table = _table()
        where = (
            (table.c.jobseeker_id == jobseeker_id) & (table.c.vacancy_id == vacancy_id) & table.c.handled_at.is_(None)
        )
        with self.db.begin() as conn:
            done = conn.execute(update(table).where(where).values(handled_by=by[:200], handled_at=datetime.now(UTC)))
            return bool(done.rowcount)

    def of_jobseeker(self, jobseeker_id: str) -> list[Interest]:
        """A jobseeker's interests, oldest first."""
        table = _table()
        query = select(table).where(table.c.jobseeker_id == jobseeker_id).order_by(table.c.created_at)
        with self.db.connect() as conn:
            return [_interest(r) for r in conn.execute(query)]

    def of_vacancy(self, vacancy_id: str) -> list[Interest]:
        """The jobseekers interested in a vacancy, oldest first."""
        table = _table()
        query = select(table).where(table.c.vacancy_id == vacancy_id).order_by(table.c.created_at)
        with self.db.connect() as conn:
            return [_interest(r) for r in conn.execute(query)]

    def waiting(self, limit: int = 200) -> list[Interest]:
        """Interests no consultant has followed up yet, oldest first."""
        table = _table()
        query = select(table).where(table.c.handled_at.is_(None)).order_by(table.c.created_at).limit(limit)
        with self.db.connect() as conn:
            return [_interest(r) for r in conn.execute(query)]

    @staticmethod
    def erase_jobseeker(conn: Connection, jobseeker_id: str) -> int:
        """Delete a jobseeker's interests inside the erasure's transaction; how many there were."""
        table = _table()
        return int(conn.execute(delete(table).where(table.c.jobseeker_id == jobseeker_id)).rowcount or 0)


__all__ = ["Interest", "InterestSignals"]
