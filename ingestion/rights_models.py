"""Tables of the jobseekers' rights and signals to consultants: opting out of being proposed to employers,
contests of suggestions, and interest in a suggested vacancy."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel


class OptOutRecord(SQLModel, table=True):
    """A jobseeker who does not want to be proposed to employers (they keep their own suggestions)."""

    __tablename__ = "jobseeker_opt_out"

    jobseeker_id: str = Field(primary_key=True, max_length=64)
    created_at: datetime


class ContestStatus(StrEnum):
    """Where a contest stands."""

    open = "open"
    answered = "answered"


class ContestRecord(SQLModel, table=True):
    """A jobseeker's contest of a suggestion (or of how suggestions are made), for a consultant to answer."""

    __tablename__ = "contest_request"

    id: int | None = Field(default=None, primary_key=True)
    jobseeker_id: str = Field(max_length=64, index=True)
    vacancy_id: str | None = Field(default=None, max_length=64)
    message: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default=ContestStatus.open.value, max_length=16, index=True)
    created_at: datetime
    answered_by: str | None = Field(default=None, max_length=200)
    answered_at: datetime | None = None
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class InterestRecord(SQLModel, table=True):
    """A jobseeker's "I am interested" in a vacancy, for the consultants to follow up."""

    __tablename__ = "vacancy_interest"

    jobseeker_id: str = Field(primary_key=True, max_length=64)
    vacancy_id: str = Field(primary_key=True, max_length=64, index=True)
    created_at: datetime
    handled_by: str | None = Field(default=None, max_length=200)
    """The consultant who followed it up (None: waiting in the consultants' queue)."""
    handled_at: datetime | None = None


RIGHTS_TABLES = [OptOutRecord.__table__, ContestRecord.__table__, InterestRecord.__table__]  # type: ignore[attr-defined]


def create_tables(engine: Engine) -> None:
    """Create the rights tables that do not exist yet."""
    SQLModel.metadata.create_all(engine, tables=RIGHTS_TABLES)


def opted_out(conn: Connection, ids: list[str]) -> set[str]:
    """The jobseekers among some ids who opted out of being proposed to employers."""
    if not ids:
        return set()
    table = OptOutRecord.__table__  # type: ignore[attr-defined]
    return {str(r[0]) for r in conn.execute(select(table.c.jobseeker_id).where(table.c.jobseeker_id.in_(ids)))}


__all__ = [
    "RIGHTS_TABLES",
    "ContestRecord",
    "ContestStatus",
    "InterestRecord",
    "OptOutRecord",
    "create_tables",
    "opted_out",
]
